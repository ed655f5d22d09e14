"""Release: each department's task, due date and owner; production milestones (F-1, F-2, F-3, F-4)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import Department, DepartmentKind, User
from oms.accounts.selectors import department_of_kind, head_of
from oms.audit import recorder
from oms.contracts.selectors import technical_readiness
from oms.core import inserts
from oms.core.errors import ActionError, FieldErrors
from oms.core.phrases import phrase
from oms.engine import workflow
from oms.fulfilment import states
from oms.fulfilment.actions.progress import production_hand_off
from oms.fulfilment.models import (
    DepartmentTask,
    Milestone,
    TaskKind,
)
from oms.orders.models import SalesOrder
from oms.policy import selectors as policy_selectors
from oms.policy.worktime import CalendarMissing, WorkCalendar
from oms.quality.actions import warehouse_without_inspection
from oms.quality.release import final_inspection_needs
from oms.tracking import actions as tracking

TASK_DEPARTMENT = {
    TaskKind.PRODUCTION_PLAN: DepartmentKind.PRODUCTION,
    TaskKind.PURCHASE_PLAN: DepartmentKind.PROCUREMENT,
    TaskKind.QUALITY_PLAN: DepartmentKind.QUALITY,
    TaskKind.TECHNICAL_DOCS: DepartmentKind.TECHNICAL,
    TaskKind.WAREHOUSE_ALLOCATION: DepartmentKind.WAREHOUSE,
    TaskKind.LOGISTICS_PLAN: DepartmentKind.LOGISTICS,
}


def _department(kind: str) -> Department:
    dept = department_of_kind(kind)
    if dept is None:
        raise ActionError(_("公司没有“%(k)s”类型的部门，无法下达。") % {"k": DepartmentKind(kind).label})
    return dept


def _owner(dept: Department) -> User:
    person = head_of(dept)
    if person is None:
        raise ActionError(_("%(d)s没有部门负责人，无法分派任务。") % {"d": dept})
    return person


def release_order(*, actor: User, order: SalesOrder) -> SalesOrder:
    """F-1 (see _release); a year missing from the working calendar is refused with a clear reason."""
    try:
        return _release(actor=actor, order=order)
    except CalendarMissing as exc:
        raise ActionError(
            _("工作日历没有 %(y)s 年的数据，无法计算各部门的期限；请管理员先维护工作日历。") % {"y": exc.year}
        ) from exc


_PLAN_DAYS: dict[str, str] = {
    TaskKind.PRODUCTION_PLAN: "production_plan_days",
    TaskKind.PURCHASE_PLAN: "purchase_plan_days",
    TaskKind.QUALITY_PLAN: "quality_plan_days",
    TaskKind.TECHNICAL_DOCS: "technical_docs_days",
}
_BEFORE_DELIVERY: dict[str, str] = {
    TaskKind.WAREHOUSE_ALLOCATION: "allocation_days_before_delivery",
    TaskKind.LOGISTICS_PLAN: "logistics_days_before_delivery",
}


def task_due(order: SalesOrder, kind: str, calendar: WorkCalendar, now: datetime) -> datetime:
    """F-1 due dates, counted from now: plans N working days on, allocation and logistics N
    working days before the delivery date, never earlier than a working day on."""
    policy = order.policy()
    if kind in _PLAN_DAYS:
        return calendar.add_working_days(now, getattr(policy.release, _PLAN_DAYS[kind]))
    end = policy.working_time.office_end
    due = datetime.combine(
        calendar.working_day_before(order.delivery_date, getattr(policy.release, _BEFORE_DELIVERY[kind])),
        time(int(end[:2]), int(end[3:])),
        timezone.get_current_timezone(),
    )
    return max(due, calendar.add_working_days(now, 1))


@transaction.atomic
@recorder.batched
def _release(*, actor: User, order: SalesOrder) -> SalesOrder:
    """F-1: release creates each department's task with a responsible person and a due date (plans
    after release, allocation and logistics before delivery); F-2 production milestones; F-4 the
    customer is told the expected delivery date; G-4 the warehouse prepares goods that need no
    final inspection."""
    order = workflow.apply(states.RELEASE, order, actor=actor)
    calendar = policy_selectors.work_calendar(of=order)
    now = timezone.now()
    tasks = _department_tasks(order, calendar, now)
    milestones = _milestones(order, order.policy().release.milestones, now.date())
    # T-1 (issue 23): the release step leaves the releaser's work; production sees its first
    # milestone, each department its task, the salesperson the customer to tell (F-4).
    entry = _note_release(actor, order)
    # Issue 21: the tasks, the milestones and the ledger line with one statement on PostgreSQL
    # (the keys of the last two are not needed: production's step waits on the order).
    inserts.insert(tasks, along=[*milestones, entry])
    url = reverse("workbench:order_detail", args=[order.pk])
    released = phrase("订单 %(n)s 已下达", n=order.number)
    hand_offs = [
        tracking.HandOff(item=item, recipients=[task.assignee], title=released, url=url, event="fulfilment")
        for task, item in zip(tasks, _task_items(order, tasks, calendar, now), strict=True)
    ]
    production = production_hand_off(order, milestones[0] if milestones else None)
    if production is not None:
        hand_offs.append(production)
    # G-4, K-2: goods the policy ships without a final inspection (stock items) wait on nothing:
    # the warehouse staff prepare them now; a passed final inspection hands them the others.
    warehouse = warehouse_without_inspection(order) if final_inspection_needs(order)[1] else None
    if warehouse is not None:
        hand_offs.append(warehouse)
    hand_offs.append(
        tracking.HandOff(
            item=_contact_item(order, calendar, now),
            recipients=[order.salesperson] if order.salesperson is not None else [],
            title=released,
            url=url,
            event="fulfilment",
        )
    )
    # Issue 21: every step of the release with one insert, every message with one more (the
    # release step closed and all of it one statement on PostgreSQL); the steps the ledger line
    # answers (H-5: the idleness reminder) are closed with the release step.
    kinds = ("order.release", *tracking.entry_closes(_LEDGER_KIND))
    done = tracking.Closing(target=order, actor=actor, outcome=_("已下达"), kinds=kinds)
    tracking.deliver(hand_offs, closing=done)
    return order


def _department_tasks(order: SalesOrder, calendar: WorkCalendar, now: datetime) -> list[DepartmentTask]:
    """F-1: one task per department kind, owned by the department's head (written by the caller)."""
    tasks = []
    for kind, department_kind in TASK_DEPARTMENT.items():
        dept = _department(department_kind)
        due = task_due(order, kind, calendar, now)
        tasks.append(
            DepartmentTask(order=order, kind=kind, department=dept, assignee=_owner(dept), due_at=due)
        )
    return tasks


def _task_items(
    order: SalesOrder, tasks: list[DepartmentTask], calendar: WorkCalendar, now: datetime
) -> list[Any]:
    """Each department task in its owner's work."""
    return [
        tracking.new_item(
            target=task,
            kind="release.task",
            title=phrase("%(k)s：订单 %(n)s", k=task.get_kind_display(), n=order.number),
            department=task.department,
            assignee=task.assignee,
            calendar=calendar,
            start=now,
            due=task.due_at,
        )
        for task in tasks
    ]


_LEDGER_KIND = "progress"


def _note_release(actor: User, order: SalesOrder) -> Any:
    """F-4: the ledger notes the release: the line, unsaved, is written with the tasks and the
    steps it answers are closed with the release step (`_release`, issue 21)."""
    return tracking.add_entry(
        actor=actor,
        order=order,
        kind=_LEDGER_KIND,
        text=_("订单已下达，预计交货日期 %(d)s。") % {"d": f"{order.delivery_date:%Y-%m-%d}"},
        by_caller=True,
    )


def _contact_item(order: SalesOrder, calendar: WorkCalendar, now: datetime) -> Any:
    """F-4: the salesperson tells the customer the expected delivery date; recording the contact
    in the ledger closes this step."""
    return tracking.new_item(
        target=order,
        kind="report.contact",
        department=order.department,
        assignee=order.salesperson,
        calendar=calendar,
        title=phrase(
            "告知客户订单 %(n)s 已下达，预计交货 %(d)s", n=order.number, d=f"{order.delivery_date:%Y-%m-%d}"
        ),
        days=1,
        start=now,
    )


def _milestones(order: SalesOrder, names: list[str], start: date) -> list[Milestone]:
    """F-2: milestones spread evenly from release to the delivery date (written by the caller)."""
    span = max((order.delivery_date - start).days, len(names))
    return [
        Milestone(
            order=order,
            seq=i + 1,
            name=name[:60],
            planned_date=start + timedelta(days=span * (i + 1) // len(names)),
        )
        for i, name in enumerate(names)
    ]


@transaction.atomic
@recorder.batched
def complete_task(*, actor: User, task: DepartmentTask, note: str) -> DepartmentTask:
    """F-1: the department marks its plan done, with what it decided. F-3: the technical task is
    done only with its documents distributed and the briefing recorded (the transition's guard);
    it then names them."""
    if not note.strip():
        raise FieldErrors({"note": _("请说明完成情况。")})
    changes: dict[str, Any] = {"note": note.strip(), "done_by": actor, "done_at": timezone.now()}
    docs: list[Any] = []
    if task.kind == TaskKind.TECHNICAL_DOCS:
        docs, changes["briefing"], _missing = technical_readiness(task.order)
    task = workflow.apply(states.COMPLETE_TASK, task, actor=actor, reason=note, changes=changes)
    if docs:
        task.documents.set(docs)
        recorder.record(
            actor=actor,
            obj=task,
            action="task.technical_docs",
            after={"documents": [d.pk for d in docs], "briefing": task.briefing_id},
        )
    tracking.close_items(target=task, actor=actor, outcome=_("已完成"))
    return task
