"""The payment form's customer on the receivables page (L-3, L-6; issue 21): searched rather than
listed whole (every customer owing was an `<option>`: 1,600 of them, 97 KB of finance's page at
10^6 orders); the suggestions are the customers owing in the finance user's scope; the form
takes the customer by its code or exact name as typed (no JavaScript), or by key as before."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from oms.billing.models import Payment
from oms.billing.tests.test_billing import _invoiced
from oms.billing.tests.test_invoice_figures import _pay
from oms.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _receipt(client: Any, **fields: Any) -> Any:
    data = {
        "amount": "100",
        "currency": "CNY",
        "received_on": "2026-12-20",
        "method": "transfer",
        "reference": "B-1",
        **fields,
    }
    return client.post(reverse("billing:receipt"), data)


def test_finance_s_page_prints_no_customer_list_but_the_search_field(client, more_heads) -> None:
    _invoiced(more_heads)
    client.force_login(more_heads["finance_head"])
    page = client.get(reverse("billing:receivables")).content.decode()
    assert 'name="customer_q"' in page and 'data-testid="record-receipt"' in page
    assert f'<option value="{more_heads["customer"].pk}"' not in page
    assert not re.search(r'<select[^>]* name="customer"', page)


def test_the_payment_form_is_not_offered_while_nobody_owes(client, more_heads) -> None:
    _invoiced(more_heads)
    _pay(more_heads, "10000", date(2026, 12, 20))
    client.force_login(more_heads["finance_head"])
    page = client.get(reverse("billing:receivables") + "?show=all").content.decode()
    assert 'data-testid="record-receipt"' not in page


def test_the_picker_suggests_the_customers_owing_that_match(client, more_heads) -> None:
    _invoiced(more_heads)
    owing = more_heads["customer"]
    CustomerFactory(name=owing.name + "分厂")  # matches, owes nothing
    client.force_login(more_heads["finance_head"])
    fragment = client.get(reverse("billing:payers"), {"customer_q": owing.name[:4]}).content.decode()
    assert fragment.count("data-pick-id=") == 1
    assert f'data-pick-id="{owing.pk}"' in fragment


def test_the_picker_finds_a_customer_by_its_code(client, more_heads) -> None:
    _invoiced(more_heads)
    client.force_login(more_heads["finance_head"])
    code = more_heads["customer"].code
    fragment = client.get(reverse("billing:payers"), {"customer_q": code.lower()}).content.decode()
    assert f'data-pick-id="{more_heads["customer"].pk}"' in fragment


def test_the_picker_is_finance_s_only(client, more_heads) -> None:
    _invoiced(more_heads)
    client.force_login(more_heads["sales"])
    assert client.get(reverse("billing:payers"), {"customer_q": ""}).status_code == 404


def test_a_payment_names_its_customer_by_the_code_typed(client, more_heads) -> None:
    _invoiced(more_heads)
    client.force_login(more_heads["finance_head"])
    _receipt(client, customer_q=f"  {more_heads['customer'].code} ")
    assert Payment.objects.get().customer_id == more_heads["customer"].pk


def test_a_payment_names_its_customer_by_the_picked_label(client, more_heads) -> None:
    _invoiced(more_heads)
    customer = more_heads["customer"]
    client.force_login(more_heads["finance_head"])
    _receipt(client, customer=customer.pk, customer_q=f"{customer.code} {customer.name}")
    assert Payment.objects.get().amount == Decimal("100.00")
    assert Payment.objects.get().customer_id == customer.pk


def test_a_picked_label_names_a_customer_whose_name_has_irregular_spaces(client, more_heads) -> None:
    """The label is sent with its spaces collapsed, as typed text is read; the stored name is not."""
    _invoiced(more_heads)
    customer = more_heads["customer"]
    type(customer).objects.filter(pk=customer.pk).update(name=f"{customer.name}  有限公司 ")
    client.force_login(more_heads["finance_head"])
    _receipt(client, customer=customer.pk, customer_q=f"{customer.code} {customer.name} 有限公司")
    assert Payment.objects.get().customer_id == customer.pk


def test_a_pick_edited_afterwards_is_the_customer_now_shown(client, more_heads) -> None:
    _invoiced(more_heads)
    other = CustomerFactory()
    client.force_login(more_heads["finance_head"])
    _receipt(client, customer=more_heads["customer"].pk, customer_q=other.code)
    assert Payment.objects.get().customer_id == other.pk


def test_a_name_two_customers_share_is_refused_with_what_was_typed(client, more_heads) -> None:
    _invoiced(more_heads)
    CustomerFactory(name="华东机械有限公司")
    CustomerFactory(name="华东机械有限公司")
    client.force_login(more_heads["finance_head"])
    response = _receipt(client, customer_q="华东机械有限公司")
    page = response.content.decode()
    assert response.status_code == 422
    assert "请选择客户。" in page and 'value="华东机械有限公司"' in page
    assert not Payment.objects.exists()


def test_a_payment_by_key_alone_still_names_its_customer(client, more_heads) -> None:
    _invoiced(more_heads)
    client.force_login(more_heads["finance_head"])
    _receipt(client, customer=more_heads["customer"].pk)
    assert Payment.objects.get().customer_id == more_heads["customer"].pk
