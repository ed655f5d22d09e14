"""The order's lifecycle as data (DESIGN 4): intake and preliminary check (B-6).
Later issues add review, approval, confirmation and execution to this table."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oms.engine.workflow import Transition, TransitionTable, raised_by
from oms.orders import guards, permissions
from oms.orders.models import InquiryStatus as Q
from oms.orders.models import OrderStatus as S


def _raisers_or_escalator(order: Any) -> set[int | None]:
    """P-5, B-6: management's decision on an escalated order is taken by neither the order's
    raisers nor the checker who escalated it."""
    return {*order.raiser_ids(), order.escalated_by_id}


SUBMIT = Transition(
    # The guards' customer and the check's department, read with the locked order (issue 21).
    related=("customer", "department"),
    name="submit",
    label=_("提交初审"),
    source={S.DRAFT},
    target=S.PENDING_CHECK,
    permission=permissions.can_submit,
    guards=(guards.has_lines, guards.customer_not_blocked, guards.complete),
)
CANCEL_DRAFT = Transition(
    name="cancel_draft",
    label=_("作废草稿"),
    source={S.DRAFT},
    target=S.CANCELLED,
    permission=permissions.can_edit_draft,
    requires_reason=True,
)
PASS_CHECK = Transition(
    # The credit guards' customer, read with the locked order (issue 21).
    related=("customer",),
    name="pass_check",
    label=_("初审通过，提交评审"),
    source={S.PENDING_CHECK},
    target=S.IN_REVIEW,
    permission=permissions.can_check,
    # B-6: poor credit or a too-tight delivery date may only be escalated to management.
    guards=(
        guards.customer_not_blocked,
        guards.credit_within_limit,
        guards.overdue_within_tolerance,
        guards.delivery_date_feasible,
    ),
    raisers=raised_by,
)
REQUEST_INFO = Transition(
    name="request_info",
    label=_("退回补充资料"),
    source={S.PENDING_CHECK},
    target=S.NEEDS_INFO,
    permission=permissions.can_check,
    requires_reason=True,
    raisers=raised_by,
)
COMPLETE_INFO = Transition(
    name="complete_info",
    label=_("补充完成，重新提交"),
    source={S.NEEDS_INFO},
    target=S.PENDING_CHECK,
    permission=permissions.can_complete_info,
    guards=(guards.has_lines, guards.complete),
)
ESCALATE = Transition(
    name="escalate",
    label=_("上报管理层决定"),
    source={S.PENDING_CHECK},
    target=S.AWAITING_DECISION,
    permission=permissions.can_check,
    requires_reason=True,
    raisers=raised_by,
)
ACCEPT = Transition(
    name="accept",
    label=_("决定接单"),
    source={S.AWAITING_DECISION},
    target=S.IN_REVIEW,
    permission=permissions.can_decide,
    requires_reason=True,
    raisers=_raisers_or_escalator,
)
DECLINE = Transition(
    name="decline",
    label=_("决定不接单"),
    source={S.AWAITING_DECISION},
    target=S.DECLINED,
    permission=permissions.can_decide,
    requires_reason=True,
    raisers=_raisers_or_escalator,
)

# C-6, D-1, D-2: review outcome, approval chain and confirmation.
PASS_REVIEW = Transition(
    # The approval chain's department, read with the locked order (issue 21).
    related=("department",),
    name="pass_review",
    label=_("评审通过"),
    source={S.IN_REVIEW},
    target=S.IN_APPROVAL,
    permission=permissions.follows_from_verdict,
    automatic=True,
)
FAIL_REVIEW = Transition(
    name="fail_review",
    label=_("评审未通过"),
    source={S.IN_REVIEW},
    target=S.REVIEW_FAILED,
    permission=permissions.follows_from_verdict,
    requires_reason=True,
    automatic=True,
)
RESUBMIT_REVIEW = Transition(
    name="resubmit_review",
    label=_("修改后重新评审"),
    source={S.REVIEW_FAILED},
    target=S.IN_REVIEW,
    permission=permissions.can_renegotiate,
    guards=(guards.has_lines, guards.complete, guards.customer_not_blocked),
)
CANCEL_AFTER_REVIEW = Transition(
    name="cancel_after_review",
    label=_("取消订单"),
    source={S.REVIEW_FAILED},
    target=S.CANCELLED,
    permission=permissions.can_renegotiate,
    requires_reason=True,
)
APPROVE = Transition(
    # The confirmation's work item and message, read with the locked order (issue 21).
    related=("department", "salesperson"),
    name="approve",
    label=_("审批通过"),
    source={S.IN_APPROVAL},
    target=S.AWAITING_CONFIRMATION,
    permission=permissions.follows_from_verdict,
    automatic=True,
)
REJECT_APPROVAL = Transition(
    name="reject_approval",
    label=_("审批驳回"),
    source={S.IN_APPROVAL},
    target=S.REVIEW_FAILED,
    permission=permissions.follows_from_verdict,
    requires_reason=True,
    automatic=True,
)
CONFIRM = Transition(
    # The customer told, and the contract's work item and message, read with the locked order
    # (issue 21).
    related=("customer", "department", "salesperson"),
    name="confirm",
    label=_("客户确认"),
    source={S.AWAITING_CONFIRMATION},
    target=S.CONFIRMED,
    permission=permissions.can_record_confirmation,
    automatic=True,  # recorded through its own form (who confirmed, evidence) or the customer's link
)

ORDER = TransitionTable.of(
    "order",
    SUBMIT,
    CANCEL_DRAFT,
    PASS_CHECK,
    REQUEST_INFO,
    COMPLETE_INFO,
    ESCALATE,
    ACCEPT,
    DECLINE,
    PASS_REVIEW,
    FAIL_REVIEW,
    RESUBMIT_REVIEW,
    CANCEL_AFTER_REVIEW,
    APPROVE,
    REJECT_APPROVAL,
    CONFIRM,
    model="orders.SalesOrder",
)

# B-2: an inquiry is handed to a salesperson, who turns it into an order or closes it.
ASSIGN_INQUIRY = Transition(
    name="assign",
    label=_("分配给销售"),
    source={Q.OPEN, Q.HANDED_OVER},
    target=Q.HANDED_OVER,
    permission=lambda user, inquiry: (
        permissions.can_record_inquiry(user) or permissions.can_handle_inquiry(user, inquiry)
    ),
)
CONVERT_INQUIRY = Transition(
    name="convert",
    label=_("转为订单"),
    source={Q.OPEN, Q.HANDED_OVER},
    target=Q.CONVERTED,
    permission=permissions.can_handle_inquiry,
)
CLOSE_INQUIRY = Transition(
    name="close",
    label=_("关闭咨询"),
    source={Q.OPEN, Q.HANDED_OVER},
    target=Q.CLOSED,
    permission=permissions.can_handle_inquiry,
    requires_reason=True,
)

INQUIRY = TransitionTable.of("inquiry", ASSIGN_INQUIRY, CONVERT_INQUIRY, CLOSE_INQUIRY)
