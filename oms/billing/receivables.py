"""The receivables ledger (应收账款台账, L-4): per order, invoiced, received, outstanding, overdue,
with ageing by days past due; and the customer's exposure for the credit check (B-6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from oms.billing.models import Invoice, InvoiceType, Payment, PaymentMatch
from oms.customers.models import Customer
from oms.orders.models import OPEN_STATUSES
from oms.orders.selectors import orders_for
from oms.web.listing import Column

ZERO = Decimal("0.00")
# Days past the due date; what is not yet due has its own column.
BUCKETS = (("age_0_30", 0, 30), ("age_31_60", 31, 60), ("age_61_90", 61, 90), ("age_over_90", 91, None))


@dataclass
class LedgerRow:
    customer: str
    order: str
    order_id: int
    customer_id: int = 0
    invoiced: Decimal = ZERO
    received: Decimal = ZERO
    outstanding: Decimal = ZERO
    not_due: Decimal = ZERO
    overdue: Decimal = ZERO
    age_0_30: Decimal = ZERO
    age_31_60: Decimal = ZERO
    age_61_90: Decimal = ZERO
    age_over_90: Decimal = ZERO
    oldest_due: date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


COLUMNS = [
    Column("customer", _("客户")),
    Column("order", _("订单")),
    Column("invoiced", _("已开票")),
    Column("received", _("已收款")),
    Column("outstanding", _("未收")),
    Column("not_due", _("未到期")),
    Column("overdue", _("已逾期")),
    Column("age_0_30", _("逾期 0-30 天")),
    Column("age_31_60", _("逾期 31-60 天")),
    Column("age_61_90", _("逾期 61-90 天")),
    Column("age_over_90", _("逾期 90 天以上")),
]


# --- amount paid: the one definition (L-3) ----------------------------------------------------------


def payments(*, by_due_date: bool = False) -> QuerySet[PaymentMatch]:
    """L-3: what counts as paid of an invoice: the parts of payments matched to it. With
    `by_due_date`, only money received on or before the invoice's due date (L-4 collection)."""
    # Issue 23: money matched to an invoice since reversed by a red-letter one is the customer's
    # credit again, not payment of anything.
    matched = PaymentMatch.objects.filter(invoice__reversed_by__isnull=True)
    if by_due_date:
        matched = matched.filter(payment__received_on__lte=F("invoice__due_date"))
    return matched


def paid_amount(*, by_due_date: bool = False) -> Coalesce:
    """The amount paid of each invoice of the queryset it annotates (0 when nothing is matched);
    one subquery, so it combines with any other annotation or aggregate."""
    per_invoice = (
        payments(by_due_date=by_due_date)
        .filter(invoice=OuterRef("pk"))
        .values("invoice")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return Coalesce(
        Subquery(per_invoice), Value(ZERO), output_field=DecimalField(max_digits=18, decimal_places=2)
    )


def paid_of(invoices: QuerySet[Invoice]) -> Decimal:
    """L-3, M-1: what is paid of these invoices together (of an order, a statement, one invoice)."""
    total = payments().filter(invoice__in=invoices.values("pk")).aggregate(s=Sum("amount"))["s"]
    return total or ZERO


def outstanding(invoice: Invoice) -> Decimal:
    """L-3: what is still owed on the invoice: nothing on one reversed by a red-letter invoice
    nor on the red-letter invoice itself, the two cancelling each other (issue 23)."""
    if invoice.reverses_id is not None or Invoice.objects.filter(reverses=invoice).exists():
        return ZERO
    return (invoice.amount - paid_of(Invoice.objects.filter(pk=invoice.pk))).quantize(ZERO)


# Issue 23: an invoice reversed by a red-letter invoice, or the red-letter invoice: owes nothing.
REVERSAL_PAIR = Q(reverses__isnull=False) | Q(reversed_by__isnull=False)


def _invoices(qs: Any) -> Any:
    return qs.annotate(
        paid=paid_amount(),
        in_reversal=Case(
            When(REVERSAL_PAIR, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
    )


def owed(inv: dict[str, Any]) -> Decimal:
    """What a row of `_invoices(...).values(..., "amount", "paid", "in_reversal")` still owes."""
    return ZERO if inv["in_reversal"] else inv["amount"] - inv["paid"]


def _age(row: LedgerRow, owed: Decimal, due: date, today: date) -> None:
    row.outstanding += owed
    if owed <= 0:
        return
    late = (today - due).days
    if late <= 0:
        row.not_due += owed
        return
    row.overdue += owed
    row.oldest_due = min(row.oldest_due or due, due)
    for name, low, high in BUCKETS:
        if late >= max(low, 1) and (high is None or late <= high):
            setattr(row, name, getattr(row, name) + owed)


def ledger(user: Any, *, today: date) -> list[LedgerRow]:
    """L-4: one row per order with invoices, in the user's order scope; one query."""
    invoices = _invoices(
        Invoice.objects.filter(statement__order__in=orders_for(user).values("pk")).values(
            "pk",  # one row per invoice: equal amounts and dates must not be grouped together
            "statement__order_id",
            "statement__order__number",
            "statement__order__customer__name",
            "statement__order__customer",
            "amount",
            "due_date",
        )
    ).order_by("statement__order__customer__name", "statement__order__number")
    rows: dict[int, LedgerRow] = {}
    for inv in invoices:
        row = rows.setdefault(
            inv["statement__order_id"],
            LedgerRow(
                customer=inv["statement__order__customer__name"],
                order=inv["statement__order__number"],
                order_id=inv["statement__order_id"],
                customer_id=inv["statement__order__customer"],
            ),
        )
        row.invoiced += inv["amount"]
        row.received += inv["paid"]
        row.outstanding += inv["amount"] - inv["paid"] - owed(inv)  # a reversal pair: nets to 0
        _age(row, owed(inv), inv["due_date"], today)
    return list(rows.values())


def totals(rows: list[LedgerRow]) -> LedgerRow:
    total = LedgerRow(customer="", order="", order_id=0)
    for row in rows:
        for name in ("invoiced", "received", "outstanding", "not_due", "overdue", *(b[0] for b in BUCKETS)):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total


def _customer_sum(rows: QuerySet[Any], customer: str) -> Coalesce:
    """The sum of `rows`' amounts for the customer of the row annotated (0 when none)."""
    per_customer = (
        rows.filter(**{customer: OuterRef("pk")})
        .order_by()
        .values(customer)
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return Coalesce(
        Subquery(per_customer), Value(ZERO), output_field=DecimalField(max_digits=18, decimal_places=2)
    )


def exposure(customer_id: int, today: date) -> dict[str, Decimal]:
    """B-6 credit check: what the customer owes on invoices (less unmatched credit), what of it
    is overdue, and by how many days the oldest overdue invoice is late."""
    row = LedgerRow(customer="", order="", order_id=0)
    for inv in _invoices(Invoice.objects.filter(statement__order__customer_id=customer_id)).values(
        "pk", "amount", "due_date", "paid", "in_reversal"
    ):
        _age(row, owed(inv), inv["due_date"], today)
    # Money received, the part of it matched to invoices, and what is invoiced on open orders:
    # three sums read as one row of the customer (issue 21: one statement, not three).
    sums = (
        Customer.objects.filter(pk=customer_id)
        .values(
            received=_customer_sum(Payment.objects.all(), "customer"),
            matched=_customer_sum(payments(), "payment__customer"),
            invoiced_open=_customer_sum(
                Invoice.objects.filter(statement__order__status__in=OPEN_STATUSES),
                "statement__order__customer",
            ),
        )
        .first()
    ) or {"received": ZERO, "matched": ZERO, "invoiced_open": ZERO}
    credit = sums["received"] - sums["matched"]
    invoiced_open = sums["invoiced_open"]
    return {
        "receivables": max(row.outstanding - credit, ZERO),
        "overdue": row.overdue,
        # B-6: how long the oldest unpaid invoice is past due, for the policy's tolerance in days.
        "overdue_days": Decimal((today - row.oldest_due).days) if row.oldest_due else ZERO,
        "credit": credit,
        "invoiced_open": invoiced_open,
    }


def customer_invoices(customer_id: int, today: date) -> list[dict[str, Any]]:
    """L-2, B-8: a customer's invoices, newest first, each with what is paid and still owed and
    whether it is overdue: what their portal shows (one query)."""
    rows = (
        _invoices(Invoice.objects.filter(statement__order__customer_id=customer_id))
        .values("pk", "number", "invoice_type", "issued_on", "due_date", "amount", "paid", "in_reversal")
        .annotate(order_number=F("statement__order__number"))
        .order_by("-issued_on", "-pk")
    )
    labels = dict(InvoiceType.choices)
    out = []
    for row in rows:
        left = owed(row)
        out.append(
            {
                **row,
                "type_label": labels.get(row["invoice_type"], row["invoice_type"]),
                "outstanding": left,
                "overdue": left > 0 and row["due_date"] < today,
            }
        )
    return out
