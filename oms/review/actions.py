"""Every write of review, approval and confirmation (C-1..C-7, D-1..D-3).

A round starts when an order enters review. Its tasks come from the policy the order is pinned
to: the board's departments at once (parallel) or one stage after another (sequential), plus a
chair for major orders. When the opinions are in, the round passes (→ approval chain) or fails
(→ sales renegotiates or cancels). The chain's last signature sends the order to the customer
for confirmation; a confirmed order may be modified only inside the policy's window.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import Department, DepartmentKind, Role, User
from oms.accounts.selectors import department_of_kind, executive_in_charge, head_of
from oms.audit import recorder
from oms.core.errors import ActionError, FieldErrors, NotAllowed, StaleVersion
from oms.core.tokens import Refusals, find, new_token, redeem
from oms.engine import workflow
from oms.notifications.actions import notify, notify_each
from oms.orders import actions as order_actions
from oms.orders import states
from oms.orders.models import ConfirmationMethod, OrderStatus, SalesOrder
from oms.orders.permissions import CustomerActor, can_renegotiate, is_customer_of
from oms.policy import selectors as policy_selectors
from oms.review import states as review_states
from oms.review.models import (
    ApprovalStep,
    ConfirmationLink,
    ModificationRecord,
    ReviewRound,
    ReviewTask,
    RoundStatus,
    StepStatus,
    TaskStatus,
    Verdict,
)
from oms.tracking import actions as tracking
from oms.tracking.models import WorkItem
from oms.tracking.selectors import open_items_of

# --- who ----------------------------------------------------------------------------------


def _department(kind: str) -> Department:
    dept = department_of_kind(kind)
    if dept is None:
        raise ActionError(_("公司没有“%(k)s”类型的部门，无法安排评审。") % {"k": DepartmentKind(kind).label})
    return dept


def _reviewer(dept: Department, *, raisers: Iterable[int | None] = (), what: str = "") -> User:
    """C-1: the department's designated reviewer, or its head; P-5: never one of `raisers` (who
    entered, sells or asked for the thing reviewed) when anyone else may stand in."""
    excluded = {r for r in raisers if r is not None}
    natural = [
        p
        for p in (dept.reviewer if dept.reviewer and dept.reviewer.is_active else None, head_of(dept))
        if p is not None
    ]
    if not natural:
        raise ActionError(_("%(d)s没有指定评审人，也没有部门负责人。") % {"d": dept})
    for person in natural:
        if person.pk not in excluded:
            return person
    return (
        tracking.decider_for(candidate=natural[-1], target=None, raisers=excluded, what=what or str(dept))
        or natural[-1]
    )


def _executive() -> User:
    person = executive_in_charge()
    if person is None:
        raise ActionError(_("没有分管领导，无法组织重大订单评审委员会。"))
    return person


# Change requests (I-2) pick their reviewers the same way.
department_for = _department
reviewer_of = _reviewer


def _url(order: SalesOrder) -> str:
    return f"/orders/{order.pk}/"


# --- review rounds (C) ----------------------------------------------------------------------


def major_reasons(order: SalesOrder) -> list[str]:
    """C-4: what makes the order major under its policy version."""
    rules = order.policy().major_order
    reasons = []
    if order.total_amount >= rules.amount_threshold:
        reasons.append(
            _("金额 %(a)s 达到重大订单阈值 %(t)s") % {"a": order.total_amount, "t": rules.amount_threshold}
        )
    if rules.new_product and order.lines.filter(product__is_new=True).exists():
        reasons.append(_("含新产品"))
    if rules.special_process and order.needs_customisation:
        reasons.append(_("有定制/特殊工艺要求"))
    return reasons


def _open_task(
    task: ReviewTask, actor: Any, *, hours: Decimal | None = None, days: int | None = None
) -> None:
    _open_tasks([task], actor, hours=hours, days=days)


def _open_tasks(
    tasks: list[ReviewTask], actor: Any, *, hours: Decimal | None = None, days: int | None = None
) -> None:
    """Open the tasks (those waiting) of one round and put each in its reviewer's work with its
    deadline, telling them (issue 21: the tasks locked and saved, their work items and messages
    written, each with one statement)."""
    if not tasks:
        return
    order = tasks[0].round.order
    waiting = [t for t in tasks if t.status == TaskStatus.WAITING]
    opened = {t.pk: t for t in workflow.apply_many(review_states.OPEN_TASK, waiting, actor=actor)}
    tasks = [opened.get(t.pk, t) for t in tasks]
    calendar = policy_selectors.work_calendar(order.policy_version.number)
    for task in tasks:
        task.round.order = order
    tracking.open_items(
        [
            tracking.new_item(
                target=task,
                order_id=order.pk,
                kind="review.task",
                title=_("评审订单 %(n)s（%(d)s）") % {"n": order.number, "d": task.department},
                department=task.department,
                assignee=task.assignee,
                calendar=calendar,
                hours=hours,
                days=days,
            )
            for task in tasks
        ]
    )
    notify_each(
        event="review",
        messages=[
            (task.assignee, _("请评审订单 %(n)s") % {"n": order.number}, f"/review/tasks/{task.pk}/")
            for task in tasks
        ],
    )


# Within another action no savepoint of its own (issue 21): a failure fails that action.
@transaction.atomic(savepoint=False)
@recorder.batched
def start_round(*, order: SalesOrder, actor: Any) -> ReviewRound:
    """C-1, C-3, C-4, C-7: the board from the policy, in its mode, with deadlines on the calendar."""
    policy = order.policy()
    review = policy.review
    departments = review.sequence if review.mode == "sequential" else review.board
    if not departments:
        raise ActionError(_("制度中的评审小组为空，无法开始评审。"))
    number = (order.review_rounds.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    reasons = major_reasons(order)
    rnd = ReviewRound.objects.create(
        order=order,
        number=number,
        mode=review.mode,
        major=bool(reasons),
        major_reasons=reasons,
        started_at=timezone.now(),
    )
    tasks = []
    for i, kind in enumerate(departments):
        dept = _department(kind)
        stage = i + 1 if review.mode == "sequential" else 1
        tasks.append(
            ReviewTask(
                round=rnd,
                stage=stage,
                department=dept,
                department_kind=kind,
                assignee=_reviewer(
                    dept,
                    raisers=order.raiser_ids(),
                    what=_("评审订单 %(n)s（%(d)s）") % {"n": order.number, "d": dept},
                ),
            )
        )
    tasks = ReviewTask.objects.bulk_create(tasks)  # issue 21: one insert for the board
    if reasons:
        chair = (
            tracking.decider_for(
                candidate=_executive(),
                target=order,
                what=_("重大订单 %(n)s 的评审委员会主持") % {"n": order.number},
                url=_url(order),
            )
            or _executive()
        )
        assert chair.department is not None
        ReviewTask.objects.create(
            round=rnd,
            stage=max(t.stage for t in tasks) + 1,
            department=chair.department,
            department_kind=chair.department.kind,
            is_chair=True,
            assignee=chair,
        )
    if review.mode == "sequential":
        _open_task(tasks[0], actor, hours=review.stage_time_limit_hours)
    else:
        _open_tasks(tasks, actor, days=review.board_time_limit_days)
    recorder.record(
        actor=actor,
        obj=order,
        action="review.start",
        after={"round": number, "mode": review.mode, "major": reasons, "departments": list(departments)},
    )
    return rnd


def _may_give_opinion(actor: Any, task: ReviewTask) -> bool:
    """C-3: the assignee, or the superior the overdue task was escalated to."""
    if task.assignee_id == actor.pk:
        return True
    return WorkItem.objects.filter(
        content_type__model="reviewtask", object_id=task.pk, escalated_to=actor
    ).exists()


@transaction.atomic
@recorder.batched
def give_opinion(
    *,
    actor: User,
    task: ReviewTask,
    verdict: str,
    comment: str = "",
    conditions: str = "",
    attachment: UploadedFile | None = None,
    version: int | None = None,
) -> ReviewTask:
    """C-5: the department's verdict, with reviewer and time; a reject needs a comment."""
    locked = ReviewTask.objects.select_for_update().select_related("round", "round__order").get(pk=task.pk)
    if not _may_give_opinion(actor, locked):
        raise NotAllowed(_("只有评审人（或超时后接手的上级）可以给出意见。"))
    if locked.status != TaskStatus.OPEN:
        raise ActionError(_("该评审任务已结束或尚未开始，不能再给意见。"))
    if version is not None and locked.version != version:
        raise StaleVersion(_("该评审任务已被他人处理，请刷新。"))
    errors: dict[str, str] = {}
    if verdict not in Verdict.values:
        errors["verdict"] = _("请选择评审意见。")
    if verdict == Verdict.REJECT and not comment.strip():
        errors["comment"] = _("不同意时必须写明理由。")
    if verdict == Verdict.APPROVE_WITH_CONDITIONS and not conditions.strip():
        errors["conditions"] = _("有条件同意时请写明条件。")
    if errors:
        raise FieldErrors(errors)
    changes: dict[str, Any] = {
        "verdict": verdict,
        "comment": comment.strip(),
        "conditions": conditions.strip(),
        "decided_by": actor,
        "decided_at": timezone.now(),
    }
    if attachment is not None:
        changes["attachment"] = attachment
    locked = workflow.apply(
        review_states.DECIDE_TASK, locked, actor=actor, reason=comment.strip(), changes=changes
    )
    tracking.close_items(target=locked, actor=actor, outcome=str(Verdict(verdict).label))
    recorder.record(
        actor=actor,
        obj=locked.round.order,
        action="review.opinion",
        after={
            "round": locked.round.number,
            "department": locked.department_kind,
            "chair": locked.is_chair,
            "verdict": verdict,
            "comment": locked.comment,
            "conditions": locked.conditions,
        },
    )
    _advance(locked.round, actor)
    return locked


def _advance(rnd: ReviewRound, actor: Any) -> None:
    """C-6: decide the round once its opinions are in; in sequential mode open the next stage."""
    tasks = list(rnd.tasks.order_by("stage", "pk"))
    board = [t for t in tasks if not t.is_chair]
    chair = next((t for t in tasks if t.is_chair), None)
    review = rnd.order.policy().review
    if chair is not None and chair.status == TaskStatus.DONE:
        return _close_round(rnd, actor, passed=chair.verdict != Verdict.REJECT, reason=chair.comment)
    rejects = [t for t in board if t.verdict == Verdict.REJECT]
    if rnd.mode == "sequential" and rejects and chair is None:
        return _close_round(rnd, actor, passed=False, reason=_reasons(rejects))
    waiting = [t for t in board if t.status == TaskStatus.WAITING]
    if rnd.mode == "sequential" and waiting and not (rejects and chair is None):
        if not any(t.status == TaskStatus.OPEN for t in board):
            _open_task(waiting[0], actor, hours=review.stage_time_limit_hours)
        return None
    if any(t.status in {TaskStatus.OPEN, TaskStatus.WAITING} for t in board):
        return None
    if chair is not None:
        if chair.status == TaskStatus.WAITING:
            _open_task(
                chair, actor, hours=review.stage_time_limit_hours
            )  # C-4: the chair decides on all opinions
        return None
    _close_round(rnd, actor, passed=not rejects, reason=_reasons(rejects))
    return None


def _reasons(rejects: list[ReviewTask]) -> str:
    return "；".join(f"{t.department}：{t.comment}" for t in rejects)


def _close_round(rnd: ReviewRound, actor: Any, *, passed: bool, reason: str) -> None:
    order = rnd.order
    rnd = workflow.apply(
        review_states.PASS_ROUND if passed else review_states.FAIL_ROUND,
        rnd,
        actor=actor,
        reason=reason,
        changes={"outcome_reason": reason, "closed_at": timezone.now()},
    )
    for task in rnd.tasks.filter(status__in=[TaskStatus.WAITING, TaskStatus.OPEN]):
        workflow.apply(review_states.SKIP_TASK, task, actor=actor, reason=_("评审已结束"))
        tracking.close_items(target=task, actor=actor, outcome=_("评审已结束"))
    if passed:
        order = workflow.apply(
            states.PASS_REVIEW, order, actor=actor, reason=_("第 %(n)s 轮评审通过") % {"n": rnd.number}
        )
        start_approval(order=order, actor=actor)
    else:
        order = workflow.apply(states.FAIL_REVIEW, order, actor=actor, reason=reason or _("评审未通过"))
        _open_renegotiation(order, reason)


def _open_renegotiation(order: SalesOrder, reason: str) -> None:
    """C-6: the reasons go to sales, who renegotiate and resubmit, or cancel."""
    tracking.open_item(
        target=order,
        kind="order.renegotiate",
        title=_("订单 %(n)s 未通过：%(r)s") % {"n": order.number, "r": reason},
        department=order.department,
        assignee=order.salesperson,
        calendar=policy_selectors.work_calendar(order.policy_version.number),
        hours=policy_selectors.time_limit_hours(
            order_class=order.order_class, version=order.policy_version.number
        ),
    )
    notify(
        event="review",
        recipients=[order.salesperson],
        title=_("订单 %(n)s 未通过：%(r)s") % {"n": order.number, "r": reason},
        url=_url(order),
    )


@transaction.atomic
@recorder.batched
def reassign_task(*, actor: User, task: ReviewTask, assignee: User) -> ReviewTask:
    """C-3: the superior of an overdue task hands it to someone else in the department."""
    locked = (
        ReviewTask.objects.select_for_update().select_related("round__order", "department").get(pk=task.pk)
    )
    allowed = _may_give_opinion(actor, locked) and locked.assignee_id != actor.pk
    allowed = (
        allowed
        or (actor.role == Role.HEAD and actor.department_id == locked.department_id)
        or actor.role == Role.EXECUTIVE
    )
    if not allowed:
        raise NotAllowed(_("只有评审人的上级可以改派。"))
    if locked.status != TaskStatus.OPEN:
        raise ActionError(_("该评审任务已结束，不能改派。"))
    if assignee.department_id != locked.department_id or not assignee.is_active:
        raise FieldErrors({"assignee": _("只能改派给本部门在职人员。")})
    if assignee.pk in locked.raiser_ids():
        raise FieldErrors({"assignee": _("不能改派给订单的录入人或销售员本人评审（P-5）。")})
    before = locked.assignee_id
    locked.assignee = assignee
    locked.version += 1
    locked.save(update_fields=["assignee", "version"])
    tracking.close_items(target=locked, actor=actor, outcome=_("已改派"))
    review = locked.round.order.policy().review
    if locked.round.mode == "sequential" or locked.is_chair:
        _open_task(locked, actor, hours=review.stage_time_limit_hours)
    else:
        _open_task(locked, actor, days=review.board_time_limit_days)
    recorder.record(
        actor=actor,
        obj=locked.round.order,
        action="review.reassign",
        before={"assignee": before},
        after={"assignee": assignee.pk, "department": locked.department_kind},
    )
    return locked


@transaction.atomic
@recorder.batched
def record_failure_cause(*, actor: User, rnd: ReviewRound, customer_caused: bool, lesson: str) -> ReviewRound:
    """C-6: failures caused by the customer are recorded as lessons."""
    if not can_renegotiate(actor, rnd.order):
        raise NotAllowed(_("只有销售可以记录失败原因。"))
    if rnd.status != RoundStatus.FAILED:
        raise ActionError(_("只有未通过的评审才能记录失败原因。"))
    before = {"customer_caused": rnd.customer_caused, "lesson": rnd.lesson}
    rnd.customer_caused, rnd.lesson = customer_caused, lesson.strip()
    rnd.version += 1
    rnd.save(update_fields=["customer_caused", "lesson", "version"])
    recorder.record(
        actor=actor,
        obj=rnd.order,
        action="review.failure_cause",
        before=before,
        after={"customer_caused": customer_caused, "lesson": rnd.lesson, "round": rnd.number},
    )
    return rnd


@transaction.atomic
@recorder.batched
def resubmit_for_review(*, actor: User, order: SalesOrder, reason: str = "") -> SalesOrder:
    """C-6: after renegotiation the order is reviewed again in a new round; the old one stays."""
    order = workflow.apply(states.RESUBMIT_REVIEW, order, actor=actor, reason=reason)
    tracking.close_items(target=order, actor=actor, outcome=_("已重新提交评审"), kinds=("order.renegotiate",))
    start_round(order=order, actor=actor)
    return order


@transaction.atomic
@recorder.batched
def cancel_after_review(*, actor: User, order: SalesOrder, reason: str) -> SalesOrder:
    """C-6: after a failed review the order may be cancelled instead of renegotiated; it ends, and
    every open step of it (the renegotiation, any review or approval step) is withdrawn (H-5)."""
    order = workflow.apply(states.CANCEL_AFTER_REVIEW, order, actor=actor, reason=reason)
    tracking.end_order_items(order=order, actor=actor, reason=reason)
    return order


# --- approval chain (D-1) -------------------------------------------------------------------


def _approver(role: str, order: SalesOrder) -> User:
    """D-1: the person the chain names for `role`; P-5: never whoever entered or sells the order,
    for whom the next person the organisation names signs (their superior, another executive)."""
    if role == "sales_head":
        person = head_of(order.department)
    elif role == "executive":
        person = _executive()
    elif role == "finance":
        person = head_of(_department(DepartmentKind.FINANCE))
    else:
        person = head_of(_department(DepartmentKind.MANAGEMENT))
    if person is None:
        raise ActionError(_("审批链中的“%(r)s”没有对应的人员。") % {"r": role})
    what = _("审批订单 %(n)s") % {"n": order.number}
    return tracking.decider_for(candidate=person, target=order, what=what, url=_url(order)) or person


def _open_step(step: ApprovalStep, actor: Any) -> None:
    order = step.order
    step = workflow.apply(review_states.OPEN_STEP, step, actor=actor)
    assert step.approver.department is not None
    tracking.open_item(
        target=step,
        kind="approval.step",
        title=_("审批订单 %(n)s") % {"n": order.number},
        department=step.approver.department,
        assignee=step.approver,
        calendar=policy_selectors.work_calendar(order.policy_version.number),
        hours=policy_selectors.time_limit_hours(
            order_class=order.order_class, version=order.policy_version.number
        ),
    )
    notify(
        event="review",
        recipients=[step.approver],
        title=_("请审批订单 %(n)s") % {"n": order.number},
        url=_url(order),
    )


# Within another action no savepoint of its own (issue 21): a failure fails that action.
@transaction.atomic(savepoint=False)
@recorder.batched
def start_approval(*, order: SalesOrder, actor: Any) -> list[ApprovalStep]:
    """D-1: the chain for the order's amount and class, signed in order."""
    roles = order.policy().approval_steps(amount=order.total_amount, order_class=order.order_class)
    attempt = (order.approval_steps.order_by("-attempt").values_list("attempt", flat=True).first() or 0) + 1
    steps = [
        ApprovalStep.objects.create(
            order=order, attempt=attempt, seq=i + 1, role=role, approver=_approver(role, order)
        )
        for i, role in enumerate(roles)
    ]
    recorder.record(
        actor=actor, obj=order, action="approval.start", after={"attempt": attempt, "steps": roles}
    )
    if steps:
        _open_step(steps[0], actor)
    else:
        _finish_approval(order, actor)
    return steps


def _may_sign(actor: Any, step: ApprovalStep) -> bool:
    if step.approver_id == actor.pk:
        return True
    return WorkItem.objects.filter(
        content_type__model="approvalstep", object_id=step.pk, escalated_to=actor
    ).exists()


@transaction.atomic
@recorder.batched
def decide_step(*, actor: User, step: ApprovalStep, approve: bool, comment: str = "") -> ApprovalStep:
    """D-1: approve, or reject with the reason back to sales."""
    locked = ApprovalStep.objects.select_for_update().select_related("order").get(pk=step.pk)
    if not _may_sign(actor, locked):
        raise NotAllowed(_("只有该步骤的审批人可以审批。"))
    if locked.status != StepStatus.OPEN:
        raise ActionError(_("该审批步骤已处理或尚未轮到。"))
    if not approve and not comment.strip():
        raise FieldErrors({"comment": _("驳回时必须写明理由。")})
    locked = workflow.apply(
        review_states.APPROVE_STEP if approve else review_states.REJECT_STEP,
        locked,
        actor=actor,
        reason=comment.strip(),
        changes={"comment": comment.strip(), "decided_by": actor, "decided_at": timezone.now()},
    )
    tracking.close_items(target=locked, actor=actor, outcome=str(StepStatus(locked.status).label))
    order = locked.order
    recorder.record(
        actor=actor,
        obj=order,
        action="approval.decide",
        after={
            "attempt": locked.attempt,
            "role": locked.role,
            "approved": approve,
            "comment": locked.comment,
        },
    )
    if not approve:
        for rest in order.approval_steps.filter(attempt=locked.attempt, status=StepStatus.WAITING):
            workflow.apply(review_states.SKIP_STEP, rest, actor=actor, reason=locked.comment)
        order = workflow.apply(states.REJECT_APPROVAL, order, actor=actor, reason=locked.comment)
        _open_renegotiation(order, locked.comment)
        return locked
    following = (
        order.approval_steps.filter(attempt=locked.attempt, status=StepStatus.WAITING).order_by("seq").first()
    )
    if following is not None:
        _open_step(following, actor)
    else:
        _finish_approval(order, actor)
    return locked


def _finish_approval(order: SalesOrder, actor: Any) -> None:
    """D-2: approved orders wait for the customer's confirmation, due within the policy's days."""
    order = workflow.apply(states.APPROVE, order, actor=actor)
    tracking.open_item(
        target=order,
        kind="order.confirmation",
        title=_("请客户确认订单 %(n)s") % {"n": order.number},
        department=order.department,
        assignee=order.salesperson,
        calendar=policy_selectors.work_calendar(order.policy_version.number),
        days=order.policy().confirmation.confirm_within_days,
    )
    notify(
        event="review",
        recipients=[order.salesperson],
        title=_("订单 %(n)s 已审批，请与客户确认") % {"n": order.number},
        url=_url(order),
    )


# --- confirmation (D-2, D-3) ----------------------------------------------------------------


def _confirm(
    order: SalesOrder, actor: Any, *, name: str, method: str, evidence: UploadedFile | None
) -> SalesOrder:
    changes: dict[str, Any] = {
        "confirmed_at": timezone.now(),
        "confirmed_by_name": name[:100],
        "confirmation_method": method,
        # D-2: who acted (the salesperson recording, or the customer's portal login; none by link).
        "confirmed_by_id": actor.pk if getattr(actor, "is_authenticated", False) else None,
    }
    if evidence is not None:
        changes["confirmation_evidence"] = evidence
    order = workflow.apply(states.CONFIRM, order, actor=actor, changes=changes)
    tracking.close_items(
        target=order,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        outcome=_("客户已确认"),
        kinds=("order.confirmation",),
    )
    notify(
        event="review",
        recipients=[order.salesperson],
        title=_("客户已确认订单 %(n)s") % {"n": order.number},
        url=_url(order),
    )
    return order


@transaction.atomic
@recorder.batched
def record_confirmation(
    *, actor: User, order: SalesOrder, confirmed_by_name: str, evidence: UploadedFile | None = None
) -> SalesOrder:
    """D-2: sales records who confirmed for the customer, with the evidence attached."""
    if not confirmed_by_name.strip():
        raise FieldErrors({"confirmed_by_name": _("请填写客户确认人。")})
    return _confirm(
        order, actor, name=confirmed_by_name.strip(), method=ConfirmationMethod.SALES, evidence=evidence
    )


@transaction.atomic
@recorder.batched
def issue_confirmation_link(*, actor: User, order: SalesOrder) -> str:
    """D-2: a one-time link for the customer; returns the token (only its hash is stored)."""
    if order.status != OrderStatus.AWAITING_CONFIRMATION:
        raise ActionError(_("订单不在待客户确认状态。"))
    if not can_renegotiate(actor, order):
        raise NotAllowed(_("只有销售可以发送确认链接。"))
    token, hashed = new_token()
    hours = order.policy().confirmation.link_valid_hours
    link = ConfirmationLink.objects.create(
        order=order,
        token_hash=hashed,
        expires_at=timezone.now() + timedelta(hours=hours),
        created_by=actor,
    )
    recorder.record(actor=actor, obj=order, action="confirmation.link", after={"expires_at": link.expires_at})
    return token


def link_for(token: str) -> ConfirmationLink | None:
    return find(ConfirmationLink.objects.select_related("order", "order__customer"), token)


@transaction.atomic
@recorder.batched
def confirm_by_link(*, token: str, name: str) -> SalesOrder:
    """D-2: the customer confirms through the link; an expired, used or forged token is refused."""
    refusals = Refusals(
        invalid=_("确认链接无效。"),
        used=_("该确认链接已使用过。"),
        expired=_("确认链接已过期，请联系销售重新发送。"),
    )
    link = redeem(ConfirmationLink.objects.all(), token, refusals)
    if not name.strip():
        raise FieldErrors({"name": _("请填写确认人姓名。")})
    order = _confirm(
        link.order,
        CustomerActor(name.strip()),
        name=name.strip(),
        method=ConfirmationMethod.LINK,
        evidence=None,
    )
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return order


@transaction.atomic
@recorder.batched
def confirm_in_portal(*, actor: User, order: SalesOrder) -> SalesOrder:
    """D-2, B-8: the customer's contact confirms their order in the portal; their own login is
    the evidence, and the confirmation names them."""
    if not is_customer_of(actor, order):
        raise NotAllowed(_("只能确认本公司的订单。"))
    name = actor.get_full_name() or actor.get_username()
    return _confirm(order, actor, name=name, method=ConfirmationMethod.PORTAL, evidence=None)


def modification_deadline(order: SalesOrder) -> Any:
    hours = order.policy().confirmation.modification_window_hours
    return order.confirmed_at + timedelta(seconds=int(hours * 3600)) if order.confirmed_at else None


@transaction.atomic
@recorder.batched
def apply_customer_modification(
    *,
    actor: User,
    order: SalesOrder,
    description: str,
    data: dict[str, Any],
    lines: list[dict[str, Any]] | None,
    version: int,
) -> SalesOrder:
    """D-3: inside the window after confirmation, sales applies the customer's change and the
    departments are told; after it only a formal change request changes the order."""
    locked = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if locked.status != OrderStatus.CONFIRMED:
        raise ActionError(_("只有已确认的订单才能按客户要求修改。"))
    if not can_renegotiate(actor, locked):
        raise NotAllowed(_("只有销售可以录入客户的修改。"))
    deadline = modification_deadline(locked)
    if deadline is None or timezone.now() > deadline:
        when = f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}" if deadline else "—"
        raise ActionError(_("已超过确认后的修改期限（%(d)s），请提交订单变更申请。") % {"d": when})
    if not description.strip():
        raise FieldErrors({"description": _("请说明客户要求修改的内容。")})
    updated = order_actions.update_order(
        actor=actor,
        order=locked,
        data=data,
        lines=lines,
        version=version,
        allow_confirmed=True,
        reason=description.strip(),
    )
    ModificationRecord.objects.create(
        order=updated, description=description.strip(), requested_at=timezone.now(), applied_by=actor
    )
    recorder.record(
        actor=actor, obj=updated, action="confirmation.modify", after={"description": description.strip()}
    )
    reviewers = User.objects.filter(review_tasks__round__order=updated).distinct()
    notify(
        event="review",
        recipients=list(reviewers),
        title=_("订单 %(n)s 按客户要求已修改：%(d)s") % {"n": updated.number, "d": description.strip()},
        url=_url(updated),
    )
    return updated


def open_items(obj: Any) -> list[WorkItem]:
    return list(open_items_of(obj))
