"""Complaints (N-2, N-3): registered by customer service or filed in the portal, then moved
step by step to a decided and carried-out remedy."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.accounts.models import User
from oms.accounts.selectors import decider, department_of_kind, head_of, superior_for_approval
from oms.core.errors import ActionError, FieldErrors, NotAllowed, StaleVersion
from oms.core.phrases import phrase
from oms.engine import records, workflow
from oms.feedback import permissions, states
from oms.feedback.forms import STEP_FIELDS
from oms.feedback.models import (
    Complaint,
    ComplaintCategory,
    ComplaintStatus,
)
from oms.notifications.actions import notify
from oms.orders.models import SalesOrder
from oms.orders.permissions import is_customer_of
from oms.policy.actions import next_number
from oms.policy.selectors import policy, work_calendar
from oms.tracking.actions import close_items, open_item, outcomes

COMPLAINT_STEP = "complaint.step"


def _url(complaint: Complaint) -> str:
    return reverse("feedback:complaint", args=[complaint.pk])


# --- complaints (N-2, N-3) -------------------------------------------------------------------


def complaint_orders(user: Any) -> Any:
    """The orders a complaint may be filed against: those a handler's scope reaches, archived
    ones included (a complaint often comes after the order closed)."""
    from oms.orders.selectors import orders_in_scope

    qs = orders_in_scope(user) if not permissions.sees_all_complaints(user) else SalesOrder.objects.all()
    return qs.filter(confirmed_at__isnull=False)


@transaction.atomic
def register_complaint(
    *,
    actor: User,
    order_number: str,
    category: str,
    description: str,
    complainant: str,
    claim_amount: Decimal | None = None,
    evidence: UploadedFile | None = None,
) -> Complaint:
    """N-2, N-3: customer service registers a complaint against an order; the first answer is
    due within the policy's working days, and the handler's first step opens with that deadline."""
    if not permissions.handles_complaints(actor):
        raise NotAllowed(_("只有负责投诉的部门可以登记投诉。"))
    order = (
        complaint_orders(actor).filter(number=order_number.strip()).first() if order_number.strip() else None
    )
    return _register(
        actor=actor,
        handler=actor,
        order=order,
        category=category,
        description=description,
        complainant=complainant,
        claim_amount=claim_amount,
        evidence=evidence,
    )


@transaction.atomic
def complain_in_portal(
    *,
    actor: User,
    order: SalesOrder,
    category: str,
    description: str,
    claim_amount: Decimal | None = None,
    evidence: UploadedFile | None = None,
) -> Complaint:
    """N-3, B-8: the customer's contact files a complaint on their own confirmed order in the
    portal. It goes to the head of the first complaint department the policy names (else the
    order's salesperson), with the same first-answer deadline as one registered by phone."""
    if not is_customer_of(actor, order):
        raise NotAllowed(_("只能对本公司的订单投诉。"))
    handler = None
    for kind in policy().feedback.complaint_departments:
        department = department_of_kind(kind)
        handler = head_of(department) if department else None
        if handler is not None:
            break
    return _register(
        actor=actor,
        handler=handler or order.salesperson,
        order=order if order.confirmed_at else None,
        category=category,
        description=description,
        complainant=actor.get_full_name() or actor.get_username(),
        claim_amount=claim_amount,
        evidence=evidence,
    )


def _register(
    *,
    actor: User,
    handler: User,
    order: SalesOrder | None,
    category: str,
    description: str,
    complainant: str,
    claim_amount: Decimal | None,
    evidence: UploadedFile | None,
) -> Complaint:
    errors: dict[str, list[str]] = {}
    if order is None:
        errors["order"] = [_("找不到该订单号（须为已确认的订单）。")]
    if category not in ComplaintCategory.values:
        errors["category"] = [_("请选择投诉类别。")]
    if not description.strip():
        errors["description"] = [_("请填写投诉内容。")]
    if not complainant.strip():
        errors["complainant"] = [_("请填写投诉人。")]
    if errors:
        raise FieldErrors(errors)
    assert order is not None
    now = timezone.now()
    rules = policy().feedback
    calendar = work_calendar()
    complaint = Complaint(
        number=next_number(fmt=policy().numbering.complaint, when=timezone.localdate(), key="complaint"),
        order=order,
        category=category,
        description=description.strip(),
        complainant=complainant.strip(),
        claim_amount=claim_amount or Decimal("0"),
        received_at=now,
        answer_due_at=calendar.add_working_days(now, rules.complaint_answer_days),
        registered_by=actor,
        handler=handler,
    )
    if evidence is not None:
        complaint.evidence_file = evidence
    records.create(
        actor=actor,
        obj=complaint,
        fields=["number", "order", "category", "description", "claim_amount", "complainant", "answer_due_at"],
        action="complaint.register",
    )
    outcomes.defective(order.pk)  # O-1 order accuracy (issue 21)
    _open_step(complaint, due=complaint.answer_due_at)
    return complaint


@transaction.atomic
def advance(
    *,
    actor: User,
    complaint: Complaint,
    step: str,
    data: Mapping[str, Any],
    version: int,
    evidence: UploadedFile | None = None,
    reason: str = "",
) -> Complaint:
    """N-2: record one step of the complaint (`data`: the step's typed values, as
    `forms.step_form` parses them) and move it on; the next step opens with its
    deadline (the policy's working days), the report goes to the handler's head for approval."""
    transition = states.COMPLAINT.transitions.get(step)
    if transition is None:
        raise ActionError(_("未知的处理步骤。"))
    if version != complaint.version:
        raise StaleVersion(_("该投诉已被他人更新，请刷新后再试。"))
    changes = {f.name: data[f.name] for f in STEP_FIELDS.get(step, ()) if f.name in data}
    now = timezone.now()
    if step == "collect_evidence":
        changes["first_answer_at"] = now
    elif step == "submit_report":
        # P-5: neither the handler nor whoever submits the report approves it.
        approver = decider(superior_for_approval(complaint.handler), raisers={complaint.handler_id, actor.pk})
        if approver is None:
            raise FieldErrors({"__all__": [_("找不到审批人：请先为处理人的部门设置负责人。")]})
        changes["approver"] = approver
    elif step in {"approve", "refuse"}:
        changes.update({"decided_at": now, "decision_note": reason.strip()})
    elif step == "carry_out":
        changes["closed_at"] = now
    done = workflow.apply(transition, complaint, actor=actor, reason=reason, changes=changes)
    if step == "collect_evidence" and evidence is not None:
        done.evidence_file = evidence
        done.save(update_fields=["evidence_file"])
    close_items(target=done, actor=actor, outcome=str(transition.label), kinds=(COMPLAINT_STEP,))
    if done.status == ComplaintStatus.REPORTED:
        assert done.approver is not None
        _open_step(done, assignee=done.approver)
        notify(
            event="feedback",
            recipients=[done.approver],
            title=phrase("投诉 %(n)s 的处理报告待您批准", n=done.number),
            url=_url(done),
        )
    elif done.status != ComplaintStatus.CLOSED:
        _open_step(done)
        if step in {"approve", "refuse"}:
            notify(
                event="feedback",
                recipients=[done.handler],
                title=phrase("投诉 %(n)s：%(d)s", n=done.number, d=transition.label),
                url=_url(done),
            )
    return done


# The step that waits in each state: the transition leaving it (approval waits on the approver).
_NEXT_STEP_LABEL = {
    state: t.label
    for t in states.COMPLAINT.transitions.values()
    if t.name not in {"approve", "refuse"}
    for state in t.source
}


def _open_step(complaint: Complaint, *, assignee: User | None = None, due: datetime | None = None) -> None:
    person = assignee or complaint.handler
    label = (
        gettext_lazy("审批处理方案")
        if complaint.status == ComplaintStatus.REPORTED
        else _NEXT_STEP_LABEL.get(complaint.status, "")
    )
    assert person.department is not None
    open_item(
        target=complaint,
        kind=COMPLAINT_STEP,
        title=phrase("投诉 %(n)s：%(s)s", n=complaint.number, s=label),
        department=person.department,
        assignee=person,
        calendar=work_calendar(),
        days=None if due else policy().feedback.complaint_step_days,
        due=due,
    )
