"""Scenario: inquiry → order → submit → check → needs_info → complete → escalate → accept → in_review,
and a declined order (B-1..B-7, P-2, P-3)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.audit.models import AuditEvent
from oms.audit.verify import verify_chain
from oms.intake import actions
from oms.intake.tests.fixtures import header, lines
from oms.orders.models import InquiryStatus, OrderStatus
from oms.tracking.models import WorkItem, WorkStatus

pytestmark = pytest.mark.django_db


def test_inquiry_to_review_with_supplement_and_escalation(org) -> None:
    # B-2: customer service records an inquiry and hands it to sales.
    inquiry = actions.record_inquiry(
        actor=org["cs"],
        data={
            "customer": org["customer"],
            "contact_name": "张伟",
            "channel": "phone",
            "content": "询价齿轮箱 2 台",
        },
        assignee=org["sales"],
    )
    assert (inquiry.status, WorkItem.objects.get(kind="inquiry.followup").assignee) == (
        InquiryStatus.HANDED_OVER,
        org["sales"],
    )

    # B-3, B-4: sales turns it into an order with two lines and a policy-format number.
    order = actions.convert_inquiry(actor=org["sales"], inquiry=inquiry, data=header(org), lines=lines(org))
    assert order.number.startswith("SO") and order.total_amount == Decimal("3922.00")
    assert order.status == OrderStatus.DRAFT and order.inquiry == inquiry

    # B-6, B-7: submitting starts the check, due 24 working hours later, waiting on the sales head.
    order = actions.submit_order(actor=org["sales"], order=order)
    check = WorkItem.objects.get(kind="order.check", status=WorkStatus.OPEN)
    assert (order.status, check.assignee) == (OrderStatus.PENDING_CHECK, org["head"])

    # B-6: missing information: back to the salesperson.
    order = actions.request_info(actor=org["head"], order=order, reason="缺少图纸编号")
    assert order.status == OrderStatus.NEEDS_INFO
    assert WorkItem.objects.get(kind="order.supplement", status=WorkStatus.OPEN).assignee == org["sales"]

    # B-5: the supplement is an edit, recorded with before/after.
    order = actions.update_order(
        actor=org["sales"],
        order=order,
        data={"special_requirements": "图纸 DWG-001"},
        lines=None,
        version=order.version,
    )
    order = actions.complete_info(actor=org["sales"], order=order)
    assert order.status == OrderStatus.PENDING_CHECK

    # B-6: tight delivery: escalate to management, who accept.
    order = actions.escalate(actor=org["head"], order=order, reason="交期紧张")
    assert WorkItem.objects.get(kind="order.decision", status=WorkStatus.OPEN).assignee == org["exec"]
    order = actions.decide(actor=org["exec"], order=order, accept=True, reason="重点客户，加班生产")
    assert order.status == OrderStatus.IN_REVIEW
    # P-3, C-1: nothing waits on nobody: the review board's tasks are open now.
    assert set(WorkItem.objects.filter(status=WorkStatus.OPEN).values_list("kind", flat=True)) == {
        "review.task"
    }

    # P-5: every step is in the audit trail, and the chain holds.
    actions_seen = list(
        AuditEvent.objects.filter(object_type="orders.salesorder", object_id=str(order.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions_seen == [
        "order.create",
        "transition:submit",
        "transition:request_info",
        "order.update",
        "transition:complete_info",
        "transition:escalate",
        "transition:accept",
        "review.start",
    ]
    assert verify_chain().ok


def test_escalated_order_declined(org) -> None:
    order = actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    order = actions.submit_order(actor=org["sales"], order=order)
    order = actions.escalate(actor=org["head"], order=order, reason="客户信用差")
    order = actions.decide(actor=org["exec"], order=order, accept=False, reason="逾期账款未清")
    assert order.status == OrderStatus.DECLINED
    assert AuditEvent.objects.filter(action="transition:decline", reason="逾期账款未清").count() == 1
