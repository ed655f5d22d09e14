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
    now = d.at(date(2026, 11, 25), 9)
    assert rollup_steps(now=now) == 1
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
    rollup_steps(now=now)
    rollup_steps(now=now)
    assert sorted(StepStat.objects.values_list("day", "done", "on_time")) == [
        (day, 2, 1),
        (date(2026, 11, 25), 1, 0),
    ]
