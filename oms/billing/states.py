"""The statement's review by finance (DESIGN 4, L-2)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oms.accounts.models import DepartmentKind, Role
from oms.billing.models import StatementStatus as B
from oms.engine.workflow import Transition, TransitionTable, raised_by
from oms.orders.models import OrderStatus as S
from oms.orders.permissions import can_renegotiate


def in_finance(user: Any, obj: Any = None) -> bool:
    """L-2: finance reviews statements and records invoices."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.department_kind == DepartmentKind.FINANCE or user.role == Role.ADMIN


APPROVE = Transition(
    name="approve_statement",
    label=_("审核通过"),
    source={B.SUBMITTED},
    target=B.APPROVED,
    permission=in_finance,
    raisers=raised_by,
)
RETURN = Transition(
    name="return_statement",
    label=_("退回"),
    source={B.SUBMITTED},
    target=B.RETURNED,
    permission=in_finance,
    requires_reason=True,
    raisers=raised_by,
)
STATEMENT = TransitionTable.of("statement", APPROVE, RETURN)


def can_close(user: Any, order: Any) -> bool:
    """M-1: the order's sales or finance close it."""
    return bool(getattr(user, "is_authenticated", False)) and (
        can_renegotiate(user, order) or in_finance(user)
    )


def nothing_missing(user: Any, order: Any) -> str | None:
    """M-1: delivered, accepted and paid, documents complete; says what is still missing."""
    from oms.billing.closure import missing  # the list the order page shows, from one place

    reasons = missing(order)
    return "；".join(reasons) if reasons else None


CLOSE = Transition(
    name="close_order",
    label=_("关闭订单"),
    source={S.RECEIVED},
    target=S.CLOSED,
    permission=can_close,
    guards=(nothing_missing,),
)
ORDER_CLOSURE = TransitionTable.of("order_closure", CLOSE, model="orders.SalesOrder")
