"""Release and execution transitions (DESIGN 4, D-4, F-1, G-2). They act on the order; they live
here because their guards read contracts and prepayments, which the order's tier cannot see."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.accounts.models import DepartmentKind, Role
from oms.contracts.selectors import briefing_before_production, contract_signed, technical_readiness
from oms.customers.models import PaymentTerms
from oms.engine.workflow import Transition, TransitionTable
from oms.fulfilment.models import DeptTaskStatus, POStatus, TaskKind
from oms.fulfilment.models import ReservationStatus as RS
from oms.fulfilment.permissions import can_handle_stock
from oms.fulfilment.selectors import prepaid
from oms.orders.models import OrderStatus as S


def can_release(user: Any, order: Any) -> bool:
    """F-1: the sales head, order confirmation, an executive or an administrator releases."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role in {Role.EXECUTIVE, Role.ADMIN}:
        return True
    return user.department_kind == DepartmentKind.ORDER_CONFIRMATION or (
        user.role == Role.HEAD and user.department_kind == DepartmentKind.SALES
    )


def prepayment_received(user: Any, order: Any) -> str | None:
    """D-4: a prepayment order is released only when the policy's share has been received."""
    if order.payment_terms != PaymentTerms.PREPAYMENT:
        return None
    needed = (order.total_amount * order.policy().release.prepayment_ratio).quantize(Decimal("0.01"))
    received = prepaid(order)
    if received < needed:
        return _("预付款未到账：应收 %(n)s，已收 %(r)s。") % {"n": needed, "r": received}
    return None


def _acting(user: Any, obj: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def technical_docs_ready(user: Any, task: Any) -> str | None:
    """F-3: the technical department's task is done only when its documents are attached and
    distributed to production and quality and the briefing (技术交底) is recorded."""
    if task.kind != TaskKind.TECHNICAL_DOCS:
        return None
    _docs, _briefing, missing = technical_readiness(task.order)
    return "".join(missing) or None


RELEASE = Transition(
    # Read with the locked order: release tells the customer, the salesperson and their
    # department (issue 21).
    related=("customer", "department", "salesperson"),
    name="release",
    label=gettext_lazy("下达订单"),
    source={S.CONFIRMED},
    target=S.RELEASED,
    permission=can_release,
    guards=(contract_signed, prepayment_received),
)
START_PRODUCTION = Transition(
    name="start_production",
    label=gettext_lazy("开始生产"),
    source={S.RELEASED},
    target=S.IN_PRODUCTION,
    permission=_acting,
    guards=(briefing_before_production,),
    automatic=True,
)
SHIP = Transition(
    name="ship",
    label=gettext_lazy("全部发货"),
    source={S.RELEASED, S.IN_PRODUCTION},
    target=S.SHIPPED,
    permission=_acting,
    automatic=True,
)
ORDER_EXECUTION = TransitionTable.of(
    "order_execution", RELEASE, START_PRODUCTION, SHIP, model="orders.SalesOrder"
)

COMPLETE_TASK = Transition(
    name="complete_task",
    label=gettext_lazy("完成"),
    source={DeptTaskStatus.OPEN},
    target=DeptTaskStatus.DONE,
    permission=lambda user, task: (
        task.assignee_id == user.pk
        or (getattr(user, "role", "") == Role.HEAD and user.department_id == task.department_id)
    ),
    guards=(technical_docs_ready,),
    automatic=True,
)
REOPEN_TASK = Transition(
    name="reopen_task",
    label=gettext_lazy("按变更重新处理"),
    source={DeptTaskStatus.DONE},
    target=DeptTaskStatus.OPEN,
    permission=_acting,
    requires_reason=True,
    automatic=True,  # I-3: an approved change sends the plan back to its department
)
STOP_TASK = Transition(
    name="stop_task",
    label=gettext_lazy("停止"),
    source={DeptTaskStatus.OPEN},
    target=DeptTaskStatus.CANCELLED,
    permission=_acting,
    requires_reason=True,
    automatic=True,  # J-1: an approved cancellation stops all open work
)
DEPARTMENT_TASK = TransitionTable.of("department_task", COMPLETE_TASK, REOPEN_TASK, STOP_TASK)


def _warehouse(user: Any, reservation: Any) -> bool:
    return can_handle_stock(user)


def _second_person(user: Any, reservation: Any) -> bool:
    """G-4: the second check is done by someone other than the picker."""
    return _warehouse(user, reservation) and reservation.picked_by_id != user.pk


PICK = Transition(
    name="pick",
    label=gettext_lazy("拣货"),
    source={RS.RESERVED},
    target=RS.PICKED,
    permission=_warehouse,
    automatic=True,
)
CHECK = Transition(
    name="second_check",
    label=gettext_lazy("复核"),
    source={RS.PICKED},
    target=RS.CHECKED,
    permission=_second_person,
    automatic=True,
)
PACK = Transition(
    name="pack",
    label=gettext_lazy("包装"),
    source={RS.CHECKED},
    target=RS.PACKED,
    permission=_warehouse,
    automatic=True,
)
DISPATCH = Transition(
    name="dispatch",
    label=gettext_lazy("出库"),
    source={RS.PACKED},
    target=RS.SHIPPED,
    permission=_acting,
    automatic=True,
)
RELEASE_STOCK = Transition(
    name="release_stock",
    label=gettext_lazy("释放预留"),
    source={RS.RESERVED, RS.PICKED, RS.CHECKED, RS.PACKED},
    target=RS.RELEASED,
    permission=_acting,
    requires_reason=True,
    automatic=True,  # I-3, J-1: a reduced or cancelled order gives its held stock back
)
RESERVATION = TransitionTable.of("reservation", PICK, CHECK, PACK, DISPATCH, RELEASE_STOCK)

CLOSE_PO = Transition(
    name="close_po",
    label=gettext_lazy("采购完成"),
    source={POStatus.OPEN},
    target=POStatus.CLOSED,
    permission=_acting,
    automatic=True,
)
CANCEL_PO = Transition(
    name="cancel_po",
    label=gettext_lazy("取消采购"),
    source={POStatus.OPEN},
    target=POStatus.CANCELLED,
    permission=_acting,
    requires_reason=True,
    automatic=True,  # J-1: the supplier agreed to cancel or take the goods back
)
PURCHASE_ORDER = TransitionTable.of("purchase_order", CLOSE_PO, CANCEL_PO)
