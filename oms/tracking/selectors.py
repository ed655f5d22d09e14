"""'My work' (我的待办): what waits on the user, overdue first (H-5, P-3)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet

from oms.accounts.models import Role
from oms.accounts.permissions import department_tree_ids
from oms.orders.models import OPEN_STATUSES, RISK_ORDER, OrderStatus, SalesOrder
from oms.tracking.models import (
    STEP_KINDS,
    KpiTally,
    OrderException,
    OrderOutcome,
    TrackingEntry,
    WorkItem,
    WorkStatus,
)


def _mine(user: Any) -> Q:
    """H-5, P-3: a step is the user's when assigned to them, escalated to them, or waiting on
    their department with nobody named."""
    return (
        Q(assignee=user) | Q(escalated_to=user) | Q(assignee__isnull=True, department_id=user.department_id)
    )


def my_work(user: Any) -> QuerySet[WorkItem]:
    """Steps assigned to the user, waiting on their department with nobody named, or escalated to them."""
    return (
        WorkItem.objects.filter(_mine(user), status=WorkStatus.OPEN)
        .select_related("assignee", "department", "content_type", "escalated_to")
        .order_by("-overdue", "due_at", "id")
    )


def department_queue(user: Any) -> QuerySet[WorkItem]:
    """A head's view of everything else open in their department and below: the steps already in
    their own "my work" are left out, so each step shows once (issue 23)."""
    if getattr(user, "role", "") not in {Role.HEAD, Role.EXECUTIVE}:
        return WorkItem.objects.none()
    qs = (
        WorkItem.objects.filter(status=WorkStatus.OPEN)
        .exclude(_mine(user))
        .select_related("assignee", "department", "content_type", "escalated_to")
    )
    if user.role == Role.HEAD:
        qs = qs.filter(department_id__in=department_tree_ids(user.department_id))
    return qs.order_by("-overdue", "due_at", "id")


def my_work_counts(user: Any) -> list[dict[str, Any]]:
    """H-5 (issue 23): the user's open steps counted by kind, with how many are overdue, in one
    grouped query; most first. Each row: kind, label, n, late."""
    rows = (
        WorkItem.objects.filter(_mine(user), status=WorkStatus.OPEN)
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(overdue=True)))
    )
    counted = [{**r, "label": STEP_KINDS.get(r["kind"], r["kind"])} for r in rows]
    return sorted(counted, key=lambda r: (-r["n"], r["kind"]))


def open_items_of(obj: Any) -> QuerySet[WorkItem]:

    return WorkItem.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, status=WorkStatus.OPEN
    ).select_related("assignee", "department")


def exceptions_of(order: Any) -> list[Any]:

    return list(
        OrderException.objects.filter(order=order).select_related("responsible", "raised_by", "resolved_by")
    )


def ledger_of(order: Any) -> list[Any]:
    return list(TrackingEntry.objects.filter(order=order).select_related("author")[:200])


def overview(user: Any, orders: Any) -> Any:
    """H-6: open orders, at-risk first: an open overdue step, open exceptions, idleness, then the
    nearest delivery. `orders` is the viewer's scoped queryset. The risk is kept on the order
    (`oms.tracking.actions.risk`), so the first page walks `order_overview_risk_idx` within the
    scope instead of sorting every open order of it by a risk computed per order (issue 21)."""
    return orders.filter(status__in=OPEN_STATUSES).order_by(*RISK_ORDER)


@dataclass(frozen=True)
class OverviewRow:
    """H-6: an order as the overview shows it."""

    pk: int
    number: str
    customer: str
    status: str
    stage: str
    delivery_date: date | None
    risk_late: bool
    risk_exceptions: int
    risk_idle: bool
    salesperson: str


# Issue 21: the page's columns only; the order, customer and salesperson rows read whole (543
# bytes a row) and built into three models each cost more than the walk of the index.
_SHOWN = ("pk", "number", "customer__name", "status", "delivery_date", "risk_late", "risk_exceptions")
_PERSON = ("salesperson__last_name", "salesperson__first_name", "salesperson__username")


def overview_columns(user: Any, orders: Any) -> Any:
    """`overview` as the values the page shows (paged by the caller)."""
    return overview(user, orders).values(*_SHOWN, "risk_idle", *_PERSON)


def overview_rows(found: Iterable[dict[str, Any]]) -> list[OverviewRow]:
    """The rows of a page of `overview_columns`, each label translated once per page."""
    statuses = {code: str(label) for code, label in OrderStatus.choices}
    stages = {code: SalesOrder(status=code).customer_stage_label for code in statuses}
    return [
        OverviewRow(
            r["pk"],
            r["number"],
            r["customer__name"],
            statuses.get(r["status"], r["status"]),
            stages.get(r["status"], ""),
            r["delivery_date"],
            r["risk_late"],
            r["risk_exceptions"],
            r["risk_idle"],
            # The salesperson as `User.__str__` writes them: the full name, else the username.
            f"{r['salesperson__last_name']}{r['salesperson__first_name']}".strip()
            or r["salesperson__username"],
        )
        for r in found
    ]


# --- O-1: the order KPIs kept per month (issue 21, ADR 0018) ---------------------------------

TallyKey = tuple[str, date, int, int]  # KPI, month, department, salesperson


def unflagged_late_orders(now: Any) -> QuerySet[WorkItem, Any]:
    """The orders of steps open past their limit that the sweep has not flagged yet: late by
    the KPI's definition although no write said so (read with the figures)."""
    return WorkItem.objects.filter(status="open", overdue=False, due_at__lt=now).values("order_id")


def tallies(kpi: str) -> dict[TallyKey, tuple[int, int]]:
    """The kept tallies of `kpi`, for checking them."""
    return {
        (kpi, t.month, t.department_id, t.salesperson_id): (t.numerator, t.denominator)
        for t in KpiTally.objects.filter(kpi=kpi).exclude(denominator=0)
    }


def recounted(kpi: str) -> dict[TallyKey, tuple[int, int]]:
    """The tallies of `kpi` as the kept outcomes add up (a check of the tallies alone)."""
    rows = (
        OrderOutcome.objects.filter(kpi=kpi)
        .values("month", "department_id", "salesperson_id")
        .annotate(n=Count("pk", filter=Q(good=True)), d=Count("pk"))
    )
    return {(kpi, r["month"], r["department_id"], r["salesperson_id"]): (r["n"], r["d"]) for r in rows}
