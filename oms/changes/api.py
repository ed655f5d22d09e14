# No "from __future__ import annotations": django-ninja reads the schemas at runtime.
"""Change and cancellation requests over the API (I-1, I-2, J-1); creates take an Idempotency-Key."""

import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from oms.accounts.models import User
from oms.changes import actions, selectors, states
from oms.changes.forms import OpinionForm, WithdrawForm, change_values, cleaned
from oms.changes.models import ChangeRequest, ChangeTask, RequestKind
from oms.core.money import bounded_decimal
from oms.orders.models import OrderLine
from oms.orders.selectors import orders_for
from oms.web.api import run_idempotent
from oms.web.api_gate import asks_first, may_take, refuse_unless
from oms.web.pages import visible_or_404

router = Router(tags=["变更与取消"])


# P-1: the same parser as the pages, at the columns' digits; refusals name the field.
Quantity = bounded_decimal(OrderLine, "quantity")
UnitPrice = bounded_decimal(OrderLine, "unit_price")
Loss = bounded_decimal(ChangeRequest, "loss_amount")


class ChangeLineIn(Schema):
    line: int | None = None
    product: int | None = None
    spec: str | None = None
    quantity: Quantity  # type: ignore[valid-type]
    unit_price: UnitPrice | None = None  # type: ignore[valid-type]


class ChangeRequestIn(Schema):
    kind: str = "change"
    source: str
    reason: str
    impact: str
    terms: dict[str, Any] = {}
    lines: list[ChangeLineIn] | None = None
    loss_amount: Loss | None = None  # type: ignore[valid-type]
    loss_notes: str = ""


class ChangeTaskOut(Schema):
    id: int
    department: str
    is_leader: bool
    assignee_id: int
    status: str
    verdict: str
    comment: str
    decided_at: datetime.datetime | None
    version: int


class ChangeRequestOut(Schema):
    id: int
    number: str
    order_id: int
    kind: str
    source: str
    status: str
    reason: str
    impact: str
    aspects: list[str]
    departments: list[str]
    summary: list[dict[str, Any]]
    loss_amount: Decimal | None
    decision_reason: str
    result_version: int | None
    agreement_number: str
    tasks: list[ChangeTaskOut]


class ChangeOpinionIn(Schema):
    verdict: str
    comment: str = ""
    conditions: str = ""
    assessed_loss: Loss | None = None  # type: ignore[valid-type]
    version: int | None = None


class ChangeWithdrawIn(Schema):
    reason: str


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _out(change: ChangeRequest) -> dict[str, Any]:
    return {
        "id": change.pk,
        "number": change.number,
        "order_id": change.order_id,
        "kind": change.kind,
        "source": change.source,
        "status": change.status,
        "reason": change.reason,
        "impact": change.impact,
        "aspects": change.aspects,
        "departments": change.departments,
        "summary": change.summary,
        "loss_amount": change.loss_amount,
        "decision_reason": change.decision_reason,
        "result_version": change.result_version,
        "agreement_number": change.agreement_number,
        "tasks": [
            {
                "id": t.pk,
                "department": t.department_kind,
                "is_leader": t.is_leader,
                "assignee_id": t.assignee_id,
                "status": t.status,
                "verdict": t.verdict,
                "comment": t.comment,
                "decided_at": t.decided_at,
                "version": t.version,
            }
            for t in change.tasks.all()
        ],
    }


def _typed(payload: ChangeRequestIn) -> dict[str, Any]:
    """The schema checked the JSON's shape; the page's form makes the values typed (I-1)."""
    header = payload.dict(include={"kind", "source", "reason", "impact", "loss_amount", "loss_notes"})
    # A cancellation has no new terms or lines; whatever was sent with it is not looked at.
    change = payload.kind != RequestKind.CANCELLATION
    lines = [ln.dict(exclude_none=True) for ln in payload.lines] if payload.lines is not None else None
    return change_values(header, payload.terms if change else None, lines if change else None)


def _visible(request: HttpRequest, pk: int) -> ChangeRequest:
    return visible_or_404(selectors.requests_for(request.user).prefetch_related("tasks"), pk)


def _visible_order(request: HttpRequest, order_id: int) -> Any:
    order = orders_for(request.user).filter(pk=order_id).first()
    if order is None:
        raise Http404
    return order


def _visible_task(request: HttpRequest, task_id: int) -> ChangeTask:
    task = ChangeTask.objects.filter(pk=task_id).first()
    if task is None:
        raise Http404
    _visible(request, task.request_id)
    return task


# S-1 (issue 23): who may, asked before the body is read, with the pages' gates' predicates.
def _raises(request: HttpRequest, ids: Any) -> None:
    order = _visible_order(request, ids["order_id"])
    refuse_unless(states.can_raise(request.user, order), _("您没有权限对该订单提出变更或取消。"))


def _gives_opinion(request: HttpRequest, ids: Any) -> None:
    """P-5, S-1: the task's assignee (or the head who took it over)."""
    actions.check_opinion_giver(_user(request), _visible_task(request, ids["task_id"]))


def _withdraws(request: HttpRequest, ids: Any) -> None:
    may_take([states.WITHDRAW], _visible(request, ids["request_id"]), request.user)


@router.get(
    "/orders/{order_id}/change-requests", response=list[ChangeRequestOut], operation_id="list_change_requests"
)
def list_requests(request: HttpRequest, order_id: int) -> list[dict[str, Any]]:
    order = orders_for(request.user).filter(pk=order_id).first()
    if order is None:
        raise Http404
    return [_out(c) for c in order.change_requests.prefetch_related("tasks").order_by("pk")]


@router.post(
    "/orders/{order_id}/change-requests",
    response={201: ChangeRequestOut},
    operation_id="raise_change_request",
)
@asks_first(_raises)
def raise_request(request: HttpRequest, order_id: int, payload: ChangeRequestIn) -> Any:
    """I-1, J-1: a change (new terms and lines) or a cancellation. The customer's written notice
    is uploaded on the page; over the API a customer-raised request needs a policy without it."""
    order = _visible_order(request, order_id)

    def create() -> dict[str, Any]:
        change = actions.raise_request(actor=_user(request), order=order, **_typed(payload))
        return _out(ChangeRequest.objects.prefetch_related("tasks").get(pk=change.pk))

    return run_idempotent(request, f"change_request:{order_id}", create)


@router.get("/change-requests/{request_id}", response=ChangeRequestOut, operation_id="get_change_request")
def get_request(request: HttpRequest, request_id: int) -> dict[str, Any]:
    return _out(_visible(request, request_id))


@router.post("/change-tasks/{task_id}/opinion", response=ChangeRequestOut, operation_id="give_change_opinion")
@asks_first(_gives_opinion)
def give_opinion(request: HttpRequest, task_id: int, payload: ChangeOpinionIn) -> dict[str, Any]:
    task = _visible_task(request, task_id)
    actions.give_opinion(actor=_user(request), task=task, **cleaned(OpinionForm(payload.dict())))
    return _out(_visible(request, task.request_id))


@router.post(
    "/change-requests/{request_id}/withdraw",
    response=ChangeRequestOut,
    operation_id="withdraw_change_request",
)
@asks_first(_withdraws)
def withdraw(request: HttpRequest, request_id: int, payload: ChangeWithdrawIn) -> dict[str, Any]:
    change = _visible(request, request_id)
    actions.withdraw(actor=_user(request), request=change, **cleaned(WithdrawForm(payload.dict())))
    return _out(_visible(request, request_id))
