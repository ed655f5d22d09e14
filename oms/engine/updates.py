"""The UPDATE of `Model.save(update_fields=…)`, built once per model and fields (issue 21): the
engine's save of a transition sends it itself, since Django's save compiles it anew each time,
which cost more than the database's answer."""

from __future__ import annotations

from typing import Any

from django.db import connection, models
from django.db.models.signals import post_save, pre_save

# The UPDATE per (database, model, fields saved), built once.
_UPDATES: dict[tuple[str, type[models.Model], tuple[str, ...]], tuple[str, list[Any]] | None] = {}


def _statement(model: type[models.Model], update_fields: list[str]) -> tuple[str, list[Any]] | None:
    """(statement, fields) of the UPDATE `save(update_fields=…)` sends for `model`, by primary key,
    each value bound; None where `save()` must do it (a name that is not a stored field)."""
    key = (connection.alias, model, tuple(update_fields))
    if key not in _UPDATES:
        by_name = {f.name: f for f in model._meta.local_concrete_fields if not f.primary_key}
        by_name |= {f.attname: f for f in by_name.values()}
        fields = [by_name.get(name) for name in update_fields]
        pk = model._meta.pk
        if any(f is None or getattr(f, "generated", False) or hasattr(f, "get_placeholder") for f in fields):
            _UPDATES[key] = None
        else:
            quote = connection.ops.quote_name
            table = quote(model._meta.db_table)
            sets = ", ".join(f"{quote(str(f.column))} = %s" for f in fields if f is not None)
            assert pk is not None
            _UPDATES[key] = (
                f"UPDATE {table} SET {sets} WHERE {table}.{quote(str(pk.column))} = %s",  # noqa: S608 - names from the model
                fields,
            )
    return _UPDATES[key]


def statement(locked: Any, update_fields: list[str]) -> tuple[str, list[Any]] | None:
    """The UPDATE `locked.save(update_fields=…)` would send and its parameters (each field's
    `pre_save` value, prepared as Django prepares it), or None when only `save()` may write it:
    a model with save signal receivers, parents or a save() of its own, or a value that is an
    expression."""
    model = type(locked)
    if pre_save.has_listeners(model) or post_save.has_listeners(model) or model._meta.parents:
        return None
    # A model's own save() is honoured unless it says it leaves `save(update_fields=…)` to Django.
    if model.save is not models.Model.save and not getattr(model, "SAVES_UPDATE_FIELDS_AS_DJANGO", False):
        return None
    found = _statement(model, update_fields)
    if found is None:
        return None
    sql, fields = found
    if any(
        hasattr(value, "resolve_expression") or hasattr(value, "prepare_database_save")
        for value in (getattr(locked, f.attname) for f in fields)
    ):
        return None
    locked._prepare_related_fields_for_save(operation_name="save")
    params = [f.get_db_prep_save(f.pre_save(locked, False), connection) for f in fields]
    return sql, [*params, locked.pk]
