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
from oms.contracts.actions import technical_readiness
from oms.core.errors import ActionError, FieldErrors
from oms.core.phrases import phrase
from oms.engine import workflow
from oms.fulfilment import states
from oms.fulfilment.actions.progress import hand_on_production
from oms.fulfilment.models import (
    DepartmentTask,
    Milestone,
    TaskKind,
)
from oms.notifications.actions import notify
from oms.orders.models import SalesOrder
from oms.policy import selectors as policy_selectors
from oms.policy.worktime import CalendarMissing, WorkCalendar
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
    customer is told the expected delivery date."""
    order = workflow.apply(states.RELEASE, order, actor=actor)
    calendar = policy_selectors.work_calendar(order.policy_version.number)
    now = timezone.now()
    tasks = _department_tasks(order, calendar, now)
    _milestones(order, order.policy().release.milestones, now.date())
    # T-1 (issue 23): the release step leaves the releaser's work; production sees its first milestone.
    tracking.close_items(target=order, actor=actor, outcome=_("已下达"), kinds=("order.release",))
    hand_on_production(order)
    _tell_customer(actor, order, calendar, now)
    notify(
        event="fulfilment",
        recipients=[*(task.assignee for task in tasks), order.salesperson],
        title=phrase("订单 %(n)s 已下达", n=order.number),
        url=reverse("workbench:order_detail", args=[order.pk]),
    )
    return order


def _department_tasks(order: SalesOrder, calendar: WorkCalendar, now: datetime) -> list[DepartmentTask]:
    """F-1: one task per department kind, owned by the department's head, each in its work."""
    tasks = []
    for kind, department_kind in TASK_DEPARTMENT.items():
        dept = _department(department_kind)
        due = task_due(order, kind, calendar, now)
        tasks.append(
            DepartmentTask(order=order, kind=kind, department=dept, assignee=_owner(dept), due_at=due)
        )
    # Issue 21: the tasks, then their work items, each in one insert.
    tasks = DepartmentTask.objects.bulk_create(tasks)
    tracking.open_items(
        [
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
    )
    return tasks


def _tell_customer(actor: User, order: SalesOrder, calendar: WorkCalendar, now: datetime) -> None:
    """F-4: the ledger notes the release, and the salesperson tells the customer; recording the
    contact in the ledger closes this step."""
    tracking.add_entry(
        actor=actor,
        order=order,
        kind="progress",
        text=_("订单已下达，预计交货日期 %(d)s。") % {"d": f"{order.delivery_date:%Y-%m-%d}"},
    )
    tracking.open_item(
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


def _milestones(order: SalesOrder, names: list[str], start: date) -> None:
    """F-2: milestones spread evenly from release to the delivery date."""
    span = max((order.delivery_date - start).days, len(names))
    Milestone.objects.bulk_create(
        [
            Milestone(
                order=order,
                seq=i + 1,
                name=name[:60],
                planned_date=start + timedelta(days=span * (i + 1) // len(names)),
            )
            for i, name in enumerate(names)
        ]
    )


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
