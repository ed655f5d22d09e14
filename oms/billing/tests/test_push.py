"""下推 (issue 23 point 6, L-1, L-2): a statement generated from the accepted shipments and an
invoice from the statement, prefilled and editable, each linked to its source both ways."""

from __future__ import annotations

import pytest
from django.urls import reverse

from oms.billing import actions
from oms.billing.tests.test_billing import _accepted, _statement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _page(client, user, order, query: str = "") -> str:
    client.force_login(user)
    return client.get(reverse("workbench:order_detail", args=[order.pk]) + query).content.decode()


def test_statement_push_fills_the_accepted_quantities_and_the_contact(client, more_heads) -> None:
    order = _accepted(more_heads, "6", "4", accept=1)
    line = order.lines.get()
    content = _page(client, more_heads["sales"], order, "?tab=billing&push=statement")
    assert f'name="qty-{line.pk}" value="6"' in content
    assert f'name="reconciled_with" value="{order.contact_name}"' in content
    assert 'data-testid="push-statement"' not in content


def test_statement_push_is_offered_to_the_orders_salesperson_only(client, more_heads) -> None:
    order = _accepted(more_heads, "10")
    assert 'data-testid="push-statement"' in _page(client, more_heads["sales"], order)
    assert 'data-testid="push-statement"' not in _page(client, more_heads["finance_head"], order)


def test_statement_names_its_accepted_shipments_and_the_shipment_its_statement(client, more_heads) -> None:
    order = _accepted(more_heads, "6", "4", accept=1)
    statement = _statement(more_heads, order, "6")
    content = _page(client, more_heads["sales"], order, "?tab=billing")
    assert 'data-testid="statement-source-1">来源发货：第 1 批</span>' in content
    # The order page has tabs (issue 23.5): the shipments are on 发货验收.
    content = _page(client, more_heads["sales"], order, "?tab=delivery")
    assert (
        f'data-testid="shipment-statements-1">结算清单：<a href="{reverse("billing:statement", args=[statement.pk])}">{statement.number}</a>'
        in content
    )
    assert 'data-testid="shipment-statements-2"' not in content


def test_invoice_push_fills_what_the_statement_has_not_invoiced(client, more_heads) -> None:
    order = _accepted(more_heads, "10")
    statement = _statement(more_heads, order, "10")
    actions.review_statement(actor=more_heads["finance_head"], statement=statement, approve=True)
    assert 'data-testid="push-invoice-1"' in _page(client, more_heads["finance_head"], order)
    content = _page(
        client, more_heads["finance_head"], order, f"?tab=billing&push=invoice&statement={statement.pk}"
    )
    assert 'name="amount" value="10200"' in content


def test_invoice_push_is_not_offered_outside_finance(client, more_heads) -> None:
    order = _accepted(more_heads, "10")
    statement = _statement(more_heads, order, "10")
    actions.review_statement(actor=more_heads["finance_head"], statement=statement, approve=True)
    content = _page(client, more_heads["sales"], order, f"?tab=billing&push=invoice&statement={statement.pk}")
    assert 'data-testid="push-invoice-1"' not in content and 'value="10200"' not in content
