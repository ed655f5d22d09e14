# No "from __future__ import annotations": django-ninja reads the schemas at runtime.
"""Review tasks and opinions (C-5), approval steps (D-1) and confirmation (D-2) over the API."""

import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from oms.accounts.models import User
from oms.core.forms import cleaned
from oms.orders import states as order_states
from oms.orders.selectors import orders_for
from oms.review import actions, selectors
from oms.review.forms import ApprovalDecisionForm, ConfirmationForm, OpinionForm
from oms.review.models import ApprovalStep, ReviewTask
from oms.web.api_gate import asks_first, may_take, refuse_unless

router = Router(tags=["评审与审批"])


class ReviewTaskOut(Schema):
    id: int
    order_id: int
    order_number: str
    round: int
    department: str
    is_chair: bool
    assignee_id: int
    status: str
    verdict: str
    comment: str
    conditions: str
    decided_at: datetime.datetime | None
    version: int


class ReviewOpinionIn(Schema):
    verdict: str
    comment: str = ""
    conditions: str = ""
    version: int | None = None


class ApprovalStepOut(Schema):
    id: int
    attempt: int
    seq: int
    role: str
    approver_id: int
    status: str
    comment: str
    decided_at: datetime.datetime | None


class ReviewRoundOut(Schema):
    number: int
    mode: str
    major: bool
    status: str
    outcome_reason: str
    tasks: list[ReviewTaskOut]


class ReviewOut(Schema):
    order_id: int
    status: str
    rounds: list[ReviewRoundOut]
    approval_steps: list[ApprovalStepOut]


class ApprovalDecisionIn(Schema):
    approve: bool
    comment: str = ""


class ConfirmationIn(Schema):
    confirmed_by_name: str


class ConfirmationLinkOut(Schema):
    url: str
    expires_at: datetime.datetime


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _task(t: ReviewTask) -> dict[str, Any]:
    return {
        "id": t.pk,
        "order_id": t.round.order_id,
        "order_number": t.round.order.number,
        "round": t.round.number,
        "department": t.department_kind,
        "is_chair": t.is_chair,
        "assignee_id": t.assignee_id,
        "status": t.status,
        "verdict": t.verdict,
        "comment": t.comment,
        "conditions": t.conditions,
        "decided_at": t.decided_at,
        "version": t.version,
    }


def _step(s: ApprovalStep) -> dict[str, Any]:
    return {
        "id": s.pk,
        "attempt": s.attempt,
        "seq": s.seq,
        "role": s.role,
        "approver_id": s.approver_id,
        "status": s.status,
        "comment": s.comment,
        "decided_at": s.decided_at,
    }


@router.get("/review-tasks/", response=list[ReviewTaskOut], operation_id="list_review_tasks")
def list_tasks(request: HttpRequest, status: str = "open") -> list[dict[str, Any]]:
    qs = selectors.review_tasks_for(request.user)
    if status:
        qs = qs.filter(status=status)
    return [_task(t) for t in qs[:500]]


@router.get("/review-tasks/{task_id}", response=ReviewTaskOut, operation_id="get_review_task")
def get_task(request: HttpRequest, task_id: int) -> dict[str, Any]:
    task = selectors.review_tasks_for(request.user).filter(pk=task_id).first()
    if task is None:
        raise Http404
    return _task(task)


def _review_task(request: HttpRequest, task_id: int) -> ReviewTask:
    task = selectors.review_tasks_for(request.user).filter(pk=task_id).first()
    if task is None:
        raise Http404
    return task


def _gives_opinion(request: HttpRequest, ids: Any) -> None:
    """P-5, S-1: the task's reviewer (or the head who took it over), asked before the body."""
    actions.check_opinion_giver(_user(request), _review_task(request, ids["task_id"]))


@router.post("/review-tasks/{task_id}/opinion", response=ReviewTaskOut, operation_id="give_opinion")
@asks_first(_gives_opinion)
def give_opinion(request: HttpRequest, task_id: int, payload: ReviewOpinionIn) -> dict[str, Any]:
    task = _review_task(request, task_id)
    task = actions.give_opinion(actor=_user(request), task=task, **cleaned(OpinionForm(payload.dict())))
    return _task(ReviewTask.objects.select_related("round__order").get(pk=task.pk))


def _order(request: HttpRequest, order_id: int) -> Any:
    order = orders_for(request.user).filter(pk=order_id).first()
    if order is None:
        raise Http404
    return order


@router.get("/orders/{order_id}/review", response=ReviewOut, operation_id="get_order_review")
def order_review(request: HttpRequest, order_id: int) -> dict[str, Any]:
    order = _order(request, order_id)
    rounds = selectors.rounds_of(order)
    for r in rounds:
        r.order = order  # the tasks' serialiser reads the order number without a query per task
    return {
        "order_id": order.pk,
        "status": order.status,
        "approval_steps": [_step(s) for s in selectors.approval_steps_of(order)],
        "rounds": [
            {
                "number": r.number,
                "mode": r.mode,
                "major": r.major,
                "status": r.status,
                "outcome_reason": r.outcome_reason,
                "tasks": [_task(t) for t in r.tasks.all()],
            }
            for r in rounds
        ],
    }


def _visible_step(request: HttpRequest, step_id: int) -> ApprovalStep:
    step = ApprovalStep.objects.filter(pk=step_id).first()
    if step is None or (
        step.approver_id != request.user.pk and not orders_for(request.user).filter(pk=step.order_id).exists()
    ):
        raise Http404
    return step


def _signs(request: HttpRequest, ids: Any) -> None:
    step = _visible_step(request, ids["step_id"])
    refuse_unless(actions.may_sign(request.user, step), _("只有该步骤的审批人可以审批。"))


def _confirms(request: HttpRequest, ids: Any) -> None:
    may_take([order_states.CONFIRM], _order(request, ids["order_id"]), request.user)


@router.post(
    "/approval-steps/{step_id}/decision", response=ApprovalStepOut, operation_id="decide_approval_step"
)
@asks_first(_signs)
def decide(request: HttpRequest, step_id: int, payload: ApprovalDecisionIn) -> dict[str, Any]:
    step = _visible_step(request, step_id)
    return _step(
        actions.decide_step(actor=_user(request), step=step, **cleaned(ApprovalDecisionForm(payload.dict())))
    )


@router.post("/orders/{order_id}/confirmation", response=ReviewOut, operation_id="record_confirmation")
@asks_first(_confirms)
def record_confirmation(request: HttpRequest, order_id: int, payload: ConfirmationIn) -> dict[str, Any]:
    order = _order(request, order_id)
    actions.record_confirmation(
        actor=_user(request), order=order, **cleaned(ConfirmationForm(payload.dict()))
    )
    return order_review(request, order_id)


@router.post(
    "/orders/{order_id}/confirmation-link",
    response={201: ConfirmationLinkOut},
    operation_id="issue_confirmation_link",
)
def confirmation_link(request: HttpRequest, order_id: int) -> Any:
    order = _order(request, order_id)
    token = actions.issue_confirmation_link(actor=_user(request), order=order)
    link = actions.link_for(token)
    assert link is not None
    return Status(
        201,
        {
            "url": request.build_absolute_uri(reverse("review:confirm", args=[token])),
            "expires_at": link.expires_at,
        },
    )
