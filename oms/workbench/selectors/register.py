"""The order-execution register (订单执行跟踪表, issue 23 point 10, H-1): one row per order with the
day it first reached each stage and how many of its steps are overdue.

Where the days come from: every state change of an order is an audit event
`transition:<name>` whose `after` holds the new status (the workflow engine writes it, I-1). The
first such event per stage is read by a correlated subquery per column on the audit table's
`(object_type, object_id, id)` index, so a page of rows is one SQL query whatever the page size,
and the list keeps the orders' own index for its order and filters."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy

from oms.audit.models import AuditEvent
from oms.orders.models import OrderStatus, SalesOrder
from oms.orders.selectors import orders_for
from oms.tracking.models import WorkItem, WorkStatus

# The stages of the register, in the order's life (H-1), with their column labels.
STAGES: tuple[tuple[str, Any], ...] = (
    (OrderStatus.PENDING_CHECK, gettext_lazy("提交")),
    (OrderStatus.IN_REVIEW, gettext_lazy("评审")),
    (OrderStatus.IN_APPROVAL, gettext_lazy("审批")),
    (OrderStatus.AWAITING_CONFIRMATION, gettext_lazy("待客户确认")),
    (OrderStatus.CONFIRMED, gettext_lazy("确认")),
    (OrderStatus.RELEASED, gettext_lazy("下达")),
    (OrderStatus.IN_PRODUCTION, gettext_lazy("生产")),
    (OrderStatus.SHIPPED, gettext_lazy("发货")),
    (OrderStatus.RECEIVED, gettext_lazy("签收")),
    (OrderStatus.CLOSED, gettext_lazy("关闭")),
)


def stage_column(status: str) -> str:
    return f"reached_{status}"


def _reached(status: str) -> Subquery:
    """The local day of the first audited transition into `status`."""
    events = AuditEvent.objects.filter(
        object_type="orders.salesorder",
        object_id=Cast(OuterRef("pk"), CharField()),
        action__startswith="transition:",
        after__status=status,
    ).order_by("id")
    return Subquery(events.annotate(day=TruncDate("occurred_at")).values("day")[:1])


def _late_items() -> QuerySet[WorkItem]:
    """The order's open steps past their deadline (H-5), on the `(order, status)` index."""
    return WorkItem.objects.filter(order=OuterRef("pk"), status=WorkStatus.OPEN).filter(
        Q(overdue=True) | Q(due_at__lt=timezone.now())
    )


def overdue_only(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """The register's "overdue" filter: orders with an open step past its deadline."""
    return qs.filter(Exists(_late_items()))


def register_rows(user: Any) -> QuerySet[SalesOrder]:
    """The user's orders (S-1) with each stage's day and the count of overdue steps."""
    late = _late_items().order_by().values("order").annotate(n=Count("pk")).values("n")
    return orders_for(user).annotate(
        **{stage_column(status): _reached(status) for status, _label in STAGES},
        overdue_steps=Coalesce(Subquery(late, output_field=IntegerField()), 0),
    )
