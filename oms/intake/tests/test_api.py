"""Orders over the API (B-8, B-6): idempotent create with lines, typed errors, version-checked
draft updates, submit and check decisions, masked prices (S-1), bounded queries."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oms.accounts.actions import issue_api_token
from oms.audit.models import AuditEvent
from oms.orders.models import OrderStatus, SalesOrder

pytestmark = pytest.mark.django_db


def _auth(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(actor=user, user=user, name='t')}"}


def _body(org, **overrides) -> str:
    data = {
        "customer_id": org["customer"].pk,
        "contact_name": "张伟",
        "contact_phone": "13812345678",
        "order_date": "2026-11-23",
        "delivery_date": "2027-01-20",
        "delivery_place": "上海",
        "payment_terms": "monthly",
        "order_class": "urgent",
        "lines": [
            {"product_id": org["gear"].pk, "quantity": "2", "unit_price": "1000"},
            {"product_id": org["motor"].pk, "quantity": "1"},
        ],
    }
    data.update(overrides)
    return json.dumps(data)


def test_create_is_idempotent(client, org) -> None:
    auth = _auth(org["sales"])
    first = client.post(
        "/api/orders/", _body(org), content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc", **auth
    )
    again = client.post(
        "/api/orders/", _body(org), content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc", **auth
    )
    assert (first.status_code, again.status_code, SalesOrder.objects.count()) == (201, 201, 1)
    body = first.json()
    assert again.json() == body
    assert (body["total_amount"], [ln["amount"] for ln in body["lines"]], body["status"]) == (
        "2500.00",
        ["2000.00", "500.00"],
        "draft",
    )


def test_the_create_answers_the_order_as_a_read_returns_it(client, org) -> None:
    """Issue 21: the create's answer is built from the order just saved and its stored lines, not
    read back through the list's query; it is the same document GET returns, figures included."""
    auth = _auth(org["sales"])
    created = client.post("/api/orders/", _body(org), content_type="application/json", **auth)
    read = client.get(f"/api/orders/{created.json()['id']}", **auth)
    assert (created.status_code, read.status_code) == (201, 200)
    assert created.json() == read.json()


def test_the_create_does_not_read_back_the_lines_it_wrote(client, org) -> None:
    """Issue 21: the 201 is built from the lines the action kept; no statement reads order lines."""
    auth = _auth(org["sales"])
    with CaptureQueriesContext(connection) as ctx:
        created = client.post("/api/orders/", _body(org), content_type="application/json", **auth)
    reads = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith("SELECT") and "orders_orderline" in q["sql"]
    ]
    assert (created.status_code, reads) == (201, [])


def test_a_retry_answers_the_first_answer_s_very_text(client, org) -> None:
    """DESIGN 6, issue 21: the answer is written once and kept; a retry sends the same bytes."""
    auth = _auth(org["sales"])
    first = client.post(
        "/api/orders/", _body(org), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **auth
    )
    again = client.post(
        "/api/orders/", _body(org), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **auth
    )
    assert (again.status_code, again["Content-Type"], again.content) == (
        201,
        "application/json; charset=utf-8",
        first.content,
    )


def test_create_for_a_customer_blocked_since_is_refused(client, org) -> None:
    """B-3, issue 21: the API names the customer by id; the action reads its standing afresh, so a
    blocked customer is refused on `customer` and nothing is saved."""
    org["customer"].blocked, org["customer"].blocked_reason = True, "长期拖欠货款"
    org["customer"].save()
    response = client.post("/api/orders/", _body(org), content_type="application/json", **_auth(org["sales"]))
    assert (response.status_code, response.json()["fields"], SalesOrder.objects.count()) == (
        422,
        {"customer": ["客户已冻结，不能下单：长期拖欠货款"]},
        0,
    )


def test_create_for_a_missing_customer_is_refused_like_one_out_of_scope(client, org) -> None:
    """S-1: a customer id that names no customer gets the out-of-scope answer, on `customer`."""
    response = client.post(
        "/api/orders/", _body(org, customer_id=999999), content_type="application/json", **_auth(org["sales"])
    )
    assert (response.status_code, response.json()["fields"]) == (
        422,
        {"customer": ["客户不存在或不在您的数据范围内。"]},
    )


def test_same_key_with_the_same_body_reordered_answers_the_first_order(client, org) -> None:
    """DESIGN 6: equal bodies are compared canonically — key order and spacing do not matter."""
    auth = {**_auth(org["sales"]), "HTTP_IDEMPOTENCY_KEY": "k-same"}
    first = client.post("/api/orders/", _body(org), content_type="application/json", **auth)
    reordered = json.dumps(dict(reversed(list(json.loads(_body(org)).items()))), indent=2)
    again = client.post("/api/orders/", reordered, content_type="application/json", **auth)
    assert (first.status_code, again.status_code, again.json(), SalesOrder.objects.count()) == (
        201,
        201,
        first.json(),
        1,
    )


def test_same_key_with_a_different_body_is_422_naming_the_key(client, org) -> None:
    """DESIGN 6: a reused Idempotency-Key with another body is refused, not answered with the
    first order (which silently dropped the second); nothing more is saved."""
    auth = {**_auth(org["sales"]), "HTTP_IDEMPOTENCY_KEY": "k-reused"}
    first = client.post("/api/orders/", _body(org), content_type="application/json", **auth)
    events = AuditEvent.objects.count()
    other = client.post(
        "/api/orders/", _body(org, delivery_place="北京"), content_type="application/json", **auth
    )
    assert (first.status_code, other.status_code) == (201, 422)
    assert other.json() == {
        "code": "idempotency_key_reused",
        "message": "Idempotency-Key “k-reused” 已用于内容不同的另一个请求；新的请求请使用新的键。",
        "fields": {},
    }
    assert SalesOrder.objects.count() == 1
    assert SalesOrder.objects.get().delivery_place == "上海"
    assert AuditEvent.objects.count() == events


def test_bad_line_is_422_naming_the_line(client, org) -> None:
    body = _body(org, lines=[{"product_id": org["gear"].pk, "quantity": "0"}])
    response = client.post("/api/orders/", body, content_type="application/json", **_auth(org["sales"]))
    assert (response.status_code, response.json()["fields"]) == (
        422,
        {"lines.0.quantity": ["数量必须大于 0。"]},
    )
    assert SalesOrder.objects.count() == 0


def test_duplicate_is_409_until_a_reason_is_given(client, org) -> None:
    auth = _auth(org["sales"])
    client.post("/api/orders/", _body(org), content_type="application/json", **auth)
    refused = client.post("/api/orders/", _body(org), content_type="application/json", **auth)
    accepted = client.post(
        "/api/orders/", _body(org, duplicate_reason="追加"), content_type="application/json", **auth
    )
    assert (refused.status_code, refused.json()["code"], accepted.status_code) == (409, "duplicate", 201)


def test_update_draft_with_stale_version_is_409(client, org) -> None:
    auth = _auth(org["sales"])
    order = client.post("/api/orders/", _body(org), content_type="application/json", **auth).json()
    ok = client.patch(
        f"/api/orders/{order['id']}",
        json.dumps({"version": 1, "delivery_place": "苏州"}),
        content_type="application/json",
        **auth,
    )
    stale = client.patch(
        f"/api/orders/{order['id']}",
        json.dumps({"version": 1, "delivery_place": "杭州"}),
        content_type="application/json",
        **auth,
    )
    assert (ok.status_code, ok.json()["version"], stale.status_code) == (200, 2, 409)
    assert SalesOrder.objects.get().delivery_place == "苏州"


def test_submit_and_check_through_the_api(client, org) -> None:
    order = client.post(
        "/api/orders/", _body(org), content_type="application/json", **_auth(org["sales"])
    ).json()
    submitted = client.post(f"/api/orders/{order['id']}/submit", **_auth(org["sales"])).json()
    assert (submitted["status"], submitted["pending"][0]["kind"]) == ("pending_check", "order.check")
    refused = client.post(
        f"/api/orders/{order['id']}/check",
        json.dumps({"decision": "escalate"}),
        content_type="application/json",
        **_auth(org["head"]),
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "blocked")
    head = _auth(org["head"])
    escalated = client.post(
        f"/api/orders/{order['id']}/check",
        json.dumps({"decision": "escalate", "reason": "信用"}),
        content_type="application/json",
        **head,
    )
    decided = client.post(
        f"/api/orders/{order['id']}/decision",
        json.dumps({"accept": True, "reason": "同意"}),
        content_type="application/json",
        **_auth(org["exec"]),
    )
    assert (escalated.json()["status"], decided.json()["status"]) == (
        "awaiting_decision",
        OrderStatus.IN_REVIEW,
    )


def test_check_by_the_salesperson_is_403(client, org) -> None:
    auth = _auth(org["sales"])
    order = client.post("/api/orders/", _body(org), content_type="application/json", **auth).json()
    client.post(f"/api/orders/{order['id']}/submit", **auth)
    response = client.post(
        f"/api/orders/{order['id']}/check",
        json.dumps({"decision": "pass"}),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 403
    assert SalesOrder.objects.get().status == OrderStatus.PENDING_CHECK


def test_submitting_twice_is_409(client, org) -> None:
    auth = _auth(org["sales"])
    order = client.post("/api/orders/", _body(org), content_type="application/json", **auth).json()
    client.post(f"/api/orders/{order['id']}/submit", **auth)
    assert client.post(f"/api/orders/{order['id']}/submit", **auth).status_code == 409


def test_prices_are_null_for_production(client, org) -> None:
    from oms.accounts.models import DataScope

    order = client.post(
        "/api/orders/", _body(org), content_type="application/json", **_auth(org["sales"])
    ).json()
    org["prod"].data_scope = DataScope.ALL
    org["prod"].save()
    body = client.get(f"/api/orders/{order['id']}", **_auth(org["prod"])).json()
    assert (body["total_amount"], body["lines"][0]["unit_price"], body["contact_phone"]) == (None, None, None)


def test_list_filters_and_bounded_queries(client, org, django_assert_max_num_queries) -> None:
    auth = _auth(org["sales"])
    for i in range(12):
        client.post(
            "/api/orders/", _body(org, duplicate_reason=f"r{i}"), content_type="application/json", **auth
        )
    with django_assert_max_num_queries(10):
        body = client.get("/api/orders/?status=draft&order_class=urgent&page_size=50", **auth).json()
    assert (body["count"], len(body["items"])) == (12, 12)
    assert client.get("/api/orders/?status=in_review", **auth).json()["count"] == 0


def test_unknown_order_is_a_typed_404(client, org) -> None:
    response = client.get("/api/orders/999999", **_auth(org["sales"]))
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
