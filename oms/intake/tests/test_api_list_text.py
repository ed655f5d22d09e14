"""The orders API's list page (B-8, issue 21) is written from values without django-ninja's
validation; its text must be what the schema's validation wrote: the same keys in the same
order, the same figures and times, prices and contact data null where S-1 hides them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from oms.accounts.actions import issue_api_token
from oms.accounts.models import DataScope
from oms.intake.api import OrderPage, _out, _pending, _with_related
from oms.orders.selectors import orders_for
from oms.policy.visibility import visible_field_groups
from oms.web.api import _rendered

pytestmark = pytest.mark.django_db


def _auth(user: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(actor=user, user=user, name='t')}"}


def _create(client: Any, org: dict[str, Any], i: int) -> dict[str, Any]:
    body = {
        "customer_id": org["customer"].pk,
        "contact_name": "张伟",
        "contact_phone": "13812345678",
        "order_date": "2026-11-23",
        "delivery_date": "2027-01-20",
        "delivery_place": "上海",
        "payment_terms": "monthly",
        "duplicate_reason": f"r{i}",
        "lines": [
            {"product_id": org["gear"].pk, "quantity": "2.5", "unit_price": "1000.10"},
            {"product_id": org["motor"].pk, "quantity": "1"},
        ],
    }
    created = client.post(
        "/api/orders/", json.dumps(body), content_type="application/json", **_auth(org["sales"])
    )
    assert created.status_code == 201
    return created.json()


def _as_validated(user: Any, page: int, size: int) -> str:
    """The page as the schema's validation wrote it: the orders read as models, each by `_out`."""
    qs = orders_for(user).order_by("-created_at", "-id")
    orders = list(_with_related(qs)[(page - 1) * size : page * size])
    groups = visible_field_groups(user)
    items = [_out(o, groups, _pending([o]).get(o.pk, [])) for o in orders]
    count = qs.count()
    body = {"count": count, "count_capped": False, "page": page, "page_size": size, "items": items}
    return _rendered(OrderPage, body)


@pytest.fixture
def orders(client: Any, org: dict[str, Any]) -> list[dict[str, Any]]:
    """Four orders: two submitted (an open check each), one with a line removed, one draft."""
    made = [_create(client, org, i) for i in range(4)]
    auth = _auth(org["sales"])
    for order in made[:2]:
        assert client.post(f"/api/orders/{order['id']}/submit", **auth).status_code == 200
    patch = {"version": made[2]["version"], "lines": [{"product_id": org["motor"].pk, "quantity": "3"}]}
    updated = client.patch(
        f"/api/orders/{made[2]['id']}", json.dumps(patch), content_type="application/json", **auth
    )
    assert updated.status_code == 200
    return made


def test_the_list_writes_what_the_schema_wrote_for_the_salesperson(client, org, orders) -> None:
    response = client.get("/api/orders/?page_size=3&page=1", **_auth(org["sales"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.content.decode() == _as_validated(org["sales"], 1, 3)


def test_the_list_writes_what_the_schema_wrote_on_a_last_page(client, org, orders) -> None:
    response = client.get("/api/orders/?page_size=3&page=2", **_auth(org["sales"]))
    assert response.content.decode() == _as_validated(org["sales"], 2, 3)


def test_the_list_writes_what_the_schema_wrote_with_prices_and_contacts_hidden(client, org, orders) -> None:
    org["prod"].data_scope = DataScope.ALL
    org["prod"].save()
    response = client.get("/api/orders/?page_size=50", **_auth(org["prod"]))
    items = response.json()["items"]
    assert items and all(i["total_amount"] is None and i["contact_phone"] is None for i in items)
    assert response.content.decode() == _as_validated(org["prod"], 1, 50)
