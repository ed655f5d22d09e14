"""The receivables ledger (应收账款台账, L-4): per order, invoiced, received, outstanding, overdue,
with ageing by days past due; and the customer's exposure for the credit check (B-6)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
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

from oms.billing.models import Invoice, InvoiceType, OpenBalance, Payment, PaymentMatch, UnsettledOrder
from oms.core import prepared
from oms.customers.models import Customer
from oms.orders.models import OPEN_STATUSES
from oms.orders.selectors import (
    by_seller_in_scope,
    in_order_scope,
    orders_for,
    sees_own_orders_only,
)
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


def with_paid(qs: Any) -> Any:
    """Invoices with what was matched to them (`paid`) and whether they are one of a red-letter
    pair (`in_reversal`)."""
    return qs.annotate(
        paid=paid_amount(),
        in_reversal=Case(
            When(REVERSAL_PAIR, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
    )


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


# --- the ledger, from the figures kept per invoice (issue 21) -----------------------------------

MONEY = DecimalField(max_digits=18, decimal_places=2)
OPEN = Q(settled=False)
# What an unsettled invoice still owes (an unsettled invoice is never one of a red-letter pair).
OWED = ExpressionWrapper(F("amount") - F("received"), output_field=MONEY)
# Issue 21: the invoice keeps its statement's order, so the ledger joins no statements.
ORDER = "order"


def _sums(today: date) -> dict[str, Any]:
    """The ledger's figures as aggregates of the kept per-invoice columns: invoiced, received,
    and what the unsettled invoices owe by days past due (the same buckets as `_age`)."""
    sums: dict[str, Any] = {
        "invoiced_sum": Sum("amount"),
        "received_sum": Sum("received"),
        "not_due": Sum(OWED, filter=OPEN & Q(due_date__gte=today)),
        "overdue": Sum(OWED, filter=OPEN & Q(due_date__lt=today)),
        "oldest_due": Min("due_date", filter=OPEN & Q(due_date__lt=today)),
    }
    for name, low, high in BUCKETS:
        late = Q(due_date__lte=today - timedelta(days=max(low, 1)))
        if high is not None:
            late &= Q(due_date__gte=today - timedelta(days=high))
        sums[name] = Sum(OWED, filter=OPEN & late)
    return sums


def _row(
    found: Mapping[str, Any], *, customer: str, order: str, order_id: int, customer_id: int
) -> LedgerRow:
    row = LedgerRow(customer=customer, order=order, order_id=order_id, customer_id=customer_id)
    row.invoiced, row.received = found["invoiced_sum"] or ZERO, found["received_sum"] or ZERO
    # A red-letter pair nets to nothing; every other invoice owes its amount less what is paid.
    row.outstanding = row.invoiced - row.received
    row.oldest_due = found["oldest_due"]
    for name in ("not_due", "overdue", *(b[0] for b in BUCKETS)):
        setattr(row, name, found[name] or ZERO)
    return row


def open_invoices(user: Any, *, today: date, overdue: bool = False) -> QuerySet[Invoice]:
    """Issue 21, L-4: the unsettled invoices (past due, with `overdue`) of the orders in the
    user's scope (archived ones excluded, M-3), read from their partial index `invoice_open`,
    never the settled history; the scope is checked on each one's order."""
    unsettled = in_order_scope(Invoice.objects.filter(OPEN), user, ORDER)
    return unsettled.filter(due_date__lt=today) if overdue else unsettled


def open_orders(user: Any, *, today: date, overdue: bool = False) -> QuerySet[Any]:
    """The ids of the orders with an unsettled invoice (past due, with `overdue`), in scope."""
    return open_invoices(user, today=today, overdue=overdue).values(f"{ORDER}_id")


def _per_order(invoices: QuerySet[Invoice], today: date) -> QuerySet[Any]:
    return (
        invoices.values(
            f"{ORDER}_id", f"{ORDER}__number", f"{ORDER}__customer_id", f"{ORDER}__customer__name"
        )
        .annotate(**_sums(today))
        .order_by(f"{ORDER}__customer__name", f"{ORDER}__number")
    )


def _ledger_rows(found: Any) -> list[LedgerRow]:
    return [
        _row(
            r,
            customer=r[f"{ORDER}__customer__name"],
            order=r[f"{ORDER}__number"],
            order_id=r[f"{ORDER}_id"],
            customer_id=r[f"{ORDER}__customer_id"],
        )
        for r in found
    ]


def ledger(user: Any, *, today: date, show: str = "all", overdue: bool = False) -> list[LedgerRow]:
    """L-4: one row per order with invoices, in the user's order scope, by customer and order;
    `show` "open" (something left to collect), "settled" or "all"; with `overdue`, only orders
    with an invoice past due. One grouped query (the export and the consistency of the page)."""
    invoices = Invoice.objects.all()
    if show == "open" or overdue:
        if show == "settled":
            return []
        invoices = invoices.filter(**{f"{ORDER}_id__in": open_orders(user, today=today, overdue=overdue)})
    else:
        invoices = invoices.filter(**{f"{ORDER}__in": orders_for(user).values("pk")})
        if show == "settled":
            invoices = invoices.exclude(**{f"{ORDER}_id__in": open_orders(user, today=today)})
    return _ledger_rows(_per_order(invoices, today))


@dataclass
class OpenLedger:
    """Issue 21: the open view of the ledger: its first rows, every open row's totals and the
    number of open rows."""

    rows: list[LedgerRow]
    total: LedgerRow
    count: int


def open_ledger(user: Any, *, today: date, overdue: bool = False, limit: int, page: int = 1) -> OpenLedger:
    """Issue 21, L-4: the orders with something left to collect (one past due, with `overdue`):
    the `page`-th `limit` of them, the one due longest ago first, each with all its invoices
    (walked off the kept `UnsettledOrder` rows in the order of their index); the totals and the
    number of every such order, added up from the kept open balances per due date."""
    kept = by_seller_in_scope(OpenBalance.objects.all(), user, person="salesperson", department="department")
    if kept is None:
        # A department whose scope also depends on each order's status: from the invoices.
        per_customer = list(_open_per_customer(user, today, overdue))
        total, count = _summed(per_customer), sum(found["open_orders"] or 0 for found in per_customer)
    else:
        total, count = _kept_totals(kept.filter(order_due__lt=today) if overdue else kept, today)
    ids = list(_unsettled_orders(user, today=today, overdue=overdue)[(page - 1) * limit : page * limit])
    return OpenLedger(rows_of(ids, today) if ids else [], total, count)


def _unsettled_orders(user: Any, *, today: date, overdue: bool) -> QuerySet[Any]:
    """Issue 21: the ids of the orders with an unsettled invoice in the user's scope (one past
    due, with `overdue`), oldest due first: a walk of `UnsettledOrder`'s index (of the scope's
    salesperson or department where it has one), rows of archived orders never kept (M-3)."""
    orders = by_seller_in_scope(
        UnsettledOrder.objects.all(), user, person="salesperson", department="department"
    )
    if orders is None:  # a scope that depends on each order's status (S-1)
        orders = in_order_scope(UnsettledOrder.objects.all(), user, ORDER)
    if overdue:
        orders = orders.filter(due_date__lt=today)
    return orders.order_by("due_date", "order_id").values_list("order_id", flat=True)


def _kept_totals(kept: QuerySet[OpenBalance], today: date) -> tuple[LedgerRow, int]:
    """The ledger's totals and number of orders from the kept open balances: one grouped read per
    due date (a few hundred rows, whatever the number of customers), aged in Python by days past
    due as `_age` does. Each figure is a sum of exact Decimals, as the database's would be."""
    total = LedgerRow(customer="", order="", order_id=0)
    count = 0
    for due, invoiced, received, owed, orders in (
        kept.values("due_date")
        .annotate(Sum("invoiced"), Sum("received"), Sum("owed"), Sum("open_orders"))
        .values_list("due_date", "invoiced__sum", "received__sum", "owed__sum", "open_orders__sum")
        .order_by()
    ):
        total.invoiced += invoiced
        total.received += received
        count += orders
        late = (today - due).days
        if late <= 0:
            total.not_due += owed
            continue
        total.overdue += owed
        for name, low, high in BUCKETS:
            if late >= max(low, 1) and (high is None or late <= high):
                setattr(total, name, getattr(total, name) + owed)
    total.outstanding = total.invoiced - total.received
    return total, count


def _summed(per_customer: list[dict[str, Any]]) -> LedgerRow:
    """The ledger's total of per-customer figures (`_open_per_customer`)."""
    summed: dict[str, Any] = {
        name: sum((found[name] or ZERO for found in per_customer), ZERO)
        for name in ("invoiced_sum", "received_sum", "not_due", "overdue", *(b[0] for b in BUCKETS))
    }
    return _row({**summed, "oldest_due": None}, customer="", order="", order_id=0, customer_id=0)


def _open_per_customer(user: Any, today: date, overdue: bool) -> QuerySet[Any]:
    """Per customer, the totals and the number of the open orders in scope, from their invoices.
    An order has one customer, so its customer's distinct orders add up to the count."""
    # Through the statements' order index: `order_id IN (…)` on the invoices themselves was
    # planned as a hash semi-join over a scan of every invoice (tests/test_read_plans.py).
    return (
        Invoice.objects.filter(statement__order_id__in=open_orders(user, today=today, overdue=overdue))
        .values("customer_id", "customer__name")
        .annotate(**_sums(today), open_orders=Count(f"{ORDER}_id", distinct=True))
        .order_by()
    )


def orders_page(user: Any, *, today: date, show: str) -> QuerySet[Any]:
    """Issue 21, L-4: the ids of the orders of the settled or whole ledger, newest first (paged
    with a capped count): a salesperson's off their orders' own `(salesperson, -created_at)`
    index; anyone else's each once, the highest order id first, read backwards off the invoices'
    order index and checked for scope (S-1, M-3) per invoice. Walking the orders newest first
    probed every recent order not yet invoiced: 44,000 of them before finance's first settled
    page at 10^6 orders (0.8 s, and as much again for the count)."""
    if sees_own_orders_only(user):
        # A salesperson's own orders are a short walk of their own index; their invoices, one in
        # fifty of the company's read backwards, a long one.
        orders = orders_for(user).filter(Exists(Invoice.objects.filter(**{ORDER: OuterRef("pk")})))
        if show == "settled":
            # A live order owes exactly when it has a kept unsettled row (M-3: `orders_for` reads
            # no archived order, which never has one): a probe of that small table's key rather
            # than of each order's invoices and their rows (issue 21: 600 invoice rows read for
            # 51 settled orders, most of the salesperson's page).
            orders = orders.exclude(Exists(UnsettledOrder.objects.filter(order_id=OuterRef("pk"))))
        return orders.order_by("-created_at", "-id").values_list("pk", flat=True)
    invoices = in_order_scope(Invoice.objects.all(), user, ORDER)
    if show == "settled":
        invoices = invoices.exclude(
            Exists(Invoice.objects.filter(OPEN, **{f"{ORDER}_id": OuterRef(f"{ORDER}_id")}))
        )
    return invoices.order_by(f"-{ORDER}_id").values_list(f"{ORDER}_id", flat=True).distinct()


def rows_of(order_ids: list[int], today: date) -> list[LedgerRow]:
    """The ledger rows of these orders (a page), in the order of `order_ids`: one grouped query
    of their invoices by the invoice's order (issue 21: no statements read)."""
    invoices = Invoice.objects.filter(order_id__in=order_ids)
    found = {row.order_id: row for row in _ledger_rows(_per_order(invoices, today))}
    return [found[pk] for pk in order_ids if pk in found]


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


def _unsettled(customer_id: int) -> QuerySet[Any]:
    """The customer's unsettled invoices (its partial index), as `exposure` reads them."""
    return Invoice.objects.filter(customer_id=customer_id, settled=False).values(
        "amount", "received", "due_date"
    )


def _customer_sums(customer_id: int) -> QuerySet[Any]:
    """The customer's one row of three sums `exposure` reads (at most one row, as `first()`)."""
    return Customer.objects.filter(pk=customer_id).values(
        received=_customer_sum(Payment.objects.all(), "customer"),
        matched=_customer_sum(payments(), "payment__customer"),
        invoiced_open=_customer_sum(
            Invoice.objects.filter(statement__order__status__in=OPEN_STATUSES),
            "statement__order__customer",
        ),
    )[:1]


def exposure(customer_id: int, today: date) -> dict[str, Decimal]:
    """B-6 credit check: what the customer owes on invoices (less unmatched credit), what of it
    is overdue, and by how many days the oldest overdue invoice is late."""
    row = LedgerRow(customer="", order="", order_id=0)
    # Issue 21: the customer's unsettled invoices (its partial index) and what each one keeps as
    # paid, written in the transaction of every match, so as exact as summing the matches; a
    # settled invoice owes nothing (paid in full, or one of a red-letter pair).
    # Both statements are the same for every customer: compiled once (`core.prepared`, issue 21).
    for inv in prepared.dicts(("billing.exposure.unsettled",), Invoice, _unsettled, customer_id):
        _age(row, inv["amount"] - inv["received"], inv["due_date"], today)
    # Money received, the part of it matched to invoices, and what is invoiced on open orders:
    # three sums read as one row of the customer (issue 21: one statement, not three).
    found = prepared.dicts(("billing.exposure.sums",), Customer, _customer_sums, customer_id)
    sums = found[0] if found else {"received": ZERO, "matched": ZERO, "invoiced_open": ZERO}
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
    # Issue 21: what is paid of each, as kept on the invoice (`received`; nothing on either of a
    # red-letter pair), and its order without the statement.
    rows = (
        Invoice.objects.filter(customer_id=customer_id)
        .values("pk", "number", "invoice_type", "issued_on", "due_date", "amount", "tax_amount", "settled")
        .annotate(paid=F("received"), order_number=F("order__number"))
        .order_by("-issued_on", "-pk")
    )
    labels = dict(InvoiceType.choices)
    out = []
    for row in rows:
        left = ZERO if row["settled"] else row["amount"] - row["paid"]
        out.append(
            {
                **row,
                "type_label": labels.get(row["invoice_type"], row["invoice_type"]),
                "outstanding": left,
                "overdue": left > 0 and row["due_date"] < today,
            }
        )
    return out
