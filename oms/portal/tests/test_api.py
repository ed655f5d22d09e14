"""The customer portal over the API (B-8, H-1, D-2): a customer's own system, with a token of
their portal login, reads and places their company's orders; staff tokens do not open it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from oms.accounts.actions import issue_api_token
from oms.accounts.models import ApiToken, User
from oms.catalog.models import Product
from oms.customers.models import Customer
from oms.demo.data import load_demo
from oms.orders.models import SalesOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    load_demo()
    customer = User.objects.get(username="customer")
    return {
        "user": customer,
        "own": Customer.objects.get(code="C0001"),
        "auth": {
            "HTTP_AUTHORIZATION": f"Bearer {issue_api_token(actor=customer, user=customer, name='erp', scopes=['read', 'write'])}"
        },
    }


def test_the_list_holds_only_the_own_company_orders(client: Client, world: dict[str, Any]) -> None:
    body = client.get("/api/portal/orders", **world["auth"]).json()
    own = set(
        SalesOrder.objects.filter(customer=world["own"], submitted_at__isnull=False).values_list(
            "number", flat=True
        )
    )
    assert body["count"] == len(own) == 4
    assert {o["number"] for o in body["items"]} == own


def test_an_order_reads_with_its_shipments(client: Client, world: dict[str, Any]) -> None:
    order = SalesOrder.objects.filter(customer=world["own"], status="shipped").earliest("pk")
    body = client.get(f"/api/portal/orders/{order.number}", **world["auth"]).json()
    assert (body["stage"], body["stage_label"], len(body["shipments"])) == ("shipped", "已发货", 1)
    assert body["shipments"][0]["acceptance"] == ""


def test_another_customer_order_is_404_like_a_missing_one(client: Client, world: dict[str, Any]) -> None:
    other = SalesOrder.objects.exclude(customer=world["own"]).filter(submitted_at__isnull=False).first()
    assert other is not None
    a = client.get(f"/api/portal/orders/{other.number}", **world["auth"])
    b = client.get("/api/portal/orders/NO-SUCH", **world["auth"])
    assert (a.status_code, b.status_code, a.json()) == (404, 404, b.json())


def test_placing_an_order_is_idempotent(client: Client, world: dict[str, Any]) -> None:
    payload = {
        "delivery_date": f"{timezone.localdate() + timedelta(days=20):%Y-%m-%d}",
        "delivery_place": "上海市浦东新区示例路 1 号",
        "contact_phone": "13912345670",
        "external_ref": "PO-API-1",
        "lines": [{"product_id": Product.objects.get(code="P1002").pk, "quantity": "2"}],
    }
    before = SalesOrder.objects.count()
    headers = {**world["auth"], "HTTP_IDEMPOTENCY_KEY": "po-api-1"}
    first = client.post("/api/portal/orders", payload, content_type="application/json", **headers)
    again = client.post("/api/portal/orders", payload, content_type="application/json", **headers)
    assert (first.status_code, again.status_code) == (201, 201), first.json()
    assert first.json() == again.json()
    assert SalesOrder.objects.count() == before + 1
    order = SalesOrder.objects.get(number=first.json()["number"])
    assert (order.status, order.channel, order.customer_id) == ("pending_check", "portal", world["own"].pk)


def test_reusing_a_key_with_another_body_is_422_naming_the_key(client: Client, world: dict[str, Any]) -> None:
    """DESIGN 6, B-8: the portal API shares the rule — a second, different order under the same
    Idempotency-Key is refused with 422 naming the key, not dropped behind the first answer."""
    payload: dict[str, Any] = {
        "delivery_date": f"{timezone.localdate() + timedelta(days=20):%Y-%m-%d}",
        "delivery_place": "上海市浦东新区示例路 1 号",
        "contact_phone": "13912345670",
        "lines": [{"product_id": Product.objects.get(code="P1002").pk, "quantity": "2"}],
    }
    headers = {**world["auth"], "HTTP_IDEMPOTENCY_KEY": "po-reused"}
    first = client.post("/api/portal/orders", payload, content_type="application/json", **headers)
    before = SalesOrder.objects.count()
    payload["lines"][0]["quantity"] = "5"
    other = client.post("/api/portal/orders", payload, content_type="application/json", **headers)
    assert (first.status_code, other.status_code, other.json()["code"]) == (
        201,
        422,
        "idempotency_key_reused",
    )
    assert "po-reused" in other.json()["message"]
    assert SalesOrder.objects.count() == before


def test_bad_input_names_the_field_and_saves_nothing(client: Client, world: dict[str, Any]) -> None:
    before = SalesOrder.objects.count()
    response = client.post(
        "/api/portal/orders",
        {
            "delivery_date": f"{timezone.localdate():%Y-%m-%d}",
            "delivery_place": "x",
            "contact_phone": "13912345670",
            "lines": [],
        },
        content_type="application/json",
        **world["auth"],
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"lines": ["至少需要一行订单明细。"]}
    assert SalesOrder.objects.count() == before


def test_the_customer_confirms_through_the_api(client: Client, world: dict[str, Any]) -> None:
    order = SalesOrder.objects.get(customer=world["own"], status="awaiting_confirmation")
    response = client.post(f"/api/portal/orders/{order.number}/confirm", **world["auth"])
    assert response.status_code == 200
    assert response.json()["stage_label"] == "已审核"
    order.refresh_from_db()
    assert (order.status, order.confirmation_method) == ("confirmed", "portal")


def test_a_staff_token_does_not_open_the_portal_api(client: Client, world: dict[str, Any]) -> None:
    sales = User.objects.get(username="sales_staff")
    key = issue_api_token(actor=sales, user=sales, name="t")
    response = client.get("/api/portal/orders", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401


def test_a_read_only_token_cannot_place_orders(client: Client, world: dict[str, Any]) -> None:
    key = issue_api_token(actor=world["user"], user=world["user"], name="ro", scopes=["read"])
    response = client.post(
        "/api/portal/orders", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 403


def test_the_customer_issues_and_revokes_their_own_token(client: Client, world: dict[str, Any]) -> None:
    client.force_login(world["user"])
    response = client.post("/portal/api-tokens/", {"name": "ERP", "scopes": ["read"]})
    assert response.status_code == 200
    key = response.context["key"]
    token = ApiToken.objects.get(user=world["user"], name="ERP")
    assert (token.scopes, f"<code>{key}</code>" in response.content.decode()) == (["read"], True)
    client.post("/portal/api-tokens/", {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked is True
    other = ApiToken.objects.create(
        user=User.objects.get(username="sales_staff"), name="x", key_hash="0" * 64
    )
    assert client.post("/portal/api-tokens/", {"revoke": other.pk}).status_code == 404
    other.refresh_from_db()
    assert other.revoked is False
