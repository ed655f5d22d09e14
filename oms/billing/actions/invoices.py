"""Invoices (L-2, L-3): recorded against approved statements only, never more than the statement's
total (nor, on an instalment schedule, than the instalment); each falls due under the order's
payment terms, and money the customer already paid settles it at once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.audit import recorder
from oms.billing import states
from oms.billing.actions._common import CENT, amount_input
from oms.billing.actions.figures import keep_figures
from oms.billing.actions.invoice_step import after_invoice
from oms.billing.actions.payments import payment_number
from oms.billing.models import (
    Instalment,
    Invoice,
    InvoiceType,
    Payment,
    PaymentMatch,
    PaymentMethod,
    Statement,
    StatementStatus,
    split_tax,
)
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.core.money import plain_number
from oms.customers.models import PaymentTerms
from oms.orders.models import SalesOrder
from oms.policy.selectors import policy
from oms.tracking.actions import collection


@transaction.atomic
def record_invoice(
    *,
    actor: User,
    statement: Statement,
    invoice_type: str,
    number: str,
    issued_on: date | None,
    amount: Decimal | None,
    tax_rate: Decimal | None = None,
    instalment: Instalment | None = None,
) -> Invoice:
    """L-2: an invoice against an approved statement; all its invoices together never exceed it.
    `amount` is the total including tax (价税合计); the tax follows from the rate, one of the
    policy's (its default when none is given), issue 23."""
    if not states.in_finance(actor):
        raise NotAllowed(_("只有财务可以登记发票。"))
    locked = Statement.objects.select_for_update().select_related("order").get(pk=statement.pk)
    if locked.status != StatementStatus.APPROVED:
        raise ActionError(_("结算清单经财务审核通过后才能开票。"))
    value = amount_input(amount, "amount", Invoice, "amount")
    rate = _rate(tax_rate)
    errors = {
        **_header_errors(invoice_type, number, issued_on),
        **_amount_errors(locked, value, instalment),
    }
    if rate is None:
        errors["tax_rate"] = _("税率应为制度规定的税率之一：%(r)s。") % {
            "r": "、".join(f"{plain_number(r)}%" for r in policy().tax.rates)
        }
    if errors:
        raise FieldErrors(errors)
    assert issued_on is not None and value is not None and rate is not None
    invoice = _create_invoice(
        actor, locked, (invoice_type, number.strip(), issued_on), value, rate, instalment
    )
    collection.issued(invoice, locked.order)  # O-1 the collection rate (ADR 0019)
    _take_over_prepayments(locked.order)
    # T-1 (issue 23; flows): the step leaves the finance staff's work once the statement is
    # invoiced in full; the next instalment's step opens, announced, when one is invoiced.
    after_invoice(locked, actor=actor, invoice=invoice)
    _apply_credit(invoice)
    keep_figures([invoice.pk])  # issue 21: what the credit paid of it
    recorder.record(
        actor=actor,
        obj=locked.order,
        action="billing.invoice",
        after={
            "statement": locked.number,
            "invoice": invoice.number,
            "type": invoice_type,
            "amount": invoice.amount,
            "tax_rate": invoice.tax_rate,
            "tax": invoice.tax_amount,
            "issued_on": issued_on,
            "due_date": invoice.due_date,
        },
    )
    return invoice


def _rate(rate: Decimal | None) -> Decimal | None:
    """The rate given, if it is one of the policy's; the policy's default when none is given
    (issue 22: typed by the form, `oms.billing.forms`)."""
    rates = policy().tax
    if rate is None:
        return rates.default_rate
    if not isinstance(rate, Decimal):
        raise TypeError(f"tax_rate: a Decimal from the form, not {type(rate).__name__}")
    return rate if rate.is_finite() and rate in rates.rates else None


def _header_errors(invoice_type: str, number: str, issued_on: date | None) -> dict[str, str]:
    """A known type, a number not yet recorded, a date."""
    errors: dict[str, str] = {}
    if invoice_type not in InvoiceType.values:
        errors["invoice_type"] = _("请选择发票类型。")
    if not number.strip():
        errors["number"] = _("请填写发票号码。")
    elif Invoice.objects.filter(number=number.strip()).exists():
        errors["number"] = _("发票号码 %(n)s 已登记过。") % {"n": number.strip()}
    if issued_on is None:
        errors["issued_on"] = _("请填写开票日期。")
    return errors


def _amount_errors(
    statement: Statement, value: Decimal | None, instalment: Instalment | None
) -> dict[str, str]:
    """L-2, L-3: positive, within what the statement has left to invoice and, on an instalment
    schedule, within the chosen instalment."""
    errors: dict[str, str] = {}
    if value is None or value <= 0:
        errors["amount"] = _("发票金额必须大于 0。")
    else:
        invoiced = (statement.invoices.aggregate(s=Sum("amount"))["s"] or Decimal("0")).quantize(CENT)
        if invoiced + value > statement.total:
            errors["amount"] = _("超过结算金额：结算 %(t)s，已开票 %(i)s，最多还能开 %(l)s。") % {
                "t": statement.total,
                "i": invoiced,
                "l": statement.total - invoiced,
            }
    order = statement.order
    if (
        order.payment_terms != PaymentTerms.INSTALMENTS
        or not order.instalments.filter(superseded=False).exists()
    ):
        return errors
    if instalment is None or instalment.order_id != order.pk or instalment.superseded:
        errors["instalment"] = _("分期付款的订单开票时请选择对应的期次。")
    elif value is not None and value > 0:
        billed = (instalment.invoices.aggregate(s=Sum("amount"))["s"] or Decimal("0")).quantize(CENT)
        if billed + value > instalment.amount:
            errors["amount"] = _("超过第 %(n)s 期金额：该期 %(a)s，已开票 %(b)s。") % {
                "n": instalment.seq,
                "a": instalment.amount,
                "b": billed,
            }
    return errors


def _create_invoice(
    actor: User,
    statement: Statement,
    header: tuple[str, str, date],
    value: Decimal,
    rate: Decimal,
    instalment: Instalment | None,
) -> Invoice:
    """The invoice, due by the instalment or the payment terms; a number taken meanwhile is the
    same field error as one taken before."""
    invoice_type, number, issued_on = header
    _net, tax = split_tax(value.quantize(CENT), rate)
    try:
        with transaction.atomic():
            return Invoice.objects.create(
                statement=statement,
                order_id=statement.order_id,
                customer_id=statement.order.customer_id,
                invoice_type=invoice_type,
                number=number,
                issued_on=issued_on,
                amount=value.quantize(CENT),
                tax_amount=tax,
                tax_rate=rate,
                due_date=instalment.due_date
                if instalment is not None
                else due_date(statement.order, issued_on),
                instalment=instalment,
                recorded_by=actor,
            )
    except IntegrityError as exc:
        raise FieldErrors({"number": _("发票号码 %(n)s 已登记过。") % {"n": number}}) from exc


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


def _take_over_prepayments(order: SalesOrder) -> None:
    """D-4 → L-3: prepayments recorded for the release gate become payments of the customer."""
    for payment in order.prepayments.filter(payment__isnull=True):
        Payment.objects.create(
            number=payment_number(),
            customer=order.customer,
            amount=payment.amount,
            currency=order.currency,
            received_on=payment.received_on,
            method=PaymentMethod.TRANSFER,
            reference=payment.reference,
            prepayment=payment,
            recorded_by=payment.recorded_by,
        )


def _apply_credit(invoice: Invoice) -> None:
    """L-3: money the customer already paid and that is not matched (a prepayment, an
    over-payment) settles a new invoice, oldest payment first."""
    # A new invoice owes all of it (nothing matched to it yet, not reversed).
    owed = invoice.amount
    # The customer's free credit is summed from the matches, not kept: a payment keeps no figure
    # of its own, and a kept one would be one more figure every match must write.
    # No row lock here: PostgreSQL refuses FOR UPDATE with GROUP BY; the statement row is locked.
    payments = (
        Payment.objects.filter(customer_id=invoice.statement.order.customer_id)
        # Issue 23: what was matched to a reversed invoice is free again.
        .annotate(used=Sum("matches__amount", filter=Q(matches__invoice__reversed_by__isnull=True)))
        .order_by("received_on", "pk")
    )
    for payment in payments:
        if owed <= 0:
            break
        free = payment.amount - (payment.used or Decimal("0"))
        if free > 0:
            take = min(free, owed)
            PaymentMatch.objects.create(payment=payment, invoice=invoice, amount=take)
            owed -= take
