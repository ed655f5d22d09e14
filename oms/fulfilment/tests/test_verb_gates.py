"""S-1 (issue 23): on the order page, an execution step posted by someone whose department may not
take it is refused before its input is parsed: the refusal (400) with what they typed, never the
form's field errors (which tell what the form expects), and nothing saved (D-4, G-1, G-2, G-4, G-5)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import refused_form
from oms.fulfilment.models import Milestone, Prepayment, PurchaseOrder, Reservation, Shipment
from oms.intake.tests.fixtures import confirmed_order

pytestmark = pytest.mark.django_db


def _post(client: Any, user: Any, order: Any, verb: str, data: dict[str, str]) -> Any:
    client.force_login(user)
    return client.post(reverse("fulfilment:execution", args=[order.pk, verb]), data)


def test_a_prepayment_by_sales_is_refused_before_its_amount_is_read(client, org) -> None:
    """D-4: only finance records a prepayment."""
    order = confirmed_order(org)
    response = _post(client, org["sales"], order, "prepayment", {"amount": "abc", "reference": "HK-9"})
    page = refused_form(response, 'value="HK-9"', status=400)
    assert "只有财务可以登记预付款。" in page and "form-errors" not in page and "请输入" not in page
    assert not Prepayment.objects.exists()


def test_a_shipment_by_sales_is_refused_before_its_lines_are_read(client, org) -> None:
    """G-5: only logistics or the warehouse record a shipment."""
    order = confirmed_order(org)
    response = _post(client, org["sales"], order, "ship", {"tracking_number": "SF-77", "shipped_on": "x"})
    page = refused_form(response, 'value="SF-77"', status=400)
    assert "只有物流或仓储部门可以登记发货。" in page and "form-errors" not in page
    assert not Shipment.objects.exists()


def test_a_reservation_by_production_is_refused_before_its_quantity_is_read(client, org) -> None:
    """G-4: only the warehouse reserves stock."""
    order = confirmed_order(org)
    response = _post(client, org["prod"], order, "reserve", {"quantity": "-1"})
    page = refused_form(response, status=400)
    assert "只有仓储部门可以操作库存。" in page and "form-errors" not in page
    assert not Reservation.objects.exists()


def test_progress_by_sales_is_refused_before_it_is_read(client, org) -> None:
    """G-2: only production reports its progress."""
    order = confirmed_order(org)
    before = list(Milestone.objects.values_list("pk", "progress"))
    response = _post(client, org["sales"], order, "progress", {"progress": "200", "notes": "已完成装配"})
    page = refused_form(response, status=400)
    assert "只有生产部门可以汇报生产进度。" in page and "form-errors" not in page
    assert list(Milestone.objects.values_list("pk", "progress")) == before


def test_a_purchase_order_by_sales_is_refused_before_it_is_read(client, org) -> None:
    """G-1: only procurement raises purchase orders."""
    order = confirmed_order(org)
    response = _post(client, org["sales"], order, "purchase", {"quantity": "abc"})
    page = refused_form(response, status=400)
    assert "只有采购部门可以做这件事。" in page and "form-errors" not in page
    assert not PurchaseOrder.objects.exists()


def test_a_release_by_sales_staff_is_refused_and_the_order_stays_confirmed(client, org) -> None:
    """F-1: sales staff may not release; the refusal is the message on the order page."""
    order = confirmed_order(org)
    response = _post(client, org["sales"], order, "release", {})
    order.refresh_from_db()
    assert response.status_code == 302 and order.status == "confirmed"


def test_a_shipment_by_sales_over_the_api_is_refused_before_its_lines_are_read(client, org) -> None:
    """G-5, S-1: over the API too, sales are refused (403) before the payload's lines are looked
    at: no field errors naming the order's lines, and nothing saved."""
    from oms.accounts.actions import issue_api_token

    order = confirmed_order(org)
    token = issue_api_token(actor=org["sales"], user=org["sales"], name="t")
    response = client.post(
        reverse("api:record_shipment", args=[order.pk]),
        {
            "mode": "pickup",
            "shipped_on": "2026-12-01",
            "expected_arrival": "2026-12-03",
            "confirmed_with": "张伟",
            "quantity_checked": True,
            "lines": {"7": "99"},
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    body = response.json()
    assert (response.status_code, body["code"], body["fields"]) == (403, "forbidden", {})
    assert not Shipment.objects.exists()
