"""Red-letter invoices (红字发票, issue 23 point 2, L-2): reversing an issued invoice in full."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from oms.audit.models import AuditEvent
from oms.billing import actions
from oms.billing.models import Invoice, PaymentMatch
from oms.billing.receivables import customer_invoices, exposure, ledger
from oms.billing.tests.test_billing import _invoiced
from oms.core.errors import ActionError, FieldErrors, NotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _reverse(org: dict[str, Any], invoice: Invoice, number: str = "H0001", **kwargs: Any) -> Invoice:
    args: dict[str, Any] = {"issued_on": date(2026, 12, 20), "reason": "开票信息有误"}
    args.update(kwargs)
    return actions.reverse_invoice(actor=org["finance_head"], invoice=invoice, number=number, **args)


def _state() -> list[tuple[Any, ...]]:
    return list(Invoice.objects.order_by("pk").values_list("number", "amount", "reverses"))


def test_a_red_letter_invoice_reverses_the_whole_invoice_linked_both_ways(more_heads) -> None:
    original = _invoiced(more_heads)
    red = _reverse(more_heads, original)
    original.refresh_from_db()
    assert (red.amount, red.tax_amount, red.tax_rate, red.reversal_reason) == (
        Decimal("-10000.00"),
        Decimal("-1150.44"),
        Decimal("13.00"),
        "开票信息有误",
    )
    assert (red.reverses, original.reversed_by) == (original, red)
    event = AuditEvent.objects.get(action="billing.reverse_invoice")
    assert (event.reason, event.after["invoice"], event.after["red_letter"]) == (
        "开票信息有误",
        "0001",
        "H0001",
    )


def test_the_receivables_cancel_out_and_paid_money_becomes_credit(more_heads) -> None:
    original = _invoiced(more_heads)
    actions.record_payment(
        actor=more_heads["finance_head"],
        customer=more_heads["customer"],
        amount=Decimal("4000"),
        currency="CNY",
        received_on=date(2026, 12, 18),
        method="transfer",
        reference="B1",
    )
    red = _reverse(more_heads, original)
    assert (actions.outstanding(original), actions.outstanding(red)) == (Decimal("0"), Decimal("0"))
    [row] = ledger(more_heads["finance_head"], today=date(2027, 3, 1))
    assert (row.invoiced, row.received, row.outstanding, row.overdue) == (
        Decimal("0.00"),
        Decimal("0"),
        Decimal("0.00"),
        Decimal("0"),
    )
    owed = exposure(more_heads["customer"].pk, date(2027, 3, 1))
    assert (owed["receivables"], owed["credit"]) == (Decimal("0"), Decimal("4000.00"))
    assert [r["outstanding"] for r in customer_invoices(more_heads["customer"].pk, date(2027, 3, 1))] == [
        Decimal("0"),
        Decimal("0"),
    ]


def test_the_statement_can_be_invoiced_again_and_the_credit_settles_it(more_heads) -> None:
    original = _invoiced(more_heads)
    actions.record_payment(
        actor=more_heads["finance_head"],
        customer=more_heads["customer"],
        amount=Decimal("4000"),
        currency="CNY",
        received_on=date(2026, 12, 18),
        method="transfer",
        reference="B1",
    )
    _reverse(more_heads, original)
    again = actions.record_invoice(
        actor=more_heads["finance_head"],
        statement=original.statement,
        invoice_type="special_vat",
        number="0002",
        issued_on=date(2026, 12, 21),
        amount=Decimal("10000"),
        tax_rate=Decimal("13"),
    )
    assert actions.outstanding(again) == Decimal("6000.00")
    assert PaymentMatch.objects.filter(invoice=again).get().amount == Decimal("4000.00")


def test_an_invoice_is_not_reversed_twice(more_heads) -> None:
    original = _invoiced(more_heads)
    _reverse(more_heads, original)
    before = _state()
    with pytest.raises(ActionError) as refused:
        _reverse(more_heads, original, number="H0002")
    assert refused.value.message == "发票 0001 已开具红字发票，不能重复冲红。"
    assert _state() == before


def test_a_red_letter_invoice_is_not_reversed(more_heads) -> None:
    red = _reverse(more_heads, _invoiced(more_heads))
    before = _state()
    with pytest.raises(ActionError) as refused:
        _reverse(more_heads, red, number="H0002")
    assert refused.value.message == "红字发票不能再冲红。"
    assert _state() == before


def test_only_finance_reverses(more_heads) -> None:
    original = _invoiced(more_heads)
    before = _state()
    with pytest.raises(NotAllowed):
        actions.reverse_invoice(
            actor=more_heads["sales"], invoice=original, number="H1", issued_on=date(2026, 12, 20), reason="x"
        )
    assert _state() == before


def test_a_reversal_needs_a_number_a_date_and_a_reason(more_heads) -> None:
    original = _invoiced(more_heads)
    before = _state()
    with pytest.raises(FieldErrors) as refused:
        _reverse(more_heads, original, number=" ", issued_on=None, reason="")
    assert refused.value.errors == {
        "number": ["请填写红字发票号码。"],
        "issued_on": ["请填写开票日期。"],
        "reason": ["请填写冲红原因。"],
    }
    assert _state() == before


def test_the_order_page_shows_both_invoices_linked(client, more_heads) -> None:
    original = _invoiced(more_heads)
    client.force_login(more_heads["finance_head"])
    response = client.post(
        reverse("billing:billing", args=[original.statement.order_id, "reverse"]),
        {"invoice": original.pk, "number": "H0001", "issued_on": "2026-12-20", "reason": "开票信息有误"},
    )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "已冲红（红字发票 H0001）" in page and "红字发票，冲销 0001" in page
    assert "价税合计 -10,000.00（不含税金额 -8,849.56，税率 13%，税额 -1,150.44）" in page


def test_a_refused_reversal_keeps_what_was_typed(client, more_heads) -> None:
    original = _invoiced(more_heads)
    client.force_login(more_heads["finance_head"])
    response = client.post(
        reverse("billing:billing", args=[original.statement.order_id, "reverse"]),
        {"invoice": original.pk, "number": "H0001", "issued_on": "2026-12-20", "reason": ""},
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert 'value="H0001"' in page and 'value="2026-12-20"' in page and "请填写冲红原因。" in page
    assert Invoice.objects.count() == 1


def test_sales_posting_a_reversal_is_refused_before_its_input_is_read(client, more_heads) -> None:
    original = _invoiced(more_heads)
    client.force_login(more_heads["sales"])
    response = client.post(
        reverse("billing:billing", args=[original.statement.order_id, "reverse"]),
        {"invoice": original.pk, "number": "", "issued_on": "bad", "reason": ""},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "只有财务可以开具红字发票。" in page and "请填写冲红原因。" not in page
    assert Invoice.objects.count() == 1
