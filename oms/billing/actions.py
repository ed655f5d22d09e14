"""Every write of settlement and invoicing (L-1, L-2).

Sales prepares a statement from what the customer accepted, at the contract's (the order line's)
prices, plus fees such as freight, reconciled with a named customer contact; finance approves it
or returns it with reasons; invoices are recorded against approved statements only, never more
than the statement's total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import DepartmentKind, User
from oms.accounts.selectors import department_of_kind, head_of
from oms.audit import recorder
from oms.billing import states
from oms.billing.models import (
    BILLING_STATUSES,
    Allocation,
    Invoice,
    InvoiceType,
    Receipt,
    ReceiptMethod,
    Statement,
    StatementFee,
    StatementLine,
    StatementStatus,
)
from oms.core import workflow
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.customers.models import PaymentTerms
from oms.delivery.models import ACCEPTING, Acceptance
from oms.fulfilment.models import ShipmentLine
from oms.notifications.actions import notify
from oms.orders.models import SalesOrder
from oms.orders.permissions import can_renegotiate
from oms.policy import actions as policy_actions
from oms.policy import selectors as policy_selectors
from oms.tracking import actions as tracking

CENT = Decimal("0.01")


def accepted_quantities(order: SalesOrder) -> dict[int, Decimal]:
    """K-3 → L-1: per order line, what the customer accepted (the latest acceptance of each
    shipment counts)."""
    latest: dict[int, str] = {}
    for shipment_id, result in (
        Acceptance.objects.filter(shipment__order=order)
        .order_by("created_at", "pk")
        .values_list("shipment_id", "result")
    ):
        latest[shipment_id] = result
    accepted = [sid for sid, result in latest.items() if result in ACCEPTING]
    rows = (
        ShipmentLine.objects.filter(shipment_id__in=accepted)
        .values("order_line_id")
        .annotate(q=Sum("quantity"))
    )
    return {r["order_line_id"]: r["q"] for r in rows}


def billed_quantities(order: SalesOrder) -> dict[int, Decimal]:
    """What statements under review or approved already settle, per order line."""
    rows = (
        StatementLine.objects.filter(statement__order=order, statement__status__in=BILLING_STATUSES)
        .values("order_line_id")
        .annotate(q=Sum("quantity"))
    )
    return {r["order_line_id"]: r["q"] for r in rows}


def billable(order: SalesOrder) -> list[tuple[Any, Decimal]]:
    """(order line, quantity accepted and not yet on a statement), for the statement form."""
    accepted, billed = accepted_quantities(order), billed_quantities(order)
    return [
        (ln, accepted.get(ln.pk, Decimal("0")) - billed.get(ln.pk, Decimal("0")))
        for ln in order.lines.select_related("product").order_by("line_no")
    ]


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


@transaction.atomic
def prepare_statement(
    *,
    actor: User,
    order: SalesOrder,
    quantities: Mapping[int, Any],
    fees: Sequence[tuple[str, Any]] = (),
    reconciled_with: str,
    reconciled_on: date | None,
) -> Statement:
    """L-1, L-2: a statement of accepted goods at the contract's prices plus fees, reconciled with
    the customer, submitted to finance."""
    if not can_renegotiate(actor, order):
        raise NotAllowed(_("只有负责该订单的销售可以编制结算清单。"))
    locked = SalesOrder.objects.select_for_update().get(pk=order.pk)
    lines = {ln.pk: ln for ln in locked.lines.all()}
    accepted, billed = accepted_quantities(locked), billed_quantities(locked)
    errors: dict[str, str] = {}
    wanted: dict[int, Decimal] = {}
    for pk, raw in quantities.items():
        if raw in (None, ""):
            continue
        qty = _decimal(raw)
        line = lines.get(int(pk))
        if line is None:
            errors[f"lines.{pk}"] = _("不是这个订单的明细。")
        elif qty is None or qty < 0:
            errors[f"lines.{pk}"] = _("第 %(n)s 行数量必须是不小于 0 的数字。") % {"n": line.line_no}
        elif qty > 0:
            left = accepted.get(line.pk, Decimal("0")) - billed.get(line.pk, Decimal("0"))
            if qty > left:
                errors[f"lines.{pk}"] = _("第 %(n)s 行最多可结算 %(q)s（客户已验收且未结算的数量）。") % {
                    "n": line.line_no,
                    "q": left.normalize(),
                }
            wanted[line.pk] = qty
    if not wanted and not errors:
        errors["lines"] = _("没有可结算的数量：客户验收后才能结算。")
    clean_fees: list[tuple[str, Decimal]] = []
    for i, (description, raw) in enumerate(fees):
        if not str(description).strip() and raw in (None, ""):
            continue
        amount = _decimal(raw)
        if not str(description).strip():
            errors[f"fees.{i}.description"] = _("请填写费用项目。")
        elif amount is None or amount < 0:
            errors[f"fees.{i}.amount"] = _("费用金额必须是不小于 0 的数字。")
        else:
            clean_fees.append((str(description).strip()[:100], amount.quantize(CENT, rounding=ROUND_HALF_UP)))
    if not reconciled_with.strip():
        errors["reconciled_with"] = _("请填写与客户对账的联系人。")
    if reconciled_on is None:
        errors["reconciled_on"] = _("请填写对账日期。")
    if errors:
        raise FieldErrors(errors)
    assert reconciled_on is not None
    built = [
        StatementLine(
            order_line=lines[pk],
            quantity=qty,
            unit_price=lines[pk].unit_price,
            amount=(qty * lines[pk].unit_price).quantize(CENT, rounding=ROUND_HALF_UP),
        )
        for pk, qty in wanted.items()
    ]
    goods = sum((b.amount for b in built), Decimal("0"))
    fee_total = sum((a for _d, a in clean_fees), Decimal("0"))
    policy = locked.policy()
    statement = Statement.objects.create(
        order=locked,
        number=policy_actions.next_number(
            fmt=policy.numbering.statement, when=timezone.localdate(), key="statement"
        ),
        goods_amount=goods,
        fees_amount=fee_total,
        total=goods + fee_total,
        reconciled_with=reconciled_with.strip()[:100],
        reconciled_on=reconciled_on,
        prepared_by=actor,
    )
    for b in built:
        b.statement = statement
    StatementLine.objects.bulk_create(built)
    StatementFee.objects.bulk_create(
        [StatementFee(statement=statement, description=d, amount=a) for d, a in clean_fees]
    )
    recorder.record(
        actor=actor,
        obj=locked,
        action="billing.statement",
        after={
            "statement": statement.number,
            "lines": {str(lines[pk].line_no): q for pk, q in wanted.items()},
            "fees": [[d, a] for d, a in clean_fees],
            "total": statement.total,
            "reconciled_with": statement.reconciled_with,
        },
    )
    finance = department_of_kind(DepartmentKind.FINANCE)
    reviewer = head_of(finance) if finance else None
    if finance is not None:
        tracking.open_item(
            target=statement,
            kind="billing.review",
            title=_("审核结算清单 %(s)s（订单 %(n)s）") % {"s": statement.number, "n": locked.number},
            department=finance,
            assignee=reviewer,
            calendar=policy_selectors.work_calendar(locked.policy_version.number),
            days=1,
        )
    notify(
        recipients=[reviewer],
        title=_("请审核结算清单 %(s)s") % {"s": statement.number},
        url=f"/orders/{locked.pk}/",
    )
    return statement


@transaction.atomic
def review_statement(*, actor: User, statement: Statement, approve: bool, comment: str = "") -> Statement:
    """L-2: finance checks amounts, terms per contract and fees, and approves or returns with reasons."""
    statement = workflow.apply(
        states.APPROVE if approve else states.RETURN,
        statement,
        actor=actor,
        reason=comment.strip(),
        changes={"reviewed_by": actor, "reviewed_at": timezone.now(), "review_comment": comment.strip()},
    )
    tracking.close_items(target=statement, actor=actor, outcome=statement.get_status_display())
    order = statement.order
    notify(
        recipients=[statement.prepared_by],
        title=(_("结算清单 %(s)s 已审核通过") if approve else _("结算清单 %(s)s 被退回：%(c)s"))
        % {"s": statement.number, "c": comment.strip()},
        url=f"/orders/{order.pk}/",
    )
    return statement


@transaction.atomic
def record_invoice(
    *,
    actor: User,
    statement: Statement,
    invoice_type: str,
    number: str,
    issued_on: date | None,
    amount: Any,
    tax_amount: Any,
) -> Invoice:
    """L-2: an invoice against an approved statement; all its invoices together never exceed it."""
    if not states.in_finance(actor):
        raise NotAllowed(_("只有财务可以登记发票。"))
    locked = Statement.objects.select_for_update().select_related("order").get(pk=statement.pk)
    if locked.status != StatementStatus.APPROVED:
        raise ActionError(_("结算清单经财务审核通过后才能开票。"))
    errors: dict[str, str] = {}
    value, tax = _decimal(amount), _decimal(tax_amount)
    if invoice_type not in InvoiceType.values:
        errors["invoice_type"] = _("请选择发票类型。")
    if not number.strip():
        errors["number"] = _("请填写发票号码。")
    elif Invoice.objects.filter(number=number.strip()).exists():
        errors["number"] = _("发票号码 %(n)s 已登记过。") % {"n": number.strip()}
    if issued_on is None:
        errors["issued_on"] = _("请填写开票日期。")
    if value is None or value <= 0:
        errors["amount"] = _("发票金额必须大于 0。")
    else:
        invoiced = (locked.invoices.aggregate(s=Sum("amount"))["s"] or Decimal("0")).quantize(CENT)
        if invoiced + value > locked.total:
            errors["amount"] = _("超过结算金额：结算 %(t)s，已开票 %(i)s，最多还能开 %(l)s。") % {
                "t": locked.total,
                "i": invoiced,
                "l": locked.total - invoiced,
            }
    if tax is None or tax < 0 or (value is not None and tax > value):
        errors["tax_amount"] = _("税额应在 0 与发票金额之间。")
    if errors:
        raise FieldErrors(errors)
    assert issued_on is not None and value is not None and tax is not None
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                statement=locked,
                invoice_type=invoice_type,
                number=number.strip(),
                issued_on=issued_on,
                amount=value.quantize(CENT),
                tax_amount=tax.quantize(CENT),
                due_date=due_date(locked.order, issued_on),
                recorded_by=actor,
            )
    except IntegrityError as exc:
        raise FieldErrors({"number": _("发票号码 %(n)s 已登记过。") % {"n": number.strip()}}) from exc
    recorder.record(
        actor=actor,
        obj=locked.order,
        action="billing.invoice",
        after={
            "statement": locked.number,
            "invoice": invoice.number,
            "type": invoice_type,
            "amount": invoice.amount,
            "tax": invoice.tax_amount,
            "issued_on": issued_on,
            "due_date": invoice.due_date,
        },
    )
    return invoice


# --- payment terms and receipts (L-3, L-6) ----------------------------------------------------------


def due_date(order: SalesOrder, issued_on: date) -> date:
    """L-3: when an invoice falls due under the order's payment terms. Prepayment and payment on
    delivery are due when invoiced (the goods have been delivered and accepted); monthly
    settlement (月结) gathers invoices on the customer's statement day and they fall due on the
    due day of the following month. Instalments follow the same rule until schedules exist."""
    if order.payment_terms != PaymentTerms.MONTHLY:
        return issued_on
    customer = order.customer
    statement = issued_on.replace(day=customer.statement_day)
    if statement < issued_on:
        statement = _next_month(statement)
    return _next_month(statement).replace(day=customer.due_day)


def _next_month(day: date) -> date:
    return day.replace(year=day.year + day.month // 12, month=day.month % 12 + 1)


def outstanding(invoice: Invoice) -> Decimal:
    paid = invoice.allocations.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    return (invoice.amount - paid).quantize(CENT)


@transaction.atomic
def record_receipt(
    *,
    actor: User,
    customer: Any,
    amount: Any,
    currency: str,
    received_on: date | None,
    method: str,
    reference: str,
    allocations: Sequence[tuple[int, Any]] | None = None,
) -> Receipt:
    """L-3, L-6: finance records money received and matches it to the customer's invoices: as
    given, or the oldest due first. Partial payments leave the rest outstanding; what is left
    over stays as the customer's credit."""
    if not states.in_finance(actor):
        raise NotAllowed(_("只有财务可以登记收款。"))
    errors: dict[str, str] = {}
    value = _decimal(amount)
    if value is None or value <= 0:
        errors["amount"] = _("收款金额必须大于 0。")
    company_currency = policy_selectors.policy().currency
    if currency != company_currency:
        errors["currency"] = _("币种 %(c)s 不是本公司的结算币种 %(k)s。") % {
            "c": currency or "—",
            "k": company_currency,
        }
    if received_on is None:
        errors["received_on"] = _("请填写收款日期。")
    if method not in ReceiptMethod.values:
        errors["method"] = _("请选择收款方式。")
    if not reference.strip():
        errors["reference"] = _("请填写凭证号。")
    if errors:
        raise FieldErrors(errors)
    assert value is not None and received_on is not None
    value = value.quantize(CENT)
    open_invoices = list(
        Invoice.objects.select_for_update()
        .filter(statement__order__customer=customer)
        .order_by("due_date", "pk")
    )
    by_id = {i.pk: i for i in open_invoices}
    plan: list[tuple[Invoice, Decimal]] = []
    if allocations is None:
        left = value
        for invoice in open_invoices:
            owed = outstanding(invoice)
            if left <= 0:
                break
            if owed > 0:
                take = min(owed, left)
                plan.append((invoice, take))
                left -= take
    else:
        for i, (invoice_id, raw) in enumerate(allocations):
            part = _decimal(raw)
            target = by_id.get(int(invoice_id))
            if target is None:
                other = Invoice.objects.filter(pk=invoice_id).exists()
                errors[f"allocations.{i}.invoice"] = (
                    _("发票不属于客户 %(c)s，不能核销。") % {"c": customer} if other else _("发票不存在。")
                )
            elif part is None or part <= 0:
                errors[f"allocations.{i}.amount"] = _("核销金额必须大于 0。")
            elif part > outstanding(target):
                errors[f"allocations.{i}.amount"] = _("发票 %(n)s 只剩 %(o)s 未收。") % {
                    "n": target.number,
                    "o": outstanding(target),
                }
            else:
                plan.append((target, part.quantize(CENT)))
        if not errors and sum((p for _i, p in plan), Decimal("0")) > value:
            errors["allocations"] = _("核销合计超过收款金额。")
        if errors:
            raise FieldErrors(errors)
    receipt = Receipt.objects.create(
        customer=customer,
        amount=value,
        currency=currency,
        received_on=received_on,
        method=method,
        reference=reference.strip()[:100],
        recorded_by=actor,
    )
    Allocation.objects.bulk_create(
        [Allocation(receipt=receipt, invoice=inv, amount=part) for inv, part in plan]
    )
    recorder.record(
        actor=actor,
        obj=customer,
        action="billing.receipt",
        after={
            "amount": value,
            "received_on": received_on,
            "method": method,
            "reference": receipt.reference,
            "allocations": [[inv.number, part] for inv, part in plan],
            "credit": value - sum((p for _i, p in plan), Decimal("0")),
        },
    )
    return receipt
