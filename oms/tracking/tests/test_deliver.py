"""Issue 21: `tracking.deliver`, the one path of every hand-off — the finished step closed, the
next one opened, its person told — and on PostgreSQL all of it one statement (T-1, P-2, P-3)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oms.intake.tests.fixtures import confirmed_order
from oms.notifications.models import Notification
from oms.tracking import actions as tracking
from oms.tracking.models import WorkItem, WorkStatus

pytestmark = pytest.mark.django_db


def _hand_over(org: dict[str, Any], order: Any, *, once: bool = False, kind: str = "test.next") -> WorkItem:
    return tracking.hand_off(
        target=order,
        order=order,
        kind=kind,
        title="下一步",
        message="请处理下一步",
        department=order.department,
        assignee=org["head"],
        url="/next/",
        event="review",
        once=once,
        closing=tracking.Closing(
            target=order, actor=org["sales"], outcome="已完成", kinds=("contract.generate",)
        ),
    )


def test_a_hand_off_closes_the_finished_step(org: dict[str, Any]) -> None:
    order = confirmed_order(org, quantity="10")
    _hand_over(org, order)
    done = order.work_items.get(kind="contract.generate")
    assert (done.status, done.outcome, done.closed_by_id) == (WorkStatus.DONE, "已完成", org["sales"].pk)


def test_a_hand_off_opens_the_next_step_with_its_key(org: dict[str, Any]) -> None:
    order = confirmed_order(org, quantity="10")
    item = _hand_over(org, order)
    saved = WorkItem.objects.get(pk=item.pk)
    assert (saved.kind, saved.title, saved.assignee_id, saved.status, saved.order_id) == (
        "test.next",
        "下一步",
        org["head"].pk,
        WorkStatus.OPEN,
        order.pk,
    )


def test_a_hand_off_tells_the_next_person_its_message(org: dict[str, Any]) -> None:
    order = confirmed_order(org, quantity="10")
    before = Notification.objects.filter(recipient=org["head"]).count()
    _hand_over(org, order)
    told = Notification.objects.filter(recipient=org["head"]).order_by("-pk")
    assert told.count() == before + 1
    assert (told[0].title, told[0].url) == ("请处理下一步", "/next/")


def test_once_closes_the_finished_step_before_looking_for_a_waiting_one(org: dict[str, Any]) -> None:
    """A repeatable hand-off whose kind is the finished step's: the finished one is not kept."""
    order = confirmed_order(org, quantity="10")
    _hand_over(org, order, once=True, kind="contract.generate")
    steps = order.work_items.filter(kind="contract.generate").order_by("pk")
    assert [s.status for s in steps] == [WorkStatus.DONE, WorkStatus.OPEN]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="one statement on PostgreSQL only")
def test_on_postgresql_a_hand_off_is_one_statement(org: dict[str, Any]) -> None:
    order = confirmed_order(org, quantity="10")
    ready = tracking.prepare_hand_off(
        target=order,
        order=order,
        kind="test.next",
        title="下一步",
        department=order.department,
        assignee=org["head"],
        url="/next/",
        event="review",
    )
    done = tracking.Closing(target=order, actor=org["sales"], outcome="已完成", kinds=("contract.generate",))
    with CaptureQueriesContext(connection) as ctx:
        tracking.deliver([ready], closing=done)
    assert len(ctx.captured_queries) == 1
