"""The customer portal (B-8, S-1): a customer's contact logs in and sees only their company's
orders; everything else is 404."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from oms.fulfilment.models import Shipment
from oms.orders.models import SalesOrder

pytestmark = pytest.mark.django_db


# --- confinement (B-8, S-1) -----------------------------------------------------------------


def test_a_customer_is_confined_to_the_portal(portal: Client, world: dict[str, Any]) -> None:
    assert portal.get("/").url == "/portal/"  # type: ignore[attr-defined]
    for path in (
        "/orders/",
        f"/orders/{world['shipped'].pk}/",
        "/work/",
        "/api/orders/",
        "/master/customers/",
    ):
        assert portal.get(path).status_code == 404, path
    assert portal.get("/portal/").status_code == 200


def test_staff_do_not_see_the_portal(client: Client, world: dict[str, Any]) -> None:
    client.force_login(world["sales"])
    assert client.get("/portal/").status_code == 404
    assert client.get(f"/portal/orders/{world['shipped'].number}/").status_code == 404


def test_a_customer_api_token_is_refused(client: Client, world: dict[str, Any]) -> None:
    from oms.accounts import actions as accounts

    key = accounts.issue_api_token(actor=world["admin"], user=world["user"], name="erp")
    response = client.get("/api/orders/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401


def test_the_home_page_lists_only_the_own_company_orders(portal: Client, world: dict[str, Any]) -> None:
    body = portal.get("/portal/").content.decode()
    own = SalesOrder.objects.filter(customer=world["own"], submitted_at__isnull=False)
    assert own.count() == 4  # pending check, two shipped, one to confirm; the draft is sales'
    for order in own:
        assert order.number in body
    for order in SalesOrder.objects.exclude(customer=world["own"]):
        assert order.number not in body
    assert "待您确认" in body


def test_another_customer_order_answers_like_one_that_does_not_exist(
    portal: Client, world: dict[str, Any]
) -> None:
    """B-8: guessing another customer's order number tells nothing."""
    other = portal.get(f"/portal/orders/{world['other_order'].number}/")
    missing = portal.get("/portal/orders/SO-NO-SUCH-ORDER/")
    assert (other.status_code, missing.status_code) == (404, 404)
    # The 404 page is the normal layout: its forms carry a CSRF token masked afresh per response
    # and the language switch returns to the address asked for; nothing else may differ.
    varying = re.compile(rb'name="(csrfmiddlewaretoken|next)" value="[^"]*"')
    assert varying.sub(b"", other.content) == varying.sub(b"", missing.content)


def test_the_order_page_shows_stage_shipments_and_tracking(portal: Client, world: dict[str, Any]) -> None:
    shipment = world["shipped"].shipments.get()
    Shipment.objects.filter(pk=shipment.pk).update(tracking_number="SF1234567890")
    body = portal.get(f"/portal/orders/{world['shipped'].number}/").content.decode()
    assert 'data-testid="portal-stage">已发货<' in body
    assert "SF1234567890" in body
    assert f"/portal/orders/{world['shipped'].number}/shipments/1/accept/" in body


def test_pages_make_a_bounded_number_of_queries(
    portal: Client, world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(14):
        assert portal.get("/portal/").status_code == 200
    with django_assert_max_num_queries(20):
        assert portal.get(f"/portal/orders/{world['shipped'].number}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert portal.get("/portal/invoices/").status_code == 200
