"""Writing audit events: the only way rows get into the log (DESIGN 7)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL

from oms.audit.models import GENESIS_HASH, AuditEvent, Scheme, normalise, utcnow
from oms.core import inserts, txmemo
from oms.core.context import current_request_id

CHAIN_LOCK_KEY = 0x0A0D17
# PostgreSQL (migration audit 0004): take the chain's transaction-scoped advisory lock, then
# read the tail, in one statement (issue 21: one round trip per transaction instead of two). It
# is a VOLATILE function: under READ COMMITTED each statement inside it takes a fresh snapshot,
# so the tail is read after the lock is granted and sees the events of the transaction that held
# it. A plain `SELECT pg_advisory_xact_lock(k), (SELECT … tail)` would not: its one snapshot is
# taken before the lock waits, and it could return a tail another transaction has extended since.

# Written out (issue 21): once per writing transaction, and the ORM's building of it cost more
# than the database's answer.
_TAIL_SQL = 'SELECT "hash", "seq" FROM "audit_auditevent" ORDER BY "id" DESC LIMIT 1'


def chain_lock_column() -> str:
    """A column for the RETURNING (or SELECT) list of a statement that an action runs anyway
    shortly before it audits, which takes the chain's lock in that statement on PostgreSQL
    ("" on SQLite, which needs none); run `chain_locked()` after it (issue 21: one round trip
    less per create). The lock is then held from that statement on, not only from the audit's:
    fit for a statement that already holds a row lock to the end of the transaction (such as an
    order number's counter), so no new order of taking locks arises."""
    return f", pg_advisory_xact_lock({CHAIN_LOCK_KEY})" if connection.vendor == "postgresql" else ""


def chain_locked() -> None:
    """A statement with `chain_lock_column` ran: the transaction holds the chain's lock (a
    savepoint rolled back since forgets it, and the lock is taken again)."""
    if connection.vendor == "postgresql":
        connection._oms_audit_locked = txmemo.mark()  # type: ignore[attr-defined]


def _locked_tail() -> tuple[str, int | None] | None:
    """Serialise appends so that every event links to exactly one predecessor, and read the
    chain's last (hash, seq), None when empty.

    SQLite runs write transactions one at a time (IMMEDIATE mode), so nothing more is needed
    there. PostgreSQL takes a transaction-scoped advisory lock with the read
    (`oms_audit_chain_tail`), unless an earlier statement of this transaction took it already
    (`chain_lock_column`): then the read is a statement of its own, whose snapshot is taken after
    the lock was granted.
    """
    if connection.vendor == "postgresql" and not txmemo.alive(getattr(connection, "_oms_audit_locked", None)):
        with connection.cursor() as cursor:
            cursor.execute("SELECT tail_hash, tail_seq FROM oms_audit_chain_tail(%s)", [CHAIN_LOCK_KEY])
            row = cursor.fetchone()
        return (row[0], row[1]) if row else None
    with connection.cursor() as cursor:
        cursor.execute(_TAIL_SQL)
        last = cursor.fetchone()
    return (last[0], last[1]) if last else None


def _tail() -> tuple[str, int]:
    """The chain's last (hash, seq). The first event of a transaction takes the lock and reads
    it; later events of the same transaction know it, since nobody else can append until this
    transaction ends (issue 21: one lock and one read per transaction, not per event). A savepoint
    rolled back since forgets it (txmemo), and so does an event saved other than here."""
    held = getattr(connection, "_oms_audit_tail", None)
    if held is not None and txmemo.alive(held[0]):
        return held[1], held[2]
    last = _locked_tail()
    prev_hash, prev_seq = last or (GENESIS_HASH, 0)
    if prev_seq is None:
        # The first keyed event after the plain ones: number on from the chain's length.
        prev_seq = AuditEvent.objects.count()
    return prev_hash, prev_seq


# The chain's tail read by the transaction's first locked read (`stamps.with_tokens`), one
# statement less per writing transaction (issue 21, ADR 0014 "The tail with the first read").
# SQLite: the tail itself. Correct there because SQLite's write transactions begin IMMEDIATE
# (settings: `transaction_mode`): from BEGIN this transaction holds the database's one write
# lock, so no other connection can append until it ends, and what it appends itself goes
# through `_append`/`record`, which carry the tail on (an event saved otherwise forgets it; a
# savepoint rolled back forgets it through its marker).
# PostgreSQL: only a guess, read without the chain's lock (taking the lock at the first read
# would hold it for the whole action, after which row locks are taken: a new lock order). The
# events are chained after the guess and inserted by one statement that takes the chain's lock
# and inserts them only if the tail, read after the lock is granted, is still the guess
# (`_insert_after`); else nothing is inserted, and the tail is read under the lock and the
# events chained again, as without a guess.
_FIRST_READ_TAIL = {
    "sqlite": 'SELECT json_array("hash", "seq") FROM "audit_auditevent" ORDER BY "id" DESC LIMIT 1',
    "postgresql": 'SELECT json_build_array("hash", "seq")::text FROM "audit_auditevent" ORDER BY "id" DESC LIMIT 1',
}


def _known() -> bool:
    """Whether this transaction knows the tail, or a guess of it, already."""
    for name in ("_oms_audit_tail", "_oms_audit_guess"):
        held = getattr(connection, name, None)
        if held is not None and txmemo.alive(held[0]):
            return True
    return False


def tail_column() -> RawSQL | None:
    """The tail as a column of a statement the transaction runs anyway, when this transaction
    has not read it (or, on PostgreSQL, guessed it) yet; else None."""
    sql = _FIRST_READ_TAIL.get(connection.vendor)
    if sql is None or not connection.in_atomic_block or _known():
        return None
    return RawSQL(sql, ())  # noqa: S611 (a constant)


def take_tail(value: str | None) -> None:
    """The tail a `tail_column` read: the transaction's from now on on SQLite, its guess on
    PostgreSQL (an empty chain starts at the genesis hash; a plain, unnumbered tail is left to
    `_tail`, which counts the chain)."""
    if not connection.in_atomic_block:
        return
    prev_hash, prev_seq = json.loads(value) if value else (GENESIS_HASH, 0)
    if prev_seq is None:
        return
    held = (txmemo.mark(), prev_hash, int(prev_seq))
    if connection.vendor == "sqlite":
        connection._oms_audit_tail = held  # type: ignore[attr-defined]
    else:
        connection._oms_audit_guess = held  # type: ignore[attr-defined]


def _guess() -> tuple[str, int] | None:
    """PostgreSQL: the tail guessed by the first read, when the transaction does not know the
    tail. Also when it holds the chain's lock already (`chain_lock_column`, taken after the
    guess): the insert's condition reads the tail afresh either way."""
    held = getattr(connection, "_oms_audit_guess", None)
    if held is None or not txmemo.alive(held[0]):
        return None
    tail = getattr(connection, "_oms_audit_tail", None)
    if tail is not None and txmemo.alive(tail[0]):
        return None
    return held[1], held[2]


def forget_tail() -> None:
    connection._oms_audit_tail = None  # type: ignore[attr-defined]
    connection._oms_audit_guess = None  # type: ignore[attr-defined]


P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def batch() -> Iterator[None]:
    """Hold the events recorded inside and append them with one INSERT when the block ends
    (issue 21: one statement per action, not one per event).

    Must run inside the action's transaction (`transaction.atomic` outside it), so the flush is
    part of the deciding transaction: an action that raises leaves no event, since the held
    events are dropped and its transaction rolls back. Events recorded inside a savepoint that
    rolled back are dropped too (each is tied to a txmemo marker). Nested blocks flush once, at
    the outermost. Outside a transaction the events are written one by one, as without a batch.
    """
    if getattr(connection, "_oms_audit_batch", None) is not None or not connection.in_atomic_block:
        yield
        return
    held: list[tuple[Any, AuditEvent]] = []
    connection._oms_audit_batch = held  # type: ignore[attr-defined]
    try:
        yield
    finally:
        connection._oms_audit_batch = None  # type: ignore[attr-defined]
    # Only reached when the block ended normally; the transaction is still open.
    _append([event for marker, event in held if txmemo.alive(marker)])


def batched(fn: Callable[P, R]) -> Callable[P, R]:
    """`batch()` around an action, under its `@transaction.atomic`; also the action's memo
    (`txmemo.action_scope`)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with batch(), txmemo.action_scope():
            return fn(*args, **kwargs)

    return wrapper


def _chain(events: list[AuditEvent], prev_hash: str, prev_seq: int) -> None:
    for event in events:
        event.prev_hash, event.seq = prev_hash, prev_seq + 1
        event.hash = event.compute_hash()
        prev_hash, prev_seq = event.hash, event.seq


def _append(events: list[AuditEvent]) -> None:
    """Chain `events` after the tail, in order, and insert them with one statement."""
    if not events:
        return
    guessed = _guess()
    connection._oms_audit_guess = None  # type: ignore[attr-defined]  # used once, right or wrong
    if guessed is not None:
        _chain(events, *guessed)
        if _insert_after(events, guessed[0]):
            chain_locked()  # the statement took the chain's lock
            connection._oms_audit_tail = (txmemo.mark(), events[-1].hash, events[-1].seq)  # type: ignore[attr-defined]
            return
        # Another transaction appended since the guess: nothing was inserted. Read the tail
        # under the chain's lock, as without a guess, and chain the events again.
    _chain(events, *_tail())
    inserts.insert(events)  # an INSERT built once per row count (issue 21), not by bulk_create
    connection._oms_audit_tail = (txmemo.mark(), events[-1].hash, events[-1].seq)  # type: ignore[attr-defined]


_FIELDS = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
_INSERT_SQL: dict[int, str] = {}


def _insert_sql(n: int) -> str:
    """PostgreSQL: insert n events if, and only if, the chain's tail read after its lock is
    granted (`oms_audit_chain_tail`, a VOLATILE function: a fresh snapshot after the wait) has
    the given hash (the genesis hash for an empty chain). The condition does not depend on the
    rows, so it is evaluated once, before any row is inserted: all rows or none. Written out,
    constant for n, values bound (ADR 0017 rule 5)."""
    sql = _INSERT_SQL.get(n)
    if sql is None:
        row = "(" + ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in _FIELDS) + ")"
        columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in _FIELDS)
        sql = _INSERT_SQL[n] = (
            f'INSERT INTO "audit_auditevent" ({columns}) SELECT * FROM (VALUES {", ".join([row] * n)}) AS v '  # noqa: S608 (constant)
            "WHERE COALESCE((SELECT t.tail_hash FROM oms_audit_chain_tail(%s) AS t), %s) = %s "
            'RETURNING "id"'
        )
    return sql


def _insert_after(events: list[AuditEvent], prev_hash: str) -> bool:
    """Insert `events`, chained after `prev_hash`, if that is still the chain's tail; whether
    they were. Either way the transaction holds the chain's lock afterwards."""
    params: list[Any] = []
    for event in events:
        params.extend(f.get_db_prep_save(f.pre_save(event, True), connection) for f in _FIELDS)
    params.extend([CHAIN_LOCK_KEY, GENESIS_HASH, prev_hash])
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(len(events)), params)
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return False
    if len(ids) != len(events):  # cannot happen: the condition is the statement's, not a row's
        raise RuntimeError("audit: a part of a batch was inserted")
    for event, pk in zip(events, ids, strict=True):
        event.pk = pk
        event._state.adding = False
        event._state.db = connection.alias
    return True


def object_label(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def record(
    *,
    actor: Any,
    obj: models.Model | None,
    action: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one event, chained to the last one, inside the caller's transaction; inside a
    `batch()` the event is held and chained when the batch ends (its hash and seq are unset
    until then)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        occurred_at=utcnow(),
        actor=user,
        actor_name=(user.get_full_name() or user.get_username()) if user else str(actor or "system"),
        object_type=object_label(obj) if obj is not None else object_type,
        object_id=str(obj.pk) if obj is not None else object_id,
        object_repr=(str(obj) if obj is not None else object_repr)[:255],
        action=action,
        before=normalise(dict(before or {})),
        after=normalise(dict(after or {})),
        reason=reason,
        request_id=current_request_id() or "",
        scheme=Scheme.KEYED,
    )
    held = getattr(connection, "_oms_audit_batch", None)
    if held is not None and connection.in_atomic_block:
        held.append((txmemo.mark(), event))
        return event
    with transaction.atomic(savepoint=False):
        prev_hash, prev_seq = _tail()
        event.prev_hash, event.seq = prev_hash, prev_seq + 1
        event.hash = event.compute_hash()
        event.save(chained=True)
        connection._oms_audit_tail = (txmemo.mark(), event.hash, event.seq)  # type: ignore[attr-defined]
        return event


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
