"""O-1, issue 21 (ADR 0018): the order KPIs' figures kept at write time equal the figures computed
from the records after each write path that changes an input — through the real actions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from conftest import make_user
from oms.analytics import drilldown, kpis
from oms.changes.tests.fixtures import released_order
from oms.delivery import actions as delivery
from oms.feedback import actions as feedback
from oms.fulfilment import actions as fulfilment
from oms.intake import actions as intake
from oms.intake.tests.fixtures import header
from oms.orders.models import SalesOrder
from oms.quality import actions as quality
from oms.quality.tests.fixtures import PLAN, inspector, pass_final_inspection
from oms.tracking import actions as tracking
from oms.tracking.actions import outcomes
from oms.tracking.models import KpiTally, OrderOutcome, WorkItem

pytestmark = pytest.mark.django_db

NOV = (date(2026, 11, 1), date(2026, 11, 30))
DEC = (date(2026, 12, 1), date(2026, 12, 31))
ALL_OK = dict.fromkeys(delivery.CHECKS, True)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _both(code: str, period: tuple[date, date]) -> set[tuple[Any, Decimal, Decimal]]:
    """The kept figures per person, asserted equal to the computed ones."""
    kept = {(r.key, r.numerator, r.denominator) for r in kpis.kept(code, *period, "person")}
    computed = {(r.key, r.numerator, r.denominator) for r in kpis.KPIS[code].compute(*period, "person")}
    assert kept == computed
    return kept


def _submitted(org: dict[str, Any]) -> SalesOrder:
    order = intake.create_order(
        actor=org["sales"],
        data=header(org),
        lines=[{"product": org["gear"].pk, "quantity": "2", "unit_price": "1000"}],
        duplicate_reason="测试",
    )
    return intake.submit_order(actor=org["sales"], order=order)


def _overdue(order: SalesOrder) -> None:
    """The order's open steps fell due an hour ago (the sweep has not run)."""
    WorkItem.objects.filter(order=order, status="open").update(due_at=timezone.now() - timedelta(hours=1))


# --- order timeliness -------------------------------------------------------------------------


def test_submitting_counts_the_order_in_its_order_dates_month(org) -> None:
    order = _submitted(org)
    assert _both("order_timeliness", NOV) == {(org["sales"].pk, 1, 1)}
    assert list(OrderOutcome.objects.values_list("order", "kpi", "month", "good")) == [
        (order.pk, "order_timeliness", date(2026, 11, 1), True)
    ]


def test_a_step_closed_on_time_keeps_the_order_in_time(org) -> None:
    order = _submitted(org)
    intake.pass_check(actor=org["head"], order=order)
    assert _both("order_timeliness", NOV) == {(org["sales"].pk, 1, 1)}


def test_a_step_closed_after_its_limit_makes_the_order_late(org) -> None:
    order = _submitted(org)
    _overdue(order)
    intake.pass_check(actor=org["head"], order=order)
    assert _both("order_timeliness", NOV) == {(org["sales"].pk, 0, 1)}
    assert KpiTally.objects.get().numerator == 0


def test_a_step_open_past_its_limit_counts_late_before_the_sweep_flags_it(org) -> None:
    order = _submitted(org)
    _overdue(order)
    assert _both("order_timeliness", NOV) == {(org["sales"].pk, 0, 1)}
    assert KpiTally.objects.get().numerator == 1  # read-time: no write said so yet


def test_the_sweep_flagging_a_step_makes_the_order_late(org) -> None:
    order = _submitted(org)
    _overdue(order)
    tracking.sweep()
    assert _both("order_timeliness", NOV) == {(org["sales"].pk, 0, 1)}
    assert KpiTally.objects.get().numerator == 0


def test_a_step_withdrawn_after_its_limit_makes_the_order_late(org) -> None:
    order = _submitted(org)
    _overdue(order)
    tracking.end_order_items(order=order, actor=org["head"], reason="测试")
    assert _both("order_timeliness", NOV) == {(org["sales"].pk, 0, 1)}
    assert KpiTally.objects.get().numerator == 0


def test_a_second_late_step_counts_the_order_once(org) -> None:
    order = _submitted(org)
    _overdue(order)
    tracking.sweep()
    intake.pass_check(actor=org["head"], order=order)
    outcomes.late([order.pk])
    assert _both("order_timeliness", NOV) == {(org["sales"].pk, 0, 1)}


# --- order accuracy ---------------------------------------------------------------------------


def _shipped(org: dict[str, Any]) -> Any:
    order = released_order(org)
    pass_final_inspection(order)
    fulfilment.ship(
        actor=make_user("lg1", kind="logistics"),
        order=order,
        mode="pickup",
        shipped_on=date(2026, 12, 1),
        quantities={order.lines.get().pk: Decimal("10")},
        confirmed_with="张伟",
        expected_arrival=date(2026, 12, 5),
        quantity_checked=True,
    )
    return order


def _accept(org: dict[str, Any], order: Any, result: str = "accepted") -> None:
    delivery.record_acceptance(
        actor=org["sales"],
        shipment=order.shipments.get(),
        result=result,
        checks=ALL_OK if result == "accepted" else {},
        remarks="" if result == "accepted" else "外包装破损",
        received_on=date(2026, 12, 3),
        accepted_by_name="张伟",
        signed_note=SimpleUploadedFile("s.pdf", b"%PDF-1.4 s"),
    )


def test_an_accepted_delivery_counts_the_order_accurate(more_heads) -> None:
    org = more_heads
    _accept(org, _shipped(org))
    assert _both("order_accuracy", DEC) == {(org["sales"].pk, 1, 1)}


def test_a_delivery_accepted_with_remarks_counts_the_order_inaccurate(more_heads) -> None:
    org = more_heads
    _accept(org, _shipped(org), "remarks")
    assert _both("order_accuracy", DEC) == {(org["sales"].pk, 0, 1)}


def test_a_complaint_after_delivery_makes_the_order_inaccurate(more_heads) -> None:
    org = more_heads
    order = _shipped(org)
    _accept(org, order)
    cs = make_user("cs9", kind="customer_service")
    feedback.register_complaint(
        actor=cs, order_number=order.number, category="quality", description="生锈", complainant="张伟"
    )
    assert _both("order_accuracy", DEC) == {(org["sales"].pk, 0, 1)}
    assert KpiTally.objects.get(kpi="order_accuracy").numerator == 0
    found = drilldown.drill("order_accuracy", *DEC, "person", str(org["sales"].pk), show_money=True)
    assert [(r.order_id, r.counted) for r in found.rows] == [(order.pk, False)]


def test_a_non_conformance_before_delivery_makes_the_later_delivery_inaccurate(more_heads) -> None:
    org = more_heads
    order = released_order(org)
    qc = inspector()
    quality.set_plan(actor=qc, order=order, items=PLAN)
    quality.record_inspection(
        actor=qc,
        order=order,
        stage="final",
        product_id=org["gear"].pk,
        results={"外观": "划伤"},
        passed=False,
        notes="外观划伤",
    )
    assert SalesOrder.objects.get(pk=order.pk).kpi_defective
    assert _both("order_accuracy", DEC) == set()


def test_the_command_rebuilds_and_verifies_the_kept_figures(org, capsys) -> None:
    _submitted(org)
    order = _submitted(org)
    _overdue(order)
    tracking.sweep()
    KpiTally.objects.update(numerator=5)  # drifted
    with pytest.raises(CommandError, match="differ"):
        call_command("kpi_figures")
    call_command("kpi_figures", "--rebuild")
    assert "agrees" in capsys.readouterr().out
    assert _both("order_timeliness", NOV) == {(org["sales"].pk, 1, 2)}
