"""Locked reads of a fixed shape, compiled once per process and connection (issue 21).

An action's locked read (the engine's `lock`, a review round's tasks) is the same statement for
every record but the one key it binds: compiling it anew each time (a wide `select_related`
join, every column quoted and every expression hashed for the ordering) cost more CPU than the
database's answer. Here the queryset is compiled once with a placeholder key and kept with what
turns its rows into model instances, as Django's `ModelIterable` does; each read binds the key
and runs the same text. The rows, the row locks and the statement count are those of the
queryset itself.

Only for querysets whose SQL does not depend on the data: the caller names the shape by a key
that covers everything the queryset is built from (model, joins, the columns riding on the read,
the database), and the key value is the one parameter that varies. A queryset that cannot be
kept so (the placeholder not bound exactly once, extra columns, prefetches) is simply run as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from django.core.exceptions import EmptyResultSet
from django.db import connections, models, router
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators

M = TypeVar("M", bound=models.Model)

# Bound where the caller's values go when the statement is compiled, never run: each must be
# bound exactly once (a constant of the statement equal to one leaves it uncompiled), and within
# every integer column's range (Django elides a lookup of a value out of range).
_MARKS = (32_749, 32_719, 32_717, 32_713)


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[Any, ...]
    at: tuple[int, ...]  # the positions of the values among the parameters
    names: tuple[str, ...]  # of a `values()` read: its rows as dicts of these names
    model: type[models.Model]
    init_list: list[str]
    start: int
    end: int
    populators: list[Any]
    annotations: tuple[tuple[str, int], ...]
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]


# Per connection wrapper (a thread's own): the converters are bound to its operations.
_PLANS: WeakKeyDictionary[Any, dict[Hashable, _Plan | None]] = WeakKeyDictionary()


def _plan(rows: models.QuerySet[Any], alias: str, marks: tuple[int, ...]) -> _Plan | None:
    if (
        rows.db != alias
        or rows._iterable_class not in (ModelIterable, ValuesIterable)
        or rows._prefetch_related_lookups  # type: ignore[attr-defined]
        or rows._known_related_objects  # type: ignore[attr-defined]
    ):
        return None
    compiler = rows.query.get_compiler(using=alias)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    params = list(params)
    if any(params.count(mark) != 1 for mark in marks) or compiler.has_extra_select:
        return None
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    if compiler.has_composite_fields(fields):
        return None
    converters = tuple(
        (pos, tuple(convs), expression)
        for pos, (convs, expression) in compiler.get_converters(fields).items()
    )
    at = tuple(params.index(mark) for mark in marks)
    if rows._iterable_class is ValuesIterable:
        query = rows.query
        # As Django's ValuesIterable names the columns (a `values()` over an earlier one: `selected`).
        selected = query.selected
        names = (
            (*query.extra_select, *query.values_select, *query.annotation_select)
            if selected is None
            else tuple(selected)
        )
        return _Plan(sql, tuple(params), at, names, rows.model, [], 0, 0, [], (), converters)
    klass_info = compiler.klass_info
    assert klass_info is not None
    select_fields = klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    return _Plan(
        sql=sql,
        params=tuple(params),
        at=at,
        names=(),
        model=klass_info["model"],
        init_list=[f[0].target.attname for f in compiler.select[start:end]],
        start=start,
        end=end,
        # Django 5.2's signature (the stubs know a later one).
        populators=get_related_populators(klass_info, compiler.select, alias),  # type: ignore[call-arg]
        annotations=tuple(compiler.annotation_col_map.items()),
        converters=converters,
    )


def _run(
    key: Hashable, model: type[Any], build: Callable[..., models.QuerySet[Any]], values: tuple[Any, ...]
) -> Any:
    """The rows of `build(*values)` by its kept statement: (plan, rows converted, alias), or None
    where it is to be run as it is."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    if len(values) > len(_MARKS) or any(type(v) is not int for v in values) or not connection.in_atomic_block:
        return None
    plans = _PLANS.setdefault(connection, {})
    if key not in plans:
        marks = _MARKS[: len(values)]
        plans[key] = _plan(build(*marks), alias, marks)
    plan = plans[key]
    if plan is None:
        return None
    params = list(plan.params)
    for at, value in zip(plan.at, values, strict=True):
        params[at] = value
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, params)
        fetched = cursor.fetchall()
    converted = []
    for raw in fetched:
        row = list(raw)
        for pos, convs, expression in plan.converters:
            cell = row[pos]
            for convert in convs:
                cell = convert(cell, expression, connection)
            row[pos] = cell
        converted.append(row)
    return plan, converted, alias


def rows(key: Hashable, model: type[M], build: Callable[..., models.QuerySet[M]], *values: Any) -> list[M]:
    """`list(build(*values))`, for a read whose statement is the same for every `values`
    (integers, each bound once) given the shape `key`: compiled at the first call for `key` on
    this connection. Outside a transaction it is simply run (Django refuses a locked read there)."""
    ran = _run(key, model, build, values)
    if ran is None:
        return list(build(*values))
    plan, converted, alias = ran
    found: list[M] = []
    for row in converted:
        obj: Any = plan.model.from_db(alias, plan.init_list, row[plan.start : plan.end])
        for populator in plan.populators:
            populator.populate(row, obj)
        for name, pos in plan.annotations:
            setattr(obj, name, row[pos])
        found.append(obj)
    return found


def dicts(
    key: Hashable, model: type[Any], build: Callable[..., models.QuerySet[Any]], *values: Any
) -> list[dict[str, Any]]:
    """`list(build(*values))` for a `values()` read (rows as dicts), kept as `rows` keeps its
    statement; `model` is the queryset's."""
    ran = _run(key, model, build, values)
    if ran is None:
        return list(build(*values))
    plan, converted, _alias = ran
    return [dict(zip(plan.names, row, strict=False)) for row in converted]


def one(key: Hashable, model: type[M], build: Callable[[Any], models.QuerySet[M]], pk: Any) -> M:
    """The row of `build(pk)` (`rows`), as `QuerySet.get`: DoesNotExist or MultipleObjectsReturned
    otherwise."""
    found = rows(key, model, build, pk)
    if len(found) == 1:
        return found[0]
    if not found:
        raise model.DoesNotExist(  # type: ignore[attr-defined]
            f"{model._meta.object_name} matching query does not exist."
        )
    raise model.MultipleObjectsReturned(  # type: ignore[attr-defined]
        f"get() returned more than one {model._meta.object_name} -- it returned {len(found)}!"
    )
