"""Every write to products, warehouses and stock levels (A-2, A-5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oms.accounts.permissions import can_manage_master_data
from oms.catalog.models import Product, StockLevel, Warehouse
from oms.engine import records


def create_product(*, actor: Any, data: Mapping[str, Any]) -> Product:
    records.require(can_manage_master_data(actor))
    return records.create_named(actor=actor, model=Product, data=data, action="product.create")


def update_product(*, actor: Any, obj: Product, data: Mapping[str, Any], version: int) -> Product:
    records.require(can_manage_master_data(actor))
    return records.update_named(actor=actor, obj=obj, data=data, version=version, action="product.update")


def create_warehouse(*, actor: Any, data: Mapping[str, Any]) -> Warehouse:
    records.require(can_manage_master_data(actor))
    return records.create(
        actor=actor,
        obj=Warehouse(**data),
        fields=records.editable_fields(Warehouse),
        action="warehouse.create",
    )


def update_warehouse(*, actor: Any, obj: Warehouse, data: Mapping[str, Any], version: int) -> Warehouse:
    records.require(can_manage_master_data(actor))
    return records.update(actor=actor, obj=obj, data=data, version=version, action="warehouse.update")


def create_stock_level(*, actor: Any, data: Mapping[str, Any]) -> StockLevel:
    """A-5: one row per product and warehouse (a second one is refused by the database too)."""
    records.require(can_manage_master_data(actor))
    return records.create(
        actor=actor, obj=StockLevel(**data), fields=records.editable_fields(StockLevel), action="stock.create"
    )


def update_stock_level(
    *, actor: Any, obj: StockLevel, data: Mapping[str, Any], version: int, reason: str = ""
) -> StockLevel:
    records.require(can_manage_master_data(actor))
    return records.update(
        actor=actor, obj=obj, data=data, version=version, action="stock.update", reason=reason
    )
