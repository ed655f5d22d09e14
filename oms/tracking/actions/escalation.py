"""Deadlines (C-3 escalation, T-1, P-3): who decides when a step is late, the periodic sweep
that escalates and reminds, and the daily roll-up of step durations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from oms.accounts.models import Department, Role, User
from oms.accounts.selectors import administrators, decider
from oms.audit import recorder
from oms.core.phrases import Phrase, phrase
from oms.notifications.actions import notify
from oms.orders.models import SalesOrder
from oms.policy.selectors import policy, work_calendar
from oms.tracking.actions import outcomes
from oms.tracking.actions.risk import refresh_risk
from oms.tracking.models import (
    StepStat,
    WorkItem,
    WorkStatus,
)


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


def _my_work() -> str:
    """The page listing the reader's open steps, where an escalated or reminded step shows."""
    return reverse("workbench:work")


def decider_for(
    *,
    candidate: User | None,
    target: Any,
    what: str | Phrase,
    url: str = "",
    raisers: Iterable[int | None] | None = None,
) -> User | None:
    """P-5, P-3: who decides `target`: the natural decider unless they raised it (`raisers`, by
    default the target's own `raiser_ids()`), else the next person the organisation names
    (accounts.selectors.decider). When nobody else exists the step waits on nobody and every
    administrator is told, by name of the step, what is missing."""
    if raisers is None:
        raisers = target.raiser_ids() if hasattr(target, "raiser_ids") else ()
    raisers = {r for r in raisers if r is not None}
    if candidate is not None and candidate.pk not in raisers:
        return candidate
    person = decider(candidate, raisers=raisers)
    if person is None:
        notify(
            event="segregation.no_decider",
            recipients=list(administrators()),
            title=phrase("%(w)s：除提出人外没有可以决定的人，请在组织中指定（如分管领导）。", w=what),
            url=url or _my_work(),
        )
    return person


def sweep(*, now: datetime | None = None) -> int:
    """Mark open steps past their deadline overdue and escalate each once; idempotent.

    Returns the number of steps escalated by this run (0 when run again at once).
    """
    now = now or timezone.now()
    escalated = 0
    due = WorkItem.objects.filter(status=WorkStatus.OPEN, overdue=False, due_at__lt=now).select_related(
        "assignee", "department"
    )
    order_type = ContentType.objects.get_for_model(SalesOrder).pk
    for item_id, type_id, object_id in list(due.values_list("pk", "content_type_id", "object_id")[:1000]):
        order_id = object_id if type_id == order_type else None
        with transaction.atomic():
            if order_id is not None:
                # H-6: the order's kept risk changes with its step; its row is locked before the
                # step's, as the actions that lock the order and then close its steps do.
                list(SalesOrder.objects.select_for_update().filter(pk=order_id).values_list("pk"))
            # Lock only the item: PostgreSQL cannot lock the nullable side of the assignee join.
            locked = WorkItem.objects.select_for_update(of=("self",)).select_related("assignee", "department")
            item = locked.get(pk=item_id)
            if item.overdue or item.status != WorkStatus.OPEN:
                continue  # another sweeper got here first
            superior = superior_of(assignee=item.assignee, department=item.department)
            target = item.target
            if superior is not None and target is not None and hasattr(target, "raiser_ids"):
                # P-5: an escalated decision never lands on the person who raised it.
                superior = decider(superior, raisers=target.raiser_ids())
            item.overdue, item.escalated_to, item.escalated_at = True, superior, now
            item.save(update_fields=["overdue", "escalated_to", "escalated_at"])
            if order_id is not None:
                refresh_risk([order_id], locked=True)  # issue 21: only the order whose step fell overdue
            outcomes.late([item.order_id])  # O-1 order timeliness (issue 21)
            recorder.record(
                actor="deadline sweeper",
                obj=item.target or item,
                action="deadline.escalate",
                before={"overdue": False},
                after={"overdue": True, "escalated_to": getattr(superior, "pk", None), "item": item.pk},
                reason=f"{item.title}: due {timezone.localtime(item.due_at):%Y-%m-%d %H:%M}",
            )
            # T-1: the superior and the person responsible are told, in the app and on the channels.
            notify(
                event="deadline.escalate",
                recipients=[superior, item.assignee],
                title=phrase(
                    "已超时并上报：%(t)s（截止 %(d)s）",
                    t=item.title_as_phrase,
                    d=timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M"),
                ),
                url=_my_work(),
            )
            escalated += 1
    remind(now=now)
    return escalated


def remind(*, now: datetime | None = None) -> int:
    """T-1: once, the policy's working hours before a step falls due, remind whoever must act (the
    person named, or the department's head when nobody is). Idempotent; returns how many."""
    now = now or timezone.now()
    hours = policy().reporting.deadline_reminder_hours
    if not hours:
        return 0
    # Whatever falls due before the moment that many working hours from now (holidays skipped
    # by the calendar) has no more than that left.
    cutoff = work_calendar().add_working_hours(now, hours)
    candidates = (
        WorkItem.objects.filter(
            status=WorkStatus.OPEN,
            overdue=False,
            reminded_at__isnull=True,
            due_at__gt=now,
            due_at__lte=cutoff,
        )
        .select_related("assignee", "department")
        .order_by("due_at")[:1000]
    )
    reminded = 0
    for item in candidates:
        with transaction.atomic():
            if not WorkItem.objects.filter(pk=item.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue  # another sweeper got here first
            person = item.assignee or superior_of(assignee=None, department=item.department)
            notify(
                event="deadline.remind",
                recipients=[person],
                title=phrase(
                    "即将到期：%(t)s（截止 %(d)s）",
                    t=item.title_as_phrase,
                    d=timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M"),
                ),
                url=_my_work(),
            )
        reminded += 1
    return reminded


def rollup_steps() -> int:
    """O-1, Q-1: bring the step statistics up to date: the days from the last one recorded (every
    day the first time) are recomputed with one grouped query over their finished work items,
    and each group's row is updated or added. A step once finished stays finished, so the groups
    only grow. Idempotent; returns the rows written."""
    latest = StepStat.objects.order_by("-day").values_list("day", flat=True).first()
    first_done = (
        WorkItem.objects.filter(status=WorkStatus.DONE)
        .order_by("closed_at")
        .values_list("closed_at", flat=True)
    )
    if latest is not None:
        since = latest
    else:
        first = first_done.first()
        if first is None:
            return 0
        since = timezone.localtime(first).date()
    start = datetime.combine(since, datetime.min.time(), timezone.get_current_timezone())
    spent = ExpressionWrapper(F("closed_at") - F("started_at"), output_field=DurationField())
    rows = (
        WorkItem.objects.filter(status=WorkStatus.DONE, closed_at__gte=start)
        .annotate(day=TruncDate("closed_at"))
        .values("day", "kind", "department_id", "assignee_id")
        .annotate(
            done=Count("pk"),
            on_time=Count("pk", filter=Q(closed_at__lte=F("due_at"))),
            spent=Sum(spent),
        )
        .order_by()
    )
    existing = {
        (s.day, s.kind, s.department_id, s.assignee_id): s for s in StepStat.objects.filter(day__gte=since)
    }
    changed: list[StepStat] = []
    added: list[StepStat] = []
    for r in rows:
        seconds = int(r["spent"].total_seconds()) if r["spent"] else 0
        stat = existing.get((r["day"], r["kind"], r["department_id"], r["assignee_id"]))
        if stat is None:
            added.append(
                StepStat(
                    day=r["day"],
                    kind=r["kind"],
                    department_id=r["department_id"],
                    assignee_id=r["assignee_id"],
                    done=r["done"],
                    on_time=r["on_time"],
                    seconds=seconds,
                )
            )
        elif (stat.done, stat.on_time, stat.seconds) != (r["done"], r["on_time"], seconds):
            stat.done, stat.on_time, stat.seconds = r["done"], r["on_time"], seconds
            changed.append(stat)
    with transaction.atomic():
        StepStat.objects.bulk_update(changed, ["done", "on_time", "seconds"], batch_size=2000)
        StepStat.objects.bulk_create(added, batch_size=2000)
    return len(changed) + len(added)
