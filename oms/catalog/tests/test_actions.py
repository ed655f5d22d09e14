"""A-2, A-5: products and stock levels are written through the catalog's actions: validated
field by field, refused for roles without master-data rights, audited, version-checked."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from oms.audit.models import AuditEvent
from oms.catalog import actions
from oms.catalog.models import Product, StockLevel, Warehouse
from oms.core.errors import FieldErrors, NotAllowed, StaleVersion

pytestmark = pytest.mark.django_db


def _product(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "P9001",
        "name": "齿轮箱",
        "spec": "GB-200",
        "unit": "台",
        "list_price": Decimal("1000"),
        "standard_cost": Decimal("600"),
        "lead_time_days": 10,
        "is_stock_item": True,
    }
    data.update(overrides)
    return data


def test_a_product_keeps_its_master_data_and_is_audited(admin_user) -> None:
    """A-2: code, name, specification, unit, list price, standard cost, lead time, stock item."""
    product = actions.create_product(actor=admin_user, data=_product())
    product.refresh_from_db()
    assert (
        product.code,
        product.name,
        product.spec,
        product.unit,
        product.list_price,
        product.standard_cost,
        product.lead_time_days,
        product.is_stock_item,
    ) == ("P9001", "齿轮箱", "GB-200", "台", Decimal("1000"), Decimal("600"), 10, True)
    event = AuditEvent.objects.get(action="product.create")
    assert (event.object_id, event.after["code"]) == (str(product.pk), "P9001")


def test_a_duplicate_product_code_is_refused_naming_the_field(admin_user) -> None:
    """A-2: the product code is unique; the error names the field and nothing is saved."""
    actions.create_product(actor=admin_user, data=_product())
    with pytest.raises(FieldErrors) as info:
        actions.create_product(actor=admin_user, data=_product(name="另一个"))
    assert list(info.value.errors) == ["code"]
    assert Product.objects.count() == 1


def test_a_negative_list_price_is_refused_naming_the_field(admin_user) -> None:
    """A-2: prices are never negative."""
    with pytest.raises(FieldErrors) as info:
        actions.create_product(actor=admin_user, data=_product(list_price=Decimal("-1")))
    assert list(info.value.errors) == ["list_price"]
    assert (Product.objects.count(), AuditEvent.objects.count()) == (0, 0)


def test_sales_staff_may_not_create_a_product(sales_staff) -> None:
    """A-2: master data is kept by those with master-data rights only; nothing is saved."""
    with pytest.raises(NotAllowed):
        actions.create_product(actor=sales_staff, data=_product())
    assert (Product.objects.count(), AuditEvent.objects.count()) == (0, 0)


def test_a_product_update_on_a_stale_version_is_refused(admin_user) -> None:
    """A-2: an edit based on an old version never overwrites a newer one."""
    product = actions.create_product(actor=admin_user, data=_product())
    actions.update_product(
        actor=admin_user, obj=product, data={"lead_time_days": 12}, version=product.version
    )
    with pytest.raises(StaleVersion):
        actions.update_product(actor=admin_user, obj=product, data={"lead_time_days": 20}, version=1)
    product.refresh_from_db()
    assert (product.lead_time_days, product.version) == (12, 2)


def test_one_stock_level_per_product_and_warehouse(admin_user) -> None:
    """A-5: stock is kept per product and warehouse; a second row for the same pair is refused."""
    product = actions.create_product(actor=admin_user, data=_product())
    warehouse = actions.create_warehouse(actor=admin_user, data={"code": "W1", "name": "成品库"})
    data = {"product": product, "warehouse": warehouse, "on_hand": Decimal("50")}
    level = actions.create_stock_level(actor=admin_user, data=data)
    assert (level.on_hand, level.product_id, level.warehouse_id) == (Decimal("50"), product.pk, warehouse.pk)
    with pytest.raises(FieldErrors):
        actions.create_stock_level(actor=admin_user, data={**data, "on_hand": Decimal("5")})
    assert StockLevel.objects.count() == 1
    assert Warehouse.objects.count() == 1
