"""Opening, closing and escalating pending steps (P-2, P-3, C-3 escalation)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import Department, DepartmentKind, Role, User
from oms.accounts.selectors import administrators, decider
from oms.audit import recorder
from oms.core.errors import FieldErrors, NotAllowed
from oms.engine import workflow
from oms.notifications.actions import notify, tell_customer
from oms.orders.models import OPEN_STATUSES, SalesOrder
from oms.policy.models import PolicyVersion
from oms.policy.schema import PolicyData
from oms.policy.selectors import policy, work_calendar
from oms.policy.worktime import WorkCalendar
from oms.tracking import states
from oms.tracking.models import (
    REPORT_ENTRIES,
    EntryKind,
    ExceptionKind,
    OrderException,
    StepStat,
    TrackingEntry,
    WorkItem,
    WorkStatus,
)
from oms.tracking.permissions import can_record_entry


def new_item(
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
    due: datetime | None = None,
    order_id: int | None = None,
) -> WorkItem:
    """A pending step due `hours` working hours (or `days` working days) from `start`, or at `due`
    when the caller derived it (e.g. working days before a delivery date).

    The step records its order (the target itself, the target's `order`, or `order_id` from a
    caller whose target reaches the order further away) so that ending the order ends it (H-5).
    Not saved: `open_items` saves several with one insert (issue 21); `open_item` saves one."""
    order_id = order_id or _order_id_of(target)
    if order_id is None and target._meta.label_lower not in ORDERLESS_TARGETS:
        raise ValueError(f"a work item of {target._meta.label_lower} needs the order it belongs to")
    start = start or timezone.now()
    if due is not None:
        pass
    elif hours is not None:
        due = calendar.add_working_hours(start, hours)
    elif days is not None:
        due = calendar.add_working_days(start, days)
    else:
        raise ValueError("a work item needs a time limit in hours or days")
    return WorkItem(
        kind=kind,
        title=title[:200],
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        order_id=order_id,
        department=department,
        assignee=assignee,
        started_at=start,
        due_at=due,
    )


def open_item(**kwargs: Any) -> WorkItem:
    """`new_item`, saved."""
    item = new_item(**kwargs)
    item.save()
    return item


def open_items(items: list[WorkItem]) -> list[WorkItem]:
    """Work items from `new_item`, saved with one insert (issue 21)."""
    return WorkItem.objects.bulk_create(items)


# Targets whose steps belong to no order: an inquiry before it becomes one, an improvement
# action raised from a survey.
ORDERLESS_TARGETS = frozenset({"orders.inquiry", "feedback.improvementaction"})


def _order_id_of(target: models.Model) -> int | None:
    if isinstance(target, SalesOrder):
        return int(target.pk)
    found = getattr(target, "order_id", None)
    return int(found) if found is not None else None


# Steps that outlive their order's end: procurement settles a cancelled order's open purchases
# with the supplier (J-1), a complaint and its improvement actions are handled after closure (N-2).
OUTLIVE_THE_ORDER = ("purchase.decision", "complaint.step", "improvement.action")


def end_order_items(*, order: SalesOrder, actor: Any, reason: str) -> int:
    """H-5, P-3: an order that reached an end (closed, cancelled, declined) waits on nobody: every
    open step of it and of everything belonging to it (department tasks, review tasks, approval
    steps, change requests and their tasks, confirmation, dunning, exceptions…) is withdrawn
    (已撤销) with the reason, so it leaves everyone's "my work". Steps that outlive the order
    (`OUTLIVE_THE_ORDER`) stay. Called by each action that ends an order, right after its
    transition; returns how many steps were withdrawn."""
    qs = WorkItem.objects.filter(order=order, status=WorkStatus.OPEN).exclude(kind__in=OUTLIVE_THE_ORDER)
    user = actor if getattr(actor, "is_authenticated", False) else None
    ended = list(qs.values_list("pk", flat=True))
    if not ended:
        return 0
    outcome = (_("订单已结束：%(r)s") % {"r": reason})[:200]
    WorkItem.objects.filter(pk__in=ended).update(
        status=WorkStatus.CANCELLED, closed_at=timezone.now(), closed_by=user, outcome=outcome
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="tracking.end_items",
        after={"items": ended, "status": WorkStatus.CANCELLED},
        reason=outcome,
    )
    return len(ended)


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


def decider_for(
    *,
    candidate: User | None,
    target: Any,
    what: str,
    url: str = "/work/",
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
            title=_("%(w)s：除提出人外没有可以决定的人，请在组织中指定（如分管领导）。") % {"w": what},
            url=url,
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
    for item_id in list(due.values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
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
                title=_("已超时并上报：%(t)s（截止 %(d)s）")
                % {"t": item.title, "d": timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M")},
                url="/work/",
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
                title=_("即将到期：%(t)s（截止 %(d)s）")
                % {"t": item.title, "d": timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M")},
                url="/work/",
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


# --- tracking ledger, exceptions, idle orders (H-2, H-4, H-5) --------------------------------


def _calendar(order: Any) -> WorkCalendar:
    return work_calendar(order.policy_version.number)


@transaction.atomic
def add_entry(*, actor: User, order: Any, kind: str, text: str) -> TrackingEntry:
    """H-2: progress, a contact with the customer, a problem or its resolution, in the ledger.
    H-3: a contact with the customer, procurement's or quality's report answers that side's
    reporting reminder; a department's report is written by that department only."""
    errors = {}
    if kind not in EntryKind.values:
        errors["kind"] = _("请选择类别。")
    if not text.strip():
        errors["text"] = _("请填写内容。")
    if errors:
        raise FieldErrors(errors)
    if not can_record_entry(actor, kind):
        owner = REPORT_ENTRIES[kind][0] or DepartmentKind.SALES
        raise NotAllowed(
            _("只有%(d)s可以记录“%(k)s”。") % {"d": DepartmentKind(owner).label, "k": EntryKind(kind).label}
        )
    entry = TrackingEntry.objects.create(order=order, kind=kind, text=text.strip(), author=actor)
    kinds = ("order.idle", REPORT_ENTRIES[kind][1]) if kind in REPORT_ENTRIES else ("order.idle",)
    close_items(target=order, actor=actor, outcome=_("已更新跟踪台账"), kinds=kinds)
    recorder.record(actor=actor, obj=order, action="tracking.entry", after={"kind": kind, "text": entry.text})
    return entry


@transaction.atomic
def raise_exception(
    *,
    actor: User,
    order: Any,
    kind: str,
    description: str,
    responsible: User,
    customer_informed: bool = False,
) -> OrderException:
    """H-4: anyone raises an exception; it has one responsible person and a deadline, and is escalated when late."""
    errors = {}
    if kind not in ExceptionKind.values:
        errors["kind"] = _("请选择异常类型。")
    if not description.strip():
        errors["description"] = _("请说明异常情况。")
    if not responsible.is_active or responsible.department_id is None:
        errors["responsible"] = _("请选择在职且有部门的负责人。")
    if errors:
        raise FieldErrors(errors)
    rules = order.policy().reporting
    days = rules.exception_resolve_days
    calendar = _calendar(order)
    now = timezone.now()
    # H-4, T-1: the customer hears of a delay from us, not from the missed date; what they are
    # told is the fact and who follows it up, never the internal description.
    announce = kind in rules.customer_notice_kinds
    exception = OrderException.objects.create(
        order=order,
        kind=kind,
        description=description.strip(),
        raised_by=actor,
        responsible=responsible,
        due_at=calendar.add_working_days(now, days),
        customer_informed=customer_informed or announce,
    )
    if announce:
        tell_customer(
            order=order,
            event=f"order.exception.{kind}",
            title=_("您的订单 %(n)s 出现%(k)s，%(s)s 正在跟进，将尽快与您联系。")
            % {"n": order.number, "k": exception.get_kind_display(), "s": order.salesperson},
        )
    assert responsible.department is not None
    open_item(
        target=exception,
        kind="order.exception",
        title=_("处理订单 %(n)s 的异常：%(k)s") % {"n": order.number, "k": exception.get_kind_display()},
        department=responsible.department,
        assignee=responsible,
        calendar=calendar,
        days=days,
        start=now,
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="exception.raise",
        after={
            "exception": exception.pk,
            "kind": kind,
            "responsible": responsible.pk,
            "description": exception.description,
            "customer_informed": exception.customer_informed,
        },
    )
    notify(
        event="tracking",
        recipients=[responsible, order.salesperson],
        title=_("订单 %(n)s 出现异常：%(k)s") % {"n": order.number, "k": exception.get_kind_display()},
        url=f"/orders/{order.pk}/",
    )
    return exception


@transaction.atomic
def resolve_exception(
    *,
    actor: User,
    exception: OrderException,
    resolution: str,
    cause: str,
    liability: str = "",
    customer_informed: bool = False,
) -> OrderException:
    """H-4: resolved with the cause and any contractual liability; the customer's being told is recorded."""
    if not cause.strip():
        raise FieldErrors({"cause": _("请填写异常原因。")})
    exception = workflow.apply(
        states.RESOLVE,
        exception,
        actor=actor,
        reason=resolution,
        changes={
            "resolution": resolution.strip(),
            "cause": cause.strip(),
            "liability": liability.strip(),
            "resolved_by": actor,
            "resolved_at": timezone.now(),
            "customer_informed": customer_informed or exception.customer_informed,
        },
    )
    close_items(target=exception, actor=actor, outcome=_("已解决"))
    return exception


def flag_idle_orders(*, now: datetime | None = None) -> int:
    """H-5: an open order with no change and no ledger entry for the policy's idle days gets one
    reminder in its salesperson's work; idempotent (one open reminder per order)."""
    now = now or timezone.now()
    ct = ContentType.objects.get_for_model(SalesOrder)
    reminded = WorkItem.objects.filter(content_type=ct, kind="order.idle", status=WorkStatus.OPEN).values(
        "object_id"
    )
    flagged = 0
    for version in PolicyVersion.objects.filter(
        pk__in=SalesOrder.objects.filter(status__in=OPEN_STATUSES).values("policy_version")
    ):
        days = PolicyData.model_validate(version.data).reporting.idle_days
        cutoff = now - timedelta(days=days)
        idle = (
            SalesOrder.objects.filter(policy_version=version, status__in=OPEN_STATUSES, updated_at__lt=cutoff)
            .exclude(pk__in=reminded)
            .annotate(last_entry=Max("tracking_entries__created_at"))
            .select_related("salesperson", "department", "policy_version")
        )
        for order in idle:
            if order.last_entry and order.last_entry >= cutoff:
                continue
            with transaction.atomic():
                open_item(
                    target=order,
                    kind="order.idle",
                    title=_("订单 %(n)s 已 %(d)s 天无进展") % {"n": order.number, "d": days},
                    department=order.department,
                    assignee=order.salesperson,
                    calendar=_calendar(order),
                    days=1,
                    start=now,
                )
            flagged += 1
    return flagged
