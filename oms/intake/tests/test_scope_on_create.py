"""S-1, B-3: an order is entered only for a customer in the actor's data scope — the rule of the
order page's customer picker, kept by the intake actions on every path (page, API, import)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from oms.accounts.actions import issue_api_token
from oms.audit.models import AuditEvent
from oms.core.errors import ActionError
from oms.customers.models import Customer
from oms.customers.tests.factories import CustomerFactory
from oms.intake import actions
from oms.intake.tests.fixtures import header, lines
from oms.intake.tests.test_import import _row, _xlsx
from oms.intake.tests.test_views import _form
from oms.orders.models import SalesOrder

pytestmark = pytest.mark.django_db

REFUSED = "客户不存在或不在您的数据范围内。"


@pytest.fixture
def foreign(org: dict[str, Any]) -> Customer:
    """Another salesperson's customer in another department: outside sales1's own scope."""
    return CustomerFactory(owner=org["head"], department=org["prod"].department)


def _auth(user: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(actor=user, user=user, name='t')}"}


def _api_body(org: dict[str, Any], customer: Customer) -> str:
    return json.dumps(
        {
            "customer_id": customer.pk,
            "contact_name": "张伟",
            "contact_phone": "13812345678",
            "order_date": "2026-11-23",
            "delivery_date": "2027-01-20",
            "delivery_place": "上海",
            "payment_terms": "monthly",
            "lines": [{"product_id": org["gear"].pk, "quantity": "2", "unit_price": "1000"}],
        }
    )


def test_the_customer_picker_does_not_offer_the_foreign_customer(client, org, foreign) -> None:
    """S-1: the page's rule — the picker lists only customers in the user's scope."""
    client.force_login(org["sales"])
    content = client.get(reverse("customers:customer_picker"), {"q": foreign.code}).content.decode()
    assert foreign.name not in content


def test_api_create_for_a_customer_outside_the_scope_is_refused(client, org, foreign) -> None:
    """S-1: POST /api/orders/ for a customer the salesperson may not see is 422 on `customer`,
    answered like a missing customer; nothing is saved or audited."""
    auth = _auth(org["sales"])  # issuing the token is audited itself
    events = AuditEvent.objects.count()
    response = client.post("/api/orders/", _api_body(org, foreign), content_type="application/json", **auth)
    assert (response.status_code, response.json()["fields"]) == (422, {"customer": [REFUSED]})
    assert (SalesOrder.objects.count(), AuditEvent.objects.count()) == (0, events)


def test_api_create_for_an_own_customer_is_accepted(client, org) -> None:
    """S-1: the rule refuses only what is out of scope — the own customer's order is created."""
    response = client.post(
        "/api/orders/",
        _api_body(org, org["customer"]),
        content_type="application/json",
        **_auth(org["sales"]),
    )
    assert (response.status_code, SalesOrder.objects.get().customer_id) == (201, org["customer"].pk)


def test_api_patch_moving_the_order_to_a_customer_outside_the_scope_is_refused(client, org, foreign) -> None:
    """S-1: PATCH /api/orders/{id} with another customer's id is refused; the draft keeps its
    customer and version, and no audit event is written."""
    order = actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    auth = _auth(org["sales"])
    events = AuditEvent.objects.count()
    response = client.patch(
        f"/api/orders/{order.pk}",
        json.dumps({"version": order.version, "customer_id": foreign.pk}),
        content_type="application/json",
        **auth,
    )
    assert (response.status_code, response.json()["fields"]) == (422, {"customer": [REFUSED]})
    order.refresh_from_db()
    assert (order.customer_id, order.version, AuditEvent.objects.count()) == (
        org["customer"].pk,
        1,
        events,
    )


def test_api_patch_to_another_customer_in_scope_is_accepted(client, org) -> None:
    """S-1: a draft may move to another customer the salesperson may see (the page allows it too)."""
    order = actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    other = CustomerFactory(owner=org["sales"], department=org["sales"].department)
    response = client.patch(
        f"/api/orders/{order.pk}",
        json.dumps({"version": order.version, "customer_id": other.pk}),
        content_type="application/json",
        **_auth(org["sales"]),
    )
    assert (response.status_code, response.json()["customer_id"]) == (200, other.pk)


def test_page_post_for_a_customer_outside_the_scope_is_refused(client, org, foreign) -> None:
    """S-1: a hand-made form POST naming the foreign customer is refused on the field, nothing saved."""
    client.force_login(org["sales"])
    events = AuditEvent.objects.count()
    response = client.post(reverse("workbench:order_create"), _form(org, customer=foreign.pk))
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert (SalesOrder.objects.count(), AuditEvent.objects.count()) == (0, events)


def test_import_row_for_a_customer_outside_the_scope_is_listed_and_nothing_saved(org, foreign) -> None:
    """S-1, B-9: an Excel row for the foreign customer is a row error in the preview, so the batch
    cannot be confirmed; no order is created."""
    row = _row(org, ref="PO-9")
    row[0] = foreign.code
    batch = actions.preview_import(actor=org["sales"], file_name="o.xlsx", content=_xlsx([_row(org), row]))
    assert batch.row_errors == [{"row": 3, "messages": [f"customer: {REFUSED}"]}]
    with pytest.raises(ActionError):
        actions.confirm_import(actor=org["sales"], batch=batch)
    assert SalesOrder.objects.count() == 0


def test_a_scope_rule_that_joins_is_kept_when_the_orm_reads_it_whole(org, foreign, monkeypatch) -> None:
    """S-1, issue 21: the create writes its standing read around the scope's compiled condition;
    a rule needing a join (here: customers whose owner has the actor's username) is read by the
    ORM whole, with the same answers — the own customer is accepted, the foreign refused."""
    from oms.orders.actions import entry

    def joined(user: Any) -> Any:
        return Customer.objects.filter(owner__username=user.username)

    monkeypatch.setattr(entry, "customers_for", joined)
    own = actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    with pytest.raises(ActionError) as refused:
        actions.create_order(actor=org["sales"], data={**header(org), "customer": foreign}, lines=lines(org))
    assert (own.customer_id, refused.value.errors["customer"]) == (org["customer"].pk, [REFUSED])
    assert SalesOrder.objects.filter(customer=foreign).count() == 0


def test_a_scope_of_every_customer_creates_for_any_customer(org, foreign, monkeypatch) -> None:
    """S-1, issue 21: a scope of every customer (the "all" data scope, the administrator's) has
    no condition to write around the standing read (Django raises FullResultSet compiling it);
    the order is created for any customer, the foreign one too."""
    from oms.orders.actions import entry

    monkeypatch.setattr(entry, "customers_for", lambda user: Customer.objects.all())
    order = actions.create_order(
        actor=org["sales"], data={**header(org), "customer": foreign}, lines=lines(org)
    )
    assert SalesOrder.objects.get().customer_id == foreign.pk == order.customer_id
