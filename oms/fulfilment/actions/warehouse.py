"""Warehouse reservations, picking, second check and packing (G-4)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from oms.accounts.models import DepartmentKind, User
from oms.accounts.selectors import department_of_kind
from oms.audit import recorder
from oms.catalog.models import StockLevel
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.core.money import format_quantity
from oms.core.phrases import phrase
from oms.engine import workflow
from oms.fulfilment import states
from oms.fulfilment.models import (
    Reservation,
    ReservationStatus,
)
from oms.fulfilment.permissions import can_handle_stock
from oms.fulfilment.selectors import left_to_pack, shipped_quantities
from oms.orders.models import OrderStatus, SalesOrder
from oms.quality.release import shipping_release
from oms.tracking import actions as tracking


def _require_warehouse(actor: User) -> None:
    if not can_handle_stock(actor):
        raise NotAllowed(_("只有仓储部门可以操作库存。"))


@transaction.atomic
@recorder.batched
def reserve(
    *, actor: User, order: SalesOrder, line_id: int, stock_level_id: int, quantity: Decimal
) -> Reservation:
    """G-4: hold stock for an order line. The stock row is locked and the database refuses more
    reserved than on hand, so two orders can never hold the same stock."""
    _require_warehouse(actor)
    if order.status not in {OrderStatus.RELEASED, OrderStatus.IN_PRODUCTION}:
        raise ActionError(_("订单下达后才能预留库存。"))
    line = order.lines.filter(pk=line_id).select_related("product").first()
    if line is None:
        raise FieldErrors({"line": _("不是这个订单的明细。")})
    level = (
        StockLevel.objects.select_for_update().filter(pk=stock_level_id, product_id=line.product_id).first()
    )
    if level is None:
        raise FieldErrors({"stock_level": _("该仓库没有这个产品的库存。")})
    held = _held(order, line.pk)
    shipped = shipped_quantities(order).get(line.pk, Decimal("0"))
    errors = {}
    if quantity is None or quantity <= 0:
        errors["quantity"] = _("数量必须大于 0。")
    elif quantity > level.on_hand - level.reserved:
        errors["quantity"] = _("库存不足：可用 %(a)s。") % {
            "a": format_quantity(level.on_hand - level.reserved)
        }
    elif quantity + held + shipped > line.quantity:
        errors["quantity"] = _("超过订单需要：最多还需 %(q)s。") % {
            "q": format_quantity(line.quantity - held - shipped)
        }
    if errors:
        raise FieldErrors(errors)
    level.reserved += quantity
    level.version += 1
    level.save(update_fields=["reserved", "version"])
    reservation = Reservation.objects.create(
        order=order, order_line=line, stock_level=level, quantity=quantity, reserved_by=actor
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="stock.reserve",
        after={"line": line.line_no, "warehouse": level.warehouse_id, "quantity": quantity},
    )
    return reservation


def _held(order: SalesOrder, line_id: int) -> Decimal:
    """Stock still held for a line: reserved and not yet gone (a partly dispatched reservation
    counts only its rest, since what left is counted as shipped)."""
    return order.reservations.filter(order_line_id=line_id).exclude(
        status__in=[ReservationStatus.SHIPPED, ReservationStatus.RELEASED]
    ).aggregate(s=Sum(F("quantity") - F("dispatched")))["s"] or Decimal("0")


@transaction.atomic
@recorder.batched
def release_reservations(
    *, actor: Any, order: SalesOrder, line_id: int, keep: Decimal, reason: str
) -> list[Reservation]:
    """I-3, J-1: give back held stock of a line until at most `keep` stays held, newest first."""
    released = []
    held = _held(order, line_id)
    for res in (
        order.reservations.filter(order_line_id=line_id)
        .exclude(status__in=[ReservationStatus.SHIPPED, ReservationStatus.RELEASED])
        .order_by("-pk")
    ):
        if held <= keep:
            break
        rest = res.quantity - res.dispatched
        level = StockLevel.objects.select_for_update().get(pk=res.stock_level_id)
        level.reserved -= rest
        level.version += 1
        level.save(update_fields=["reserved", "version"])
        released.append(workflow.apply(states.RELEASE_STOCK, res, actor=actor, reason=reason))
        held -= rest
    if released:
        recorder.record(
            actor=actor,
            obj=order,
            action="stock.release",
            after={"line": line_id, "reservations": [r.pk for r in released], "held": held},
            reason=reason,
        )
    return released


@transaction.atomic
@recorder.batched
def pick(*, actor: User, reservation: Reservation) -> Reservation:
    return workflow.apply(states.PICK, reservation, actor=actor, changes={"picked_by": actor})


@transaction.atomic
@recorder.batched
def second_check(*, actor: User, reservation: Reservation, counted: Decimal | None) -> Reservation:
    """G-4: a second person counts the picked goods against the order; a difference is refused,
    and so is a count left empty (a count of 0 is a count, and a difference)."""
    if counted is None:
        raise FieldErrors({"counted": _("请填写复核数量。")})
    if counted != reservation.quantity:
        raise FieldErrors(
            {
                "counted": _("复核数量 %(c)s 与预留数量 %(q)s 不符。")
                % {"c": format_quantity(counted), "q": format_quantity(reservation.quantity)}
            }
        )
    return workflow.apply(states.CHECK, reservation, actor=actor, changes={"checked_by": actor})


@transaction.atomic
@recorder.batched
def pack(*, actor: User, reservation: Reservation, packing: str) -> Reservation:
    if not packing.strip():
        raise FieldErrors({"packing": _("请填写包装说明。")})
    packed = workflow.apply(states.PACK, reservation, actor=actor, changes={"packing": packing.strip()})
    _hand_to_logistics(actor, packed.order)
    return packed


def _hand_to_logistics(actor: User, order: SalesOrder) -> None:
    """G-4, G-5, T-1 (issue 23): packed goods wait on logistics to ship them (kept once however
    many reservations are packed); the order leaves the warehouse staff's work once nothing is
    left for them (`_warehouse_done`)."""
    if _warehouse_done(order):
        tracking.close_items(target=order, actor=actor, outcome=_("已包装"), kinds=("warehouse.prepare",))
    logistics = department_of_kind(DepartmentKind.LOGISTICS)
    if logistics is None:
        return
    tracking.hand_off(
        target=order,
        order=order,
        kind="logistics.ship",
        title=phrase("订单 %(n)s 已包装，请安排发货", n=order.number),
        department=logistics,
        assignee=None,
        url=reverse("workbench:order_detail", args=[order.pk]),
        event="fulfilment",
        once=True,
    )


def _warehouse_done(order: SalesOrder) -> bool:
    """G-4, T-1: the warehouse's step on the order is done when every line is packed (or shipped),
    or the lines left may not ship yet (awaiting their final inspection or an open non-conformance,
    K-2: quality holds them, and a passed inspection hands them to the warehouse again). A batch
    packed while other lines the warehouse may prepare still wait leaves the step open."""
    left = left_to_pack(order)
    if not left:
        return True
    return shipping_release(order, left).blocked_lines == {ln.pk for ln in left}


def dispatch_stock(order: SalesOrder, actor: User, line: Any, quantity: Decimal) -> None:
    """Shipping takes the goods out of stock from the line's packed reservations, oldest first; a
    reservation is dispatched once all of it has gone (a partial shipment leaves the rest held)."""
    left = quantity
    for res in order.reservations.filter(order_line=line, status=ReservationStatus.PACKED).order_by("pk"):
        if left <= 0:
            break
        take = min(left, res.quantity - res.dispatched)
        if take <= 0:
            continue
        level = StockLevel.objects.select_for_update().get(pk=res.stock_level_id)
        level.on_hand -= take
        level.reserved -= take
        level.version += 1
        level.save(update_fields=["on_hand", "reserved", "version"])
        Reservation.objects.filter(pk=res.pk).update(dispatched=res.dispatched + take)
        if res.dispatched + take >= res.quantity:
            workflow.apply(states.DISPATCH, res, actor=actor)
        left -= take
