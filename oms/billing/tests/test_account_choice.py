"""The statement of account's customer choice and lines as the page writes them out (issue 23
point 2, L-4; issue 21: written at once, the customers with invoices found from the kept open
balances first). The choice stays exact: every customer in scope with invoices, no other (S-1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from oms.billing import actions
from oms.billing.account import statement_customers
from oms.billing.models import OpenBalance
from oms.billing.tests.test_billing import _invoiced
from oms.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _pay(org: dict[str, Any], amount: str, reference: str = "B1") -> None:
    actions.record_payment(
        actor=org["finance_head"],
        customer=org["customer"],
        amount=Decimal(amount),
        currency="CNY",
        received_on=date(2026, 12, 20),
        method="transfer",
        reference=reference,
    )


def test_a_customer_whose_invoices_are_all_paid_is_still_offered(more_heads) -> None:
    """L-4: a customer owing nothing (no kept open balance) still has a statement of account."""
    _invoiced(more_heads)
    _pay(more_heads, "10000")
    customer = more_heads["customer"]
    assert not OpenBalance.objects.filter(customer=customer).exists()
    assert statement_customers(more_heads["finance_head"]) == [(customer.pk, customer.name)]


def test_a_customer_without_invoices_is_not_offered(more_heads) -> None:
    """L-4: the choice lists the customers with invoices only."""
    _invoiced(more_heads)
    CustomerFactory(name="没有发票的客户")
    customer = more_heads["customer"]
    assert statement_customers(more_heads["finance_head"]) == [(customer.pk, customer.name)]


def test_the_lines_written_out_are_escaped(client, more_heads) -> None:
    """A payment's reference is shown as typed, never as markup (the lines are written out by
    the view, not the template)."""
    _invoiced(more_heads)
    _pay(more_heads, "100", reference="<b>B1</b>")
    client.force_login(more_heads["finance_head"])
    url = (
        reverse("billing:account") + f"?customer={more_heads['customer'].pk}&start=2026-12-01&end=2026-12-31"
    )
    page = client.get(url).content.decode()
    assert "<td>银行转账 &lt;b&gt;B1&lt;/b&gt;</td>" in page
    assert "<b>B1</b>" not in page


def test_the_chosen_customer_is_selected(client, more_heads) -> None:
    _invoiced(more_heads)
    customer = more_heads["customer"]
    client.force_login(more_heads["finance_head"])
    page = client.get(reverse("billing:account") + f"?customer={customer.pk}").content.decode()
    assert f'<option value="{customer.pk}" selected>{customer.name}</option>' in page
