"""What an order still needs before it may close (M-1): delivered, accepted, settled, invoiced
and paid, with its documents complete."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from oms.billing.models import Invoice, StatementLine, StatementStatus
from oms.billing.receivables import paid_of
from oms.contracts.models import Contract, ContractStatus
from oms.delivery.models import ACCEPTING
from oms.fulfilment.actions import shipped_quantities
from oms.orders.models import SalesOrder

CENT = Decimal("0.01")


def missing(order: SalesOrder, *, amounts: bool = True) -> list[str]:
    """What is missing; the sums owed only when the reader may see prices (`amounts`, S-1)."""
    lines = list(order.lines.order_by("line_no"))
    return [
        *_goods_missing(order, lines),
        *_settlement_missing(order, lines),
        *_money_missing(order, amounts=amounts),
        *_documents_missing(order),
    ]


def _goods_missing(order: SalesOrder, lines: list[Any]) -> list[str]:
    """Everything shipped, each shipment accepted (the latest acceptance counts) and signed for."""
    reasons: list[str] = []
    shipped = shipped_quantities(order)
    if any(shipped.get(ln.pk, Decimal("0")) < ln.quantity for ln in lines):
        reasons.append(_("还有未发货的数量"))
    for shipment in order.shipments.prefetch_related("acceptances"):
        results = [a.result for a in sorted(shipment.acceptances.all(), key=lambda a: (a.created_at, a.pk))]
        if not results or results[-1] not in ACCEPTING:
            reasons.append(_("第 %(n)s 批未验收") % {"n": shipment.number})
        elif not any(a.is_signed for a in shipment.acceptances.all()):
            reasons.append(_("第 %(n)s 批缺少签字送货单或验收报告") % {"n": shipment.number})
    return reasons


def _settlement_missing(order: SalesOrder, lines: list[Any]) -> list[str]:
    """Every quantity on a statement finance approved, and no statement waiting for review."""
    reasons: list[str] = []
    settled = {
        r["order_line_id"]: r["q"]
        for r in StatementLine.objects.filter(
            statement__order=order, statement__status=StatementStatus.APPROVED
        )
        .values("order_line_id")
        .annotate(q=Sum("quantity"))
    }
    if any(settled.get(ln.pk, Decimal("0")) < ln.quantity for ln in lines):
        reasons.append(_("还有未经财务审核结算的数量"))
    if order.statements.filter(status=StatementStatus.SUBMITTED).exists():
        reasons.append(_("有结算清单待财务审核"))
    return reasons


def _money_missing(order: SalesOrder, *, amounts: bool) -> list[str]:
    """The approved statements fully invoiced, the invoices fully paid."""
    reasons: list[str] = []
    approved_total = order.statements.filter(status=StatementStatus.APPROVED).aggregate(s=Sum("total"))[
        "s"
    ] or Decimal("0")
    invoices = Invoice.objects.filter(statement__order=order)
    invoiced = invoices.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    if invoiced < approved_total:
        reasons.append(
            _("还有 %(a)s 未开票") % {"a": (approved_total - invoiced).quantize(CENT)}
            if amounts
            else _("还有未开票的金额")
        )
    paid = paid_of(invoices)
    if paid < invoiced:
        reasons.append(
            _("还有 %(a)s 未收款") % {"a": (invoiced - paid).quantize(CENT)}
            if amounts
            else _("还有未收款的金额")
        )
    return reasons


def _documents_missing(order: SalesOrder) -> list[str]:
    """The contract signed (unless the policy waives it for the class), every change agreement signed."""
    reasons: list[str] = []
    waived = order.order_class in order.policy().contracts.release_without_contract_classes
    if not waived and not Contract.objects.filter(order=order, status=ContractStatus.SIGNED).exists():
        reasons.append(_("合同未签订"))
    unsigned_changes = order.change_requests.filter(
        status="approved", kind="change", agreement_signed_at__isnull=True
    ).values_list("agreement_number", flat=True)
    for number in unsigned_changes:
        reasons.append(_("变更协议 %(a)s 未签订") % {"a": number})
    return reasons
