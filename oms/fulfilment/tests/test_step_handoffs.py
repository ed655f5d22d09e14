"""G-2, G-3, G-4, T-1: execution's hand-offs open each step once and tell its people once: a
milestone reported at 100 % a second time completes nothing, and the warehouse's step stays open
until everything the order ships from stock is packed. One rule per test."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from oms.catalog.models import StockLevel, Warehouse
from oms.fulfilment import actions as fulfilment
from oms.fulfilment.models import Milestone
from oms.intake.tests.fixtures import confirmed_order, lines
from oms.notifications.models import Notification
from oms.quality.tests.fixtures import pass_final_inspection
from oms.tracking.models import WorkItem, WorkStatus
from oms.tracking.tests import handoff_walk as walk

pytestmark = pytest.mark.django_db
STEPS = ("production.milestone", "quality.final", "warehouse.prepare", "logistics.ship")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def org(more_heads: dict[str, Any]) -> dict[str, Any]:
    return walk.people(more_heads)


def _released(org: dict[str, Any], **overrides: Any) -> Any:
    order = confirmed_order(org, **overrides)
    walk.sign(org, walk.review(org, walk.contract_of(org, order)))
    return walk.release(org, order)


def _open_steps(order: Any) -> list[tuple[int, str, str]]:
    """The order's open execution steps: (id, kind, title), oldest first."""
    return list(
        WorkItem.objects.filter(order=order, kind__in=STEPS, status=WorkStatus.OPEN)
        .order_by("pk")
        .values_list("pk", "kind", "title")
    )


def _told() -> list[tuple[str, str]]:
    """Every message in every inbox: (recipient, title), sorted."""
    return sorted(Notification.objects.values_list("recipient__username", "title"))


def _complete(org: dict[str, Any], order: Any, seq: int) -> None:
    order.refresh_from_db()
    fulfilment.report_progress(
        actor=org["prod"],
        order=order,
        milestone=Milestone.objects.get(order=order, seq=seq),
        progress=100,
        quantity_done=Decimal("2"),
    )


def _pack(org: dict[str, Any], order: Any, line: Any) -> None:
    """G-4: the line's goods reserved, picked, second-checked by another member, packed."""
    level = StockLevel.objects.create(
        product=line.product,
        warehouse=Warehouse.objects.get_or_create(code="W1", defaults={"name": "成品仓"})[0],
        on_hand=line.quantity,
    )
    res = fulfilment.reserve(
        actor=org["wh1"], order=order, line_id=line.pk, stock_level_id=level.pk, quantity=line.quantity
    )
    res = fulfilment.pick(actor=org["wh1"], reservation=res)
    res = fulfilment.second_check(actor=org["wh2"], reservation=res, counted=line.quantity)
    fulfilment.pack(actor=org["wh1"], reservation=res, packing="纸箱")


def test_a_milestone_completed_again_keeps_the_next_step_and_tells_nobody(org: dict[str, Any]) -> None:
    """G-2, T-1: a second report at 100 % of a completed milestone neither closes the next
    milestone's step nor opens or announces it again."""
    order = _released(org)
    _complete(org, order, 1)
    (step,) = _open_steps(order)
    assert step[1:] == ("production.milestone", step[2])
    assert "加工" in step[2]
    told = _told()
    assert told.count(("prod1", step[2])) == 1
    _complete(org, order, 1)
    assert _open_steps(order) == [step]
    assert _told() == told


def _report(org: dict[str, Any], order: Any, seq: int, progress: int) -> None:
    order.refresh_from_db()
    fulfilment.report_progress(
        actor=org["prod"],
        order=order,
        milestone=Milestone.objects.get(order=order, seq=seq),
        progress=progress,
        quantity_done=Decimal("1"),
    )


def test_a_milestone_reported_back_and_completed_again_keeps_the_next_step_and_tells_nobody(
    org: dict[str, Any],
) -> None:
    """G-2, T-1: a completed milestone reported back below 100 % and then completed again keeps
    the next milestone's step (the same row, still open) and announces nothing."""
    order = _released(org)
    _complete(org, order, 1)
    before = _open_steps(order)
    told = _told()
    _report(org, order, 1, 50)
    _complete(org, order, 1)
    assert _open_steps(order) == before
    assert _told() == told


def test_a_milestone_completed_out_of_order_keeps_the_waiting_step_and_tells_nobody(
    org: dict[str, Any],
) -> None:
    """G-2, T-1: completing the second milestone while the first is unfinished keeps the first's
    waiting step (the same row, still open) and announces nothing."""
    order = _released(org)
    assert Milestone.objects.filter(order=order).count() >= 3
    _complete(org, order, 1)
    before = _open_steps(order)
    told = _told()
    _complete(org, order, 3)
    assert _open_steps(order) == before
    assert _told() == told


def test_the_milestone_of_the_waiting_step_completed_opens_the_next_unfinished_one(
    org: dict[str, Any],
) -> None:
    """G-2, T-1: after the third milestone was completed out of order, completing the second
    closes its step and opens the fourth's (skipping the done third), told once to production."""
    order = _released(org)
    names = dict(Milestone.objects.filter(order=order).values_list("seq", "name"))
    assert len(names) >= 4
    _complete(org, order, 1)
    _complete(org, order, 3)
    ((second, _k, _t),) = _open_steps(order)
    told = _told()
    _complete(org, order, 2)
    ((_fourth, kind, title),) = _open_steps(order)
    assert (kind, names[4] in title) == ("production.milestone", True)
    assert WorkItem.objects.get(pk=second).status == WorkStatus.DONE
    assert _told() == sorted([*told, *((u, title) for u in ("prod1", "prodhead"))])


def test_the_last_milestone_completed_again_asks_for_no_second_final_inspection(
    org: dict[str, Any],
) -> None:
    """G-2, G-3, T-1: once every milestone is done quality is asked for the final inspection once;
    reporting the last milestone at 100 % again opens nothing and tells nobody."""
    order = _released(org)
    walk.produce(org, order)
    title = f"订单 {order.number} 生产已完成，请做成品检验"
    before = _open_steps(order)
    assert [s[1:] for s in before] == [("quality.final", title)]
    told = _told()
    assert told.count((org["qc"].username, title)) == 1
    _complete(org, order, Milestone.objects.filter(order=order).count())
    assert _open_steps(order) == before
    assert _told() == told


def test_packing_one_line_keeps_the_warehouse_step_while_another_line_waits(org: dict[str, Any]) -> None:
    """G-4, G-6, T-1: a packed batch goes to logistics (told once), but the warehouse's step stays
    open, announced once, while another line it may prepare is not packed yet."""
    order = _released(org, order_lines=lines(org))
    walk.produce(org, order)
    pass_final_inspection(order)
    gear, _motor = order.lines.order_by("line_no")
    (prepare,) = _open_steps(order)
    assert prepare[1] == "warehouse.prepare"
    told = _told()
    _pack(org, order, gear)
    (kept, ship) = _open_steps(order)
    assert (kept, ship[1:]) == (prepare, ("logistics.ship", f"订单 {order.number} 已包装，请安排发货"))
    assert _told() == sorted([*told, ("lg1", ship[2]), ("lghead", ship[2])])


def test_packing_the_last_line_closes_the_warehouse_step(org: dict[str, Any]) -> None:
    """G-4, T-1: the warehouse's step closes once everything the order ships from stock is packed;
    logistics' step is kept and nobody is told again."""
    order = _released(org, order_lines=lines(org))
    walk.produce(org, order)
    pass_final_inspection(order)
    gear, motor = order.lines.order_by("line_no")
    _pack(org, order, gear)
    (prepare, ship) = _open_steps(order)
    told = _told()
    _pack(org, order, motor)
    assert _open_steps(order) == [ship]
    assert WorkItem.objects.get(pk=prepare[0]).status == WorkStatus.DONE
    assert _told() == told


def test_lines_held_by_quality_leave_the_warehouse_step_to_close(org: dict[str, Any]) -> None:
    """G-4, K-2, T-1: lines that may not ship (their latest final inspection failed after every
    line had passed) are not the warehouse's: packing all it may prepare closes its step; only
    logistics is told."""
    from oms.quality import actions as quality
    from oms.quality.tests.fixtures import inspector

    order = _released(org, order_lines=lines(org))
    walk.produce(org, order)
    pass_final_inspection(order)
    gear, motor = order.lines.order_by("line_no")
    quality.record_inspection(
        actor=inspector(),
        order=order,
        stage="final",
        product_id=motor.product_id,
        results={"外观": "划伤"},
        passed=False,
        notes="复检划伤",
    )
    (prepare,) = _open_steps(order)
    assert prepare[1] == "warehouse.prepare"
    told = _told()
    _pack(org, order, gear)
    (ship,) = _open_steps(order)
    assert ship[1] == "logistics.ship"
    assert WorkItem.objects.get(pk=prepare[0]).status == WorkStatus.DONE
    assert _told() == sorted([*told, ("lg1", ship[2]), ("lghead", ship[2])])
