"""What the order's pages read besides the order itself: deadlines in working hours, who acted
and the order's timeline (H-1, H-5, D-2, I-1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.audit.models import AuditEvent
from oms.orders.models import OrderStatus, SalesOrder
from oms.policy import selectors as policy_selectors
from oms.policy.worktime import CalendarMissing, WorkCalendar
from oms.tracking.models import WorkItem


@dataclass(frozen=True)
class TimeLeft:
    """H-5, P-2: how long a step has left, read on the working calendar (issue 23).

    `hours`: working hours from now to the deadline. `late`: the deadline has passed — judged
    on the clock, since a deadline that fell on Friday 18:00 is late on Saturday although no
    working time lies between them. `resumes`: outside working time (a weekend, a holiday, the
    night), the working moment the clock starts again; None while it runs."""

    hours: Decimal
    late: bool
    resumes: datetime | None = None


def time_left(calendar: WorkCalendar, now: datetime, due: datetime) -> TimeLeft:
    """P-2: the working time left before `due` as seen at `now` (CalendarMissing past the calendar)."""
    if due <= now:
        return TimeLeft(hours=min(calendar.working_hours_between(now, due), Decimal("0")), late=True)
    # The next working moment: one working second on, less that second.
    resumes = calendar.add_working_seconds(now, 1) - timedelta(seconds=1)
    return TimeLeft(
        hours=calendar.working_hours_between(now, due),
        late=False,
        resumes=resumes if resumes > now else None,
    )


def hours_left(items: list[WorkItem]) -> list[tuple[WorkItem, TimeLeft | None]]:
    """Each step's time left on the working calendar; None past the calendar."""
    if not items:
        return []
    cal = policy_selectors.work_calendar()
    now = timezone.now()
    result: list[tuple[WorkItem, TimeLeft | None]] = []
    for item in items:
        try:
            result.append((item, time_left(cal, now, item.due_at)))
        except CalendarMissing:
            result.append((item, None))
    return result


def who(e: AuditEvent) -> str:
    """D-2, I-1: who acted, saying so when it was the customer: their portal login (with their
    company), or the name they typed on a one-time link; staff by their name."""
    actor = e.actor
    if actor is not None and actor.is_customer:
        try:
            company = actor.portal_account.customer.name
        except ObjectDoesNotExist:
            company = ""
        return _("客户%(n)s（%(c)s）· 客户门户") % {"n": e.actor_name, "c": company}
    if actor is None and e.actor_name.startswith("客户："):
        return _("客户%(n)s · 客户链接") % {"n": e.actor_name.removeprefix("客户：")}
    return e.actor_name


def timeline(events: list[AuditEvent]) -> list[tuple[AuditEvent, Any, str]]:
    """H-1: creation and every change of state, labelled in the user's language, with who acted."""
    labels = dict(OrderStatus.choices)
    result: list[tuple[AuditEvent, Any, str]] = []
    for e in events:
        if e.action == "order.create":
            result.append((e, _("创建"), who(e)))
        elif e.action.startswith("transition:"):
            result.append((e, labels.get(e.after.get("status"), e.after.get("status")), who(e)))
    return result


def order_events(order: SalesOrder) -> list[AuditEvent]:
    """H-1: the order's audit events, oldest first, with what `who` reads."""
    return list(
        AuditEvent.objects.filter(object_type="orders.salesorder", object_id=str(order.pk))
        .select_related("actor__portal_account__customer")
        .order_by("id")[:500]
    )
