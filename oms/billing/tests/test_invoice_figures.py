"""Issue 21 (L-3, L-4): every billing action that matches money to an invoice or reverses one keeps
the invoice's figures (received, received by the due date, settled) equal to what its matches
compute; the consistency check finds any that differ; the data migration fills them."""

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
from oms.billing.actions.figures import invoice_figure_errors
from oms.billing.expected import expected_figures
from oms.billing.models import Invoice, Payment
from oms.billing.tests.test_billing import _accepted, _invoiced, _statement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _pay(org: dict[str, Any], amount: str, on: date, **kwargs: Any) -> Payment:
    return actions.record_payment(
        actor=org["finance_head"],
        customer=org["customer"],
        amount=Decimal(amount),
        currency="CNY",
        received_on=on,
        method="transfer",
        reference="B1",
        **kwargs,
    )


def _two_invoices(org: dict[str, Any], first: str, second: str) -> tuple[Any, Any]:
    """An approved statement of 10,000.00 invoiced `first` now and a callable invoicing `second`."""
    statement = _statement(org, _accepted(org, "10"), "10", fees=[])
    actions.review_statement(actor=org["finance_head"], statement=statement, approve=True)

    def invoice(number: str, amount: str) -> Invoice:
        return actions.record_invoice(
            actor=org["finance_head"],
            statement=statement,
            invoice_type="special_vat",
            number=number,
            issued_on=date(2026, 12, 15),
            amount=Decimal(amount),
            tax_rate=Decimal("13"),
        )

    return invoice("0001", first), lambda: invoice("0002", second)


def _kept(invoice: Invoice) -> tuple[Decimal, Decimal, bool]:
    """The figures kept on the invoice."""
    invoice.refresh_from_db()
    return invoice.received, invoice.received_on_time, invoice.settled


def _computed(invoice: Invoice) -> tuple[Decimal, Decimal, bool]:
    """What the old aggregate over the matches computes for the invoice."""
    row = expected_figures(Invoice.objects.filter(pk=invoice.pk)).get()
    return row["paid"], row["paid_on_time"], row["settled_now"]


def test_a_new_invoice_keeps_nothing_received(more_heads) -> None:
    invoice = _invoiced(more_heads)
    assert _kept(invoice) == _computed(invoice) == (Decimal("0"), Decimal("0"), False)


def test_a_partial_payment_oldest_first_keeps_what_it_paid(more_heads) -> None:
    invoice = _invoiced(more_heads)
    _pay(more_heads, "4000", date(2026, 12, 20))
    assert _kept(invoice) == _computed(invoice) == (Decimal("4000.00"), Decimal("4000.00"), False)


def test_a_payment_as_given_in_full_settles_the_invoice(more_heads) -> None:
    invoice = _invoiced(more_heads)
    _pay(more_heads, "10000", date(2026, 12, 20), matches=[(invoice.pk, Decimal("10000"))])
    assert _kept(invoice) == _computed(invoice) == (Decimal("10000.00"), Decimal("10000.00"), True)


def test_a_payment_after_the_due_date_is_received_but_not_on_time(more_heads) -> None:
    invoice = _invoiced(more_heads)
    late = date(invoice.due_date.year + 1, 1, 1)
    _pay(more_heads, "10000", late)
    assert _kept(invoice) == _computed(invoice) == (Decimal("10000.00"), Decimal("0"), True)


def test_the_customers_credit_on_a_new_invoice_is_kept_as_received(more_heads) -> None:
    first, invoice_second = _two_invoices(more_heads, "6000", "4000")
    _pay(more_heads, "9000", date(2026, 12, 16))  # 3,000.00 over: the customer's credit
    second = invoice_second()
    assert (_kept(first), _kept(second)) == (_computed(first), _computed(second))
    assert _kept(second) == (Decimal("3000.00"), Decimal("3000.00"), False)


def test_a_red_letter_invoice_settles_both_and_releases_what_was_paid(more_heads) -> None:
    original = _invoiced(more_heads)
    _pay(more_heads, "4000", date(2026, 12, 20))
    red = actions.reverse_invoice(
        actor=more_heads["finance_head"],
        invoice=original,
        number="H0001",
        issued_on=date(2026, 12, 21),
        reason="开票信息有误",
    )
    assert (_kept(original), _kept(red)) == (_computed(original), _computed(red))
    assert (_kept(original), _kept(red)) == (
        (Decimal("0"), Decimal("0"), True),
        (Decimal("0"), Decimal("0"), True),
    )


def test_the_check_finds_no_difference_after_the_actions(more_heads) -> None:
    _invoiced(more_heads)
    _pay(more_heads, "4000", date(2026, 12, 20))
    assert list(invoice_figure_errors()) == []
    call_command("check_invoice_figures")


def test_the_check_names_an_invoice_whose_figure_differs(more_heads) -> None:
    invoice = _invoiced(more_heads)
    _pay(more_heads, "4000", date(2026, 12, 20))
    Invoice.objects.filter(pk=invoice.pk).update(received=Decimal("3000"))
    assert list(invoice_figure_errors()) == ["0001: received 3000.00 ≠ 4000.00"]
    with pytest.raises(CommandError):
        call_command("check_invoice_figures")


def test_the_data_migration_fills_the_figures_from_the_matches(more_heads) -> None:
    paid, invoice_second = _two_invoices(more_heads, "5000", "5000")
    _pay(more_heads, "5000", date(2026, 12, 20), matches=[(paid.pk, Decimal("5000"))])
    actions.reverse_invoice(
        actor=more_heads["finance_head"],
        invoice=invoice_second(),
        number="H0002",
        issued_on=date(2026, 12, 21),
        reason="开票信息有误",
    )
    Invoice.objects.update(received=0, received_on_time=0, settled=False)
    importlib.import_module("oms.billing.migrations.0015_invoice_kept_figures").fill(apps, None)
    assert list(invoice_figure_errors()) == []
    assert list(Invoice.objects.order_by("pk").values_list("received", "settled")) == [
        (Decimal("5000.00"), True),
        (Decimal("0.00"), True),
        (Decimal("0.00"), True),
    ]


# --- the ledger read from the kept figures ------------------------------------------------------


@pytest.mark.parametrize("moved", [False, True])
@pytest.mark.parametrize(
    "role", ["sales", "head", "exec", "cs", "prod", "prod_head", "finance_head", "gm", "quality_head"]
)
def test_the_open_invoices_are_read_in_exactly_the_order_scope(more_heads, role: str, moved: bool) -> None:
    """S-1: the scope checked on each unsettled invoice's order is `orders_for`'s, whoever reads
    (the order the salesperson's own, or moved to someone of another department)."""
    from oms.accounts.models import User
    from oms.billing.receivables import open_invoices
    from oms.orders.models import SalesOrder
    from oms.orders.selectors import orders_for

    invoice = _invoiced(more_heads)
    if moved:
        other = User.objects.create(username="rep-x", department=more_heads["prod"].department)
        SalesOrder.objects.filter(pk=invoice.statement.order_id).update(
            salesperson=other, department=other.department
        )
    user = more_heads[role]
    expected = set(
        Invoice.objects.filter(settled=False, statement__order__in=orders_for(user)).values_list(
            "pk", flat=True
        )
    )
    found = set(open_invoices(user, today=date(2026, 12, 31)).values_list("pk", flat=True))
    assert found == expected


def test_the_whole_ledger_is_paged_with_the_totals_of_the_page(client, more_heads) -> None:
    from django.urls import reverse

    invoice = _invoiced(more_heads)
    client.force_login(more_heads["finance_head"])
    page = client.get(reverse("billing:receivables") + "?show=all").content.decode()
    assert (
        invoice.statement.order.number in page,
        'data-testid="receivables-pages"' in page,
        "本页合计" in page,
    ) == (True, True, True)


def test_the_open_ledger_totals_every_open_order(more_heads) -> None:
    from oms.billing.receivables import ledger, open_ledger, totals

    _invoiced(more_heads)
    _pay(more_heads, "4000", date(2026, 12, 20))
    today = date(2027, 3, 1)
    found = open_ledger(more_heads["finance_head"], today=today, limit=500)
    assert (found.count, found.total) == (1, totals(ledger(more_heads["finance_head"], today=today)))


def test_an_order_with_two_open_invoices_counts_once_in_the_open_ledger(more_heads) -> None:
    """Issue 21: the open ledger's number of orders comes from the per-customer totals (distinct
    orders), so an order owing on two invoices is one open order."""
    from oms.billing.receivables import open_ledger

    _first, invoice_second = _two_invoices(more_heads, "6000", "4000")
    invoice_second()
    found = open_ledger(more_heads["finance_head"], today=date(2027, 3, 1), limit=500)
    assert (found.count, len(found.rows), found.total.outstanding) == (1, 1, Decimal("10000.00"))
