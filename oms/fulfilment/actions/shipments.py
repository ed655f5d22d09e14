"""Shipments, whole or partial, released by quality (G-5, G-6, K-1, K-2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.audit import recorder
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.core.money import format_quantity
from oms.core.phrases import phrase
from oms.engine import workflow
from oms.fulfilment import states
from oms.fulfilment.actions.warehouse import dispatch_stock
from oms.fulfilment.models import (
    Shipment,
    ShipmentLine,
    ShippingMode,
)
from oms.fulfilment.permissions import can_ship
from oms.fulfilment.selectors import shipped_quantities
from oms.notifications.actions import notify
from oms.orders.models import OrderStatus, SalesOrder
from oms.partners.models import Qualification
from oms.quality.release import shipping_release
from oms.tracking import actions as tracking


@transaction.atomic
@recorder.batched
def ship(
    *,
    actor: User,
    order: SalesOrder,
    mode: str,
    shipped_on: date | None,
    quantities: dict[int, Decimal],
    carrier: Any = None,
    route: str = "",
    packaging: str = "",
    tracking_number: str = "",
    confirmed_with: str = "",
    expected_arrival: date | None = None,
    delivery_place: str = "",
    quantity_checked: bool = False,
) -> Any:
    """G-5, G-6: a shipment, whole or partial; never more than what is left; the order is shipped
    when every line has gone. K-1: the delivery time and place are confirmed with the customer's
    contact; K-2: the quantity is checked, and quality has released every shipped line (its latest
    final inspection passed, no open non-conformance on it, G-3): the shipment records the
    releasing inspections, otherwise it is refused with every reason and nothing changes."""
    locked = _lock_for_shipping(actor, order)
    errors = _header_errors(
        mode=mode,
        shipped_on=shipped_on,
        tracking_number=tracking_number,
        confirmed_with=confirmed_with,
        expected_arrival=expected_arrival,
        quantity_checked=quantity_checked,
        carrier=carrier,
    )
    lines = {ln.pk: ln for ln in locked.lines.all()}
    done = shipped_quantities(locked)
    wanted = {pk: q for pk, q in quantities.items() if q}
    errors.update(_quantity_errors(lines, done, wanted))
    if errors:
        raise FieldErrors(errors)
    assert shipped_on is not None
    release = shipping_release(locked, [lines[pk] for pk in wanted])
    if release.reasons:
        raise workflow.TransitionBlocked(_("登记发货"), release.reasons)
    shipment = Shipment.objects.create(
        order=locked,
        number=locked.shipments.count() + 1,
        mode=mode,
        carrier=carrier,
        route=route.strip(),
        packaging=packaging.strip(),
        tracking_number=tracking_number.strip(),
        shipped_on=shipped_on,
        delivery_place=(delivery_place.strip() or locked.delivery_place)[:255],
        expected_arrival=expected_arrival,
        confirmed_with=confirmed_with.strip()[:100],
        quantity_checked=quantity_checked,
        created_by=actor,
    )
    _ship_lines(actor, shipment, lines, wanted, release)
    _shipped(actor, shipment, everything=_all_gone(lines, done, wanted))
    return shipment


def _all_gone(lines: dict[int, Any], done: dict[int, Decimal], wanted: dict[int, Decimal]) -> bool:
    """G-6: with this shipment every line has shipped in full."""
    zero = Decimal("0")
    return all(ln.quantity <= done.get(pk, zero) + wanted.get(pk, zero) for pk, ln in lines.items())


def _lock_for_shipping(actor: User, order: SalesOrder) -> SalesOrder:
    """G-5: logistics or the warehouse ship a released order, locked while the shipment is made."""
    if not can_ship(actor):
        raise NotAllowed(_("只有物流或仓储部门可以登记发货。"))
    locked = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if locked.status not in {OrderStatus.RELEASED, OrderStatus.IN_PRODUCTION}:
        raise ActionError(_("订单下达后、全部发货前才能登记发货。"))
    return locked


def _shipped(actor: User, shipment: Shipment, *, everything: bool) -> None:
    """G-6: the order is shipped once every line has gone; the salesperson hears of each batch."""
    order = shipment.order
    if everything:
        workflow.apply(states.SHIP, order, actor=actor, reason=_("全部发货"))
        # T-1 (issue 23): nothing left to ship: the step leaves logistics' work.
        tracking.close_items(target=order, actor=actor, outcome=_("全部发货"), kinds=("logistics.ship",))
    notify(
        event="fulfilment",
        recipients=[order.salesperson],
        title=phrase("订单 %(n)s 第 %(b)s 批已发货", n=order.number, b=shipment.number),
        url=reverse("workbench:order_detail", args=[order.pk]),
    )


def _header_errors(
    *,
    mode: str,
    shipped_on: date | None,
    tracking_number: str,
    confirmed_with: str,
    expected_arrival: date | None,
    quantity_checked: bool,
    carrier: Any,
) -> dict[str, str]:
    """G-5, K-1, K-2: how it goes, when, confirmed with whom, counted, by a qualified carrier."""
    errors: dict[str, str] = {}
    if mode not in ShippingMode.values:
        errors["mode"] = _("请选择运输方式。")
    if shipped_on is None:
        errors["shipped_on"] = _("请填写发货日期。")
    if mode not in {ShippingMode.PICKUP, ShippingMode.OWN_FLEET} and not tracking_number.strip():
        errors["tracking_number"] = _("请填写运单号。")
    if not confirmed_with.strip():
        errors["confirmed_with"] = _("请填写与客户确认交货时间和地点的联系人。")
    if expected_arrival is None:
        errors["expected_arrival"] = _("请填写与客户确认的预计到达日期。")
    elif shipped_on is not None and expected_arrival < shipped_on:
        errors["expected_arrival"] = _("预计到达日期不能早于发货日期。")
    if not quantity_checked:
        errors["checks"] = _("发货前须确认数量已核对。")
    if carrier is not None and carrier.qualification != Qualification.QUALIFIED:
        errors["carrier"] = _("承运商 %(c)s 资质不合格。") % {"c": carrier}
    return errors


def _quantity_errors(
    lines: dict[int, Any], done: dict[int, Decimal], wanted: dict[int, Decimal]
) -> dict[str, str]:
    """G-6: something to ship, on this order's lines, never more than what is left of a line."""
    errors: dict[str, str] = {}
    if not wanted:
        errors["lines"] = _("请填写本次发货数量。")
    for pk, qty in wanted.items():
        line = lines.get(pk)
        if line is None:
            errors[f"lines.{pk}"] = _("不是这个订单的明细。")
            continue
        left = line.quantity - done.get(pk, Decimal("0"))
        if qty < 0 or qty > left:
            errors[f"lines.{pk}"] = _("第 %(n)s 行最多还能发 %(q)s。") % {
                "n": line.line_no,
                "q": format_quantity(left),
            }
    return errors


def _ship_lines(
    actor: User, shipment: Shipment, lines: dict[int, Any], wanted: dict[int, Decimal], release: Any
) -> None:
    """The shipment's lines and the inspections that released them; the goods leave stock (G-4)
    and the audit trail names what went and what released it (K-2)."""
    shipment.released_by.set(release.inspections)
    ShipmentLine.objects.bulk_create(
        [ShipmentLine(shipment=shipment, order_line=lines[pk], quantity=q) for pk, q in wanted.items()]
    )
    for pk, qty in wanted.items():
        dispatch_stock(shipment.order, actor, lines[pk], qty)
    recorder.record(
        actor=actor,
        obj=shipment.order,
        action="shipment.record",
        after={
            "shipment": shipment.number,
            "mode": shipment.mode,
            "tracking_number": shipment.tracking_number,
            "lines": {str(lines[pk].line_no): q for pk, q in wanted.items()},
            "released_by": {
                str(lines[pk].line_no): (i.pk if i is not None else None) for pk, i in release.by_line.items()
            },
        },
    )
