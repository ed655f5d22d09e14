"""Opening, closing and escalating pending steps (P-2, P-3, C-3 escalation)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from oms.accounts.models import Department, Role, User
from oms.audit import recorder
from oms.policy.worktime import WorkCalendar
from oms.tracking.models import WorkItem, WorkStatus


def open_item(
    *,
    target: models.Model,
    kind: str,
    title: str,
    department: Department,
    assignee: User | None,
    calendar: WorkCalendar,
    hours: Decimal | None = None,
    days: int | None = None,
    start: datetime | None = None,
) -> WorkItem:
    """A pending step due `hours` working hours (or `days` working days) from `start`."""
    start = start or timezone.now()
    if hours is not None:
        due = calendar.add_working_hours(start, hours)
    elif days is not None:
        due = calendar.add_working_days(start, days)
    else:
        raise ValueError("a work item needs a time limit in hours or days")
    return WorkItem.objects.create(
        kind=kind,
        title=title[:200],
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        department=department,
        assignee=assignee,
        started_at=start,
        due_at=due,
    )


def close_items(
    *, target: models.Model, actor: Any, outcome: str, kinds: tuple[str, ...] | None = None
) -> int:
    """Close every open step of `target` (of the given kinds); returns how many were closed."""
    qs = WorkItem.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk, status=WorkStatus.OPEN
    )
    if kinds:
        qs = qs.filter(kind__in=kinds)
    user = actor if getattr(actor, "is_authenticated", False) else None
    return qs.update(status=WorkStatus.DONE, closed_at=timezone.now(), closed_by=user, outcome=outcome[:200])


def superior_of(*, assignee: User | None, department: Department) -> User | None:
    """P-3 escalation: the head of the responsible department; for a head, the head of the
    parent department; at the top, an executive in charge."""
    dept: Department | None = department
    if assignee is not None and assignee.role in {Role.HEAD, Role.EXECUTIVE}:
        dept = department.parent
    while dept is not None:
        head = (
            User.objects.filter(department=dept, role=Role.HEAD, is_active=True)
            .exclude(pk=getattr(assignee, "pk", 0) or 0)
            .order_by("pk")
            .first()
        )
        if head is not None:
            return head
        dept = dept.parent
    return (
        User.objects.filter(role=Role.EXECUTIVE, is_active=True)
        .exclude(pk=getattr(assignee, "pk", 0) or 0)
        .order_by("pk")
        .first()
    )


def sweep(*, now: datetime | None = None) -> int:
    """Mark open steps past their deadline overdue and escalate each once; idempotent.

    Returns the number of steps escalated by this run (0 when run again at once).
    """
    now = now or timezone.now()
    escalated = 0
    due = WorkItem.objects.filter(status=WorkStatus.OPEN, overdue=False, due_at__lt=now).select_related(
        "assignee", "department"
    )
    for item_id in list(due.values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            # Lock only the item: PostgreSQL cannot lock the nullable side of the assignee join.
            locked = WorkItem.objects.select_for_update(of=("self",)).select_related("assignee", "department")
            item = locked.get(pk=item_id)
            if item.overdue or item.status != WorkStatus.OPEN:
                continue  # another sweeper got here first
            superior = superior_of(assignee=item.assignee, department=item.department)
            item.overdue, item.escalated_to, item.escalated_at = True, superior, now
            item.save(update_fields=["overdue", "escalated_to", "escalated_at"])
            recorder.record(
                actor="deadline sweeper",
                obj=item.target or item,
                action="deadline.escalate",
                before={"overdue": False},
                after={"overdue": True, "escalated_to": getattr(superior, "pk", None), "item": item.pk},
                reason=f"{item.title}: due {timezone.localtime(item.due_at):%Y-%m-%d %H:%M}",
            )
            escalated += 1
    return escalated
