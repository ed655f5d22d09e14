"""H-3: every side's periodic report (production daily, procurement and quality weekly, sales'
contact with the customer weekly, important orders more often) is required at the policy's
cadence: a missing one becomes a reminder to whoever owes it, once, the sweeper escalates it
to their superior, and reporting clears it."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from oms.audit.models import AuditEvent
from oms.core.errors import NotAllowed
from oms.fulfilment import actions
from oms.intake.tests.fixtures import set_policy, signed_order
from oms.orders.models import SalesOrder
from oms.tracking import actions as tracking
from oms.tracking.models import TrackingEntry, WorkItem, WorkStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _released(org: dict[str, Any], **overrides: Any) -> tuple[SalesOrder, datetime]:
    order = actions.release_order(actor=org["head"], order=signed_order(org, **overrides))
    order.refresh_from_db()
    return order, order.updated_at


def _reminder(order: SalesOrder, kind: str) -> WorkItem | None:
    return WorkItem.objects.filter(object_id=order.pk, kind=kind, status=WorkStatus.OPEN).first()


def test_missing_reports_become_reminders_once_and_reporting_clears_them(more_heads) -> None:
    """H-3: after a week without reports, production, procurement and quality each owe one (the
    contact reminder is the one release opened, F-4); a second run opens nothing more."""
    org = more_heads
    order = actions.release_order(actor=org["head"], order=signed_order(org))
    assert actions.check_reporting(timezone.now()) == 0
    later = timezone.now() + timedelta(days=8)
    assert actions.check_reporting(later) == 3
    assert actions.check_reporting(later) == 0
    reminders = {
        w.kind: w.assignee for w in WorkItem.objects.filter(kind__startswith="report.", status="open")
    }
    assert reminders == {
        "report.production": org["prod_head"],
        "report.procurement": org["procurement_head"],
        "report.quality": org["quality_head"],
        "report.contact": org["sales"],
    }
    actions.report_progress(
        actor=org["prod"],
        order=order,
        milestone=order.milestones.first(),
        progress=20,
        quantity_done=Decimal("0"),
    )
    tracking.add_entry(actor=org["sales"], order=order, kind="contact", text="已告知客户生产进度")
    tracking.add_entry(
        actor=org["procurement_head"], order=order, kind="procurement_report", text="钢材已到货"
    )
    tracking.add_entry(actor=org["quality_head"], order=order, kind="quality_report", text="来料检验合格")
    assert not WorkItem.objects.filter(kind__startswith="report.", status="open").exists()


@pytest.mark.parametrize(
    ("kind", "entry", "head"),
    [
        ("report.procurement", "procurement_report", "procurement_head"),
        ("report.quality", "quality_report", "quality_head"),
    ],
)
def test_a_weekly_report_missing_for_more_than_seven_days_is_flagged_and_escalated(
    more_heads, kind: str, entry: str, head: str
) -> None:
    """H-3 (001 六(三)1): no report for more than the weekly cadence (7 calendar days, counted as
    the daily production one is) is flagged to the department's head, due in one working day;
    when that passes the sweeper escalates it to the superior (the head of management)."""
    org = more_heads
    order, released = _released(org)
    actions.check_reporting(released + timedelta(days=6, hours=23))
    assert _reminder(order, kind) is None
    flagged_at = released + timedelta(days=7, hours=1)
    actions.check_reporting(flagged_at)
    item = _reminder(order, kind)
    assert item is not None
    assert (item.assignee, item.department.kind, item.overdue) == (org[head], kind.split(".")[1], False)
    assert (
        item.title
        == f"订单 {order.number} 超过 7 天没有{'采购进度' if entry == 'procurement_report' else '质量检验情况'}汇报"
    )
    assert item.due_at > flagged_at
    tracking.sweep(now=item.due_at + timedelta(minutes=1))
    item.refresh_from_db()
    assert (item.overdue, item.escalated_to) == (True, org["gm"])


@pytest.mark.parametrize(
    ("entry", "kind"), [("procurement_report", "report.procurement"), ("quality_report", "report.quality")]
)
def test_a_report_resets_the_cadence(more_heads, time_machine, entry: str, kind: str) -> None:
    """H-3: a report five days after release restarts the week: nothing is owed at day eight,
    and a report is owed again a week after it."""
    org = more_heads
    order, released = _released(org)
    author = org["procurement_head"] if entry == "procurement_report" else org["quality_head"]
    time_machine.move_to(released + timedelta(days=5), tick=False)
    tracking.add_entry(actor=author, order=order, kind=entry, text="本周进展正常")
    actions.check_reporting(released + timedelta(days=8))
    assert _reminder(order, kind) is None
    actions.check_reporting(released + timedelta(days=12, hours=1))
    assert _reminder(order, kind) is not None


def test_a_report_closes_the_open_reminder(more_heads) -> None:
    """H-3: procurement's report answers the reminder it was sent."""
    org = more_heads
    order, released = _released(org)
    actions.check_reporting(released + timedelta(days=8))
    item = _reminder(order, "report.procurement")
    assert item is not None
    tracking.add_entry(
        actor=org["procurement_head"], order=order, kind="procurement_report", text="钢材已到货"
    )
    item.refresh_from_db()
    assert (item.status, item.closed_by, item.outcome) == (
        WorkStatus.DONE,
        org["procurement_head"],
        "已更新跟踪台账",
    )
    assert _reminder(order, "report.quality") is not None  # quality still owes its own


def test_the_cadence_is_the_policy_s(more_heads) -> None:
    """H-3: with a procurement cadence of 3 days in the policy, day four is already late; the
    quality cadence (still 7) is not."""
    org = more_heads
    set_policy(org, reporting__procurement_report_days=3)
    order, released = _released(org)
    actions.check_reporting(released + timedelta(days=4))
    assert _reminder(order, "report.procurement") is not None
    assert _reminder(order, "report.quality") is None


def test_important_orders_report_more_often(more_heads) -> None:
    """H-3 (000 六(二)2): a key customer's order is important: its weekly cadence is the policy's
    50 % of 7 days, 3 days; another order's is still 7."""
    org = more_heads
    org["customer"].is_key = True
    org["customer"].save(update_fields=["is_key"])
    order, released = _released(org)
    actions.check_reporting(released + timedelta(days=3, hours=1))
    item = _reminder(order, "report.procurement")
    assert item is not None
    assert item.title == f"订单 {order.number} 超过 3 天没有采购进度汇报"


def test_special_requirements_make_an_order_important_as_the_policy_says(more_heads) -> None:
    """H-3: an order with special requirements reports more often, unless the policy says not."""
    org = more_heads
    set_policy(org, reporting__important_special_requirements=False)
    order, released = _released(org, needs_special_packaging=True)
    actions.check_reporting(released + timedelta(days=4))
    assert _reminder(order, "report.procurement") is None


def test_the_check_and_the_sweep_are_idempotent(more_heads) -> None:
    """H-3, P-2: running the check twice flags once; sweeping twice escalates once."""
    org = more_heads
    order, released = _released(org)
    later = released + timedelta(days=8)
    assert actions.check_reporting(later) == 3
    assert actions.check_reporting(later) == 0
    assert WorkItem.objects.filter(object_id=order.pk, kind="report.procurement").count() == 1
    much_later = later + timedelta(days=10)
    assert actions.check_reporting(much_later) == 0
    first = tracking.sweep(now=much_later)
    assert first == WorkItem.objects.filter(overdue=True).count()
    assert set(
        WorkItem.objects.filter(object_id=order.pk, kind__startswith="report.").values_list("kind", "overdue")
    ) == {
        ("report.production", True),
        ("report.procurement", True),
        ("report.quality", True),
        ("report.contact", True),
    }
    assert tracking.sweep(now=much_later) == 0
    escalations = AuditEvent.objects.filter(
        action="deadline.escalate", after__item=_reminder(order, "report.procurement").pk
    )
    assert escalations.count() == 1


def test_someone_else_cannot_write_procurement_s_report(more_heads) -> None:
    """H-3: a salesperson's "procurement report" is refused with the reason; nothing changes."""
    org = more_heads
    order, released = _released(org)
    actions.check_reporting(released + timedelta(days=8))
    entries, events = TrackingEntry.objects.count(), AuditEvent.objects.count()
    with pytest.raises(NotAllowed) as info:
        tracking.add_entry(actor=org["sales"], order=order, kind="procurement_report", text="代写")
    assert info.value.message == "只有采购部可以记录“采购进度汇报”。"
    assert (TrackingEntry.objects.count(), AuditEvent.objects.count()) == (entries, events)
    assert _reminder(order, "report.procurement") is not None


def test_procurement_records_its_report_on_the_order_page(more_heads, client) -> None:
    """H-3: procurement staff see and use the report on the order page; it closes the reminder."""
    org = more_heads
    order, released = _released(org)
    actions.check_reporting(released + timedelta(days=8))
    buyer = make_user("buyer1", kind="procurement")
    client.force_login(buyer)
    page = client.get(reverse("workbench:order_detail", args=[order.pk]) + "?tab=records").content.decode()
    assert 'value="procurement_report"' in page and 'value="quality_report"' not in page
    client.post(
        reverse("tracking:order_tracking", args=[order.pk, "entry"]),
        {"kind": "procurement_report", "text": "钢材已到货"},
    )
    entry = TrackingEntry.objects.get(order=order, kind="procurement_report")
    assert (entry.author, entry.text) == (buyer, "钢材已到货")
    assert _reminder(order, "report.procurement") is None


def test_the_page_refuses_a_report_from_another_department(more_heads, client) -> None:
    """H-3: the same refusal through the page: a message, nothing recorded, the reminder open."""
    org = more_heads
    order, released = _released(org)
    actions.check_reporting(released + timedelta(days=8))
    client.force_login(org["sales"])
    page = client.get(reverse("workbench:order_detail", args=[order.pk]) + "?tab=records").content.decode()
    assert 'value="procurement_report"' not in page
    entries, events = TrackingEntry.objects.count(), AuditEvent.objects.count()
    response = client.post(
        reverse("tracking:order_tracking", args=[order.pk, "entry"]),
        {"kind": "procurement_report", "text": "代写"},
        follow=True,
    )
    assert "只有采购部可以记录“采购进度汇报”。" in response.content.decode()
    assert (TrackingEntry.objects.count(), AuditEvent.objects.count()) == (entries, events)
    assert _reminder(order, "report.procurement") is not None


def test_the_periodic_task_runs_the_cadence_check(more_heads) -> None:
    from oms.core import registry

    assert actions.check_reporting in registry.periodic_jobs


def test_each_missing_report_is_announced_to_whoever_owes_it(more_heads) -> None:
    """H-3, T-1: a reminder is told to its owner, not only put in their work."""
    from oms.notifications.models import Notification

    org = more_heads
    order = actions.release_order(actor=org["head"], order=signed_order(org))
    actions.check_reporting(timezone.now() + timedelta(days=8))
    told = {
        n.recipient_id: n.title
        for n in Notification.objects.filter(title__contains="汇报", url__contains=str(order.pk))
    }
    assert sorted(told) == sorted([org["prod_head"].pk, org["procurement_head"].pk, org["quality_head"].pk])
    assert told[org["prod_head"].pk].startswith(f"订单 {order.number} 超过 ")
