"""What the order page shows of release and execution."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum

from oms.fulfilment.models import DepartmentTask, Milestone, Shipment, ShipmentLine, ShippingMode
from oms.orders.models import SalesOrder
from oms.partners.models import Carrier, Qualification


def execution_of(order: SalesOrder) -> dict[str, Any]:
    shipped = {
        r["order_line_id"]: r["q"]
        for r in ShipmentLine.objects.filter(shipment__order=order)
        .values("order_line_id")
        .annotate(q=Sum("quantity"))
    }
    lines = list(order.lines.select_related("product").order_by("line_no"))
    return {
        "shipments": list(
            Shipment.objects.filter(order=order)
            .select_related("carrier")
            .prefetch_related("lines__order_line")
        ),
        "to_ship": [(ln, ln.quantity - shipped.get(ln.pk, Decimal("0"))) for ln in lines],
        "carriers": list(Carrier.objects.filter(active=True, qualification=Qualification.QUALIFIED)),
        "shipping_modes": ShippingMode.choices,
        "department_tasks": list(
            DepartmentTask.objects.filter(order=order).select_related("department", "assignee", "done_by")
        ),
        "milestones": list(Milestone.objects.filter(order=order).order_by("seq")),
        "prepaid": order.prepayments.aggregate(s=Sum("amount"))["s"] or Decimal("0"),
        "prepayments": list(order.prepayments.select_related("recorded_by")),
    }
