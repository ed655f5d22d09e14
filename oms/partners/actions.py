"""Every write to suppliers and carriers (A-3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oms.accounts.permissions import can_manage_master_data
from oms.core import records
from oms.core.models import pinyin_initials
from oms.partners.models import Carrier, Supplier


def create_supplier(*, actor: Any, data: Mapping[str, Any]) -> Supplier:
    records.require(can_manage_master_data(actor))
    supplier = Supplier(**data)
    supplier.pinyin = pinyin_initials(supplier.name)
    return records.create(
        actor=actor, obj=supplier, fields=records.editable_fields(Supplier), action="supplier.create"
    )


def update_supplier(*, actor: Any, obj: Supplier, data: Mapping[str, Any], version: int) -> Supplier:
    records.require(can_manage_master_data(actor))
    values = dict(data)
    if "name" in values:
        values["pinyin"] = pinyin_initials(values["name"])
    return records.update(actor=actor, obj=obj, data=values, version=version, action="supplier.update")


def create_carrier(*, actor: Any, data: Mapping[str, Any]) -> Carrier:
    records.require(can_manage_master_data(actor))
    carrier = Carrier(**data)
    carrier.pinyin = pinyin_initials(carrier.name)
    return records.create(
        actor=actor, obj=carrier, fields=records.editable_fields(Carrier), action="carrier.create"
    )


def update_carrier(*, actor: Any, obj: Carrier, data: Mapping[str, Any], version: int) -> Carrier:
    records.require(can_manage_master_data(actor))
    values = dict(data)
    if "name" in values:
        values["pinyin"] = pinyin_initials(values["name"])
    return records.update(actor=actor, obj=obj, data=values, version=version, action="carrier.update")
