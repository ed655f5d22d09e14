"""G-3, G-4, K-2, T-1: quality's final-inspection step ends, and the warehouse is told, only once
every line that needs a final inspection has passed one; a pass of some lines keeps the step open
(shipping is refused line by line in any case). One rule per test."""

from __future__ import annotations

from typing import Any

import pytest

from oms.fulfilment.tests.test_step_handoffs import STEPS, _released
from oms.intake.tests.fixtures import lines
from oms.notifications.models import Notification
from oms.quality.tests.fixtures import pass_final_inspection
from oms.tracking.models import WorkItem, WorkStatus
from oms.tracking.tests import handoff_walk as walk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def org(more_heads: dict[str, Any]) -> dict[str, Any]:
    return walk.people(more_heads)


def _steps(order: Any) -> list[tuple[int, str, str]]:
    """The order's execution steps, open or not: (id, kind, status), oldest first."""
    return list(
        WorkItem.objects.filter(order=order, kind__in=STEPS)
        .order_by("pk")
        .values_list("pk", "kind", "status")
    )


def _told() -> list[tuple[str, str]]:
    return sorted(Notification.objects.values_list("recipient__username", "title"))


def test_a_final_inspection_of_some_lines_keeps_the_quality_step_and_tells_nobody(
    org: dict[str, Any],
) -> None:
    """G-3, K-2, T-1: the gear passes, the motor is not inspected yet: quality's step stays open,
    no warehouse step opens and nobody is told anything."""
    order = _released(org, order_lines=lines(org))
    walk.produce(org, order)
    gear, _motor = order.lines.order_by("line_no")
    before = _steps(order)
    assert [s[1:] for s in before][-1] == ("quality.final", WorkStatus.OPEN)
    told = _told()
    pass_final_inspection(order, products=[gear.product])
    assert _steps(order) == before
    assert _told() == told


def test_the_last_line_passed_ends_the_quality_step_and_tells_the_warehouse_once(
    org: dict[str, Any],
) -> None:
    """G-3, G-4, K-2, T-1: once the motor passes too, quality's step closes and the warehouse's
    step opens, each warehouse member told once."""
    order = _released(org, order_lines=lines(org))
    walk.produce(org, order)
    gear, motor = order.lines.order_by("line_no")
    pass_final_inspection(order, products=[gear.product])
    quality = WorkItem.objects.get(order=order, kind="quality.final")
    told = _told()
    pass_final_inspection(order, products=[motor.product])
    quality.refresh_from_db()
    assert quality.status == WorkStatus.DONE
    (prepare,) = WorkItem.objects.filter(order=order, kind="warehouse.prepare")
    assert prepare.status == WorkStatus.OPEN
    assert _told() == sorted([*told, *((u, prepare.title) for u in ("wh1", "wh2", "whhead"))])


def test_a_failed_line_keeps_the_quality_step_after_the_other_passes(org: dict[str, Any]) -> None:
    """G-3, K-2, T-1: the motor failed its final inspection, then the gear passes: the motor's
    latest final inspection did not pass, so quality's step stays open and no warehouse step opens."""
    from oms.quality import actions
    from oms.quality.tests.fixtures import inspector

    order = _released(org, order_lines=lines(org))
    walk.produce(org, order)
    gear, motor = order.lines.order_by("line_no")
    actions.set_plan(
        actor=inspector(), order=order, items=[{"item": "外观", "method": "目视", "frequency": "每批"}]
    )
    actions.record_inspection(
        actor=inspector(),
        order=order,
        stage="final",
        product_id=motor.product_id,
        results={"外观": "划伤"},
        passed=False,
        notes="划伤",
    )
    before = _steps(order)
    pass_final_inspection(order, products=[gear.product])
    assert _steps(order) == before
