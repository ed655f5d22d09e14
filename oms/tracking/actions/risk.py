"""H-6 (issue 21): the overview's risk of an order, kept on the order.

The overview lists open orders at-risk first: an open overdue step of the order, then its open
exceptions, then an open idleness reminder (H-5), then the nearest delivery. Computed per order
at request time it sorted every open order of the viewer's scope (5 s for the executive at 10^6
orders); kept on the order (`SalesOrder.risk_late`, `risk_exceptions`, `risk_idle`) the first
page is a walk of the partial index `order_overview_risk_idx`.

What changes an input recomputes the three figures of its order in the same transaction (its
row locked, then one UPDATE): the sweep when a step of the order falls overdue, closing or withdrawing the order's
steps, raising or resolving an exception, and the idleness reminder opened or answered.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from oms.orders.models import SalesOrder
from oms.tracking.models import ExceptionStatus, OrderException, WorkItem, WorkStatus

IDLE = "order.idle"


def risk_expressions(order_type_id: int) -> dict[str, Any]:
    """The three figures of an order (`OuterRef("pk")`) as its steps and exceptions give them:
    the definition H-6 sorts by, used to keep them and to fill them for existing orders. Only
    the order's own steps count (target the order), as the overview always read them."""
    steps = WorkItem.objects.filter(
        content_type_id=order_type_id, object_id=OuterRef("pk"), status=WorkStatus.OPEN
    )
    exceptions = (
        OrderException.objects.filter(order=OuterRef("pk"), status=ExceptionStatus.OPEN)
        .order_by()
        .values("order")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return {
        "risk_late": Exists(steps.filter(overdue=True)),
        "risk_exceptions": Coalesce(Subquery(exceptions), Value(0), output_field=IntegerField()),
        "risk_idle": Exists(steps.filter(kind=IDLE)),
    }


def refresh_risk(order_ids: Iterable[int], *, locked: bool = False) -> int:
    """Recompute the kept risk of these orders from their steps and exceptions; returns how many
    orders were written.

    The orders' rows are locked first (unless the caller holds them, `locked`) and the figures
    computed by the next statement: on PostgreSQL an UPDATE that waits for another writer's row
    lock computes its subqueries from the snapshot taken before the wait, so two exceptions
    raised at once on one order would count one."""
    ids = sorted({int(i) for i in order_ids})
    if not ids:
        return 0
    if not locked:
        list(SalesOrder.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    order_type = ContentType.objects.get_for_model(SalesOrder).pk
    return SalesOrder.objects.filter(pk__in=ids).update(**risk_expressions(order_type))


def may_lower(order: Any) -> bool:
    """Whether closing or withdrawing steps of `order` can change its kept risk: only when it
    has a late step or an idleness reminder now (closing lowers the risk, never raises it). Read
    from the instance, so the actions that close the order's steps on the path to release spend
    no statement on an order at no risk."""
    return isinstance(order, SalesOrder) and bool(order.risk_late or order.risk_idle)
