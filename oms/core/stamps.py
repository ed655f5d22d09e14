"""Change stamps (issue 21): what a process may keep of a small, rarely edited table (the working
calendar, the notification channels) and how it learns, at the cost of one read per transaction
for all of them, that another process changed it.

A trigger on the watched table replaces its `ChangeStamp` token by a random number on every
INSERT, UPDATE and DELETE (and TRUNCATE on PostgreSQL), in the writing transaction: a bulk write,
raw SQL or another program changes it too, and a rolled-back write leaves the old token with the
old rows. A random token, not a counter, so that a token never names two contents (a counter
would repeat after a rollback). A missing stamp row (a table emptied by a test's flush) means
"do not keep anything".

The tokens are read once per transaction (txmemo); a write of the watched table made by this
transaction must `forget()` them (the signals and actions of the owning apps do)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from oms.core import txmemo
from oms.core.models import ChangeStamp

T = TypeVar("T")
M = TypeVar("M", bound=models.Model)
_MEMO = "core.stamps"


def _read() -> dict[str, int]:
    return dict(ChangeStamp.objects.values_list("key", "token"))


def token(key: str) -> int | None:
    """The token of `key` as this transaction knows it (read at its first use)."""
    memo = txmemo.memo()
    if memo is None:
        return _read().get(key)
    tokens = memo.get(_MEMO)
    if tokens is None:
        tokens = memo[_MEMO] = _read()
    return tokens.get(key)


# Every token as one JSON text, for a statement the transaction runs anyway (`priming`).
_ALL = {
    "postgresql": "SELECT json_object_agg(key, token)::text FROM core_changestamp",
    "sqlite": "SELECT json_group_object(key, token) FROM core_changestamp",
}


def priming() -> RawSQL | None:
    """A column that reads every token with a statement the transaction runs anyway (the
    engine's locked read of a record, issue 21: one round trip less per action), or None when
    this transaction knows them already; hand its value to `prime`. The tokens are then as of
    that statement, which comes before any read of a watched table they guard (`kept`)."""
    memo = txmemo.memo()
    if memo is None or _MEMO in memo:
        return None
    sql = _ALL.get(connection.vendor)
    return RawSQL(sql, ()) if sql is not None else None  # noqa: S611 (a constant)


def prime(value: str | None) -> None:
    """The tokens read by a `priming` column: this transaction's, unless it read them already."""
    memo = txmemo.memo()
    if memo is not None and _MEMO not in memo:
        memo[_MEMO] = {str(k): int(v) for k, v in json.loads(value).items()} if value else {}


# Other values a transaction reads once and may read with its first locked read (issue 21),
# registered by their apps (`oms.audit`: the chain's tail on SQLite): a name, a column (None when
# not wanted now) and what to do with its value.
_RIDERS: list[tuple[str, Callable[[], RawSQL | None], Callable[[Any], None]]] = []


def ride(name: str, column: Callable[[], RawSQL | None], take: Callable[[Any], None]) -> None:
    """Have `column()` read by the transaction's first locked read too (`with_tokens`)."""
    if all(known != name for known, _c, _t in _RIDERS):
        _RIDERS.append((name, column, take))


def riding() -> dict[str, RawSQL]:
    """The columns `with_tokens` adds now: the tokens when this transaction has not read them
    yet, and the riders' wanted columns (each a constant statement)."""
    columns = {"oms_stamps": priming()} | {f"oms_{name}": column() for name, column, _take in _RIDERS}
    return {name: column for name, column in columns.items() if column is not None}


def shape(columns: dict[str, RawSQL]) -> tuple[tuple[str, str], ...]:
    """What `riding()`'s columns add to a statement, for a kept statement's key (`core.prepared`)."""
    return tuple((name, column.sql) for name, column in columns.items())


def with_tokens(rows: QuerySet[M], columns: dict[str, RawSQL] | None = None) -> QuerySet[M]:
    """`rows` (an action's locked read) bringing the tokens too when this transaction has not
    read them yet, and the riders' columns (`riding()`, or those given); pass a row read to
    `take_tokens`."""
    wanted = riding() if columns is None else columns
    return rows.annotate(**wanted) if wanted else rows


def take_tokens(row: Any) -> None:
    """The tokens (and riders' values) a row read through `with_tokens` brought, if it did."""
    if hasattr(row, "oms_stamps"):
        prime(row.oms_stamps)
    for name, _column, take in _RIDERS:
        if hasattr(row, f"oms_{name}"):
            take(getattr(row, f"oms_{name}"))


def current(key: str) -> int | None:
    """The token of `key` read now, not remembered: for a check that must see what this very
    transaction wrote through any path (an `.update()` fires no signal to `forget()`), such as a
    token's revocation before the next request in the same test transaction."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM core_changestamp WHERE key = %s", [key])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def forget(**_kwargs: Any) -> None:
    """This transaction wrote a watched table: read the tokens again at their next use."""
    txmemo.forget(_MEMO)


def kept(key: str, cache: dict[Any, T], extra: tuple[Any, ...], load: Callable[[], T]) -> T:
    """`load()` kept in `cache` under (the token of `key`, *extra) while the token stays.

    The token is read before the table: a change that another process commits in between is
    loaded, not missed, and kept under the older token, which only transactions that read that
    token before the change can ask for (a token is never given again). The opposite, older
    rows under a newer token, cannot happen: the token changes in the transaction that writes."""
    before = token(key)
    if before is None:
        return load()
    found = cache.get((before, *extra))
    if found is None:
        if len(cache) > 16:
            cache.clear()
        found = cache[(before, *extra)] = load()
    return found


# --- the triggers (installed by the watched app's migration) ----------------------------------


def _sqlite(table: str, key: str) -> tuple[list[str], list[str]]:
    # The table and key are the migrations' constants, never input.
    upsert = (
        f"INSERT INTO core_changestamp (key, token) VALUES ('{key}', random()) "  # noqa: S608
        "ON CONFLICT(key) DO UPDATE SET token = excluded.token"
    )
    events = ("insert", "update", "delete")
    create = [
        f"CREATE TRIGGER IF NOT EXISTS stamp_{table}_{e} AFTER {e.upper()} ON {table} BEGIN {upsert}; END"
        for e in events
    ]
    return create, [f"DROP TRIGGER IF EXISTS stamp_{table}_{e}" for e in events]


_PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION core_bump_stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO core_changestamp (key, token) VALUES (TG_ARGV[0], (random() * 9007199254740991)::bigint) "
    "ON CONFLICT (key) DO UPDATE SET token = EXCLUDED.token; RETURN NULL; END $$"
)


def _postgres(table: str, key: str) -> tuple[list[str], list[str]]:
    create = [
        _PG_FUNCTION,
        f"DROP TRIGGER IF EXISTS stamp_{table} ON {table}",
        f"CREATE TRIGGER stamp_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION core_bump_stamp('{key}')",
    ]
    return create, [f"DROP TRIGGER IF EXISTS stamp_{table} ON {table}"]


def install(schema_editor: Any, *, table: str, key: str) -> None:
    """Watch `table` under `key`: the trigger, and a first token."""
    create, _drop = (
        _sqlite(table, key) if schema_editor.connection.vendor == "sqlite" else _postgres(table, key)
    )
    for sql in create:
        schema_editor.execute(sql)
    schema_editor.execute("DELETE FROM core_changestamp WHERE key = %s", [key])
    schema_editor.execute("INSERT INTO core_changestamp (key, token) VALUES (%s, %s)", [key, _random()])


def uninstall(schema_editor: Any, *, table: str, key: str) -> None:
    _create, drop = (
        _sqlite(table, key) if schema_editor.connection.vendor == "sqlite" else _postgres(table, key)
    )
    for sql in drop:
        schema_editor.execute(sql)


def _random() -> int:
    import secrets

    return secrets.randbits(52)


__all__ = [
    "current",
    "forget",
    "install",
    "kept",
    "prime",
    "priming",
    "ride",
    "riding",
    "shape",
    "take_tokens",
    "token",
    "uninstall",
    "with_tokens",
]
