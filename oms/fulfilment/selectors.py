"""What the order page shows of release and execution."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Case, F, IntegerField, Sum, When
from django.utils import timezone

from oms.catalog.models import StockLevel
from oms.core.money import plain_number
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
from oms.quality.release import shipping_release


def execution_of(order: SalesOrder, *, open_lines: bool = False) -> dict[str, Any]:
    """The execution panel. `open_lines` (下推, issue 23 point 6): the shipping form comes filled
    with every open line's quantity left to ship, the order's contact and today, to edit."""
    to_ship = left_to_ship(order)
    lines = [ln for ln, _left in to_ship]
    return {
        **_ship_release(order, to_ship),
        **(_shipment_notice(order, to_ship) if open_lines else {}),
        "shipments": list(
            Shipment.objects.filter(order=order)
            .select_related("carrier")
            .prefetch_related("lines__order_line", "released_by")
        ),
        "to_ship": to_ship,
        # The shipping form's lines: (line, left to ship, what was typed: nothing yet, or what is left).
        "ship_rows": [
            (ln, left, plain_number(left) if open_lines and left > 0 else "") for ln, left in to_ship
        ],
        "has_open_lines": any(left > 0 for _ln, left in to_ship),
        "carriers": list(Carrier.objects.filter(active=True, qualification=Qualification.QUALIFIED)),
        "shipping_modes": ShippingMode.choices,
        "purchase_orders": list(
            PurchaseOrder.objects.filter(order=order)
            .select_related("supplier")
            .prefetch_related("lines__product", "lines__incoming_inspections")
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
        "prepaid": prepaid(order),
        "prepayments": list(order.prepayments.select_related("recorded_by")),
    }


def left_to_ship(order: SalesOrder) -> list[tuple[Any, Decimal]]:
    """G-6: each line of the order with what is left to ship of it."""
    shipped = shipped_quantities(order)
    # A value the database could not read back (text stored by hand on SQLite) counts as 0 so
    # the page still opens for the repair (issue 20.1).
    return [
        (ln, (ln.quantity or Decimal("0")) - shipped.get(ln.pk, Decimal("0")))
        for ln in order.lines.select_related("product").order_by("line_no")
    ]


def _ship_release(order: SalesOrder, to_ship: list[tuple[Any, Decimal]]) -> dict[str, Any]:
    """K-2, G-3: for the lines still to ship, which inspection releases them or why they cannot
    ship yet (the shipping form shows this instead of a tick box)."""
    pending = [ln for ln, left in to_ship if left > 0]
    if order.status not in {"released", "in_production"} or not pending:
        return {"ship_lines": [], "ship_blocked": []}
    release = shipping_release(order, pending)
    return {
        # (line, releasing inspection or None, exempt by policy, blocked)
        "ship_lines": [
            (
                ln,
                release.by_line.get(ln.pk),
                ln.pk in release.by_line and release.by_line[ln.pk] is None,
                ln.pk in release.blocked_lines,
            )
            for ln in pending
        ],
        "ship_blocked": release.reasons,
    }


def picking_list(user: Any) -> list[Reservation]:
    """G-4: reservations waiting to be picked, most urgent first (order class, then delivery date),
    of the orders the user may see (S-1: `orders_for`'s scope, archived orders excluded, M-3)."""
    from oms.orders.selectors import in_order_scope

    urgency = Case(
        When(order__order_class="urgent", then=0),
        When(order__order_class="special", then=1),
        default=2,
        output_field=IntegerField(),
    )
    waiting = Reservation.objects.filter(status__in=_TO_PICK)
    return list(
        in_order_scope(waiting, user, "order")
        .select_related("order", "order_line__product", "stock_level__warehouse")
        .order_by(urgency, "order__delivery_date", "pk")[:300]
    )


def shipped_quantities(order: SalesOrder) -> dict[int, Decimal]:
    """G-6: how much of each order line has shipped."""
    rows = (
        ShipmentLine.objects.filter(shipment__order=order).values("order_line_id").annotate(q=Sum("quantity"))
    )
    return {r["order_line_id"]: r["q"] for r in rows}


def left_to_pack(order: SalesOrder) -> list[Any]:
    """G-4, G-6: the lines of the order not yet all packed or shipped: what is neither shipped
    nor held packed (what remains of a packed reservation once part of it left) is still to be
    reserved, picked, checked and packed. Three queries."""
    shipped = shipped_quantities(order)
    packed = dict(
        order.reservations.filter(status=ReservationStatus.PACKED)
        .values("order_line_id")
        .annotate(q=Sum(F("quantity") - F("dispatched")))
        .values_list("order_line_id", "q")
    )
    return [
        ln
        for ln in order.lines.order_by("line_no")
        if (ln.quantity or Decimal("0"))
        - shipped.get(ln.pk, Decimal("0"))
        - (packed.get(ln.pk) or Decimal("0"))
        > 0
    ]


def prepaid(order: SalesOrder) -> Decimal:
    """D-4, J-1: the prepayments received on the order, all added up (what release waits for,
    the order page shows and a cancellation would have to settle)."""
    return order.prepayments.aggregate(s=Sum("amount"))["s"] or Decimal("0")


def shortages(order: SalesOrder) -> list[tuple[Any, Decimal]]:
    """G-1: what stock does not cover for each line's product (the purchase plan's starting point)."""
    needed: dict[int, Decimal] = {}
    products = {}
    for ln in order.lines.select_related("product"):
        needed[ln.product_id] = needed.get(ln.product_id, Decimal("0")) + ln.quantity
        products[ln.product_id] = ln.product
    available = {
        r["product_id"]: (r["h"] or Decimal("0")) - (r["r"] or Decimal("0"))
        for r in StockLevel.objects.filter(product_id__in=needed)
        .values("product_id")
        .annotate(h=Sum("on_hand"), r=Sum("reserved"))
    }
    return [
        (products[pid], qty - available.get(pid, Decimal("0")))
        for pid, qty in needed.items()
        if qty > available.get(pid, Decimal("0"))
    ]


def _shipment_notice(order: SalesOrder, to_ship: list[tuple[Any, Decimal]]) -> dict[str, Any]:
    """What a shipment generated from the order's open lines starts with (the `typed` values the
    shipping form shows); the lines' quantities come with `ship_rows`."""
    return {
        "ship_prefilled": any(left > 0 for _ln, left in to_ship),
        "ship_typed": {
            "mode": "",
            "shipped_on": f"{timezone.localdate():%Y-%m-%d}",
            "confirmed_with": order.contact_name,
            "expected_arrival": f"{order.delivery_date:%Y-%m-%d}" if order.delivery_date else "",
            "delivery_place": order.delivery_place,
            "quantity_checked": False,
        },
    }


_TO_PICK = (ReservationStatus.RESERVED, ReservationStatus.PICKED, ReservationStatus.CHECKED)


def picking_of(user: Any, order_ids: list[int]) -> list[tuple[SalesOrder, list[Reservation]]]:
    """G-4, issue 23 point 6 (下推): the picking list of one or several orders the user may see,
    from their reservations not yet packed, by order then warehouse; two queries."""
    from oms.orders.selectors import orders_for

    orders = list(orders_for(user).filter(pk__in=order_ids[:50]).order_by("number"))
    rows = Reservation.objects.filter(order__in=orders, status__in=_TO_PICK).select_related(
        "order_line__product", "stock_level__warehouse"
    )
    by_order: dict[int, list[Reservation]] = {}
    for r in rows.order_by("stock_level__warehouse__code", "order_line__line_no", "pk"):
        by_order.setdefault(r.order_id, []).append(r)
    return [(o, by_order[o.pk]) for o in orders if o.pk in by_order]
