"""Saving master data records: validation, version check and audit in one place (DESIGN 6, 7).

App actions call these so that every write of an editable record works the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from oms.audit import recorder
from oms.core.errors import FieldErrors, StaleVersion

M = TypeVar("M", bound=models.Model)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field values as the audit log stores them (foreign keys by id)."""
    result: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        result[name] = getattr(obj, field.attname)  # type: ignore[union-attr]
    return result


def _validate(obj: models.Model, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise FieldErrors({k: [str(m) for m in v] for k, v in exc.message_dict.items()}) from exc


def _save(obj: models.Model) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        # A concurrent writer won the race a unique check had just passed.
        raise FieldErrors({"__all__": _("数据与已有记录冲突：%(e)s") % {"e": exc}}) from exc


@transaction.atomic
def create(*, actor: Any, obj: M, fields: Iterable[str], action: str) -> M:
    """Validate and insert `obj`, auditing the given fields as its initial values."""
    _validate(obj)
    _save(obj)
    recorder.record(actor=actor, obj=obj, action=action, after=snapshot(obj, fields))
    return obj


@transaction.atomic
def update(*, actor: Any, obj: M, data: Mapping[str, Any], version: int, action: str, reason: str = "") -> M:
    """Apply `data` to a fresh, locked copy of `obj` if `version` is still current; audit the diff."""
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    current = locked.version  # type: ignore[attr-defined]
    if current != version:
        raise StaleVersion(_("该记录已被他人修改（当前版本 %(v)s），请刷新后重新编辑。") % {"v": current})
    before = snapshot(locked, data.keys())
    for name, value in data.items():
        setattr(locked, name, value)
    _validate(locked)
    after = snapshot(locked, data.keys())
    changed_before, changed_after = recorder.diff(before, after)
    if not changed_after:
        return locked
    locked.version = current + 1  # type: ignore[attr-defined]
    _save(locked)
    recorder.record(
        actor=actor, obj=locked, action=action, before=changed_before, after=changed_after, reason=reason
    )
    return locked


def require(allowed: bool) -> None:
    """Refuse an action the actor's role does not permit, before anything is touched."""
    from oms.core.errors import NotAllowed

    if not allowed:
        raise NotAllowed(_("您没有权限执行此操作。"))


def editable_fields(model: type[models.Model]) -> list[str]:
    """The fields an editor may set, in model order (everything but bookkeeping)."""
    skip = {"id", "version", "created_at", "updated_at", "pinyin"}
    return [f.name for f in model._meta.concrete_fields if f.name not in skip and f.editable]


def create_named(*, actor: Any, model: type[M], data: Mapping[str, Any], action: str) -> M:
    """Create a master-data record that is searched by pinyin initials of its name (A-1..A-3)."""
    from oms.core.models import pinyin_initials

    obj = model(**data)
    obj.pinyin = pinyin_initials(obj.name)  # type: ignore[attr-defined]
    return create(actor=actor, obj=obj, fields=editable_fields(model), action=action)


def update_named(
    *, actor: Any, obj: M, data: Mapping[str, Any], version: int, action: str, reason: str = ""
) -> M:
    """Update such a record; a new name gets new pinyin initials."""
    from oms.core.models import pinyin_initials

    values = dict(data)
    if isinstance(values.get("name"), str):
        # A name that is not text (an API `"name": null`) is left to validation, which names it.
        values["pinyin"] = pinyin_initials(values["name"])
    return update(actor=actor, obj=obj, data=values, version=version, action=action, reason=reason)
