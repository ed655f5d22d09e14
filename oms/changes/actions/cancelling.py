"""A cancellation: what it would cost, and what approving it stops (J-1)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.audit import recorder
from oms.audit.models import normalise
from oms.changes import states
from oms.changes.actions.notices import tell
from oms.changes.actions.proposal import CENT
from oms.changes.models import ChangeRequest
from oms.core.phrases import phrase
from oms.engine import workflow
from oms.fulfilment import actions as fulfilment
from oms.fulfilment.models import ReservationStatus
from oms.fulfilment.selectors import prepaid
from oms.orders.models import OrderLine, SalesOrder
from oms.tracking import actions as tracking
from oms.tracking.actions import confirmed


def loss_facts(order: SalesOrder) -> dict[str, Any]:
    """J-1: what cancelling now would cost: goods shipped, production done (with the standard
    cost of the share of work done as the suggested loss), materials bought, stock held, money
    received."""
    lines = list(order.lines.select_related("product").order_by("line_no"))
    shipped = fulfilment.shipped_quantities(order)
    shipped_amount = sum(
        ((shipped.get(ln.pk, Decimal("0")) * ln.unit_price).quantize(CENT) for ln in lines), Decimal("0")
    )
    milestones = list(order.milestones.order_by("seq"))
    done_share = (
        Decimal(sum(m.progress for m in milestones)) / Decimal(100 * len(milestones))
        if milestones
        else Decimal("0")
    )
    purchases = _purchases(order)
    held = order.reservations.exclude(
        status__in=[ReservationStatus.SHIPPED, ReservationStatus.RELEASED]
    ).aggregate(s=Sum("quantity"))["s"] or Decimal("0")
    return normalise(
        {
            "shipped_amount": shipped_amount,
            "milestones": [
                {"name": m.name, "progress": m.progress, "quantity_done": m.quantity_done} for m in milestones
            ],
            "work_done_share": (done_share * 100).quantize(Decimal("0.1")),
            "work_done_cost": (_open_cost(lines, shipped) * done_share).quantize(
                CENT, rounding=ROUND_HALF_UP
            ),
            "purchases": purchases,
            "open_purchase_orders": sum(1 for p in purchases if p["status"] == "open"),
            "stock_held": held,
            "prepaid": prepaid(order),
        }
    )


def _open_cost(lines: list[OrderLine], shipped: dict[int, Decimal]) -> Decimal:
    """The standard cost of what is still to ship."""
    return sum(
        ((ln.quantity - shipped.get(ln.pk, Decimal("0"))) * ln.product.standard_cost for ln in lines),
        Decimal("0"),
    )


def _purchases(order: SalesOrder) -> list[dict[str, Any]]:
    return [
        {
            "po": str(po),
            "supplier": po.supplier.name,
            "status": po.status,
            "lines": [
                {"product": pl.product.name, "ordered": pl.quantity, "accepted": pl.accepted}
                for pl in po.lines.all()
            ],
        }
        for po in order.purchase_orders.select_related("supplier").prefetch_related("lines__product")
    ]


def cancel(request: ChangeRequest, order: SalesOrder, actor: Any) -> None:
    """J-1: all open work stops, held stock is released, open purchase orders wait for the
    supplier decision, and the order ends `cancelled` with the loss on record."""
    facts = loss_facts(order)
    order = workflow.apply(
        states.CANCEL_ORDER, order, actor=actor, reason=_("取消申请 %(r)s 已批准") % {"r": request.number}
    )
    confirmed.cancelled(order)  # Q-1 the dashboard's sums (ADR 0019)
    owners = fulfilment.stop_work(actor=actor, order=order, reason=_("取消 %(r)s") % {"r": request.number})
    # H-5: every open step of the order ends with it (its change requests' agreements and tasks
    # included); procurement's decisions on its open purchases stay (OUTLIVE_THE_ORDER).
    tracking.end_order_items(
        order=order, actor=actor, reason=_("取消申请 %(r)s 已批准") % {"r": request.number}
    )
    request = workflow.apply(
        states.APPROVE, request, actor=actor, changes={"decided_at": timezone.now(), "loss_facts": facts}
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="change.cancel",
        after={"request": request.number, "loss_amount": request.loss_amount, "loss_facts": facts},
    )
    reviewers = [t.assignee for t in request.tasks.select_related("assignee")]
    tell(
        {*owners, *reviewers, order.salesperson, request.raised_by},
        phrase("订单 %(n)s 已取消（%(r)s），请停止执行", n=order.number, r=request.number),
        request,
    )
