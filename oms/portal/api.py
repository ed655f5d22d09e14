# No "from __future__ import annotations": django-ninja reads the schemas at runtime.
"""The customer portal over the API (B-8, H-1, D-2): a customer's own system lists and reads
their company's orders, places one (Idempotency-Key) and confirms one, with a token issued to
their portal login. The same selectors and actions as the portal pages; another customer's
order number answers 404 like one that does not exist."""

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.security import django_auth
from pydantic import Field

from oms.core.money import bounded_decimal
from oms.intake import actions as intake
from oms.orders.models import OrderLine, SalesOrder
from oms.portal import selectors
from oms.review import actions as review
from oms.web.api import PageNumber, TokenAuth, run_idempotent
from oms.web.pages import actor

router = Router(tags=["客户门户"], auth=[TokenAuth(customers=True), django_auth])
MAX_PAGE_SIZE = 100


class PortalLineOut(Schema):
    line_no: int
    product_code: str
    product_name: str
    spec: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal


class PortalShipmentOut(Schema):
    number: int
    shipped_on: datetime.date
    mode: str
    carrier: str
    tracking_number: str
    expected_arrival: datetime.date | None
    acceptance: str


class PortalOrderOut(Schema):
    number: str
    external_ref: str
    order_date: datetime.date
    delivery_date: datetime.date
    delivery_place: str
    currency: str
    total_amount: Decimal
    stage: str
    stage_label: str
    awaiting_confirmation: bool
    lines: list[PortalLineOut]
    shipments: list[PortalShipmentOut]


class PortalOrderSummary(Schema):
    number: str
    external_ref: str
    order_date: datetime.date
    delivery_date: datetime.date
    total_amount: Decimal
    stage: str
    stage_label: str


class PortalOrderPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PortalOrderSummary]


class PortalOrderFilters(Schema):
    stage: str = ""
    q: str = ""
    page: PageNumber = 1
    page_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE, description="每页条数")] = 50


# P-1: the same parser as the pages, at the column's digits; refusals name the field.
Quantity = bounded_decimal(OrderLine, "quantity", min_value=0, min_exclusive=True)


class PortalLineIn(Schema):
    product_id: int
    quantity: Quantity  # type: ignore[valid-type]
    spec: str = ""


class PortalOrderIn(Schema):
    delivery_date: datetime.date
    delivery_place: str
    contact_phone: str
    order_class: str = ""
    external_ref: str = ""
    special_requirements: str = ""
    duplicate_reason: str = ""
    lines: list[PortalLineIn]


def _stage(order: SalesOrder) -> dict[str, Any]:
    ended = order.status in selectors.ENDED
    return {
        "stage": order.status if ended else order.customer_stage,
        "stage_label": selectors.stage_label(order),
    }


def _detail(order: SalesOrder) -> dict[str, Any]:
    return {
        **{
            f: getattr(order, f)
            for f in ("number", "external_ref", "order_date", "delivery_date", "delivery_place", "currency")
        },
        "total_amount": order.total_amount,
        **_stage(order),
        "awaiting_confirmation": order.status == "awaiting_confirmation",
        "lines": [
            {
                "line_no": ln.line_no,
                "product_code": ln.product.code,
                "product_name": ln.product.name,
                "spec": ln.spec,
                "quantity": ln.quantity,
                "unit": ln.unit,
                "unit_price": ln.unit_price,
                "amount": ln.amount,
            }
            for ln in order.lines.all()
        ],
        "shipments": [
            {
                "number": v.shipment.number,
                "shipped_on": v.shipment.shipped_on,
                "mode": v.shipment.mode,
                "carrier": str(v.shipment.carrier or ""),
                "tracking_number": v.shipment.tracking_number,
                "expected_arrival": v.shipment.expected_arrival,
                "acceptance": v.acceptance.result if v.acceptance else "",
            }
            for v in selectors.shipments_of(order)
        ],
    }


@router.get("/orders", response=PortalOrderPage, summary="本公司的订单")
def list_orders(request: HttpRequest, filters: Query[PortalOrderFilters]) -> dict[str, Any]:
    """H-1: the company's orders, newest first, with the stage each has reached."""
    account = selectors.account_of(request.user)
    qs = selectors.order_list(account, stage=filters.stage, q=filters.q.strip())
    size, page = filters.page_size, filters.page
    items = list(qs[(page - 1) * size : page * size])
    return {
        "count": qs.count(),
        "page": page,
        "page_size": size,
        "items": [
            {
                **{f: getattr(o, f) for f in ("number", "external_ref", "order_date", "delivery_date")},
                "total_amount": o.total_amount,
                **_stage(o),
            }
            for o in items
        ],
    }


@router.get("/orders/{number}", response=PortalOrderOut, summary="订单详情、发货与运单号")
def get_order(request: HttpRequest, number: str) -> dict[str, Any]:
    return _detail(selectors.order_of(selectors.account_of(request.user), number))


@router.post("/orders", response={201: PortalOrderOut}, summary="下单（进入初审）")
def place_order(request: HttpRequest, payload: PortalOrderIn) -> Any:
    """B-8: the order enters intake as pending_check for the customer's salesperson, at list
    prices; a retry with the same Idempotency-Key answers the first result."""
    account = selectors.account_of(request.user)

    def create() -> dict[str, Any]:
        data = payload.dict(exclude={"lines", "duplicate_reason"})
        if not data["order_class"]:
            data.pop("order_class")
        order = intake.place_customer_order(
            actor=actor(request),
            data=data,
            lines=[
                {"product": ln.product_id, "quantity": ln.quantity, "spec": ln.spec} for ln in payload.lines
            ],
            duplicate_reason=payload.duplicate_reason,
        )
        return _detail(selectors.order_of(account, order.number))

    return run_idempotent(request, "portal.order", create)


@router.post("/orders/{number}/confirm", response=PortalOrderOut, summary="确认订单")
def confirm_order(request: HttpRequest, number: str) -> dict[str, Any]:
    """D-2: the customer confirms the order waiting for their confirmation."""
    account = selectors.account_of(request.user)
    order = review.confirm_in_portal(actor=actor(request), order=selectors.order_of(account, number))
    return _detail(selectors.order_of(account, order.number))
