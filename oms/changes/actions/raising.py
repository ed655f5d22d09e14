"""Raising a change or cancellation request, and taking it back (I-1, I-2, J-1).

A request keeps the new terms as they were asked. The departments the policy's rules name for
what changes review it at once, then the leader the policy names approves it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import DepartmentKind, User
from oms.accounts.selectors import department_of_kind, executive_in_charge, head_of
from oms.audit import recorder
from oms.audit.models import normalise
from oms.changes import states
from oms.changes.actions.cancelling import loss_facts
from oms.changes.actions.deciding import advance, end_tasks
from oms.changes.actions.proposal import cancellation_proposal, compare, current_proposal, decimal, term_label
from oms.changes.models import (
    OPEN_REQUEST_STATUSES,
    ChangeRequest,
    ChangeTask,
    CustomerChannel,
    RequestKind,
    Source,
)
from oms.contracts import files
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.core.phrases import phrase
from oms.engine import workflow
from oms.orders.models import OrderStatus, SalesOrder
from oms.orders.permissions import can_renegotiate
from oms.policy import actions as policy_actions
from oms.review.actions import department_for, reviewer_of
from oms.tracking import actions as tracking


def _conflict(order: SalesOrder, kind: str, touched_lines: list[int], touched_terms: list[str]) -> str | None:
    """I-1: one open request per line (and per term) at a time; a cancellation excludes any other."""
    for other in order.change_requests.filter(status__in=OPEN_REQUEST_STATUSES):
        if kind == RequestKind.CANCELLATION or other.kind == RequestKind.CANCELLATION:
            return _("订单已有未结束的申请 %(r)s，请等它结束或撤回后再提交。") % {"r": other.number}
        lines = set(other.touched_lines) & set(touched_lines)
        if lines:
            numbers = order.lines.model.all_objects.filter(pk__in=lines).order_by("line_no")
            return _("第 %(l)s 行正在申请 %(r)s 中变更，请等它结束或撤回后再提交。") % {
                "l": "、".join(str(n) for n in numbers.values_list("line_no", flat=True)),
                "r": other.number,
            }
        terms = set(other.touched_terms) & set(touched_terms)
        if terms:
            labels = "、".join(term_label(t) for t in sorted(terms))
            return _("%(t)s正在申请 %(r)s 中变更，请等它结束或撤回后再提交。") % {
                "t": labels,
                "r": other.number,
            }
    return None


def _leader(order: SalesOrder) -> User:
    """I-2: the leader the policy names to approve changes."""
    role = order.policy().changes.approver
    if role == "sales_head":
        person = head_of(order.department)
    elif role == "executive":
        person = executive_in_charge()
    else:
        management = department_of_kind(DepartmentKind.MANAGEMENT)
        person = head_of(management) if management else None
    if person is None or person.department is None:
        raise ActionError(_("制度指定的变更审批领导没有对应的人员。"))
    return person


def _locked_changeable(order: SalesOrder, kind: str) -> SalesOrder:
    """I-1: the order, locked, in a state that may still be changed or cancelled."""
    locked = SalesOrder.objects.select_for_update().select_related("department").get(pk=order.pk)
    if kind not in RequestKind.values:
        raise FieldErrors({"kind": _("请选择变更或取消。")})
    if locked.status == OrderStatus.SHIPPED:
        raise ActionError(
            _("订单已全部发货，不能取消，请按退货处理。")
            if kind == RequestKind.CANCELLATION
            else _("订单已全部发货，不能再变更。")
        )
    if locked.status not in states.CHANGEABLE:
        raise ActionError(
            _("订单当前状态为“%(s)s”，只有客户确认后、全部发货前的订单才能申请变更或取消。")
            % {"s": locked.get_status_display()}
        )
    return locked


def _why_errors(
    actor: User, order: SalesOrder, source: str, reason: str, impact: str, notice: Any, customer_name: str
) -> dict[str, str]:
    """Who asked, why and with what impact; a customer's request needs their written notice
    unless it came through their own link or the portal (the submission itself is the notice)."""
    errors: dict[str, str] = {}
    if source not in Source.values:
        errors["source"] = _("请选择提出方。")
    if source == Source.CUSTOMER and not can_renegotiate(actor, order):
        errors["source"] = _("客户提出的申请由负责该订单的销售代为提交。")
    if not reason.strip():
        errors["reason"] = _("请说明原因。")
    if not impact.strip():
        errors["impact"] = _("请说明预计影响。")
    needs_notice = order.policy().changes.customer_notice_required and not customer_name
    if source == Source.CUSTOMER and needs_notice and notice is None:
        errors["customer_notice"] = _("客户提出的申请须附客户书面通知。")
    return errors


def _what_changes(
    order: SalesOrder,
    kind: str,
    terms: Mapping[str, Any] | None,
    lines: Sequence[Mapping[str, Any]] | None,
    loss_amount: Decimal | None,
    errors: dict[str, str],
) -> tuple[dict[str, Any], Decimal | None]:
    """The proposal compared with the order, and a cancellation's estimated loss."""
    if kind == RequestKind.CANCELLATION:
        loss = decimal(loss_amount, "loss_amount", "loss_amount", ChangeRequest)
        if loss is None or loss < 0:
            errors["loss_amount"] = _("请填写估算损失金额（不小于 0）。")
        return cancellation_proposal(order), loss
    given = lines if lines is not None else current_proposal(order)["lines"]
    described = compare(order, terms or {}, given, errors)
    if not errors and not described["summary"]:
        errors["lines"] = _("新条款与订单现有内容相同，没有需要变更的内容。")
    return described, None


def _notice_digest(notice: Any, order: SalesOrder, errors: dict[str, str]) -> str:
    """The customer's written notice is checked like any upload and filed with its SHA-256."""
    if notice is None or "customer_notice" in errors:
        return ""
    try:
        return files.check_upload(
            notice, field="customer_notice", max_mb=order.policy().contracts.max_upload_mb, scan_only=False
        )
    except FieldErrors as exc:
        errors.update({k: v[0] for k, v in exc.errors.items()})
        return ""


@transaction.atomic
def raise_request(
    *,
    actor: User,
    order: SalesOrder,
    kind: str,
    source: str,
    reason: str,
    impact: str,
    terms: Mapping[str, Any] | None = None,
    lines: Sequence[Mapping[str, Any]] | None = None,
    notice: UploadedFile | None = None,
    loss_amount: Decimal | None = None,
    loss_notes: str = "",
    customer_name: str = "",
    channel: str = "",
    customer_user: User | None = None,
) -> ChangeRequest:
    """I-1, J-1: a change (new terms and lines) or a cancellation, with why and the expected
    impact; I-2 the affected departments' review starts at once. Every value comes typed by the
    request's forms (`oms.changes.forms.change_values`: the page, the API, the customer's link and
    portal, the demo data and the tests alike); the action checks them against the order."""
    if not states.can_raise(actor, order):
        raise NotAllowed(_("只有公司内部部门人员可以提交变更或取消申请。"))
    locked = _locked_changeable(order, kind)
    errors = _why_errors(actor, locked, source, reason, impact, notice, customer_name)
    described, loss = _what_changes(locked, kind, terms, lines, loss_amount, errors)
    digest = _notice_digest(notice, locked, errors)
    if errors:
        raise FieldErrors(errors)
    conflict = _conflict(locked, kind, described["touched_lines"], described["touched_terms"])
    if conflict:
        raise ActionError(conflict)
    leader = _leader(locked)
    request = _create_request(
        actor,
        locked,
        described,
        kind=kind,
        source=source,
        reason=reason,
        impact=impact,
        notice=notice,
        digest=digest,
        loss=loss,
        loss_notes=loss_notes,
        customer_name=customer_name,
        channel=channel,
        customer_user=customer_user,
    )
    _create_tasks(request, leader=leader)
    recorder.record(
        actor=actor, obj=locked, action="change.raise", after=_raised(request), reason=reason.strip()
    )
    advance(request, actor)
    return request


def _create_request(
    actor: User, order: SalesOrder, described: dict[str, Any], *, kind: str, source: str, **given: Any
) -> ChangeRequest:
    """The request as asked, numbered by the policy, with the departments its aspects concern."""
    policy = order.policy()
    number = policy_actions.next_number(
        fmt=policy.numbering.change_request, when=timezone.localdate(), key="change_request"
    )
    assert actor.department is not None
    return ChangeRequest.objects.create(
        order=order,
        number=number,
        kind=kind,
        source=source,
        raised_by=actor,
        department=actor.department,
        reason=given["reason"].strip(),
        impact=given["impact"].strip(),
        proposal=normalise({"terms": described["terms"], "lines": described["lines"]}),
        summary=normalise(described["summary"]),
        aspects=described["aspects"],
        touched_lines=described["touched_lines"],
        touched_terms=described["touched_terms"],
        departments=policy.changes.departments_for(described["aspects"]),
        base_version=order.version,
        customer_notice=given["notice"] or "",
        notice_sha256=given["digest"],
        loss_facts=loss_facts(order) if kind == RequestKind.CANCELLATION else {},
        loss_amount=given["loss"],
        loss_notes=given["loss_notes"].strip(),
        customer_name=given["customer_name"].strip()[:100],
        # I-1: a customer's request not sent by link or portal was brought in by sales.
        channel=(given["channel"] or CustomerChannel.SALES) if source == Source.CUSTOMER else "",
        customer_user=given["customer_user"] if source == Source.CUSTOMER else None,
    )


def _raised(request: ChangeRequest) -> dict[str, Any]:
    """What the audit trail keeps of a new request."""
    return {
        "request": request.number,
        "kind": request.kind,
        "source": request.source,
        "aspects": request.aspects,
        "departments": request.departments,
        "summary": request.summary,
        "loss_amount": request.loss_amount,
        "customer_name": request.customer_name,
    }


def _create_tasks(request: ChangeRequest, *, leader: User) -> None:
    """I-2: one review task per department concerned (stage by stage when the review is
    sequential), then the leader's approval."""
    review = request.order.policy().review
    what = phrase("%(k)s %(r)s", k=RequestKind(request.kind).label, r=request.number)
    # P-5: whoever raised the request neither reviews nor approves it.
    leader = tracking.decider_for(candidate=leader, target=request, what=what) or leader
    tasks = []
    for i, dept_kind in enumerate(request.departments):
        dept = department_for(dept_kind)
        tasks.append(
            ChangeTask.objects.create(
                request=request,
                stage=i + 1 if review.mode == "sequential" else 1,
                department=dept,
                department_kind=dept_kind,
                assignee=reviewer_of(dept, raisers=request.raiser_ids(), what=what),
            )
        )
    assert leader.department is not None
    ChangeTask.objects.create(
        request=request,
        stage=max((t.stage for t in tasks), default=0) + 1,
        department=leader.department,
        department_kind=leader.department.kind,
        is_leader=True,
        assignee=leader,
    )


@transaction.atomic
def withdraw(*, actor: User, request: ChangeRequest, reason: str) -> ChangeRequest:
    """The requester or the order's sales takes an open request back; the order is untouched."""
    request = workflow.apply(
        states.WITHDRAW,
        request,
        actor=actor,
        reason=reason,
        changes={"decided_at": timezone.now(), "decision_reason": reason.strip()},
    )
    end_tasks(request, actor, _("申请已撤回"))
    recorder.record(
        actor=actor,
        obj=request.order,
        action="change.withdraw",
        after={"request": request.number},
        reason=reason,
    )
    return request
