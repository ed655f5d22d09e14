"""What the order page shows of release and execution."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Case, IntegerField, Sum, When

from oms.catalog.models import StockLevel
from oms.fulfilment.actions import shortages
from oms.fulfilment.models import (
    DepartmentTask,
    Disposition,
    Milestone,
    PurchaseOrder,
    Reservation,
    ReservationStatus,
    Shipment,
    ShipmentLine,
    ShippingMode,
)
from oms.orders.models import SalesOrder
from oms.partners.models import Carrier, Qualification, Supplier


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
        "purchase_orders": list(
            PurchaseOrder.objects.filter(order=order)
            .select_related("supplier")
            .prefetch_related("lines__product", "lines__receipts")
        ),
        "suppliers": list(Supplier.objects.filter(active=True, qualification=Qualification.QUALIFIED)),
        "shortages": shortages(order) if order.status in {"released", "in_production", "on_hold"} else [],
        "dispositions": Disposition.choices,
        "reservations": list(
            Reservation.objects.filter(order=order).select_related(
                "order_line", "stock_level__warehouse", "picked_by", "checked_by"
            )
        ),
        "stock_choices": list(
            StockLevel.objects.filter(product_id__in=[ln.product_id for ln in lines]).select_related(
                "warehouse", "product"
            )
        ),
        "department_tasks": list(
            DepartmentTask.objects.filter(order=order).select_related("department", "assignee", "done_by")
        ),
        "milestones": list(Milestone.objects.filter(order=order).order_by("seq")),
        "prepaid": order.prepayments.aggregate(s=Sum("amount"))["s"] or Decimal("0"),
        "prepayments": list(order.prepayments.select_related("recorded_by")),
    }


def picking_list(user: Any) -> list[Reservation]:
    """G-4: reservations waiting to be picked, most urgent first (order class, then delivery date)."""
    urgency = Case(
        When(order__order_class="urgent", then=0),
        When(order__order_class="special", then=1),
        default=2,
        output_field=IntegerField(),
    )
    return list(
        Reservation.objects.filter(
            status__in=[ReservationStatus.RESERVED, ReservationStatus.PICKED, ReservationStatus.CHECKED]
        )
        .select_related("order", "order_line__product", "stock_level__warehouse")
        .order_by(urgency, "order__delivery_date", "pk")[:300]
    )
