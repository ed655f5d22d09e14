# No "from __future__ import annotations": django-ninja reads the schemas at runtime.
"""Shipments over the API (G-5, K-2): what has shipped, how, with which tracking number and which
inspection released it; logistics records a shipment under the same rules as on the page."""

import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from oms.accounts.models import User
from oms.core.errors import FieldErrors
from oms.core.money import bounded_decimal
from oms.fulfilment import actions
from oms.fulfilment.forms import ShipmentForm
from oms.fulfilment.models import Shipment, ShipmentLine
from oms.fulfilment.permissions import can_ship
from oms.fulfilment.selectors import shipped_quantities
from oms.orders.selectors import orders_for
from oms.web.api_gate import asks_first, refuse_unless

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
    released_by: list[int]  # K-2: the final inspections that released these goods


class ShippingStatusOut(Schema):
    order_id: int
    status: str
    customer_stage: str
    remaining: dict[int, Decimal]
    shipments: list[ShipmentOut]


# P-1: the same parser as the pages, at the column's digits; refusals name the field.
ShipQuantity = bounded_decimal(ShipmentLine, "quantity")


class ShipmentIn(Schema):
    mode: str
    shipped_on: datetime.date
    lines: dict[int, ShipQuantity]  # type: ignore[valid-type]  # line number -> quantity to ship now
    expected_arrival: datetime.date
    confirmed_with: str
    quantity_checked: bool
    carrier_id: int | None = None
    route: str = ""
    packaging: str = ""
    tracking_number: str = ""
    delivery_place: str = ""


def _order(request: HttpRequest, order_id: int) -> Any:
    order = orders_for(request.user).filter(pk=order_id).first()
    if order is None:
        raise Http404
    return order


@router.get("/orders/{order_id}/shipments", response=ShippingStatusOut, operation_id="order_shipments")
def order_shipments(request: HttpRequest, order_id: int) -> dict[str, Any]:
    order = _order(request, order_id)
    shipped = shipped_quantities(order)
    shipments = (
        Shipment.objects.filter(order=order)
        .select_related("carrier")
        .prefetch_related("lines__order_line", "released_by")
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
                "released_by": sorted(i.pk for i in s.released_by.all()),
            }
            for s in shipments
        ],
    }


def _ships(request: HttpRequest, ids: Any) -> None:
    """S-1 (issue 23): logistics or the warehouse, asked before the body is read."""
    order = _order(request, ids["order_id"])
    refuse_unless(can_ship(request.user, order), _("只有物流或仓储部门可以登记发货。"))


@router.post(
    "/orders/{order_id}/shipments", response={201: ShippingStatusOut}, operation_id="record_shipment"
)
@asks_first(_ships)
def record_shipment(request: HttpRequest, order_id: int, payload: ShipmentIn) -> Any:
    """G-5, K-2: the same action as the page; a line quality has not released is refused (422)."""
    order = _order(request, order_id)
    assert isinstance(request.user, User)
    by_no = {ln.line_no: ln.pk for ln in order.lines.all()}
    unknown = [no for no in payload.lines if no not in by_no]
    if unknown:
        raise FieldErrors({f"lines.{no}": _("不是这个订单的明细。") for no in unknown})
    form = ShipmentForm(order, _form_data(payload, by_no))
    if not form.is_valid():
        line_no = {f"qty-{pk}": f"lines.{no}" for no, pk in by_no.items()}
        raise FieldErrors({line_no.get(k, k): [str(m) for m in v] for k, v in form.errors.items()})
    actions.ship(actor=request.user, order=order, **form.shipment())  # as the page does
    return Status(201, order_shipments(request, order_id))


def _form_data(payload: ShipmentIn, by_no: dict[int, int]) -> dict[str, Any]:
    """The payload as the shipping form reads it (the page posts `qty-<line id>`)."""
    data: dict[str, Any] = payload.model_dump(exclude={"lines", "carrier_id"})
    data["carrier"] = payload.carrier_id
    data.update({f"qty-{by_no[no]}": q for no, q in payload.lines.items()})
    return data
