"""Every write to suppliers and carriers (A-3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oms.accounts.permissions import can_manage_master_data
from oms.engine import records
from oms.partners.models import Carrier, Supplier


def create_supplier(*, actor: Any, data: Mapping[str, Any]) -> Supplier:
    records.require(can_manage_master_data(actor))
    return records.create_named(actor=actor, model=Supplier, data=data, action="supplier.create")


def update_supplier(*, actor: Any, obj: Supplier, data: Mapping[str, Any], version: int) -> Supplier:
    records.require(can_manage_master_data(actor))
    return records.update_named(actor=actor, obj=obj, data=data, version=version, action="supplier.update")


def create_carrier(*, actor: Any, data: Mapping[str, Any]) -> Carrier:
    records.require(can_manage_master_data(actor))
    return records.create_named(actor=actor, model=Carrier, data=data, action="carrier.create")


def update_carrier(*, actor: Any, obj: Carrier, data: Mapping[str, Any], version: int) -> Carrier:
    records.require(can_manage_master_data(actor))
    return records.update_named(actor=actor, obj=obj, data=data, version=version, action="carrier.update")
