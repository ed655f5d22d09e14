"""What an approved change or a cancellation does to release and execution (I-3, J-1)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import DepartmentKind, User
from oms.accounts.selectors import department_of_kind, head_of
from oms.audit import recorder
from oms.core.phrases import phrase
from oms.engine import workflow
from oms.fulfilment import states
from oms.fulfilment.actions.release import TASK_DEPARTMENT, task_due
from oms.fulfilment.actions.warehouse import release_reservations
from oms.fulfilment.models import (
    DeptTaskStatus,
    POStatus,
    SupplierDecision,
    TaskKind,
)
from oms.orders.models import SalesOrder
from oms.policy import selectors as policy_selectors
from oms.tracking import actions as tracking


@transaction.atomic
@recorder.batched
def adjust_for_change(
    *, actor: Any, order: SalesOrder, departments: list[str], reason: str, delivery_shift_days: int
) -> list[User]:
    """I-3: after an approved change each affected department's plan is back in its hands (a done
    plan is reopened, an open one gets its due date again), allocation and logistics follow a new
    delivery date, and unfinished milestones move with it. Returns the owners to tell."""
    now = timezone.now()
    calendar = policy_selectors.work_calendar(order.policy_version.number)
    owners: list[User] = []
    moved_by_date = {TaskKind.WAREHOUSE_ALLOCATION, TaskKind.LOGISTICS_PLAN} if delivery_shift_days else set()
    for task in order.department_tasks.select_related("department", "assignee"):
        affected = TASK_DEPARTMENT[TaskKind(task.kind)] in departments
        if task.status == DeptTaskStatus.CANCELLED or not (affected or task.kind in moved_by_date):
            continue
        due = task_due(order, task.kind, calendar, now)
        if task.status == DeptTaskStatus.DONE:
            task = workflow.apply(
                states.REOPEN_TASK, task, actor=actor, reason=reason, changes={"due_at": due}
            )
        else:
            task.due_at, task.version = due, task.version + 1
            task.save(update_fields=["due_at", "version"])
            tracking.close_items(target=task, actor=actor, outcome=reason)
        tracking.open_item(
            target=task,
            kind="release.task",
            title=phrase("%(k)s：订单 %(n)s（%(r)s）", k=task.get_kind_display(), n=order.number, r=reason),
            department=task.department,
            assignee=task.assignee,
            calendar=calendar,
            start=now,
            due=due,
        )
        owners.append(task.assignee)
    if delivery_shift_days:
        for m in order.milestones.filter(progress__lt=100):
            m.planned_date += timedelta(days=delivery_shift_days)
            m.save(update_fields=["planned_date", "updated_at"])
    return owners


@transaction.atomic
@recorder.batched
def stop_work(*, actor: Any, order: SalesOrder, reason: str) -> list[User]:
    """J-1: a cancelled order's open tasks stop, its held stock is released, and every open
    purchase order waits for procurement's decision with the supplier. Returns the owners to tell."""
    owners: list[User] = []
    for task in order.department_tasks.filter(status=DeptTaskStatus.OPEN).select_related("assignee"):
        workflow.apply(states.STOP_TASK, task, actor=actor, reason=reason)
        tracking.close_items(target=task, actor=actor, outcome=_("订单已取消"))
        owners.append(task.assignee)
    for line_id in order.reservations.values_list("order_line_id", flat=True).distinct():
        release_reservations(actor=actor, order=order, line_id=line_id, keep=Decimal("0"), reason=reason)
    procurement = department_of_kind(DepartmentKind.PROCUREMENT)
    buyer = head_of(procurement) if procurement else None
    calendar = policy_selectors.work_calendar(order.policy_version.number)
    for po in order.purchase_orders.filter(status=POStatus.OPEN):
        po.supplier_decision = SupplierDecision.PENDING
        po.save(update_fields=["supplier_decision"])
        if procurement is not None:
            tracking.open_item(
                target=po,
                kind="purchase.decision",
                title=phrase(
                    "订单 %(n)s 已取消：请与供应商协商采购单 %(p)s（取消、退货或留作库存）",
                    n=order.number,
                    p=po,
                ),
                department=procurement,
                assignee=buyer,
                calendar=calendar,
                days=order.policy().reporting.exception_resolve_days,
            )
    if (
        buyer is not None
        and order.purchase_orders.filter(supplier_decision=SupplierDecision.PENDING).exists()
    ):
        owners.append(buyer)
    return owners
