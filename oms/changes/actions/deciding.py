"""Review and approval of a change request (I-2, I-3).

The departments the policy's rules name for what changes review it like an order review (with
the same deadlines and escalation), then the leader the policy names approves it. A refusal ends
the request; the leader's approval makes the change (or the cancellation) take effect.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import DepartmentKind, User
from oms.audit import recorder
from oms.changes import states
from oms.changes.actions.applying import apply_change
from oms.changes.actions.cancelling import cancel
from oms.changes.actions.notices import tell
from oms.changes.actions.proposal import decimal
from oms.changes.models import ChangeRequest, ChangeTask, RequestKind, RequestStatus
from oms.core.errors import ActionError, FieldErrors, NotAllowed, StaleVersion
from oms.core.phrases import phrase
from oms.engine import workflow
from oms.orders.models import SalesOrder
from oms.policy import selectors as policy_selectors
from oms.review import states as review_states
from oms.review.models import TaskStatus, Verdict
from oms.tracking import actions as tracking
from oms.tracking.models import WorkItem


def may_decide(actor: Any, task: ChangeTask) -> bool:
    """The reviewer, or the superior an overdue task was escalated to (C-3)."""
    if task.assignee_id == getattr(actor, "pk", None):
        return True
    return WorkItem.objects.filter(
        content_type__model="changetask", object_id=task.pk, escalated_to_id=getattr(actor, "pk", None)
    ).exists()


def open_task(task: ChangeTask, actor: Any) -> None:
    """Open the task and put it in the reviewer's work with the order review's deadline (C-3)."""
    request = task.request
    order = request.order
    review = order.policy().review
    task = workflow.apply(review_states.OPEN_TASK, task, actor=actor)
    sequential = review.mode == "sequential" or task.is_leader
    kind_label = _("变更") if request.kind == RequestKind.CHANGE else _("取消")
    title = phrase(
        "审批订单 %(n)s 的%(k)s申请 %(r)s" if task.is_leader else "评审订单 %(n)s 的%(k)s申请 %(r)s（%(d)s）",
        n=order.number,
        k=kind_label,
        r=request.number,
        d=task.department,
    )
    tracking.open_item(
        target=task,
        order_id=order.pk,
        kind="change.task",
        title=title,
        department=task.department,
        assignee=task.assignee,
        calendar=policy_selectors.work_calendar(order.policy_version.number),
        hours=review.stage_time_limit_hours if sequential else None,
        days=None if sequential else review.board_time_limit_days,
    )
    tell([task.assignee], title, request)


def check_opinion_giver(actor: User, task: ChangeTask) -> None:
    """I-2, P-5: the task's reviewer (or the superior who took it over) and never who raised the
    request; asked before the opinion's input is read, by the action and by the API before it
    parses the payload (issue 23)."""
    if not may_decide(actor, task):
        raise NotAllowed(_("只有评审人（或超时后接手的上级）可以给出意见。"))
    workflow.check_actor(review_states.DECIDE_TASK, task, actor)


def _locked_open_task(actor: User, task: ChangeTask, version: int | None) -> ChangeTask:
    locked = (
        ChangeTask.objects.select_for_update().select_related("request", "request__order").get(pk=task.pk)
    )
    check_opinion_giver(actor, locked)
    if locked.status != TaskStatus.OPEN:
        raise ActionError(_("该评审任务已结束或尚未开始，不能再给意见。"))
    if version is not None and locked.version != version:
        raise StaleVersion(_("该评审任务已被他人处理，请刷新。"))
    return locked


def _opinion_errors(
    task: ChangeTask, verdict: str, comment: str, conditions: str, assessed_loss: Decimal | None
) -> tuple[dict[str, str], Decimal | None]:
    """The opinion's problems, and the assessed loss of a cancellation when finance sets one."""
    errors: dict[str, str] = {}
    if verdict not in Verdict.values:
        errors["verdict"] = _("请选择评审意见。")
    if verdict == Verdict.REJECT and not comment.strip():
        errors["comment"] = _("不同意时必须写明理由。")
    if verdict == Verdict.APPROVE_WITH_CONDITIONS and not conditions.strip():
        errors["conditions"] = _("有条件同意时请写明条件。")
    loss: Decimal | None = None
    if assessed_loss not in (None, ""):
        loss = decimal(assessed_loss, "assessed_loss", "loss_amount", ChangeRequest)
        if task.request.kind != RequestKind.CANCELLATION or task.department_kind != DepartmentKind.FINANCE:
            errors["assessed_loss"] = _("只有财务部门评审取消申请时可以核定损失。")
        elif loss is None or loss < 0:
            errors["assessed_loss"] = _("核定损失金额不能为负数。")
    return errors, loss


@transaction.atomic
def give_opinion(
    *,
    actor: User,
    task: ChangeTask,
    verdict: Verdict | str,
    comment: str = "",
    conditions: str = "",
    assessed_loss: Decimal | None = None,
    version: int | None = None,
) -> ChangeTask:
    """I-2: an affected department's opinion (or the leader's decision), with who and when; a
    refusal needs its reason. Finance may set the assessed loss of a cancellation (J-1)."""
    locked = _locked_open_task(actor, task, version)
    errors, loss = _opinion_errors(locked, verdict, comment, conditions, assessed_loss)
    if errors:
        raise FieldErrors(errors)
    request = locked.request
    locked = workflow.apply(
        review_states.DECIDE_TASK,
        locked,
        actor=actor,
        reason=comment.strip(),
        changes={
            "verdict": verdict,
            "comment": comment.strip(),
            "conditions": conditions.strip(),
            "decided_by": actor,
            "decided_at": timezone.now(),
        },
    )
    tracking.close_items(target=locked, actor=actor, outcome=str(Verdict(verdict).label))
    if loss is not None:
        _assess_loss(request, actor, loss)
    recorder.record(
        actor=actor,
        obj=request.order,
        action="change.opinion",
        after={
            "request": request.number,
            "department": locked.department_kind,
            "leader": locked.is_leader,
            "verdict": verdict,
            "comment": locked.comment,
            "conditions": locked.conditions,
        },
    )
    advance(ChangeRequest.objects.select_related("order").get(pk=request.pk), actor)
    return locked


def _assess_loss(request: ChangeRequest, actor: User, loss: Decimal) -> None:
    """J-1: finance's assessed loss replaces the estimate the request was raised with."""
    before = request.loss_amount
    request.loss_amount, request.version = loss, request.version + 1
    request.save(update_fields=["loss_amount", "version"])
    recorder.record(
        actor=actor,
        obj=request.order,
        action="change.loss_assessed",
        before={"loss_amount": before},
        after={"request": request.number, "loss_amount": loss},
    )


def advance(request: ChangeRequest, actor: Any) -> None:
    """I-2: a refusal ends the request; when a stage is done the next opens; the leader's approval
    makes the change take effect."""
    tasks = list(request.tasks.select_related("department", "assignee").order_by("stage", "pk"))
    for t in tasks:
        t.request = request
    refused = [t for t in tasks if t.verdict == Verdict.REJECT]
    if refused:
        _refuse(request, actor, "；".join(f"{t.department}：{t.comment}" for t in refused))
        return
    if any(t.status == TaskStatus.OPEN for t in tasks):
        return
    waiting = [t for t in tasks if t.status == TaskStatus.WAITING]
    if not waiting:
        _approve(request, actor)
        return
    stage = waiting[0].stage
    if waiting[0].is_leader and request.status == RequestStatus.IN_REVIEW:
        request = workflow.apply(states.TO_LEADER, request, actor=actor)
    for t in waiting:
        if t.stage == stage:
            t.request = request
            open_task(t, actor)


def end_tasks(request: ChangeRequest, actor: Any, outcome: str) -> None:
    """The request's tasks still waiting or open are no longer needed."""
    for t in request.tasks.filter(status__in=[TaskStatus.WAITING, TaskStatus.OPEN]):
        workflow.apply(review_states.SKIP_TASK, t, actor=actor, reason=outcome)
        tracking.close_items(target=t, actor=actor, outcome=outcome)


def _refuse(request: ChangeRequest, actor: Any, reason: str) -> None:
    """I-3: a refused request is explained to the customer by sales; the order is untouched."""
    end_tasks(request, actor, _("申请未通过"))
    request = workflow.apply(
        states.REJECT,
        request,
        actor=actor,
        reason=reason,
        changes={"decided_at": timezone.now(), "decision_reason": reason},
    )
    order = request.order
    recorder.record(
        actor=actor, obj=order, action="change.refused", after={"request": request.number}, reason=reason
    )
    tracking.open_item(
        target=request,
        kind="change.explain",
        title=phrase("向客户说明：订单 %(n)s 的申请 %(r)s 未通过", n=order.number, r=request.number),
        department=order.department,
        assignee=order.salesperson,
        calendar=policy_selectors.work_calendar(order.policy_version.number),
        days=1,
    )
    tell(
        {request.raised_by, order.salesperson},
        phrase("申请 %(r)s 未通过：%(why)s", r=request.number, why=reason),
        request,
    )


def _approve(request: ChangeRequest, actor: Any) -> None:
    order = SalesOrder.objects.select_for_update().get(pk=request.order_id)
    if request.kind == RequestKind.CANCELLATION:
        cancel(request, order, actor)
    else:
        apply_change(request, order, actor)
