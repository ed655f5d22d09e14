"""P-2, P-3: overdue steps are marked and escalated to the superior once; running again changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from oms.audit.models import AuditEvent
from oms.intake import actions
from oms.intake.tests.fixtures import header, lines
from oms.tracking import actions as tracking
from oms.tracking.models import WorkItem
from oms.tracking.selectors import my_work
from oms.tracking.tasks import sweep_deadlines

pytestmark = pytest.mark.django_db


def _submitted(org):
    return actions.submit_order(
        actor=org["sales"], order=actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    )


def test_nothing_escalates_before_the_deadline(org) -> None:
    _submitted(org)
    assert tracking.sweep() == 0
    assert WorkItem.objects.get().overdue is False


def test_overdue_check_escalates_to_the_heads_superior(org) -> None:
    """The check waits on the sales head; late, it goes up to the head of the parent department."""
    _submitted(org)
    item = WorkItem.objects.get()
    assert tracking.sweep(now=item.due_at + timedelta(minutes=1)) == 1
    item.refresh_from_db()
    assert (item.overdue, item.escalated_to) == (True, org["gm"])
    assert AuditEvent.objects.filter(action="deadline.escalate").count() == 1
    assert list(my_work(org["gm"])) == [item]


def test_sweeping_twice_changes_nothing_the_second_time(org) -> None:
    _submitted(org)
    later = WorkItem.objects.get().due_at + timedelta(hours=1)
    tracking.sweep(now=later)
    events = AuditEvent.objects.count()
    assert tracking.sweep(now=later) == 0
    assert AuditEvent.objects.count() == events


def test_staff_step_escalates_to_their_department_head(org) -> None:
    order = _submitted(org)
    actions.request_info(actor=org["head"], order=order, reason="缺图纸")
    item = WorkItem.objects.get(kind="order.supplement")
    tracking.sweep(now=item.due_at + timedelta(seconds=1))
    item.refresh_from_db()
    assert item.escalated_to == org["head"]


def test_the_task_runs_the_sweep(org) -> None:
    _submitted(org)
    WorkItem.objects.update(due_at=timezone.now() - timedelta(minutes=5))
    result = sweep_deadlines.enqueue()
    assert result.return_value == 1


def test_a_head_without_a_superior_department_escalates_to_an_executive(org) -> None:
    from oms.accounts.models import User

    User.objects.filter(pk=org["gm"].pk).update(is_active=False)
    _submitted(org)
    item = WorkItem.objects.get()
    tracking.sweep(now=item.due_at + timedelta(minutes=1))
    item.refresh_from_db()
    assert item.escalated_to == org["exec"]
