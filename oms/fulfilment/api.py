# No "from __future__ import annotations": django-ninja reads the schemas at runtime.
"""Shipment status over the API (G-5): what has shipped, how, with which tracking number."""

import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from oms.fulfilment.actions import shipped_quantities
from oms.fulfilment.models import Shipment
from oms.orders.selectors import orders_for

router = Router(tags=["发货"])


class ShipmentLineOut(Schema):
    line_no: int
    quantity: Decimal


class ShipmentOut(Schema):
    number: int
    mode: str
    carrier: str
    tracking_number: str
    shipped_on: datetime.date
    lines: list[ShipmentLineOut]


class ShippingStatusOut(Schema):
    order_id: int
    status: str
    customer_stage: str
    remaining: dict[int, Decimal]
    shipments: list[ShipmentOut]


@router.get("/orders/{order_id}/shipments", response=ShippingStatusOut, operation_id="order_shipments")
def order_shipments(request: HttpRequest, order_id: int) -> dict[str, Any]:
    order = orders_for(request.user).filter(pk=order_id).first()
    if order is None:
        raise Http404
    shipped = shipped_quantities(order)
    shipments = (
        Shipment.objects.filter(order=order).select_related("carrier").prefetch_related("lines__order_line")
    )
    return {
        "order_id": order.pk,
        "status": order.status,
        "customer_stage": order.customer_stage,
        "remaining": {ln.line_no: ln.quantity - shipped.get(ln.pk, Decimal("0")) for ln in order.lines.all()},
        "shipments": [
            {
                "number": s.number,
                "mode": s.mode,
                "carrier": s.carrier.name if s.carrier else "",
                "tracking_number": s.tracking_number,
                "shipped_on": s.shipped_on,
                "lines": [
                    {"line_no": sl.order_line.line_no, "quantity": sl.quantity} for sl in s.lines.all()
                ],
            }
            for s in shipments
        ],
    }
