"""Lifecycles of a change request and of the order's cancellation (DESIGN 4, I-2, J-1).

A request's opinions are review tasks in all but name, so they change state through the review
task table (oms.review.states.TASK). The decisions that move the request were authorised on the
task; the request-level transitions only need someone acting, except withdrawal.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oms.accounts.models import Role
from oms.changes.models import RequestStatus as R
from oms.engine.workflow import Transition, TransitionTable, raised_by
from oms.orders.models import OrderStatus as S
from oms.orders.permissions import can_renegotiate

# I-1: the order states in which a change or a cancellation may be asked for: confirmed and not
# yet fully shipped (a shipped order is returned, not cancelled).
CHANGEABLE = frozenset({S.CONFIRMED, S.RELEASED, S.IN_PRODUCTION, S.ON_HOLD})


def _acting(user: Any, obj: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_raise(user: Any, order: Any) -> bool:
    """I-1: sales on the customer's behalf, or any department working on the order (the order
    page only offers it to those who may see the order). An auditor, who sees every order, only
    reads (S-1)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "department_id", None)
        and getattr(user, "role", "") != Role.AUDITOR
    )


def can_withdraw(user: Any, request: Any) -> bool:
    """The person who asked, or the order's sales, may take an open request back."""
    if not getattr(user, "is_authenticated", False):
        return False
    return request.raised_by_id == user.pk or can_renegotiate(user, request.order)


TO_LEADER = Transition(
    name="to_leader",
    label=_("部门评审通过，送领导审批"),
    source={R.IN_REVIEW},
    target=R.IN_APPROVAL,
    permission=_acting,
    automatic=True,
)
APPROVE = Transition(
    name="approve_change",
    label=_("批准"),
    source={R.IN_APPROVAL},
    target=R.APPROVED,
    permission=_acting,
    automatic=True,
    raisers=raised_by,
)
REJECT = Transition(
    name="reject_change",
    label=_("不批准"),
    source={R.IN_REVIEW, R.IN_APPROVAL},
    target=R.REJECTED,
    permission=_acting,
    requires_reason=True,
    automatic=True,
    raisers=raised_by,
)
WITHDRAW = Transition(
    name="withdraw_change",
    label=_("撤回申请"),
    source={R.IN_REVIEW, R.IN_APPROVAL},
    target=R.WITHDRAWN,
    permission=can_withdraw,
    requires_reason=True,
)
REQUEST = TransitionTable.of("change_request", TO_LEADER, APPROVE, REJECT, WITHDRAW)

CANCEL_ORDER = Transition(
    name="cancel_order",
    label=_("取消订单"),
    source=set(CHANGEABLE),
    target=S.CANCELLED,
    permission=_acting,
    requires_reason=True,
    automatic=True,  # J-1: only an approved cancellation request takes it
)
ORDER_CANCELLATION = TransitionTable.of("order_cancellation", CANCEL_ORDER, model="orders.SalesOrder")
