"""Every write of settlement and invoicing (L-1, L-2).

Sales prepares a statement from what the customer accepted, at the contract's (the order line's)
prices, plus fees such as freight, reconciled with a named customer contact; finance approves it
or returns it with reasons; invoices are recorded against approved statements only, never more
than the statement's total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, models, transaction
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
    DunningKind,
    DunningStep,
    Instalment,
    Invoice,
    InvoiceType,
    Receipt,
    ReceiptMethod,
    Statement,
    StatementFee,
    StatementLine,
    StatementStatus,
)
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.core.money import decimal_input, format_quantity
from oms.customers.models import PaymentTerms
from oms.delivery.models import ACCEPTING, Acceptance
from oms.engine import workflow
from oms.fulfilment.models import ShipmentLine
from oms.notifications.actions import notify
from oms.orders.models import SalesOrder
from oms.orders.permissions import can_renegotiate
from oms.policy import actions as policy_actions
from oms.policy import selectors as policy_selectors
from oms.tracking import actions as tracking
from oms.tracking.models import WorkItem

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


def _decimal(value: Any, key: str, model: type[models.Model], name: str) -> Decimal | None:
    """P-1: the shared parser at the column's digits; an oversized or non-finite value is refused
    naming `key`, empty is None (the caller says what is required)."""
    return decimal_input(value, key=key, model=model, name=name)


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
        qty = _decimal(raw, f"lines.{pk}", StatementLine, "quantity")
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
                    "q": format_quantity(left),
                }
            wanted[line.pk] = qty
    if not wanted and not errors:
        errors["lines"] = _("没有可结算的数量：客户验收后才能结算。")
    clean_fees: list[tuple[str, Decimal]] = []
    for i, (description, raw) in enumerate(fees):
        if not str(description).strip() and raw in (None, ""):
            continue
        amount = _decimal(raw, f"fees.{i}.amount", StatementFee, "amount")
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
    reviewer = (
        tracking.decider_for(
            candidate=head_of(finance),
            target=statement,
            what=_("审核结算清单 %(s)s") % {"s": statement.number},
            url=f"/orders/{locked.pk}/",
        )
        if finance
        else None
    )
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
        event="billing",
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
        event="billing",
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
    instalment: Instalment | None = None,
) -> Invoice:
    """L-2: an invoice against an approved statement; all its invoices together never exceed it."""
    if not states.in_finance(actor):
        raise NotAllowed(_("只有财务可以登记发票。"))
    locked = Statement.objects.select_for_update().select_related("order").get(pk=statement.pk)
    if locked.status != StatementStatus.APPROVED:
        raise ActionError(_("结算清单经财务审核通过后才能开票。"))
    errors: dict[str, str] = {}
    value, tax = (
        _decimal(amount, "amount", Invoice, "amount"),
        _decimal(tax_amount, "tax_amount", Invoice, "tax_amount"),
    )
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
    schedule = locked.order.instalments.filter(superseded=False)
    if locked.order.payment_terms == PaymentTerms.INSTALMENTS and schedule.exists():
        if instalment is None or instalment.order_id != locked.order_id or instalment.superseded:
            errors["instalment"] = _("分期付款的订单开票时请选择对应的期次。")
        elif value is not None and value > 0:
            billed = (instalment.invoices.aggregate(s=Sum("amount"))["s"] or Decimal("0")).quantize(CENT)
            if billed + value > instalment.amount:
                errors["amount"] = _("超过第 %(n)s 期金额：该期 %(a)s，已开票 %(b)s。") % {
                    "n": instalment.seq,
                    "a": instalment.amount,
                    "b": billed,
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
                due_date=instalment.due_date if instalment is not None else due_date(locked.order, issued_on),
                instalment=instalment,
                recorded_by=actor,
            )
    except IntegrityError as exc:
        raise FieldErrors({"number": _("发票号码 %(n)s 已登记过。") % {"n": number.strip()}}) from exc
    _take_over_prepayments(locked.order)
    _apply_credit(invoice)
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
    value = _decimal(amount, "amount", Receipt, "amount")
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
            part = _decimal(raw, f"allocations.{i}.amount", Allocation, "amount")
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


# --- closure (M-1) -----------------------------------------------------------------------------------


@transaction.atomic
def close_order(*, actor: User, order: SalesOrder, reason: str = "") -> SalesOrder:
    """M-1: an order closes only when everything is delivered, accepted and paid and its documents
    are complete; otherwise the refusal lists what is missing."""
    order = workflow.apply(states.CLOSE, order, actor=actor, reason=reason)
    # H-5: a closed order waits on nobody: its remaining plans and steps leave everyone's work.
    tracking.end_order_items(order=order, actor=actor, reason=reason or _("订单已关闭"))
    notify(
        event="billing",
        recipients=[order.salesperson],
        title=_("订单 %(n)s 已关闭") % {"n": order.number},
        url=f"/orders/{order.pk}/",
    )
    return order


@transaction.atomic
def set_instalments(
    *, actor: User, order: SalesOrder, schedule: Sequence[tuple[date | None, Any]]
) -> list[Instalment]:
    """L-3 分期付款: the order's schedule of due dates and amounts, adding up to the order's amount.
    A new schedule replaces the old one (kept, marked superseded) until an instalment is invoiced."""
    if not (can_renegotiate(actor, order) or states.in_finance(actor)):
        raise NotAllowed(_("只有销售或财务可以制定分期计划。"))
    if order.payment_terms != PaymentTerms.INSTALMENTS:
        raise ActionError(_("只有分期付款的订单才有分期计划。"))
    current = order.instalments.filter(superseded=False)
    if Invoice.objects.filter(instalment__in=current).exists():
        raise ActionError(_("已按分期计划开票，不能再修改。"))
    errors: dict[str, str] = {}
    rows = [
        (d, _decimal(a, f"schedule.{i}.amount", Instalment, "amount"))
        for i, (d, a) in enumerate(schedule)
        if d is not None or a not in (None, "")
    ]
    for i, (due, amount) in enumerate(rows):
        if due is None:
            errors[f"schedule.{i}.due_date"] = _("请填写第 %(n)s 期到期日。") % {"n": i + 1}
        if amount is None or amount <= 0:
            errors[f"schedule.{i}.amount"] = _("第 %(n)s 期金额必须大于 0。") % {"n": i + 1}
    dates = [d for d, _a in rows if d is not None]
    if len(rows) < 2:
        errors["schedule"] = _("分期计划至少两期。")
    elif dates != sorted(dates) or len(set(dates)) != len(dates):
        errors["schedule"] = _("各期到期日须按先后排列且不重复。")
    total = sum((a for _d, a in rows if a is not None), Decimal("0"))
    if not errors and total.quantize(CENT) != order.total_amount:
        errors["schedule"] = _("各期合计 %(t)s 与订单金额 %(o)s 不符。") % {
            "t": total.quantize(CENT),
            "o": order.total_amount,
        }
    if errors:
        raise FieldErrors(errors)
    current.update(superseded=True)
    created = Instalment.objects.bulk_create(
        [
            Instalment(order=order, seq=i + 1, due_date=d, amount=a.quantize(CENT))
            for i, (d, a) in enumerate(rows)
            if d is not None and a is not None
        ]
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="billing.instalments",
        after={"schedule": [[d, a] for d, a in rows]},
    )
    return created


# --- dunning (L-5) ------------------------------------------------------------------------------------


@transaction.atomic
def check_dunning(now: datetime) -> int:
    """L-5: at each of the policy's reminder days overdue, an unpaid invoice gets a reminder step,
    the salesperson a step to contact the customer, and sales and finance the overdue list; past
    the legal threshold finance decides on legal action. Idempotent; returns the steps taken."""
    today = timezone.localdate(now)
    done = set(
        DunningStep.objects.filter(kind=DunningKind.REMINDER).values_list("invoice_id", "days_overdue")
    )
    legal_open = set(WorkItem.objects.filter(kind="dunning.legal").values_list("object_id", flat=True))
    finance = department_of_kind(DepartmentKind.FINANCE)
    finance_head = head_of(finance) if finance else None
    late = (
        Invoice.objects.filter(due_date__lt=today)
        .select_related(
            "statement__order__salesperson",
            "statement__order__department",
            "statement__order__policy_version",
            "statement__order__customer",
        )
        .order_by("due_date", "pk")
    )
    taken = 0
    lists: dict[Any, list[str]] = {}
    for invoice in late:
        owed = outstanding(invoice)
        if owed <= 0:
            continue
        order = invoice.statement.order
        days = (today - invoice.due_date).days
        rules = order.policy().dunning
        due_steps = [d for d in rules.reminder_days if d <= days and (invoice.pk, d) not in done]
        if due_steps:
            step = max(due_steps)
            DunningStep.objects.create(
                invoice=invoice,
                kind=DunningKind.REMINDER,
                days_overdue=step,
                note=_("系统提醒：未收 %(o)s") % {"o": owed},
            )
            for d in due_steps:
                done.add((invoice.pk, d))
            tracking.close_items(
                target=invoice, actor=None, outcome=_("新的催款提醒"), kinds=("dunning.contact",)
            )
            tracking.open_item(
                target=invoice,
                order_id=order.pk,
                kind="dunning.contact",
                title=_("催款：订单 %(n)s 发票 %(i)s 逾期 %(d)s 天，未收 %(o)s")
                % {"n": order.number, "i": invoice.number, "d": days, "o": owed},
                department=order.department,
                assignee=order.salesperson,
                calendar=policy_selectors.work_calendar(order.policy_version.number),
                days=1,
                start=now,
            )
            line = _("%(c)s 订单 %(n)s 发票 %(i)s 逾期 %(d)s 天 未收 %(o)s") % {
                "c": order.customer.name,
                "n": order.number,
                "i": invoice.number,
                "d": days,
                "o": owed,
            }
            lists.setdefault(order.salesperson, []).append(line)
            if finance_head is not None:
                lists.setdefault(finance_head, []).append(line)
            taken += 1
        if days >= rules.legal_after_days and invoice.pk not in legal_open and finance is not None:
            tracking.open_item(
                target=invoice,
                order_id=order.pk,
                kind="dunning.legal",
                title=_("发票 %(i)s 逾期超过 %(d)s 天：决定是否转法务")
                % {"i": invoice.number, "d": rules.legal_after_days},
                department=finance,
                assignee=finance_head,
                calendar=policy_selectors.work_calendar(order.policy_version.number),
                days=2,
                start=now,
            )
            legal_open.add(invoice.pk)
            taken += 1
    for person, entries in lists.items():
        notify(
            event="billing",
            recipients=[person],
            title=_("逾期应收清单：%(n)s 张发票需要催款") % {"n": len(entries)},
            url="/receivables/?overdue=1",
        )
    return taken


@transaction.atomic
def record_dunning(*, actor: User, invoice: Invoice, kind: str, note: str) -> DunningStep:
    """L-5: sales or finance record a dunning step (reminder sent, call, visit, legal action)."""
    order = invoice.statement.order
    if not (can_renegotiate(actor, order) or states.in_finance(actor)):
        raise NotAllowed(_("只有销售或财务可以登记催收。"))
    errors: dict[str, str] = {}
    if kind not in DunningKind.values:
        errors["kind"] = _("请选择催收方式。")
    if not note.strip():
        errors["note"] = _("请说明催收情况。")
    if errors:
        raise FieldErrors(errors)
    if outstanding(invoice) <= 0:
        raise ActionError(_("发票 %(i)s 已收清，不需要催收。") % {"i": invoice.number})
    days = max((timezone.localdate() - invoice.due_date).days, 0)
    step = DunningStep.objects.create(
        invoice=invoice, kind=kind, days_overdue=days, note=note.strip()[:300], actor=actor
    )
    kinds = ("dunning.legal",) if kind == DunningKind.LEGAL else ("dunning.contact",)
    tracking.close_items(target=invoice, actor=actor, outcome=str(DunningKind(kind).label), kinds=kinds)
    recorder.record(
        actor=actor,
        obj=order,
        action="billing.dunning",
        after={"invoice": invoice.number, "kind": kind, "days_overdue": days, "note": step.note},
    )
    return step


def _take_over_prepayments(order: SalesOrder) -> None:
    """D-4 → L-3: prepayments recorded for the release gate become receipts of the customer."""
    for payment in order.prepayments.filter(receipt__isnull=True):
        Receipt.objects.create(
            customer=order.customer,
            amount=payment.amount,
            currency=order.currency,
            received_on=payment.received_on,
            method=ReceiptMethod.TRANSFER,
            reference=payment.reference,
            prepayment=payment,
            recorded_by=payment.recorded_by,
        )


def _apply_credit(invoice: Invoice) -> None:
    """L-3: money the customer already paid and that is not matched (a prepayment, an
    over-payment) settles a new invoice, oldest receipt first."""
    owed = outstanding(invoice)
    # No row lock here: PostgreSQL refuses FOR UPDATE with GROUP BY; the statement row is locked.
    receipts = (
        Receipt.objects.filter(customer_id=invoice.statement.order.customer_id)
        .annotate(used=Sum("allocations__amount"))
        .order_by("received_on", "pk")
    )
    for receipt in receipts:
        if owed <= 0:
            break
        free = receipt.amount - (receipt.used or Decimal("0"))
        if free > 0:
            take = min(free, owed)
            Allocation.objects.create(receipt=receipt, invoice=invoice, amount=take)
            owed -= take
