"""O-1, issue 21 (ADR 0019): confirmation accuracy and the collection rate kept per month equal the
figures computed from the records after each write path that changes an input — through the real
actions."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from oms.analytics import kpis
from oms.billing import actions as billing
from oms.billing.actions.figures import keep_figures
from oms.billing.models import Invoice
from oms.billing.tests.test_billing import _invoiced
from oms.changes.tests.fixtures import approve_all, raise_typed, released_order
from oms.intake.tests.fixtures import confirmed_order
from oms.orders.models import SalesOrder
from oms.tracking.actions import outcomes
from oms.tracking.models import CollectionTally, KpiTally, OrderOutcome

pytestmark = pytest.mark.django_db

CONFIRMATION = "confirmation_accuracy"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _month_of(day: date) -> tuple[date, date]:
    return day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1])


def _confirmed_month(order: SalesOrder) -> tuple[date, date]:
    assert order.confirmed_at is not None
    return _month_of(outcomes.confirmation_month(order.confirmed_at))


def _both(code: str, period: tuple[date, date]) -> set[tuple[Any, Decimal, Decimal]]:
    """The kept figures per person, asserted equal to the computed ones."""
    if code == "collection":
        kept = kpis.kept_collection(*period, "person")
    else:
        kept = kpis.kept(code, *period, "person")
    computed = kpis.KPIS[code].compute(*period, "person")
    assert {(r.key, r.numerator, r.denominator) for r in kept} == {
        (r.key, r.numerator, r.denominator) for r in computed
    }
    return {(r.key, r.numerator, r.denominator) for r in kept}


# --- confirmation accuracy ----------------------------------------------------------------------


def test_confirming_counts_the_order_in_its_confirmation_month(org) -> None:
    order = confirmed_order(org)
    assert _both(CONFIRMATION, _confirmed_month(order)) == {(org["sales"].pk, 1, 1)}
    assert list(OrderOutcome.objects.filter(kpi=CONFIRMATION).values_list("order", "good")) == [
        (order.pk, True)
    ]


def test_an_approved_change_the_company_raised_makes_the_confirmation_inaccurate(more_heads) -> None:
    org = more_heads
    order = released_order(org)
    approve_all(
        raise_typed(
            actor=org["sales"],
            order=order,
            kind="change",
            source="department",
            reason="内部录入错误",
            impact="无",
            terms={"delivery_place": "苏州工业园区"},
        )
    )
    order.refresh_from_db()
    assert _both(CONFIRMATION, _confirmed_month(order)) == {(org["sales"].pk, 0, 1)}
    assert KpiTally.objects.get(kpi=CONFIRMATION).numerator == 0


def test_a_change_still_in_review_keeps_the_confirmation_accurate(more_heads) -> None:
    org = more_heads
    order = released_order(org)
    raise_typed(
        actor=org["sales"],
        order=order,
        kind="change",
        source="department",
        reason="内部录入错误",
        impact="无",
        terms={"delivery_place": "苏州工业园区"},
    )
    assert _both(CONFIRMATION, _confirmed_month(order)) == {(org["sales"].pk, 1, 1)}


def test_a_confirmation_again_in_another_month_moves_the_order_to_that_month(org) -> None:
    """A re-confirmation counts the order once, in the month of its latest confirmation."""
    order = confirmed_order(org)
    before = order.confirmed_at
    assert before is not None
    first = _confirmed_month(order)
    order.confirmed_at = before + timedelta(days=40)
    SalesOrder.objects.filter(pk=order.pk).update(confirmed_at=order.confirmed_at)
    outcomes.confirmed(order, before)
    assert _both(CONFIRMATION, first) == set()
    assert _both(CONFIRMATION, _confirmed_month(order)) == {(org["sales"].pk, 1, 1)}
    assert OrderOutcome.objects.filter(kpi=CONFIRMATION).count() == 1


def test_the_same_confirmation_kept_twice_counts_once(org) -> None:
    """A second writer of the same outcome moves no tally (the insert does nothing)."""
    order = confirmed_order(org)
    outcomes.confirmed(order, order.confirmed_at)
    assert _both(CONFIRMATION, _confirmed_month(order)) == {(org["sales"].pk, 1, 1)}


# --- collection rate ----------------------------------------------------------------------------


def _pay(org: dict[str, Any], amount: str, on: date) -> None:
    billing.record_payment(
        actor=org["finance_head"],
        customer=org["customer"],
        amount=Decimal(amount),
        currency="CNY",
        received_on=on,
        method="transfer",
        reference="B1",
    )


def _tallies() -> list[tuple[date, Decimal, Decimal]]:
    return list(CollectionTally.objects.order_by("month").values_list("month", "received", "due"))


def test_an_invoice_counts_its_amount_in_its_due_dates_month(more_heads) -> None:
    invoice = _invoiced(more_heads)
    assert _both("collection", _month_of(invoice.due_date)) == {
        (more_heads["sales"].pk, Decimal("0"), Decimal("10000.00"))
    }


def test_a_payment_by_the_due_date_counts_as_received(more_heads) -> None:
    invoice = _invoiced(more_heads)
    _pay(more_heads, "4000", invoice.due_date)
    assert _both("collection", _month_of(invoice.due_date)) == {
        (more_heads["sales"].pk, Decimal("4000.00"), Decimal("10000.00"))
    }


def test_a_payment_after_the_due_date_counts_nothing_received(more_heads) -> None:
    invoice = _invoiced(more_heads)
    _pay(more_heads, "10000", invoice.due_date + timedelta(days=1))
    assert _both("collection", _month_of(invoice.due_date)) == {
        (more_heads["sales"].pk, Decimal("0.00"), Decimal("10000.00"))
    }


def test_a_reversal_counts_the_red_letter_invoice_and_releases_what_was_paid(more_heads) -> None:
    org = more_heads
    invoice = _invoiced(org)
    _pay(org, "10000", invoice.due_date)
    red = billing.reverse_invoice(
        actor=org["finance_head"],
        invoice=invoice,
        number="H0001",
        issued_on=date(2026, 12, 20),
        reason="有误",
    )
    for day in {invoice.due_date, red.due_date}:
        _both("collection", _month_of(day))
    assert sum(t[2] for t in _tallies()) == Decimal("0.00")
    assert sum(t[1] for t in _tallies()) == sum(
        Invoice.objects.values_list("received_on_time", flat=True), Decimal("0")
    )


def test_keeping_an_invoices_figures_again_moves_nothing(more_heads) -> None:
    invoice = _invoiced(more_heads)
    _pay(more_heads, "4000", invoice.due_date)
    kept = _tallies()
    keep_figures([invoice.pk])
    assert _tallies() == kept


# --- checking and rebuilding ---------------------------------------------------------------------


def test_the_command_finds_drifted_tallies_and_rebuilds_them(more_heads, capsys) -> None:
    org = more_heads
    invoice = _invoiced(org)
    _pay(org, "4000", invoice.due_date)
    order = SalesOrder.objects.get(pk=invoice.order_id)
    CollectionTally.objects.update(received=Decimal("1"))  # drifted
    KpiTally.objects.filter(kpi=CONFIRMATION).update(numerator=7)  # drifted
    with pytest.raises(CommandError, match="differ"):
        call_command("kpi_figures")
    call_command("kpi_figures", "--rebuild")
    assert "agrees" in capsys.readouterr().out
    assert _both("collection", _month_of(invoice.due_date)) == {
        (org["sales"].pk, Decimal("4000.00"), Decimal("10000.00"))
    }
    assert _both(CONFIRMATION, _confirmed_month(order)) == {(org["sales"].pk, 1, 1)}


def test_the_kept_figures_are_what_the_kpi_page_shows_for_whole_months(more_heads) -> None:
    invoice = _invoiced(more_heads)
    CollectionTally.objects.update(due=Decimal("1"))  # what only the kept figure says
    first, last = _month_of(invoice.due_date)
    rows = kpis.KPIS["collection"].figures(first, last, "company")
    assert [(r.numerator, r.denominator) for r in rows] == [(Decimal("0.00"), Decimal("1.00"))]
