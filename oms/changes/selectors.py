"""What a user sees of change and cancellation requests: those of orders they may see, and those
waiting on their opinion (DESIGN 8)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from oms.changes import states
from oms.changes.models import ChangeRequest, ChangeTask
from oms.fulfilment.models import SupplierDecision
from oms.orders.models import SalesOrder
from oms.orders.selectors import orders_for


def requests_for(user: Any) -> QuerySet[ChangeRequest]:
    mine = ChangeTask.objects.filter(assignee_id=getattr(user, "pk", None)).values("request_id")
    return ChangeRequest.objects.filter(
        Q(order__in=orders_for(user).values("pk")) | Q(pk__in=mine)
    ).select_related("order", "order__customer", "raised_by", "department")


def request_detail(user: Any, pk: int) -> ChangeRequest | None:
    return (
        requests_for(user).select_related("order__policy_version", "order__salesperson").filter(pk=pk).first()
    )


def tasks_of(request: ChangeRequest) -> list[ChangeTask]:
    tasks = list(request.tasks.select_related("department", "assignee", "decided_by").order_by("stage", "pk"))
    for t in tasks:
        t.request = request
    return tasks


def requests_of(order: SalesOrder) -> list[ChangeRequest]:
    """I-4: the order's change log (订单资料更改记录表), newest first."""
    return list(
        order.change_requests.select_related("raised_by", "department").order_by("-created_at", "-pk")
    )


def order_panel(user: Any, order: SalesOrder) -> dict[str, Any]:
    """I-4, J-1: the order's change log and the buttons to ask for a change or a cancellation."""
    return {
        "change_requests": requests_of(order),
        "can_request_change": order.status in states.CHANGEABLE and states.can_raise(user, order),
        "pending_purchase_decisions": list(
            order.purchase_orders.filter(supplier_decision=SupplierDecision.PENDING).select_related(
                "supplier"
            )
        ),
        "supplier_decisions": [
            (v, label) for v, label in SupplierDecision.choices if v != SupplierDecision.PENDING
        ],
    }
