"""What reviewers, approvers and sales see of review, approval and confirmation (C-2, C-5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, Prefetch, Q, QuerySet, Sum, When
from django.utils.translation import gettext_lazy

from oms.accounts.models import DepartmentKind, Role
from oms.accounts.permissions import department_tree_ids
from oms.catalog.models import StockLevel
from oms.orders.models import OrderLine, OrderStatus, SalesOrder
from oms.orders.report import check_report
from oms.orders.selectors import customer_exposure
from oms.partners.models import Qualification, Supplier
from oms.review.models import ApprovalStep, ReviewRound, ReviewTask, StepStatus, TaskStatus
from oms.tracking.models import WorkItem

_PIPELINE = [
    OrderStatus.IN_REVIEW,
    OrderStatus.IN_APPROVAL,
    OrderStatus.AWAITING_CONFIRMATION,
    OrderStatus.CONFIRMED,
]


def review_tasks_for(user: Any) -> QuerySet[ReviewTask]:
    """Tasks the user reviews, was escalated, or (as head) oversees in their department tree."""
    escalated = WorkItem.objects.filter(content_type__model="reviewtask", escalated_to=user).values(
        "object_id"
    )
    mine = Q(assignee=user) | Q(pk__in=escalated)
    if getattr(user, "role", "") == Role.HEAD:
        mine |= Q(department_id__in=department_tree_ids(user.department_id))
    if getattr(user, "role", "") in {Role.EXECUTIVE, Role.ADMIN, Role.AUDITOR}:
        mine = Q()
    return (
        ReviewTask.objects.filter(mine)
        .select_related("round__order__customer", "department", "assignee")
        # Open tasks first: they are what the reviewer has to do.
        .order_by(Case(When(status=TaskStatus.OPEN, then=0), default=1), "-round__started_at", "stage")
    )


def rounds_of(order: SalesOrder) -> list[ReviewRound]:
    tasks = ReviewTask.objects.select_related("department", "assignee", "decided_by").order_by("stage", "pk")
    return list(order.review_rounds.prefetch_related(Prefetch("tasks", queryset=tasks)).order_by("number"))


def approval_steps_of(order: SalesOrder) -> list[ApprovalStep]:
    return list(order.approval_steps.select_related("approver", "decided_by").order_by("attempt", "seq"))


@dataclass
class LineView:
    line: OrderLine
    list_price: Decimal
    floor: Decimal
    cost: Decimal
    margin: Decimal | None
    on_hand: Decimal
    available: Decimal
    pipeline_quantity: Decimal
    lead_time_days: int


@dataclass
class DepartmentView:
    """C-2: what this department judges, with the figures it needs."""

    kind: str
    lines: list[LineView] = field(default_factory=list)
    report: Any = None
    total_cost: Decimal = Decimal("0")
    margin: Decimal | None = None
    qualified_suppliers: int = 0
    pipeline_orders: int = 0


def line_cost(standard_cost: Decimal, quantity: Decimal) -> Decimal:
    """C-2: a line's cost at the product's standard cost, to the fen."""
    return (standard_cost * quantity).quantize(Decimal("0.01"))


def margin_of(amount: Decimal, cost: Decimal) -> Decimal | None:
    """C-2: the gross margin in per cent, one decimal; none for a zero amount."""
    return ((amount - cost) / amount * 100).quantize(Decimal("0.1")) if amount else None


def department_view(task: ReviewTask) -> DepartmentView:
    """A fixed number of queries whatever the number of lines."""
    order = task.round.order
    lines = list(order.lines.select_related("product").order_by("line_no"))
    product_ids = [ln.product_id for ln in lines]
    stock: dict[int, tuple[Decimal, Decimal]] = {}
    for row in (
        StockLevel.objects.filter(product_id__in=product_ids)
        .values("product_id")
        .annotate(h=Sum("on_hand"), r=Sum("reserved"))
    ):
        stock[row["product_id"]] = (row["h"] or Decimal("0"), row["r"] or Decimal("0"))
    days = order.policy().review.capacity_window_days
    window = (order.delivery_date - timedelta(days=days), order.delivery_date + timedelta(days=days))
    pipeline = OrderLine.objects.filter(
        product_id__in=product_ids, order__status__in=_PIPELINE, order__delivery_date__range=window
    ).exclude(order=order)
    in_pipeline = {r["product_id"]: r["q"] for r in pipeline.values("product_id").annotate(q=Sum("quantity"))}
    floor_ratio = order.policy().intake.price_floor_ratio
    view = DepartmentView(kind=task.department_kind, report=check_report(order))
    for ln in lines:
        p = ln.product
        cost = line_cost(p.standard_cost, ln.quantity)
        margin = margin_of(ln.amount, cost)
        on_hand, reserved = stock.get(p.pk, (Decimal("0"), Decimal("0")))
        view.lines.append(
            LineView(
                ln,
                p.list_price,
                (p.list_price * floor_ratio).quantize(Decimal("0.01")),
                cost,
                margin,
                on_hand,
                on_hand - reserved,
                in_pipeline.get(p.pk, Decimal("0")),
                p.lead_time_days,
            )
        )
        view.total_cost += cost
    view.margin = margin_of(order.total_amount, view.total_cost)
    view.pipeline_orders = pipeline.values("order_id").distinct().count()
    view.qualified_suppliers = Supplier.objects.filter(
        qualification=Qualification.QUALIFIED, active=True
    ).count()
    return view


KIND_FOCUS = {
    DepartmentKind.SALES: gettext_lazy("价格、付款方式、交货期是否符合政策与产能"),
    DepartmentKind.PRODUCTION: gettext_lazy("设备、人员、工艺能否满足；新产品需工艺验证"),
    DepartmentKind.TECHNICAL: gettext_lazy("规格、图纸、新技术能否实现"),
    DepartmentKind.QUALITY: gettext_lazy("质量要求、质量控制计划与检验方案"),
    DepartmentKind.PROCUREMENT: gettext_lazy("物料库存、供应商交期能否满足"),
    DepartmentKind.FINANCE: gettext_lazy("成本、毛利、现金流、付款条件风险与客户信用"),
}


def is_open(task: ReviewTask) -> bool:
    return task.status == TaskStatus.OPEN


# --- the batch decision page (issue 23 point 9) ------------------------------------------------
BATCH_LIMIT = 50


@dataclass
class PendingDecision:
    """One open review task or approval step of the user, with the figures decided on (C-2, B-6)."""

    key: str  # "task-<pk>" or "step-<pk>": what the page posts back
    item: ReviewTask | ApprovalStep
    order: SalesOrder
    what: str
    margin: Decimal | None = None
    credit: dict[str, Any] = field(default_factory=dict)


def _escalated_to(user: Any, model: str) -> QuerySet[WorkItem, Any]:
    return WorkItem.objects.filter(content_type__model=model, escalated_to=user).values("object_id")


def pending_decisions(user: Any) -> list[PendingDecision]:
    """C-5, D-1: the open review tasks and approval steps the user decides (as assignee or as the
    superior they were escalated to), at most BATCH_LIMIT of each, with each order's amount,
    margin and the customer's credit. Queries: two lists, one read of the lines, and the credit
    figures once per customer (`customer_exposure`, B-6) whatever the number of rows."""
    tasks = (
        ReviewTask.objects.filter(status=TaskStatus.OPEN)
        .filter(Q(assignee=user) | Q(pk__in=_escalated_to(user, "reviewtask")))
        .select_related("round__order__customer", "department")
        .order_by("round__started_at", "pk")[:BATCH_LIMIT]
    )
    steps = (
        ApprovalStep.objects.filter(status=StepStatus.OPEN)
        .filter(Q(approver=user) | Q(pk__in=_escalated_to(user, "approvalstep")))
        .select_related("order__customer")
        .order_by("pk")[:BATCH_LIMIT]
    )
    rows = [PendingDecision(f"task-{t.pk}", t, t.round.order, str(t.department)) for t in tasks] + [
        PendingDecision(f"step-{s.pk}", s, s.order, str(s.get_role_display())) for s in steps
    ]
    costs: dict[int, Decimal] = {}
    for order_id, standard_cost, quantity in OrderLine.objects.filter(
        order_id__in={r.order.pk for r in rows}
    ).values_list("order_id", "product__standard_cost", "quantity"):
        costs[order_id] = costs.get(order_id, Decimal("0")) + line_cost(standard_cost, quantity)
    credit = {c: customer_exposure(c) for c in {r.order.customer_id for r in rows}}
    for row in rows:
        customer = row.order.customer
        owed = credit[customer.pk]
        row.margin = margin_of(row.order.total_amount, costs.get(row.order.pk, Decimal("0")))
        exposure = owed["open_orders"] + owed["receivables"]
        row.credit = {
            "rating": customer.credit_rating,
            "limit": customer.credit_limit,
            "exposure": exposure,
            "overdue": owed["overdue"],
            "over_limit": exposure > customer.credit_limit,
        }
    return rows
