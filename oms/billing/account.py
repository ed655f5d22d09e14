"""The statement of account (往来对账单, issue 23 point 2, L-4): a customer's invoices (red-letter
ones negative) as debits and their payments as credits over a period, from the opening balance
through each line's running balance to the closing balance. Read only; every figure Decimal.

At 10^6 ledger lines this reads by (customer, date) on both tables: `invoice_customer_date`,
`payment_customer_date`; the opening balance is two sums over the same indexes, in one statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from oms.billing.models import Invoice, InvoiceType, OpenBalance, Payment, PaymentMethod
from oms.billing.states import in_finance
from oms.customers.models import Customer
from oms.customers.selectors import customers_for
from oms.policy.visibility import visible_field_groups

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class AccountLine:
    on: date
    kind: str
    number: str
    reference: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    order: str = ""


@dataclass(frozen=True)
class AccountStatement:
    customer: Customer
    start: date
    end: date
    opening: Decimal
    lines: list[AccountLine]
    debit: Decimal
    credit: Decimal
    closing: Decimal


# The export's columns, labelled as the printed statement is.
COLUMNS = [
    _("日期"),
    _("类型"),
    _("单据号"),
    _("订单"),
    _("摘要"),
    _("借方（应收）"),
    _("贷方（已收）"),
    _("余额"),
]


def customer_for_statement(user: Any, pk: Any) -> Customer | None:
    """The customer whose statement `user` may read: in their data scope (finance, the
    customer's salesperson and their heads) and only for those who see prices (S-1)."""
    if "price" not in visible_field_groups(user) or not str(pk or "").isdigit():
        return None
    return _customers(user).filter(pk=int(pk)).first()


def _customers(user: Any) -> QuerySet[Customer]:
    """Finance keeps every customer's account (L-4); others, the customers in their scope."""
    return Customer.objects.all() if in_finance(user) else customers_for(user)


def statement_customers(user: Any) -> list[tuple[int, str]]:
    """The customers to choose from: those in scope that have invoices, by name."""
    if "price" not in visible_field_groups(user):
        return []
    # Issue 21: a customer owing on an open order (a kept `OpenBalance` row, a few thousand rows
    # hashed once) has invoices; only the others are looked up in the invoices' customer index.
    # Probing that index for each of 2000 customers cost 20–35 ms at 10^6 invoices.
    with_invoices = Q(pk__in=OpenBalance.objects.values("customer_id")) | Exists(
        Invoice.objects.filter(customer=OuterRef("pk"))
    )
    return list(_customers(user).filter(with_invoices).order_by("name").values_list("pk", "name")[:2000])


def _opening(customer: Customer, start: date) -> Decimal:
    """What the customer owed before `start`: their invoices less their payments before it, two
    sums over the (customer, date) indexes read in one statement."""

    def before(model: Any, on: str) -> Subquery:
        found = model.objects.filter(customer=OuterRef("pk"), **{f"{on}__lt": start})
        return Subquery(found.order_by().values("customer").annotate(s=Sum("amount")).values("s"))

    sums = Customer.objects.filter(pk=customer.pk).values(
        invoiced=before(Invoice, "issued_on"), paid=before(Payment, "received_on")
    )[0]
    return (sums["invoiced"] or ZERO).quantize(CENT) - (sums["paid"] or ZERO).quantize(CENT)


def statement_of_account(customer: Customer, start: date, end: date) -> AccountStatement:
    """The customer's statement for [start, end]: three queries whatever the period."""
    invoices = Invoice.objects.filter(customer=customer)
    payments = Payment.objects.filter(customer=customer)
    opening = _opening(customer, start)
    # Labels translated once, not per line (issue 21: hundreds of lines a year).
    types = {k: str(v) for k, v in InvoiceType.choices}
    methods = {k: str(v) for k, v in PaymentMethod.choices}
    invoice, red_letter, payment = str(_("发票")), str(_("红字发票")), str(_("收款"))
    rows: list[tuple[date, int, int, str, str, str, Decimal, Decimal, str]] = []
    for inv in (
        invoices.filter(issued_on__gte=start, issued_on__lte=end)
        .values(
            "pk",
            "issued_on",
            "number",
            "amount",
            "invoice_type",
            "reverses__number",
            "order__number",
        )
        .order_by("issued_on", "pk")
    ):
        red = inv["reverses__number"]
        kind = red_letter if red else invoice
        note = str(_("冲销 %(n)s") % {"n": red}) if red else types.get(inv["invoice_type"], "")
        rows.append(
            (
                inv["issued_on"],
                0,
                inv["pk"],
                kind,
                inv["number"],
                note,
                inv["amount"],
                ZERO,
                inv["order__number"],
            )
        )
    for pay in (
        payments.filter(received_on__gte=start, received_on__lte=end)
        .values("pk", "received_on", "number", "amount", "method", "reference")
        .order_by("received_on", "pk")
    ):
        note = f"{methods.get(pay['method'], '')} {pay['reference']}".strip()
        rows.append((pay["received_on"], 1, pay["pk"], payment, pay["number"], note, ZERO, pay["amount"], ""))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    balance = opening
    lines = []
    for on, _kind_order, _pk, kind, number, note, debit, credit, order in rows:
        balance += debit - credit
        lines.append(
            AccountLine(on, kind, number, note, debit.quantize(CENT), credit.quantize(CENT), balance, order)
        )
    debit_total = sum((ln.debit for ln in lines), ZERO)
    credit_total = sum((ln.credit for ln in lines), ZERO)
    return AccountStatement(
        customer, start, end, opening, lines, debit_total, credit_total, opening + debit_total - credit_total
    )


def export_rows(statement: AccountStatement) -> list[list[Any]]:
    """The statement as the export's rows: the opening balance, each line, the totals and the
    closing balance; amounts stay Decimals (numbers with a number format in Excel)."""
    rows: list[list[Any]] = [[statement.start, str(_("期初余额")), "", "", "", None, None, statement.opening]]
    for ln in statement.lines:
        rows.append([ln.on, ln.kind, ln.number, ln.order, ln.reference, ln.debit, ln.credit, ln.balance])
    rows.append(
        [
            statement.end,
            str(_("本期合计及期末余额")),
            "",
            "",
            "",
            statement.debit,
            statement.credit,
            statement.closing,
        ]
    )
    return rows
