"""What the order page shows of release and execution."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum

from oms.fulfilment.models import DepartmentTask, Milestone
from oms.orders.models import SalesOrder


def execution_of(order: SalesOrder) -> dict[str, Any]:
    return {
        "department_tasks": list(
            DepartmentTask.objects.filter(order=order).select_related("department", "assignee", "done_by")
        ),
        "milestones": list(Milestone.objects.filter(order=order).order_by("seq")),
        "prepaid": order.prepayments.aggregate(s=Sum("amount"))["s"] or Decimal("0"),
        "prepayments": list(order.prepayments.select_related("recorded_by")),
    }
