"""What the order's pages read besides the order itself: deadlines in working hours, who acted
and the order's timeline (H-1, H-5, D-2, I-1)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.audit.models import AuditEvent
from oms.orders.models import OrderStatus, SalesOrder
from oms.policy import selectors as policy_selectors
from oms.policy.worktime import CalendarMissing
from oms.tracking.models import WorkItem


def hours_left(items: list[WorkItem]) -> list[tuple[WorkItem, Any]]:
    """Working hours left before each deadline (negative once late); None past the calendar."""
    if not items:
        return []
    cal = policy_selectors.work_calendar()
    now = timezone.now()
    result: list[tuple[WorkItem, Any]] = []
    for item in items:
        try:
            result.append((item, cal.working_hours_between(now, item.due_at)))
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
