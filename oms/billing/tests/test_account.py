"""Payments numbered and shown on the order; the receivables ledger keeping settled orders; the
customer's statement of account (往来对账单) — issue 23 point 2, L-3, L-4."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import make_user
from oms.billing import actions
from oms.billing.account import statement_of_account
from oms.billing.models import Invoice, Payment
from oms.billing.tests.test_billing import _invoiced
from oms.intake.tests.fixtures import set_policy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _pay(org: dict[str, Any], amount: str, on: date, reference: str = "B1") -> Payment:
    return actions.record_payment(
        actor=org["finance_head"],
        customer=org["customer"],
        amount=Decimal(amount),
        currency="CNY",
        received_on=on,
        method="transfer",
        reference=reference,
    )


# --- payments (收款) ------------------------------------------------------------------------------


def test_payments_are_numbered_in_the_policy_format(more_heads) -> None:
    _invoiced(more_heads)
    year = f"{timezone.localdate():%Y}"
    first, second = (
        _pay(more_heads, "100", date(2026, 12, 20)),
        _pay(more_heads, "200", date(2026, 12, 21), "B2"),
    )
    assert (first.number, second.number) == (f"SK{year}00001", f"SK{year}00002")


def test_the_payment_number_follows_a_changed_format(more_heads) -> None:
    _invoiced(more_heads)
    set_policy(more_heads, numbering__payment="RC{yy}{mm}-{seq:03d}")
    assert _pay(more_heads, "100", date(2026, 12, 20)).number == f"RC{timezone.localdate():%y%m}-001"


def test_the_order_page_lists_the_payments_matched_to_its_invoices(client, more_heads) -> None:
    invoice = _invoiced(more_heads)
    payment = _pay(more_heads, "4000", date(2026, 12, 20))
    client.force_login(more_heads["finance_head"])
    page = client.get(reverse("workbench:order_detail", args=[invoice.statement.order_id])).content.decode()
    assert f'data-testid="payment-{payment.number}"' in page
    assert f"{payment.number} · 2026-12-20 · 银行转账 B1 · 核销发票 0001 4,000.00" in page


def test_recording_a_payment_names_its_number(client, more_heads) -> None:
    _invoiced(more_heads)
    client.force_login(more_heads["finance_head"])
    response = client.post(
        reverse("billing:receipt"),
        {
            "customer": more_heads["customer"].pk,
            "amount": "100",
            "currency": "CNY",
            "received_on": "2026-12-20",
            "method": "transfer",
            "reference": "B-1",
        },
        follow=True,
    )
    assert f"收款 {Payment.objects.get().number} 已登记并核销。" in response.content.decode()


# --- the receivables ledger keeps settled orders -------------------------------------------------


def test_a_settled_order_stays_on_the_ledger_under_settled_and_all(client, more_heads) -> None:
    invoice = _invoiced(more_heads)
    _pay(more_heads, "10000", date(2026, 12, 20))
    order = invoice.statement.order.number
    client.force_login(more_heads["finance_head"])
    shown = {
        show: order in client.get(reverse("billing:receivables") + f"?show={show}").content.decode()
        for show in ("open", "settled", "all")
    }
    assert shown == {"open": False, "settled": True, "all": True}


# --- the statement of account ---------------------------------------------------------------------


def _history(org: dict[str, Any]) -> Invoice:
    """Invoice 0001 of 10,000.00 on 15 Dec, 4,000.00 paid on 20 Dec, reversed on 21 Dec."""
    invoice = _invoiced(org)
    _pay(org, "4000", date(2026, 12, 20))
    actions.reverse_invoice(
        actor=org["finance_head"],
        invoice=invoice,
        number="H0001",
        issued_on=date(2026, 12, 21),
        reason="退货",
    )
    return invoice


def test_the_statement_runs_from_the_opening_to_the_closing_balance(more_heads) -> None:
    _history(more_heads)
    statement = statement_of_account(more_heads["customer"], date(2026, 12, 16), date(2026, 12, 31))
    assert statement.opening == Decimal("10000.00")
    assert [(ln.kind, ln.number, ln.debit, ln.credit, ln.balance) for ln in statement.lines] == [
        ("收款", Payment.objects.get().number, Decimal("0.00"), Decimal("4000.00"), Decimal("6000.00")),
        ("红字发票", "H0001", Decimal("-10000.00"), Decimal("0.00"), Decimal("-4000.00")),
    ]
    assert (statement.debit, statement.credit, statement.closing) == (
        Decimal("-10000.00"),
        Decimal("4000.00"),
        Decimal("-4000.00"),
    )


def test_the_statement_reads_the_customer_and_date_indexes(more_heads) -> None:
    _history(more_heads)
    customer = more_heads["customer"].pk
    with connection.cursor() as cursor:
        if connection.vendor != "sqlite":
            pytest.skip("the plan is read with SQLite's EXPLAIN QUERY PLAN")
        cursor.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM billing_invoice WHERE customer_id = %s AND issued_on >= %s",
            [customer, "2026-12-01"],
        )
        invoices = " ".join(str(r) for r in cursor.fetchall())
        cursor.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM billing_receipt WHERE customer_id = %s AND received_on >= %s",
            [customer, "2026-12-01"],
        )
        payments = " ".join(str(r) for r in cursor.fetchall())
    assert "invoice_customer_date" in invoices and "payment_customer_date" in payments


def _account_url(org: dict[str, Any], **extra: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"start": "2026-12-01", "end": "2026-12-31", **extra}.items())
    return reverse("billing:account") + f"?customer={org['customer'].pk}&{query}"


def test_the_statement_page_in_few_queries(client, more_heads, django_assert_max_num_queries) -> None:
    """Issue 21: session, user, the customer with its opening balance, invoices, payments."""
    _history(more_heads)
    client.force_login(more_heads["finance_head"])
    with django_assert_max_num_queries(5):
        page = client.get(_account_url(more_heads)).content.decode()
    assert "期初余额" in page and "-4,000.00" in page and "10,000.00" in page and "H0001" in page


def test_the_statement_prints_and_exports_labelled_numbers(client, more_heads) -> None:
    _history(more_heads)
    client.force_login(more_heads["finance_head"])
    printed = client.get(_account_url(more_heads, print="1")).content.decode()
    assert "往来对账单" in printed and "截至 2026-12-31，贵司尚欠 -4,000.00" in printed
    assert client.get(_account_url(more_heads, format="pdf")).content[:4] == b"%PDF"
    xlsx = client.get(_account_url(more_heads, export="xlsx"))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("日期", "类型", "单据号", "订单", "摘要", "借方（应收）", "贷方（已收）", "余额")
    assert [r[1] for r in rows[1:]] == ["期初余额", "发票", "收款", "红字发票", "本期合计及期末余额"]
    balance = sheet.cell(row=len(rows), column=8)
    assert (balance.value, balance.number_format) == (-4000, "#,##0.00")


def test_outside_the_customers_scope_the_statement_is_not_found(client, more_heads) -> None:
    _history(more_heads)
    client.force_login(make_user("sales9", kind="sales"))
    assert client.get(_account_url(more_heads)).status_code == 404
    client.force_login(more_heads["prod"])
    assert client.get(_account_url(more_heads)).status_code == 404


def test_the_customers_salesperson_reads_the_statement(client, more_heads) -> None:
    _history(more_heads)
    client.force_login(more_heads["sales"])
    assert client.get(_account_url(more_heads)).status_code == 200


def test_a_period_ending_before_it_starts_is_shown_again(client, more_heads) -> None:
    _history(more_heads)
    client.force_login(more_heads["finance_head"])
    response = client.get(_account_url(more_heads, start="2026-12-31", end="2026-12-01"))
    page = response.content.decode()
    assert response.status_code == 422
    assert "起始日期不能晚于截止日期。" in page and 'value="2026-12-31"' in page


def test_the_statement_of_account_reads_in_english(client, more_heads) -> None:
    _history(more_heads)
    client.force_login(more_heads["finance_head"])
    client.cookies["django_language"] = "en"
    page = client.get(_account_url(more_heads)).content.decode()
    for text in (
        "Statement of account",
        "Opening balance",
        "Debit (receivable)",
        "Red-letter invoice",
        "Reverses 0001",
    ):
        assert text in page, text


def test_the_order_page_reads_in_english(client, more_heads) -> None:
    invoice = _history(more_heads)
    client.force_login(more_heads["finance_head"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("workbench:order_detail", args=[invoice.statement.order_id])).content.decode()
    for text in (
        "Amount excl. tax",
        "Tax rate",
        "Reversed (red-letter invoice H0001)",
        "matched to invoice 0001",
    ):
        assert text in page, text


def test_the_page_reads_the_opening_balance_with_the_customer(client, more_heads) -> None:
    """Issue 21: the page's opening balance, read with the customer (by key or as typed), is the
    one the statement reads on its own."""
    _history(more_heads)
    customer = more_heads["customer"]
    client.force_login(more_heads["finance_head"])
    alone = statement_of_account(customer, date(2026, 12, 16), date(2026, 12, 31))
    assert alone.opening == Decimal("10000.00")
    for chosen in ({"customer": str(customer.pk)}, {"customer_q": customer.code}):
        response = client.get(
            reverse("billing:account"), {"start": "2026-12-16", "end": "2026-12-31", **chosen}
        )
        assert response.context["statement"] == alone, chosen
