"""Issue 21 (L-4, S-1): the open balances kept per customer, salesperson, department, due date and
their orders' oldest unsettled due date (`OpenBalance`), and the unsettled orders
(`UnsettledOrder`), equal what the invoices compute after every write that changes them (an
invoice, the customer's credit on it, a payment, a red-letter reversal, filing the order); the
check finds any that differ and can rebuild them; the ledger's open and overdue totals read from
them are exactly those of the invoices in the reader's scope; the invoice keeps its order."""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from oms.billing import actions
from oms.billing.actions.figures import balance_errors, keep_balances
from oms.billing.expected import Balance, expected_balances
from oms.billing.models import Invoice, OpenBalance, Payment, UnsettledOrder
from oms.billing.payers import owing_customers
from oms.billing.receivables import (
    _kept_totals,
    _open_per_customer,
    _summed,
    _unsettled_orders,
    open_ledger,
    orders_page,
)
from oms.billing.tests.test_billing import _invoiced
from oms.billing.tests.test_invoice_figures import _pay, _two_invoices
from oms.orders.selectors import by_seller_in_scope

pytestmark = pytest.mark.django_db

TODAY = date(2027, 3, 1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _kept() -> dict[tuple[int, int, int, date, date], Balance]:
    return {
        (b.customer_id, b.salesperson_id, b.department_id, b.due_date, b.order_due): Balance(
            b.invoiced, b.received, b.owed, b.open_orders
        )
        for b in OpenBalance.objects.all()
    }


def _key(invoice: Invoice) -> tuple[int, int, int, date, date]:
    """The balance key of an invoice of an order whose only due date is the invoice's."""
    order = invoice.order
    return (order.customer_id, order.salesperson_id, order.department_id, invoice.due_date, invoice.due_date)


def test_an_invoice_keeps_the_order_of_its_statement(more_heads) -> None:
    invoice = _invoiced(more_heads)
    assert invoice.order_id == invoice.statement.order_id


def test_a_new_invoice_opens_its_orders_balance(more_heads) -> None:
    invoice = _invoiced(more_heads)
    expected = {_key(invoice): Balance(Decimal("10000"), Decimal("0"), Decimal("10000"), 1)}
    assert (_kept(), expected_balances(Invoice)) == (expected, expected)


def test_a_partial_payment_keeps_what_is_still_owed(more_heads) -> None:
    invoice = _invoiced(more_heads)
    _pay(more_heads, "4000", date(2026, 12, 20))
    expected = {_key(invoice): Balance(Decimal("10000"), Decimal("4000"), Decimal("6000"), 1)}
    assert (_kept(), expected_balances(Invoice)) == (expected, expected)


def test_a_payment_in_full_closes_the_balance(more_heads) -> None:
    invoice = _invoiced(more_heads)
    _pay(more_heads, "10000", date(2026, 12, 20), matches=[(invoice.pk, Decimal("10000"))])
    assert (_kept(), expected_balances(Invoice)) == ({}, {})


def test_the_customers_credit_on_a_new_invoice_is_kept(more_heads) -> None:
    first, invoice_second = _two_invoices(more_heads, "6000", "4000")
    _pay(more_heads, "9000", date(2026, 12, 16))  # 3,000.00 over: the customer's credit
    second = invoice_second()
    # One order, one due date: 10,000 invoiced, 6,000 + 3,000 received, one open order.
    expected = {_key(second): Balance(Decimal("10000"), Decimal("9000"), Decimal("1000"), 1)}
    assert (_key(first), _kept(), expected_balances(Invoice)) == (_key(second), expected, expected)


def test_a_red_letter_reversal_is_kept(more_heads) -> None:
    _first, invoice_second = _two_invoices(more_heads, "6000", "4000")
    _pay(more_heads, "2000", date(2026, 12, 16))
    actions.reverse_invoice(
        actor=more_heads["finance_head"],
        invoice=invoice_second(),
        number="H0001",
        issued_on=date(2026, 12, 21),
        reason="开票信息有误",
    )
    kept = _kept()
    assert kept == expected_balances(Invoice)
    # The first still owes 4,000; the pair nets to nothing; one open order.
    assert (
        sum(b.owed for b in kept.values()),
        sum(b.invoiced - b.received for b in kept.values()),
        sum(b.open_orders for b in kept.values()),
    ) == (Decimal("4000"), Decimal("4000"), 1)


def test_filing_the_order_in_the_archive_takes_it_off_the_balances(more_heads) -> None:
    from oms.archive.actions import file_order
    from oms.orders.models import SalesOrder

    invoice = _invoiced(more_heads)
    order = SalesOrder.objects.get(pk=invoice.order_id)
    order.status = "cancelled"  # an order is filed when it ends (M-2)
    file_order(order=order, actor=more_heads["finance_head"])
    assert (_kept(), expected_balances(Invoice)) == ({}, {})


def test_the_check_finds_no_difference_after_the_actions(more_heads) -> None:
    _invoiced(more_heads)
    _pay(more_heads, "4000", date(2026, 12, 20))
    assert list(balance_errors()) == []
    call_command("check_invoice_figures")


def test_the_check_names_a_balance_that_differs(more_heads) -> None:
    invoice = _invoiced(more_heads)
    OpenBalance.objects.update(owed=Decimal("1"))
    name = "/".join(str(part) for part in _key(invoice))
    assert list(balance_errors()) == [f"balance {name}: owed 1.00 ≠ 10000.00"]
    with pytest.raises(CommandError):
        call_command("check_invoice_figures")


def test_the_check_names_a_missing_balance(more_heads) -> None:
    invoice = _invoiced(more_heads)
    OpenBalance.objects.all().delete()
    name = "/".join(str(part) for part in _key(invoice))
    assert list(balance_errors()) == [f"balance {name}: missing"]


def test_the_migration_fills_the_orders_and_the_balances(more_heads) -> None:
    invoice = _invoiced(more_heads)
    other = _invoiced(more_heads, number="0002")
    Invoice.objects.filter(pk=invoice.pk).update(order_id=other.order_id)
    OpenBalance.objects.all().delete()
    UnsettledOrder.objects.all().delete()
    migration = importlib.import_module("oms.billing.migrations.0016_invoice_order_open_balances")
    migration.fill_orders(apps, None)
    importlib.import_module("oms.billing.migrations.0017_unsettled_orders_and_overdue_balances").fill(
        apps, None
    )
    invoice.refresh_from_db()
    assert (invoice.order_id, list(balance_errors())) == (invoice.statement.order_id, [])


def test_a_payment_matched_to_a_settled_invoice_is_refused(more_heads) -> None:
    from oms.core.errors import FieldErrors

    invoice = _invoiced(more_heads)
    _pay(more_heads, "10000", date(2026, 12, 20))
    before = (Payment.objects.count(), _kept())
    with pytest.raises(FieldErrors) as refused:
        _pay(more_heads, "100", date(2026, 12, 21), matches=[(invoice.pk, Decimal("100"))])
    assert refused.value.errors == {"matches.0.amount": ["发票 0001 只剩 0.00 未收。"]}
    assert (Payment.objects.count(), _kept()) == before


ROLES = ["sales", "head", "exec", "cs", "finance_head", "gm", "prod", "quality_head"]


def _figures(rows: Any) -> list[dict[str, Any]]:
    return sorted((dict(r) for r in rows), key=lambda r: r["customer_id"])


@pytest.mark.parametrize("overdue", [False, True])
@pytest.mark.parametrize("moved", [False, True])
@pytest.mark.parametrize("role", ROLES)
def test_the_kept_totals_are_those_of_the_invoices_in_scope(
    more_heads, role: str, moved: bool, overdue: bool
) -> None:
    """S-1: whoever reads, the open (and overdue) ledger's totals and count added up from the
    kept balances are those of the unsettled invoices' orders in their scope (also with the order
    moved to someone of another department), and its pages list exactly those orders; None where
    the scope cannot be read off the balances."""
    from oms.accounts.models import User
    from oms.orders.models import SalesOrder

    invoice = _invoiced(more_heads)
    _invoiced(more_heads, number="0002", issued_on=date(2027, 2, 20))  # not yet due on TODAY
    _pay(more_heads, "4000", date(2026, 12, 20))
    if moved:
        other = User.objects.create(username="rep-x", department=more_heads["prod"].department)
        SalesOrder.objects.filter(pk=invoice.order_id).update(salesperson=other, department=other.department)
        keep_balances([invoice.customer_id])
    user = more_heads[role]
    kept = by_seller_in_scope(OpenBalance.objects.all(), user, person="salesperson", department="department")
    per_customer = list(_open_per_customer(user, TODAY, overdue))
    direct = (_summed(per_customer), sum(r["open_orders"] for r in per_customer))
    if kept is None:
        assert user.department_kind not in {"sales", ""}
    else:
        assert _kept_totals(kept.filter(order_due__lt=TODAY) if overdue else kept, TODAY) == direct
    listed = sorted(_unsettled_orders(user, today=TODAY, overdue=overdue))
    assert listed == sorted({r["order_id"] for r in _open_invoices(user, overdue)})


def _open_invoices(user: Any, overdue: bool) -> Any:
    from oms.billing.receivables import open_invoices

    return open_invoices(user, today=TODAY, overdue=overdue).values("order_id")


def test_the_open_ledger_of_the_sales_head_counts_the_orders_in_scope(more_heads) -> None:
    _invoiced(more_heads)
    _invoiced(more_heads, number="0002")
    _pay(more_heads, "4000", date(2026, 12, 20))
    found = open_ledger(more_heads["head"], today=TODAY, limit=100)
    assert (found.count, found.total.outstanding) == (2, Decimal("16000.00"))
    assert [c.pk for c in owing_customers(more_heads["head"], today=TODAY)] == [more_heads["customer"].pk]


@pytest.mark.parametrize("role", ["sales", "finance_head"])
def test_the_settled_ledger_lists_the_paid_orders_only(more_heads, role: str) -> None:
    paid = _invoiced(more_heads)
    _invoiced(more_heads, number="0002")
    _pay(more_heads, "10000", date(2026, 12, 20), matches=[(paid.pk, Decimal("10000"))])
    user = more_heads[role]
    assert list(orders_page(user, today=TODAY, show="settled")) == [paid.order_id]
