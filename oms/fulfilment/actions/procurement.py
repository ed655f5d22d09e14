"""Procurement: purchase orders to qualified suppliers, supplier deliveries and their incoming inspection,
the supplier decision after a cancellation (G-1, J-1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.audit import recorder
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.core.money import format_quantity
from oms.engine import workflow
from oms.fulfilment import states
from oms.fulfilment.models import (
    Disposition,
    IncomingInspection,
    PurchaseLine,
    PurchaseOrder,
    SupplierDecision,
)
from oms.fulfilment.permissions import can_purchase, can_receive_goods
from oms.orders.models import OrderStatus, SalesOrder
from oms.partners.models import Qualification
from oms.quality import actions as quality
from oms.tracking import actions as tracking


def incoming_counts(
    received: Decimal, accepted: Decimal, rejected: Decimal, disposition: str
) -> dict[str, str]:
    """G-1, G-3: what the quality record of a delivery's inspection shows: the counts and what
    happens to rejects (in the system's language: stored text, like a plan's items)."""
    counts = {"到货": format_quantity(received), "合格": format_quantity(accepted)}
    if rejected > 0:
        counts["不合格"] = format_quantity(rejected)
        with translation.override(settings.LANGUAGE_CODE):
            counts["处理"] = str(Disposition(disposition).label) if disposition else ""
    return counts


def _require_procurement(actor: User) -> None:
    if not can_purchase(actor):
        raise NotAllowed(_("只有采购部门可以做这件事。"))


@transaction.atomic
@recorder.batched
def create_purchase_order(
    *, actor: User, order: SalesOrder, supplier: Any, lines: list[tuple[Any, Decimal, date | None]]
) -> PurchaseOrder:
    """G-1: purchase orders go to qualified suppliers only."""
    _require_procurement(actor)
    if order.status not in {OrderStatus.RELEASED, OrderStatus.IN_PRODUCTION, OrderStatus.ON_HOLD}:
        raise ActionError(_("订单下达后才能采购。"))
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if supplier is None:
        errors["supplier"] = _("请选择供应商。")
    elif (
        supplier.qualification != Qualification.QUALIFIED
        or not supplier.active
        or (supplier.qualified_until is not None and supplier.qualified_until < today)
    ):
        errors["supplier"] = _("供应商 %(s)s 不是合格供应商，不能下采购单。") % {"s": supplier}
    clean = [(p, q, d) for p, q, d in lines if p is not None and q]
    if not clean:
        errors["lines"] = _("请至少填写一行采购明细。")
    for i, (_p, q, d) in enumerate(clean):
        if q <= 0:
            errors[f"lines.{i}.quantity"] = _("数量必须大于 0。")
        if d is None:
            errors[f"lines.{i}.promised_date"] = _("请填写供应商承诺交期。")
    if errors:
        raise FieldErrors(errors)
    po = PurchaseOrder.objects.create(
        order=order, number=order.purchase_orders.count() + 1, supplier=supplier, created_by=actor
    )
    PurchaseLine.objects.bulk_create(
        [
            PurchaseLine(purchase_order=po, product=p, quantity=q, promised_date=d)
            for p, q, d in clean
            if d is not None
        ]
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="purchase.create",
        after={
            "po": po.number,
            "supplier": supplier.pk,
            "lines": [{"product": p.pk, "quantity": q, "promised": d} for p, q, d in clean],
        },
    )
    return po


@transaction.atomic
@recorder.batched
def receive_goods(
    *,
    actor: User,
    line: PurchaseLine,
    received_on: date | None,
    received: Decimal,
    accepted: Decimal,
    disposition: str = "",
    notes: str = "",
) -> IncomingInspection:
    """G-1: the delivery and its incoming inspection; rejects are returned or exchanged; the purchase
    order stays open until the accepted quantity is complete. G-3 (flows): the inspection feeds
    quality's record of it (`quality.record_incoming`, linked), recorded once for both views."""
    if not can_receive_goods(actor):
        raise NotAllowed(_("只有质量、采购或仓储部门可以登记到货验收。"))
    locked = PurchaseLine.objects.select_for_update().get(pk=line.pk)
    rejected = received - accepted
    _check_receipt(received_on, received, accepted, rejected, disposition)
    assert received_on is not None
    po = locked.purchase_order
    inspection = IncomingInspection.objects.create(
        line=locked,
        received_on=received_on,
        received=received,
        accepted=accepted,
        rejected=rejected,
        disposition=disposition if rejected > 0 else "",
        notes=notes.strip(),
        inspected_by=actor,
        inspection=quality.record_incoming(
            actor=actor,
            order=po.order,
            product_id=locked.product_id,
            counts=incoming_counts(received, accepted, rejected, disposition if rejected > 0 else ""),
            passed=rejected == 0,
            notes=notes,
        ),
    )
    locked.accepted += accepted
    locked.save(update_fields=["accepted"])
    recorder.record(
        actor=actor,
        obj=po.order,
        action="purchase.receive",
        after={
            "po": po.number,
            "product": locked.product_id,
            "received": received,
            "accepted": accepted,
            "rejected": rejected,
            "disposition": inspection.disposition,
            "inspection": inspection.inspection_id,
        },
    )
    if all(pl.accepted >= pl.quantity for pl in po.lines.all()):
        workflow.apply(states.CLOSE_PO, po, actor=actor, reason=_("到货合格数量已齐"))
    return inspection


def _check_receipt(
    received_on: date | None, received: Decimal, accepted: Decimal, rejected: Decimal, disposition: str
) -> None:
    """G-1: dated, something received, accepted within it, rejects returned or exchanged."""
    errors: dict[str, str] = {}
    if received_on is None:
        errors["received_on"] = _("请填写到货日期。")
    if received <= 0:
        errors["received"] = _("到货数量必须大于 0。")
    if accepted < 0 or rejected < 0:
        errors["accepted"] = _("合格数量应在 0 与到货数量之间。")
    elif rejected > 0 and disposition not in Disposition.values:
        errors["disposition"] = _("有不合格品时请选择退货或换货。")
    if errors:
        raise FieldErrors(errors)


@transaction.atomic
@recorder.batched
def decide_supplier(*, actor: User, po: PurchaseOrder, decision: str, note: str) -> PurchaseOrder:
    """J-1: procurement records what was agreed with the supplier about a cancelled order's
    purchase: cancel it, return what came, or keep the goods as stock (deliveries go on)."""
    _require_procurement(actor)
    locked = PurchaseOrder.objects.select_for_update().select_related("order").get(pk=po.pk)
    if locked.supplier_decision != SupplierDecision.PENDING:
        raise ActionError(_("该采购单不需要或已经做过供应商处理决定。"))
    errors = {}
    if decision not in {SupplierDecision.CANCEL, SupplierDecision.RETURN, SupplierDecision.KEEP_STOCK}:
        errors["decision"] = _("请选择取消采购、退货或留作库存。")
    if not note.strip():
        errors["note"] = _("请说明与供应商协商的结果。")
    if errors:
        raise FieldErrors(errors)
    changes = {
        "supplier_decision": decision,
        "decision_note": note.strip()[:300],
        "decided_by": actor,
        "decided_at": timezone.now(),
    }
    if decision == SupplierDecision.KEEP_STOCK:
        before = {"supplier_decision": locked.supplier_decision}
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(changes))
        recorder.record(
            actor=actor,
            obj=locked.order,
            action="purchase.decision",
            before=before,
            after={"po": locked.number, "decision": decision, "note": locked.decision_note},
        )
    else:
        locked = workflow.apply(states.CANCEL_PO, locked, actor=actor, reason=note.strip(), changes=changes)
        recorder.record(
            actor=actor,
            obj=locked.order,
            action="purchase.decision",
            after={"po": locked.number, "decision": decision, "note": locked.decision_note},
        )
    tracking.close_items(target=locked, actor=actor, outcome=str(SupplierDecision(decision).label))
    return locked
