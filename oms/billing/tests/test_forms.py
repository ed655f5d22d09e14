"""Every billing form (issue 22): bad input shows the form again with what the user typed, the
field's message beside it, and nothing saved (L-1..L-6, M-1, P-1)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from oms.billing import actions
from oms.billing.models import DunningStep, Instalment, Invoice, Payment, Statement
from oms.billing.tests.test_billing import _accepted, _invoiced, _statement

pytestmark = pytest.mark.django_db


def refused_form(response: Any, *typed: str, status: int = 422) -> str:
    """The form again on its own page (422 bad input, 400 refused), with every value typed."""
    page = response.content.decode()
    assert response.status_code == status, response.status_code
    assert 'data-testid="action-form"' in page
    for value in typed:
        assert value in page, value
    return page


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_statement_form_keeps_what_was_typed(client, more_heads) -> None:
    order = _accepted(more_heads, "10")
    line = order.lines.get()
    client.force_login(more_heads["sales"])
    response = client.post(
        reverse("billing:billing", args=[order.pk, "statement"]),
        {
            f"qty-{line.pk}": "12",  # only 10 accepted
            "fee-0-description": "运费",
            "fee-0-amount": "2O0",
            "reconciled_with": "张伟",
            "reconciled_on": "2026-12-12",
        },
    )
    page = refused_form(response, 'value="12"', 'value="2O0"', 'value="张伟"', 'value="2026-12-12"')
    assert "不能大于 10" in page and "请输入数字" in page
    assert not Statement.objects.exists()


def test_review_form_keeps_what_was_typed(client, more_heads) -> None:
    statement = _statement(more_heads, _accepted(more_heads, "10"), "10")
    client.force_login(more_heads["finance_head"])
    comment = "价格与合同不符" * 200
    response = client.post(
        reverse("billing:billing", args=[statement.order_id, "return"]),
        {"statement": statement.pk, "comment": comment},
    )
    refused_form(response, comment)
    statement.refresh_from_db()
    assert statement.status == "submitted"


def test_invoice_form_keeps_what_was_typed(client, more_heads) -> None:
    statement = _statement(more_heads, _accepted(more_heads, "10"), "10")
    actions.review_statement(actor=more_heads["finance_head"], statement=statement, approve=True)
    client.force_login(more_heads["finance_head"])
    response = client.post(
        reverse("billing:billing", args=[statement.order_id, "invoice"]),
        {
            "statement": statement.pk,
            "invoice_type": "special_vat",
            "number": "04400009",
            "issued_on": "2026-12-15",
            "amount": "99999",  # the statement is 10200.00
            "tax_rate": "13",
        },
    )
    page = refused_form(response, 'value="04400009"', 'value="99999"', 'value="2026-12-15"')
    assert "不能大于 10200.00" in page
    assert 'value="special_vat" selected' in page
    assert not Invoice.objects.exists()


def test_an_action_refusal_also_keeps_what_was_typed(client, more_heads) -> None:
    """The number is already taken: the action refuses it, and the form comes back filled in."""
    statement = _statement(more_heads, _accepted(more_heads, "10"), "10")
    actions.review_statement(actor=more_heads["finance_head"], statement=statement, approve=True)
    actions.record_invoice(
        actor=more_heads["finance_head"],
        statement=statement,
        invoice_type="special_vat",
        number="0001",
        issued_on=statement.reconciled_on,
        amount=Decimal("6000"),
        tax_rate=Decimal("0"),
    )
    client.force_login(more_heads["finance_head"])
    response = client.post(
        reverse("billing:billing", args=[statement.order_id, "invoice"]),
        {
            "statement": statement.pk,
            "invoice_type": "ordinary_vat",
            "number": "0001",
            "issued_on": "2026-12-16",
            "amount": "100",
            "tax_rate": "0",
        },
    )
    page = refused_form(response, 'value="2026-12-16"', 'value="100"')
    assert "已登记过" in page
    assert Invoice.objects.count() == 1


def test_instalments_form_keeps_what_was_typed(client, more_heads) -> None:
    from oms.intake.tests.fixtures import confirmed_order

    order = confirmed_order(more_heads, payment_terms="instalments")
    client.force_login(more_heads["sales"])
    response = client.post(
        reverse("billing:billing", args=[order.pk, "instalments"]),
        {"due-0": "2027-01-01", "amount-0": "1000", "due-1": "2027-02-30", "amount-1": "1000"},
    )
    refused_form(response, 'value="2027-01-01"', 'value="2027-02-30"', 'value="1000"')
    assert not Instalment.objects.exists()


def test_close_form_keeps_what_was_typed(client, more_heads) -> None:
    order = _accepted(more_heads, "10")
    client.force_login(more_heads["sales"])
    reason = "客户要求" * 100
    response = client.post(reverse("billing:billing", args=[order.pk, "close"]), {"reason": reason})
    refused_form(response, reason)
    order.refresh_from_db()
    assert order.status != "closed"


def test_receipt_form_keeps_what_was_typed(client, more_heads) -> None:
    _invoiced(more_heads)
    client.force_login(more_heads["finance_head"])
    response = client.post(
        reverse("billing:receipt"),
        {
            "customer": more_heads["customer"].pk,
            "amount": "-5",
            "currency": "CNY",
            "received_on": "2026-12-20",
            "method": "transfer",
            "reference": "B-20261220",
        },
    )
    page = refused_form(response, 'value="-5"', 'value="B-20261220"', 'value="2026-12-20"')
    assert "必须大于 0" in page
    assert not Payment.objects.exists()


def test_dunning_form_keeps_what_was_typed(client, more_heads) -> None:
    invoice = _invoiced(more_heads)
    client.force_login(more_heads["finance_head"])
    response = client.post(
        reverse("billing:dunning", args=[invoice.pk]), {"kind": "telegram", "note": "已电话联系财务王经理"}
    )
    refused_form(response, "已电话联系财务王经理")
    assert not DunningStep.objects.exists()


def test_without_the_right_the_refusal_comes_before_field_errors(client, more_heads) -> None:
    """Issue 23: sales may not record invoices; their bad input is not parsed, the refusal is
    shown (400) with what they typed, and nothing is saved."""
    statement = _statement(more_heads, _accepted(more_heads, "10"), "10")
    actions.review_statement(actor=more_heads["finance_head"], statement=statement, approve=True)
    client.force_login(more_heads["sales"])
    response = client.post(
        reverse("billing:billing", args=[statement.order_id, "invoice"]),
        {"statement": statement.pk, "invoice_type": "special_vat", "number": "0009", "amount": "abc"},
    )
    page = refused_form(response, 'value="0009"', 'value="abc"', status=400)
    assert "只有财务可以登记发票。" in page
    assert "请输入数字" not in page and "form-errors" not in page
    assert not Invoice.objects.exists()


def test_a_payment_without_the_right_is_refused_before_its_input_is_checked(client, more_heads) -> None:
    _invoiced(more_heads)
    client.force_login(more_heads["sales"])
    response = client.post(reverse("billing:receipt"), {"amount": "-5", "reference": "B-1"})
    page = refused_form(response, 'value="-5"', 'value="B-1"', status=400)
    assert "只有财务可以登记收款。" in page and "必须大于 0" not in page
    assert not Payment.objects.exists()


def test_a_refused_invoice_keeps_the_chosen_instalment(client, more_heads) -> None:
    """Every field of the invoice form comes back, the instalment picked included."""
    statement = _statement(more_heads, _accepted(more_heads, "10"), "10")
    actions.review_statement(actor=more_heads["finance_head"], statement=statement, approve=True)
    order = statement.order
    order.payment_terms = "instalments"
    order.save(update_fields=["payment_terms"])
    first, second = (
        Instalment.objects.create(order=order, seq=n, due_date=f"2027-0{n}-01", amount="5100") for n in (1, 2)
    )
    client.force_login(more_heads["finance_head"])
    response = client.post(
        reverse("billing:billing", args=[order.pk, "invoice"]),
        {
            "statement": statement.pk,
            "invoice_type": "ordinary_vat",
            "instalment": second.pk,
            "number": "0002",
            "issued_on": "2026-12-15",
            "amount": "6000",  # the instalment is 5100.00
            "tax_rate": "13",
        },
    )
    page = refused_form(response, 'value="0002"', 'value="6000"', 'value="2026-12-15"')
    assert f'value="{second.pk}" selected' in page and f'value="{first.pk}" selected' not in page
    assert 'value="ordinary_vat" selected' in page
    assert not Invoice.objects.exists()
