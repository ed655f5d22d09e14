"""The approval chain: signed step by step, in the order the policy names (D-1, D-2)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import DepartmentKind, User
from oms.accounts.selectors import head_of
from oms.audit import recorder
from oms.core import prepared, stamps
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.core.phrases import phrase
from oms.engine import workflow
from oms.orders import states
from oms.orders.models import SalesOrder
from oms.review import states as review_states
from oms.review.actions.people import department_for, executive, order_url
from oms.review.actions.renegotiation import open_renegotiation
from oms.review.models import ApprovalStep, StepStatus
from oms.tracking import actions as tracking
from oms.tracking.models import WorkItem


def _approver(role: str, order: SalesOrder) -> User:
    """D-1: the person the chain names for `role`; P-5: never whoever entered or sells the order,
    for whom the next person the organisation names signs (their superior, another executive)."""
    if role == "sales_head":
        person = head_of(order.department)
    elif role == "executive":
        person = executive()
    elif role == "finance":
        person = head_of(department_for(DepartmentKind.FINANCE))
    else:
        person = head_of(department_for(DepartmentKind.MANAGEMENT))
    if person is None:
        raise ActionError(_("审批链中的“%(r)s”没有对应的人员。") % {"r": role})
    what = phrase("审批订单 %(n)s", n=order.number)
    return tracking.decider_for(candidate=person, target=order, what=what, url=order_url(order)) or person


def _open_step(step: ApprovalStep, actor: Any, done: tracking.Closing | None = None) -> None:
    """The next signature waits on its approver, who is told; `done`: the step just signed,
    closed with it (issue 21)."""
    order = step.order
    step = workflow.apply(review_states.OPEN_STEP, step, actor=actor)
    assert step.approver.department is not None
    tracking.hand_off(
        target=step,
        order=order,
        kind="approval.step",
        title=phrase("审批订单 %(n)s", n=order.number),
        message=phrase("请审批订单 %(n)s", n=order.number),
        department=step.approver.department,
        assignee=step.approver,
        url=order_url(order),
        event="review",
        closing=done,
    )


# Within another action no savepoint of its own (issue 21): a failure fails that action.
@transaction.atomic(savepoint=False)
@recorder.batched
def start_approval(*, order: SalesOrder, actor: Any) -> list[ApprovalStep]:
    """D-1: the chain for the order's amount and class, signed in order."""
    roles = order.policy().approval_steps(amount=order.total_amount, order_class=order.order_class)
    attempt = (order.approval_steps.order_by("-attempt").values_list("attempt", flat=True).first() or 0) + 1
    # Rows this transaction inserted are the action's own: opening one does not lock and read it
    # again (issue 21, `workflow.hold`).
    steps = [
        workflow.hold(
            ApprovalStep.objects.create(
                order=order, attempt=attempt, seq=i + 1, role=role, approver=_approver(role, order)
            )
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


def may_sign(actor: Any, step: ApprovalStep) -> bool:
    """D-1: the step's approver, or the superior the overdue step was escalated to."""
    if step.approver_id == actor.pk:
        return True
    return WorkItem.objects.filter(
        content_type__model="approvalstep", object_id=step.pk, escalated_to=actor
    ).exists()


def _lock_attempt(step: ApprovalStep) -> tuple[list[ApprovalStep], ApprovalStep]:
    """Every step of `step`'s attempt and its order, locked with one statement and held (issue 21),
    the transaction's change stamps with them; and `step` among them."""
    columns = stamps.riding()
    # The same statement for every attempt: compiled once (`core.prepared`, issue 21).
    attempt = prepared.rows(
        ("review.lock_attempt", stamps.shape(columns)),
        ApprovalStep,
        lambda order_id, number: stamps.with_tokens(
            ApprovalStep.objects.select_for_update(of=("self", "order"))
            .select_related("order__department", "order__salesperson", "approver__department")
            .filter(order_id=order_id, attempt=number)
            .order_by("pk"),
            columns,
        ),
        step.order_id,
        step.attempt,
    )
    if attempt:
        stamps.take_tokens(attempt[0])
    locked = next((s for s in attempt if s.pk == step.pk), None)
    if locked is None:
        raise ApprovalStep.DoesNotExist(f"ApprovalStep {step.pk}")
    workflow.hold(locked.order)
    for other in attempt:
        other.order = locked.order
        workflow.hold(other)
    return attempt, locked


@transaction.atomic
@recorder.batched
def decide_step(*, actor: User, step: ApprovalStep, approve: bool, comment: str = "") -> ApprovalStep:
    """D-1: approve, or reject with the reason back to sales.

    Every step of the attempt and the order are locked with one statement and held by the action
    (issue 21): the engine, the next step, the steps a rejection skips and the order's own
    transition use these rows, not new reads. The steps before the order, as the engine locked
    them when it read them one by one."""
    attempt, locked = _lock_attempt(step)
    if not may_sign(actor, locked):
        raise NotAllowed(_("只有该步骤的审批人可以审批。"))
    transition = review_states.APPROVE_STEP if approve else review_states.REJECT_STEP
    workflow.check_actor(transition, locked, actor)  # P-5 before the comment is read
    if locked.status != StepStatus.OPEN:
        raise ActionError(_("该审批步骤已处理或尚未轮到。"))
    if not approve and not comment.strip():
        raise FieldErrors({"comment": _("驳回时必须写明理由。")})
    locked = workflow.apply(
        transition,
        locked,
        actor=actor,
        reason=comment.strip(),
        changes={"comment": comment.strip(), "decided_by": actor, "decided_at": timezone.now()},
    )
    done = tracking.Closing(target=locked, actor=actor, outcome=str(StepStatus(locked.status).label))
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
    waiting = sorted((s for s in attempt if s.status == StepStatus.WAITING), key=lambda s: s.seq)
    if not approve:
        done.close()
        for rest in waiting:
            workflow.apply(review_states.SKIP_STEP, rest, actor=actor, reason=locked.comment)
        order = workflow.apply(states.REJECT_APPROVAL, order, actor=actor, reason=locked.comment)
        open_renegotiation(order, locked.comment)
        return locked
    if waiting:
        _open_step(waiting[0], actor, done)
    else:
        _finish_approval(order, actor, done)
    return locked


def _finish_approval(order: SalesOrder, actor: Any, done: tracking.Closing | None = None) -> None:
    """D-2: approved orders wait for the customer's confirmation, due within the policy's days."""
    order = workflow.apply(states.APPROVE, order, actor=actor)
    tracking.hand_off(
        target=order,
        order=order,
        kind="order.confirmation",
        title=phrase("请客户确认订单 %(n)s", n=order.number),
        message=phrase("订单 %(n)s 已审批，请与客户确认", n=order.number),
        department=order.department,
        assignee=order.salesperson,
        days=order.policy().confirmation.confirm_within_days,
        url=order_url(order),
        event="review",
        closing=done,
    )
