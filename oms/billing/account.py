"""The statement of account (往来对账单, issue 23 point 2, L-4): a customer's invoices (red-letter
ones negative) as debits and their payments as credits over a period, from the opening balance
through each line's running balance to the closing balance. Read only; every figure Decimal.

At 10^6 ledger lines this reads by (customer, date) on both tables: `invoice_customer_date`,
`payment_customer_date`; the opening balance is two sums over the same indexes, in one statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from oms.billing.models import Invoice, InvoiceType, OpenBalance, Payment, PaymentMethod
from oms.billing.payers import SUGGESTIONS, typed_customer
from oms.billing.states import in_finance
from oms.customers.models import Customer
from oms.customers.selectors import customers_for, matching
from oms.policy.visibility import visible_field_groups

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class AccountLine(NamedTuple):
    """A line of the statement (a tuple: hundreds of them a year are made per page, issue 21)."""

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


def customer_for_statement(
    user: Any, pk: Any, typed: str = "", *, opening_on: date | None = None
) -> Customer | None:
    """The customer whose statement `user` may read: the one the search field names (its code,
    the picked "code name" or an exact name, `payers.typed_customer`; typed without JavaScript
    too, issue 21), else the one given by key; in either case only in their data scope (finance,
    the customer's salesperson and their heads) and only for those who see prices (S-1). Given
    `opening_on`, the customer's opening balance on that day is read with it (`_opening`)."""
    if "price" not in visible_field_groups(user):
        return None
    customers = _customers(user)
    if opening_on is not None:
        customers = customers.annotate(**_sums_before(opening_on))
    if typed.strip():
        found = typed_customer(typed, among=customers)
    elif str(pk or "").isdigit():
        found = customers.filter(pk=int(pk)).first()
    else:
        return None
    if found is not None and opening_on is not None:
        found.oms_opening_start = opening_on  # type: ignore[attr-defined]
    return found


def _customers(user: Any) -> QuerySet[Customer]:
    """Finance keeps every customer's account (L-4); others, the customers in their scope."""
    return Customer.objects.all() if in_finance(user) else customers_for(user)


def statement_customers(user: Any, q: str = "", limit: int = SUGGESTIONS) -> list[Customer]:
    """The statement's picker: the customers in scope that have invoices whose code, name or
    pinyin initials contain `q` (`customers.selectors.matching`), by code, `limit` at most.
    Issue 21: searched, not listed: the page printed up to 2,000 of them as options."""
    if "price" not in visible_field_groups(user):
        return []
    # Issue 21: a customer owing on an open order (a kept `OpenBalance` row, a few thousand rows
    # hashed once) has invoices; only the others are looked up in the invoices' customer index.
    with_invoices = Q(pk__in=OpenBalance.objects.values("customer_id")) | Exists(
        Invoice.objects.filter(customer=OuterRef("pk"))
    )
    found = _customers(user).filter(with_invoices).select_related(None).only("pk", "code", "name")
    return matching(found, q, limit)


def _sums_before(start: date) -> dict[str, Subquery]:
    """The customer's (`OuterRef("pk")`) invoices and payments before `start` as two columns:
    sums over the (customer, date) indexes."""

    def before(model: Any, on: str) -> Subquery:
        found = model.objects.filter(customer=OuterRef("pk"), **{f"{on}__lt": start})
        return Subquery(found.order_by().values("customer").annotate(s=Sum("amount")).values("s"))

    return {
        "oms_invoiced_before": before(Invoice, "issued_on"),
        "oms_paid_before": before(Payment, "received_on"),
    }


def _opening(customer: Customer, start: date) -> Decimal:
    """What the customer owed before `start`: their invoices less their payments before it; read
    with the customer when `customer_for_statement` was given the same start (issue 21: one
    statement fewer), else in a statement of its own."""
    sums: dict[str, Any]
    if getattr(customer, "oms_opening_start", None) == start:
        sums = {k: getattr(customer, k) for k in ("oms_invoiced_before", "oms_paid_before")}
    else:
        sums = dict(Customer.objects.filter(pk=customer.pk).values(**_sums_before(start))[0])
    invoiced, paid = sums["oms_invoiced_before"] or ZERO, sums["oms_paid_before"] or ZERO
    return invoiced.quantize(CENT) - paid.quantize(CENT)


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
    for on, pk, number, amount, invoice_type, red, order in (
        invoices.filter(issued_on__gte=start, issued_on__lte=end)
        .values_list(
            "issued_on",
            "pk",
            "number",
            "amount",
            "invoice_type",
            "reverses__number",
            "order__number",
        )
        .order_by("issued_on", "pk")
    ):
        kind = red_letter if red else invoice
        note = str(_("冲销 %(n)s") % {"n": red}) if red else types.get(invoice_type, "")
        rows.append((on, 0, pk, kind, number, note, amount, ZERO, order))
    for on, pk, number, amount, method, reference in (
        payments.filter(received_on__gte=start, received_on__lte=end)
        .values_list("received_on", "pk", "number", "amount", "method", "reference")
        .order_by("received_on", "pk")
    ):
        note = f"{methods.get(method, '')} {reference}".strip()
        rows.append((on, 1, pk, payment, number, note, ZERO, amount, ""))
    rows.sort()  # by day, invoices first, then key: no two rows share all three
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
