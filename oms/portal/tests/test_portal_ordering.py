"""The customer portal (B-8): placing an order enters intake; a bad form shows every problem
at once and saves nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from oms.orders.models import SalesOrder
from oms.tracking.models import WorkItem

pytestmark = pytest.mark.django_db


# --- placing an order (B-8) ---------------------------------------------------------------


def _order_form(**extra: Any) -> dict[str, Any]:
    from oms.catalog.models import Product

    product = Product.objects.get(code="P1002")
    return {
        "delivery_date": f"{timezone.localdate() + timedelta(days=30):%Y-%m-%d}",
        "order_class": "normal",
        "external_ref": "PO-88",
        "delivery_place": "上海市浦东新区示例路 1 号",
        "contact_phone": "13912345670",
        "product": [str(product.pk), ""],
        "quantity": ["3", ""],
        "spec": ["", ""],
        **extra,
    }


def test_a_placed_order_enters_intake_as_pending_check(portal: Client, world: dict[str, Any]) -> None:
    from oms.catalog.models import Product

    before = SalesOrder.objects.count()
    response = portal.post("/portal/orders/new/", _order_form())
    assert response.status_code == 302
    assert SalesOrder.objects.count() == before + 1
    order = SalesOrder.objects.latest("pk")
    assert (order.status, order.channel, order.customer_id, order.external_ref) == (
        "pending_check",
        "portal",
        world["own"].pk,
        "PO-88",
    )
    assert (order.salesperson_id, order.created_by_id, order.contact_name) == (
        world["own"].owner_id,
        world["user"].pk,
        "张伟",
    )
    line = order.lines.get()
    assert (line.quantity, line.unit_price) == (Decimal("3"), Product.objects.get(code="P1002").list_price)
    assert WorkItem.objects.filter(object_id=order.pk, kind="order.check", closed_at__isnull=True).exists()
    assert response.url == f"/portal/orders/{order.number}/"  # type: ignore[attr-defined]


def test_an_order_without_lines_or_date_is_refused_and_nothing_is_saved(
    portal: Client, world: dict[str, Any]
) -> None:
    before = SalesOrder.objects.count()
    response = portal.post(
        "/portal/orders/new/", _order_form(delivery_date="", product=["", ""], quantity=["", ""])
    )
    assert response.status_code == 422
    assert response.context["errors"] == {
        "delivery_date": ["交货日期：请填写要求的交货日期。"],
        "lines": ["至少需要一行订单明细。"],
    }
    assert SalesOrder.objects.count() == before


def test_every_problem_of_the_order_form_shows_at_once(portal: Client, world: dict[str, Any]) -> None:
    response = portal.post("/portal/orders/new/", _order_form(delivery_date="", contact_phone="12"))
    assert response.status_code == 422
    assert response.context["errors"] == {
        "contact_phone": ["联系电话：电话号码格式不正确，例如 13812345678 或 021-12345678。"],
        "delivery_date": ["交货日期：请填写要求的交货日期。"],
    }


def test_a_date_that_is_no_date_is_refused_by_the_form_and_the_rest_kept(
    portal: Client, world: dict[str, Any]
) -> None:
    """P-1: the header is parsed by the portal's form; a malformed date is refused as a missing one."""
    before = SalesOrder.objects.count()
    response = portal.post(
        "/portal/orders/new/", _order_form(delivery_date="2026-02-30", external_ref="PO-99")
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert response.context["errors"] == {"delivery_date": ["交货日期：请填写要求的交货日期。"]}
    assert all(typed in page for typed in ("2026-02-30", "PO-99", "上海市浦东新区示例路 1 号", "13912345670"))
    assert SalesOrder.objects.count() == before


def test_the_portal_form_parses_exactly_the_fields_a_customer_fills() -> None:
    from oms.intake.actions import PORTAL_FIELDS
    from oms.portal.forms import PortalOrderForm

    assert list(PortalOrderForm.base_fields) == list(PORTAL_FIELDS)


def test_a_bad_line_is_named_by_its_row(portal: Client, world: dict[str, Any]) -> None:
    response = portal.post("/portal/orders/new/", _order_form(quantity=["0", ""]))
    assert response.status_code == 422
    assert response.context["errors"] == {"lines.0.quantity": ["第 1 行数量：数量必须大于 0。"]}


def test_a_customer_cannot_set_prices_or_another_customer(world: dict[str, Any]) -> None:
    from oms.core.errors import FieldErrors
    from oms.intake import actions as intake

    with pytest.raises(FieldErrors) as refused:
        intake.place_customer_order(
            actor=world["user"],
            data={"customer": world["other_order"].customer, "delivery_place": "x"},
            lines=[],
        )
    assert list(refused.value.errors) == ["customer"]


@pytest.mark.parametrize("value", ["1E+20", "NaN", "Infinity", "1E+400"])
def test_an_oversized_or_non_finite_quantity_is_refused_naming_the_row(
    portal: Client, world: dict[str, Any], value: str
) -> None:
    """P-1 (issue 20.1): NaN, Infinity, 1E+400 and 10^20 in the portal's order form answer 422
    naming the row's quantity, not 500; nothing is saved and the staff order list still answers."""
    before = SalesOrder.objects.count()
    response = portal.post("/portal/orders/new/", _order_form(quantity=[value, ""]))
    assert response.status_code == 422
    assert list(response.context["errors"]) == ["lines.0.quantity"]
    assert response.context["errors"]["lines.0.quantity"][0].startswith("第 1 行数量：数量：")
    assert SalesOrder.objects.count() == before
    staff = Client()
    staff.force_login(world["sales"])
    assert staff.get("/orders/").status_code == 200
