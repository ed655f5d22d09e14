"""Q-1, issue 21 (ADR 0019): the dashboard's kept sums of the confirmed orders equal the
groupings of the orders after each write path that changes them — through the real actions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from oms.analytics import dashboard
from oms.changes.tests.fixtures import approve_all, raise_cancellation, raise_typed, released_order
from oms.intake.tests.fixtures import confirmed_order
from oms.orders.models import SalesOrder
from oms.review import actions as review
from oms.tracking.actions import outcomes
from oms.tracking.models import ConfirmedTally

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _period(order: SalesOrder) -> dashboard.Filters:
    assert order.confirmed_at is not None
    first = outcomes.confirmation_month(order.confirmed_at)
    return dashboard.Filters(first, date(2099, 12, 31))


def _both(f: dashboard.Filters) -> list[tuple[Any, int, Decimal, Any]]:
    """The customers' groups from the kept sums, asserted equal to those from the orders."""
    kept = dashboard.counted_kept(f)
    assert kept is not None
    from_kept = sorted((g.key, g.n, g.amount, g.last) for g in dashboard.by_customer(f, kept))
    from_orders = sorted((g.key, g.n, g.amount, g.last) for g in dashboard.by_customer(f))
    assert from_kept == from_orders
    assert sorted(map(str, dashboard.by_person(f, kept))) == sorted(map(str, dashboard.by_person(f)))
    assert dashboard.trend(f, True, kept).rows == dashboard.trend(f, True).rows
    return from_kept


def test_a_confirmed_order_counts_in_its_confirmation_month(org) -> None:
    order = confirmed_order(org)
    assert _both(_period(order)) == [(order.customer_id, 1, order.total_amount, order.order_date)]


def test_an_approved_cancellation_takes_the_order_out(more_heads) -> None:
    org = more_heads
    order = released_order(org)
    approve_all(raise_cancellation(org, order))
    assert SalesOrder.objects.get(pk=order.pk).status == "cancelled"
    assert _both(_period(order)) == []
    assert list(ConfirmedTally.objects.values_list("orders", "amount", "last")) == [
        (0, Decimal("0.00"), None)
    ]


def test_an_approved_change_moves_the_amount(more_heads) -> None:
    org = more_heads
    order = released_order(org)
    line = order.lines.get()
    approve_all(
        raise_typed(
            actor=org["sales"],
            order=order,
            kind="change",
            source="department",
            reason="数量录错",
            impact="无",
            lines=[{"line": line.pk, "product": line.product_id, "quantity": "12", "unit_price": "1000"}],
        )
    )
    order.refresh_from_db()
    assert order.total_amount == Decimal("12000.00")
    assert _both(_period(order)) == [(order.customer_id, 1, Decimal("12000.00"), order.order_date)]


def test_a_modification_inside_the_window_moves_the_order_to_its_new_order_date(org) -> None:
    order = confirmed_order(org)
    review.apply_customer_modification(
        actor=org["sales"],
        order=order,
        description="下单日期更正",
        data={"order_date": date(2026, 10, 30)},
        lines=None,
        version=order.version,
    )
    order.refresh_from_db()
    assert order.order_date == date(2026, 10, 30)
    assert _both(_period(order)) == [(order.customer_id, 1, order.total_amount, date(2026, 10, 30))]


def test_the_command_finds_drifted_sums_and_rebuilds_them(org, capsys) -> None:
    order = confirmed_order(org)
    ConfirmedTally.objects.update(orders=5)  # drifted
    with pytest.raises(CommandError, match="differ"):
        call_command("kpi_figures")
    call_command("kpi_figures", "--rebuild")
    assert "agrees" in capsys.readouterr().out
    assert _both(_period(order)) == [(order.customer_id, 1, order.total_amount, order.order_date)]


def test_a_period_not_of_whole_months_is_grouped_from_the_orders(org) -> None:
    order = confirmed_order(org)
    first = _period(order).start
    assert dashboard.counted_kept(dashboard.Filters(first.replace(day=2), date(2099, 12, 31))) is None


def test_a_confirmation_from_a_stale_copy_counts_the_locked_row(org, capsys) -> None:
    """Q-1, O-1, D-2 (ADR 0019): the confirmation takes what the order counted for from its locked
    row, not from the caller's copy: an order confirmed once and awaiting its confirmation again
    (set directly: the state a re-confirmation starts from), confirmed from a copy read before
    its first confirmation, still counts once, and `kpi_figures` finds no difference."""
    order = confirmed_order(org)
    stale = SalesOrder.objects.get(pk=order.pk)
    stale.status, stale.confirmed_at = "awaiting_confirmation", None  # read before the first confirmation
    SalesOrder.objects.filter(pk=order.pk).update(status="awaiting_confirmation")
    review.record_confirmation(actor=org["sales"], order=stale, confirmed_by_name="张伟")
    assert list(ConfirmedTally.objects.values_list("orders", "amount")) == [(1, order.total_amount)]
    call_command("kpi_figures")
    assert capsys.readouterr().out == "every kept KPI figure agrees with the records\n"
