"""Issue 21 (L-4, S-1): the unsettled orders kept with the open balances (`UnsettledOrder`, one row
per order with an unsettled invoice, not archived, with its scope and oldest unsettled due date),
the balances' key by that due date (the overdue view's totals), what the check and its rebuild do
with them, and the ledger's page printed in Python."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template import Context, Template
from django.test import override_settings

from oms.billing.actions.figures import balance_errors
from oms.billing.expected import expected_open
from oms.billing.ledger_page import peek, rows_html
from oms.billing.models import Invoice, OpenBalance, UnsettledOrder
from oms.billing.receivables import LedgerRow, open_ledger
from oms.billing.tests.test_billing import _invoiced
from oms.billing.tests.test_invoice_figures import _pay

pytestmark = pytest.mark.django_db

TODAY = date(2027, 3, 1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _unsettled() -> dict[int, tuple[int, int, int, date]]:
    return {
        u.order_id: (u.customer_id, u.salesperson_id, u.department_id, u.due_date)
        for u in UnsettledOrder.objects.all()
    }


def _order_key(invoice: Invoice, due: date) -> tuple[int, int, int, date]:
    order = invoice.order
    return (order.customer_id, order.salesperson_id, order.department_id, due)


def test_a_new_invoice_keeps_its_order_unsettled_at_its_due_date(more_heads) -> None:
    invoice = _invoiced(more_heads)
    expected = {invoice.order_id: _order_key(invoice, invoice.due_date)}
    assert (_unsettled(), expected_open(Invoice).orders) == (expected, expected)


def test_a_payment_in_full_takes_the_order_off_the_unsettled(more_heads) -> None:
    invoice = _invoiced(more_heads)
    _pay(more_heads, "10000", date(2026, 12, 20), matches=[(invoice.pk, Decimal("10000"))])
    assert (_unsettled(), expected_open(Invoice).orders) == ({}, {})


def test_filing_the_order_in_the_archive_takes_it_off_the_unsettled(more_heads) -> None:
    from oms.archive.actions import file_order
    from oms.orders.models import SalesOrder

    invoice = _invoiced(more_heads)
    order = SalesOrder.objects.get(pk=invoice.order_id)
    order.status = "cancelled"  # an order is filed when it ends (M-2)
    file_order(order=order, actor=more_heads["finance_head"])
    assert (_unsettled(), expected_open(Invoice).orders) == ({}, {})


def test_the_overdue_totals_add_up_every_invoice_of_an_overdue_order(more_heads) -> None:
    """L-4: an order is in the overdue view by any invoice past due, and its row there shows all
    its invoices: the totals add up the one not yet due too, and count the order once; an order
    with nothing past due is not in them."""
    overdue = _invoiced(more_heads)  # due before TODAY
    later = _invoiced(more_heads, number="0002", issued_on=date(2027, 2, 20))  # due after TODAY
    assert (overdue.due_date < TODAY, later.due_date > TODAY) == (True, True)
    found = open_ledger(more_heads["finance_head"], today=TODAY, overdue=True, limit=50)
    assert (found.count, [r.order_id for r in found.rows], found.total.invoiced, found.total.overdue) == (
        1,
        [overdue.order_id],
        Decimal("10000.00"),
        Decimal("10000.00"),
    )


def _split_order(org: dict[str, Any]) -> tuple[Invoice, Invoice]:
    """One order of 10,000.00 invoiced in two: 6,000.00 due before TODAY, 4,000.00 after."""
    from oms.billing import actions
    from oms.billing.tests.test_billing import _accepted, _statement

    statement = _statement(org, _accepted(org, "10"), "10", fees=[])
    actions.review_statement(actor=org["finance_head"], statement=statement, approve=True)
    return tuple(  # type: ignore[return-value]
        actions.record_invoice(
            actor=org["finance_head"],
            statement=statement,
            invoice_type="special_vat",
            number=number,
            issued_on=issued_on,
            amount=Decimal(amount),
            tax_rate=Decimal("13"),
        )
        for number, issued_on, amount in (
            ("0001", date(2026, 12, 15), "6000"),
            ("0002", date(2027, 2, 20), "4000"),
        )
    )


def test_an_order_is_overdue_by_its_oldest_unsettled_invoice(more_heads) -> None:
    """L-4: the balance of an order's invoice not yet due is keyed by the order's oldest unsettled
    due date, so the overdue totals add it up with the order's invoice past due; the unsettled
    order is kept at that oldest date."""
    early, late = _split_order(more_heads)
    kept = sorted(OpenBalance.objects.values_list("due_date", "order_due", "owed", "open_orders"))
    assert kept == [
        (early.due_date, early.due_date, Decimal("6000.00"), 1),
        (late.due_date, early.due_date, Decimal("4000.00"), 0),
    ]
    assert _unsettled() == {early.order_id: _order_key(early, early.due_date)}
    found = open_ledger(more_heads["finance_head"], today=TODAY, overdue=True, limit=50)
    assert (found.count, found.total.not_due, found.total.overdue) == (
        1,
        Decimal("4000.00"),
        Decimal("6000.00"),
    )


def test_paying_the_oldest_invoice_moves_the_order_to_its_next_due_date(more_heads) -> None:
    early, late = _split_order(more_heads)
    _pay(more_heads, "6000", date(2026, 12, 20), matches=[(early.pk, Decimal("6000"))])
    assert (_unsettled(), list(balance_errors())) == ({late.order_id: _order_key(late, late.due_date)}, [])
    found = open_ledger(more_heads["finance_head"], today=TODAY, overdue=True, limit=50)
    assert (found.count, found.rows, found.total.invoiced) == (0, [], Decimal("0"))


def test_the_check_names_a_missing_and_a_wrong_unsettled_order(more_heads) -> None:
    invoice = _invoiced(more_heads)
    other = _invoiced(more_heads, number="0002")
    UnsettledOrder.objects.filter(order_id=invoice.order_id).delete()
    UnsettledOrder.objects.filter(order_id=other.order_id).update(due_date=date(2030, 1, 1))
    key = "/".join(str(part) for part in _order_key(other, other.due_date)[:3])
    assert list(balance_errors()) == [
        f"unsettled order {invoice.order_id}: missing",
        f"unsettled order {other.order_id}: {key}/2030-01-01 ≠ {key}/{other.due_date}",
    ]
    with pytest.raises(CommandError):
        call_command("check_invoice_figures")


def test_the_check_rebuilds_what_differs(more_heads) -> None:
    invoice = _invoiced(more_heads)
    UnsettledOrder.objects.all().delete()
    OpenBalance.objects.update(owed=Decimal("1"))
    call_command("check_invoice_figures", "--rebuild")
    assert (list(balance_errors()), _unsettled()) == (
        [],
        {invoice.order_id: _order_key(invoice, invoice.due_date)},
    )


# --- the page printed in Python ----------------------------------------------------------------

ROW_TEMPLATE = (
    "{% load oms_tags %}{% for r in rows %}<tr><td><a href=\"{% url 'billing:account' %}?customer={{ r.customer_id }}\">"
    "{{ r.customer }}</a></td><td><a href=\"{% url 'workbench:order_detail' r.order_id %}\">{{ r.order }}</a></td>"
    '<td class="text-end">{{ r.invoiced|money }}</td><td class="text-end">{{ r.received|money }}</td>'
    '<td class="text-end">{{ r.outstanding|money }}</td><td class="text-end">{{ r.not_due|money }}</td>'
    '<td class="text-end{% if r.overdue %} text-danger{% endif %}">{{ r.overdue|money }}</td>'
    '<td class="text-end">{{ r.age_0_30|money }}</td><td class="text-end">{{ r.age_31_60|money }}</td>'
    '<td class="text-end">{{ r.age_61_90|money }}</td><td class="text-end">{{ r.age_over_90|money }}</td></tr>\n'
    "  {% endfor %}"
)


@override_settings(LANGUAGE_CODE="zh-hans")
def test_the_rows_are_printed_as_the_template_printed_them() -> None:
    """P-1: amounts with separators and two decimals, names escaped, overdue marked; a repeated
    customer and amount printed once (issue 21), the same HTML as each printed alone."""
    one = LedgerRow(customer='<b>"A&B"</b>', order="SO-1", order_id=7, customer_id=3)
    one.invoiced, one.received, one.outstanding = Decimal("12345.6"), Decimal("0"), Decimal("12345.6")
    one.overdue = one.age_31_60 = Decimal("12345.60")
    two = LedgerRow(customer='<b>"A&B"</b>', order="SO-2", order_id=8, customer_id=3)
    two.invoiced = two.received = Decimal("-1000.005")
    rows = [one, two]
    assert str(rows_html(rows)) == Template(ROW_TEMPLATE).render(Context({"rows": rows}))


def test_a_page_read_with_one_row_more_tells_whether_another_follows() -> None:
    rows = list(range(1, 8))
    first, last = peek(rows, 3, 1), peek(rows, 3, 3)
    assert (
        first.object_list,
        first.has_next(),
        first.paginator.count_label,
        first.paginator.pages_label,
    ) == (
        [1, 2, 3],
        True,
        "3+",
        "2+",
    )
    assert (last.object_list, last.has_next(), last.has_previous(), last.paginator.count_label) == (
        [7],
        False,
        True,
        "7",
    )
