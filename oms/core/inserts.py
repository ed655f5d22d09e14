"""New rows written with an INSERT built once per table and row count (issue 21).

Creating an order writes the order and its lines; Django's `save()` and `bulk_create()` build
the same INSERT anew each time (the compiler walks every field of every row: about a quarter of
a create's CPU, and on SQLite all of it while the write lock is held). Here the statement's text
is kept per (database, table, row count) and only the values are prepared, by each field's own
`pre_save` (auto_now_add, defaults set at construction) and `get_db_prep_save`, as Django's
compiler prepares them. The new primary keys come back with RETURNING and are set on the
instances, which are then as `save()` leaves them (stored, on that database).

For models with no signal receivers and no database-computed fields only: `insert` refuses a
model that has a pre_save or post_save receiver (they would be skipped) or a field whose value
the database computes (db_default, generated)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router
from django.db.models.signals import post_save, pre_save

_SQL: dict[tuple[str, type[models.Model], int], str] = {}

# The values one statement may bind: SQLite's limit (32,766 since 3.32; Django assumes 999 for
# older ones) and PostgreSQL's protocol limit with server-side binding (65,535, ADR 0021).
_MAX_PARAMS = {"sqlite": 32_766, "postgresql": 65_535}


def _fields(model: type[models.Model]) -> list[Any]:
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    if any(getattr(f, "generated", False) or f.has_db_default() for f in fields):
        raise TypeError(f"{model.__name__}: a value computed by the database; use save()")
    return fields


def _statement(alias: str, model: type[models.Model], fields: list[Any], rows: int) -> str:
    key = (alias, model, rows)  # the model's fields are fixed for the process
    sql = _SQL.get(key)
    if sql is None:
        quote = connections[alias].ops.quote_name
        table, pk = quote(model._meta.db_table), model._meta.pk
        assert pk is not None
        columns = ", ".join(quote(str(f.column)) for f in fields)
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = _SQL[key] = (
            f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * rows)} "  # noqa: S608 - names from the model
            f"RETURNING {table}.{quote(str(pk.column))}"
        )
    return sql


def _prepared(objs: Sequence[models.Model]) -> tuple[str, str, list[Any]]:
    """(database alias, statement, values) of `insert`, the model checked."""
    model = type(objs[0])
    if pre_save.has_listeners(model) or post_save.has_listeners(model):
        raise TypeError(f"{model.__name__}: signal receivers would be skipped; use save()")
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = _fields(model)
    for obj in objs:
        # As `save()` and `bulk_create()`: a related object saved after it was assigned gives
        # its key now, and an unsaved one is refused.
        obj._prepare_related_fields_for_save(operation_name="insert")  # type: ignore[attr-defined]
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
    return alias, _statement(alias, model, fields, len(objs)), params


_ROWS: dict[tuple[str, type[models.Model]], int] = {}


def _per_statement(model: type[models.Model]) -> int:
    """How many rows of `model` one statement may write."""
    alias = router.db_for_write(model)
    key = (alias, model)
    if key not in _ROWS:
        connection = connections[alias]
        limit = _MAX_PARAMS.get(connection.vendor, connection.features.max_query_params or 999)
        _ROWS[key] = max(1, limit // max(1, len(_fields(model))))
    return _ROWS[key]


def _too_many(objs: Sequence[models.Model]) -> bool:
    counts: dict[type[models.Model], int] = {}
    for obj in objs:
        counts[type(obj)] = counts.get(type(obj), 0) + 1
    return sum(n / _per_statement(model) for model, n in counts.items()) > 1


def _chunks(objs: Sequence[models.Model]) -> list[Sequence[models.Model]]:
    if not objs:
        return []
    size = _per_statement(type(objs[0]))
    return [objs[i : i + size] for i in range(0, len(objs), size)]


def _keyed(objs: Sequence[models.Model], alias: str, keys: Sequence[Sequence[Any]]) -> None:
    pk_name = type(objs[0])._meta.pk.attname
    for obj, (key,) in zip(objs, keys, strict=True):
        setattr(obj, pk_name, key)
        obj._state.adding = False
        obj._state.db = alias


def insert(objs: Sequence[models.Model], *, along: Sequence[models.Model] = ()) -> None:
    """Write `objs` (new instances of one model, none saved) as one INSERT, and give each its
    primary key. Raises TypeError for a model this must not write (see the module's docstring).

    `along`: new instances of other models written with them, on PostgreSQL by the same
    statement (a data-modifying WITH part per model, issue 21), elsewhere by one more per model;
    they get their keys only where written by a statement of their own (a caller must not need
    them)."""
    groups: dict[type[models.Model], list[models.Model]] = {}
    for obj in along:
        groups.setdefault(type(obj), []).append(obj)
    if _too_many([*objs, *along]):
        # More values than one statement may bind (a bulk action's audit events, a broadcast's
        # messages): the rows go in as many statements as needed, as bulk_create batches them.
        for rows in (*groups.values(), objs):
            for chunk in _chunks(rows):
                insert(chunk)
        return
    if not objs:
        for group in groups.values():
            insert(group)
        return
    alias, sql, params = _prepared(objs)
    connection = connections[alias]
    parts, first = [], []
    for i, group in enumerate(groups.values()):
        group_alias, group_sql, group_params = _prepared(group)
        if group_alias == alias and connection.vendor == "postgresql":
            parts.append(f"along{i} AS ({group_sql})")
            first += group_params
        else:
            insert(group)
    if parts:
        sql, params = f"WITH {', '.join(parts)} {sql}", [*first, *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchall()
    _keyed(objs, alias, keys)
