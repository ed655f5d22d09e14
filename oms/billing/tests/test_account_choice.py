"""The statement of account's customer choice and lines as the page writes them out (issue 23
point 2, L-4; issue 21: the customer searched rather than listed whole, the customers with
invoices found from the kept open balances first, the lines written at once). The choice stays
exact: every customer in scope with invoices, no other (S-1); picked, typed or given by key, a
customer outside the user's scope is never shown."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from conftest import make_user
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
    assert [c.pk for c in statement_customers(more_heads["finance_head"])] == [customer.pk]


def test_a_customer_without_invoices_is_not_offered(more_heads) -> None:
    """L-4: the choice lists the customers with invoices only."""
    _invoiced(more_heads)
    CustomerFactory(name="没有发票的客户")
    customer = more_heads["customer"]
    assert [c.pk for c in statement_customers(more_heads["finance_head"])] == [customer.pk]


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


def _statement(client: Any, **query: str) -> Any:
    return client.get(reverse("billing:account"), {"start": "2026-12-01", "end": "2026-12-31", **query})


def _suggested(client: Any, q: str) -> str:
    return client.get(reverse("billing:account_customers"), {"customer_q": q}).content.decode()


def test_the_page_prints_no_customer_list_but_the_search_field(
    client, more_heads, django_assert_max_num_queries
) -> None:
    _invoiced(more_heads)
    client.force_login(more_heads["finance_head"])
    with django_assert_max_num_queries(6):
        page = client.get(reverse("billing:account")).content.decode()
    assert 'name="customer_q"' in page and 'data-testid="account-customer"' in page
    assert f'value="{more_heads["customer"].pk}"' not in page
    assert not re.search(r'<select[^>]* name="customer"', page)


def test_the_chosen_customer_is_shown_in_the_search_field(client, more_heads) -> None:
    _invoiced(more_heads)
    customer = more_heads["customer"]
    client.force_login(more_heads["finance_head"])
    page = client.get(reverse("billing:account") + f"?customer={customer.pk}").content.decode()
    assert f'<input type="hidden" name="customer" value="{customer.pk}">' in page
    assert f'value="{customer.code} {customer.name}" data-picked="{customer.code} {customer.name}"' in page


def test_the_picker_suggests_the_customers_with_invoices_that_match(
    client, more_heads, django_assert_max_num_queries
) -> None:
    _invoiced(more_heads)
    customer = more_heads["customer"]
    CustomerFactory(name=customer.name + "分厂")  # matches, has no invoices
    client.force_login(more_heads["finance_head"])
    with django_assert_max_num_queries(4):
        fragment = _suggested(client, customer.name[:4])
    assert fragment.count("data-pick-id=") == 1
    assert f'data-pick-id="{customer.pk}" data-pick-label="{customer.code} {customer.name}"' in fragment
    assert f'data-pick-id="{customer.pk}"' in _suggested(client, customer.code.lower())


def test_the_picker_suggests_the_customers_salesperson_their_customer(client, more_heads) -> None:
    _invoiced(more_heads)
    client.force_login(more_heads["sales"])
    assert f'data-pick-id="{more_heads["customer"].pk}"' in _suggested(client, "")


def test_the_picker_suggests_no_customer_outside_the_user_s_scope(client, more_heads) -> None:
    """S-1: another salesperson's customer is not suggested, however it is searched."""
    _invoiced(more_heads)
    customer = more_heads["customer"]
    client.force_login(make_user("sales9", kind="sales"))
    for q in ("", customer.code, customer.name):
        assert "data-pick-id=" not in _suggested(client, q), q


def test_the_picker_is_not_found_by_those_who_do_not_see_prices(client, more_heads) -> None:
    _invoiced(more_heads)
    client.force_login(more_heads["prod"])
    assert client.get(reverse("billing:account_customers"), {"customer_q": ""}).status_code == 404


def test_a_customer_typed_by_its_code_has_its_statement_shown(client, more_heads) -> None:
    """Without JavaScript: the code typed into the search field names the customer."""
    _invoiced(more_heads)
    customer = more_heads["customer"]
    client.force_login(more_heads["sales"])
    response = _statement(client, customer_q=f" {customer.code.lower()} ")
    assert response.status_code == 422  # codes are matched exactly, as the payment form's
    response = _statement(client, customer_q=f" {customer.code} ")
    assert response.status_code == 200
    assert response.context["statement"].customer == customer


def test_a_customer_typed_by_its_exact_name_has_its_statement_shown(client, more_heads) -> None:
    _invoiced(more_heads)
    customer = more_heads["customer"]
    client.force_login(more_heads["finance_head"])
    response = _statement(client, customer_q=customer.name)
    assert response.context["statement"].customer == customer


def test_the_searched_customer_decides_over_a_key_picked_before(client, more_heads) -> None:
    _invoiced(more_heads)
    other = CustomerFactory()
    client.force_login(more_heads["finance_head"])
    response = _statement(client, customer=str(more_heads["customer"].pk), customer_q=other.code)
    assert response.context["statement"].customer == other


def test_a_name_two_customers_share_is_refused_with_what_was_typed(client, more_heads) -> None:
    _invoiced(more_heads)
    CustomerFactory(name="华东机械有限公司")
    CustomerFactory(name="华东机械有限公司")
    client.force_login(more_heads["finance_head"])
    response = _statement(client, customer_q="华东机械有限公司")
    page = response.content.decode()
    assert response.status_code == 422
    assert "请选择客户。" in page and 'value="华东机械有限公司"' in page
    assert 'data-testid="account-lines"' not in page


def test_nothing_chosen_is_refused(client, more_heads) -> None:
    _invoiced(more_heads)
    client.force_login(more_heads["finance_head"])
    response = _statement(client, customer="", customer_q=" ")
    assert response.status_code == 422
    assert "请选择客户。" in response.content.decode()


def test_a_customer_outside_the_scope_is_not_shown_however_named(client, more_heads) -> None:
    """S-1: typed by code, by name or by the picker's label, or given by key, another
    salesperson's customer is refused as a name nobody has (422), or not found by key (404),
    and nothing of its statement is shown."""
    _invoiced(more_heads)
    customer = more_heads["customer"]
    client.force_login(make_user("sales9", kind="sales"))
    for typed in (customer.code, customer.name, f"{customer.code} {customer.name}"):
        response = _statement(client, customer=str(customer.pk), customer_q=typed)
        page = response.content.decode()
        assert response.status_code == 422, typed
        assert 'data-testid="account-lines"' not in page and "10,000.00" not in page
    assert _statement(client, customer=str(customer.pk)).status_code == 404
    assert _statement(client, customer=str(customer.pk), export="xlsx").status_code == 404
