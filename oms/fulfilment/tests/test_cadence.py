"""H-3: a missing production report or customer contact becomes a reminder, once; reporting clears it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from oms.fulfilment import actions
from oms.intake.tests.fixtures import signed_order
from oms.tracking import actions as tracking
from oms.tracking.models import WorkItem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_missing_reports_become_reminders_once_and_reporting_clears_them(more_heads) -> None:
    org = more_heads
    order = actions.release_order(actor=org["head"], order=signed_order(org))
    assert actions.check_reporting(timezone.now()) == 0
    later = timezone.now() + timedelta(days=8)
    assert actions.check_reporting(later) == 1  # the contact reminder is the one release opened (F-4)
    assert actions.check_reporting(later) == 0
    reminders = {
        w.kind: w.assignee for w in WorkItem.objects.filter(kind__startswith="report.", status="open")
    }
    assert reminders == {"report.production": org["prod_head"], "report.contact": org["sales"]}
    actions.report_progress(
        actor=org["prod"],
        order=order,
        milestone=order.milestones.first(),
        progress=20,
        quantity_done=Decimal("0"),
    )
    tracking.add_entry(actor=org["sales"], order=order, kind="contact", text="已告知客户生产进度")
    assert not WorkItem.objects.filter(kind__startswith="report.", status="open").exists()


def test_the_periodic_task_runs_the_cadence_check(more_heads) -> None:
    from oms.tracking.actions import PERIODIC_CHECKS

    assert actions.check_reporting in PERIODIC_CHECKS
