"""O-1, Q-1: the daily step statistics the sweep keeps: rebuilt whole per day, idempotent."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from oms.analytics.tests import dataset as d
from oms.tracking.actions import rollup_steps
from oms.tracking.models import StepStat

pytestmark = pytest.mark.django_db


def test_statistics_count_finished_steps_per_day_and_follow_later_closings(org: dict[str, Any]) -> None:
    o = d.order(org, org["sales"])
    day = date(2026, 11, 24)
    d.step(o, org["sales"], due=d.at(day, 17), closed=d.at(day, 9))
    d.step(o, org["sales"], due=d.at(day, 12), closed=d.at(day, 15))  # late, 7 hours
    late = d.step(o, org["sales"], due=d.at(day, 17), closed=None)
    assert rollup_steps() == 1
    stat = StepStat.objects.get()
    assert (stat.day, stat.kind, stat.done, stat.on_time, stat.seconds) == (
        day,
        "test",
        2,
        1,
        3600 + 7 * 3600,
    )
    late.status, late.closed_at = "done", d.at(date(2026, 11, 25), 8)
    late.save()
    rollup_steps()
    rollup_steps()
    assert sorted(StepStat.objects.values_list("day", "done", "on_time")) == [
        (day, 2, 1),
        (date(2026, 11, 25), 1, 0),
    ]


def test_a_step_is_reminded_once_before_its_deadline_and_escalation_is_announced(
    org: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    """T-1, P-3: two working hours before the deadline (policy default) the person named is
    reminded, once; past it, the superior and the person are told of the escalation."""
    from oms.notifications.models import Notification
    from oms.tracking.actions import sweep

    o = d.order(org, org["sales"])
    day = date(2026, 11, 24)  # a Tuesday
    item = d.step(o, org["sales"], due=d.at(day, 17), closed=None)
    with django_capture_on_commit_callbacks(execute=True):
        sweep(now=d.at(day, 14))  # three working hours left: nothing yet
        sweep(now=d.at(day, 15))  # two left: reminded
        sweep(now=d.at(day, 16))  # not again
    titles = list(Notification.objects.filter(recipient=org["sales"]).values_list("title", flat=True))
    assert titles == [f"即将到期：{item.title}（截止 2026-11-24 17:00）"]
    with django_capture_on_commit_callbacks(execute=True):
        sweep(now=d.at(day, 18))
    escalated = f"已超时并上报：{item.title}（截止 2026-11-24 17:00）"
    assert Notification.objects.filter(recipient=org["head"], title=escalated).exists()
    assert Notification.objects.filter(recipient=org["sales"], title=escalated).exists()
