"""What the billing figures kept at write time must be (issue 21, ADR 0017), computed from their
sources: per invoice from the payment matches, per customer's open balance from the invoices.
`billing.actions.figures` writes them, its check compares them, the migrations fill them."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, Case, Exists, F, OuterRef, QuerySet, Value, When

from oms.billing.models import Invoice
from oms.billing.receivables import REVERSAL_PAIR, ZERO, paid_amount, with_paid


def expected_figures(invoices: QuerySet[Invoice]) -> QuerySet[Any]:
    """Issue 21: per invoice, what its kept figures must be, computed from the matches (L-3):
    `paid`, `paid_on_time` (received by the due date) and `settled_now` (nothing left to
    collect: paid in full, or one of a red-letter pair), beside the kept `received`,
    `received_on_time` and `settled`."""
    return (
        with_paid(invoices)
        .annotate(
            paid_on_time=paid_amount(by_due_date=True),
            settled_now=Case(
                When(REVERSAL_PAIR, then=Value(True)),
                When(amount__lte=F("paid"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values(
            "pk",
            "number",
            "customer_id",
            "amount",
            "paid",
            "paid_on_time",
            "settled_now",
            "received",
            "received_on_time",
            "settled",
        )
    )


# --- the open balances kept per customer, salesperson, department and due date (issue 21) --------

# (customer, salesperson, department, the invoices' due date, their orders' oldest unsettled due date)
BalanceKey = tuple[int, int, int, date, date]
# An order with an unsettled invoice: (customer, salesperson, department, oldest unsettled due date)
OrderKey = tuple[int, int, int, date]


@dataclass
class Balance:
    """The figures of one `OpenBalance` row."""

    invoiced: Decimal = ZERO
    received: Decimal = ZERO
    owed: Decimal = ZERO
    open_orders: int = 0


@dataclass
class Expected:
    """What the open balances and the unsettled orders must be (issue 21)."""

    balances: dict[BalanceKey, Balance]
    orders: dict[int, OrderKey]


def expected_open(invoice_model: Any, customer_ids: Collection[int] | None = None) -> Expected:
    """Issue 21 (L-4): what the `OpenBalance` and `UnsettledOrder` rows of these customers (all
    with None) must be, computed from the invoices' kept figures: every invoice of an order with
    an unsettled invoice that is not archived (M-3). A balance is keyed by the order's customer,
    salesperson and department, the invoice's due date and the order's oldest unsettled due date
    (what puts the order in the overdue view); each open order counted at its oldest unsettled
    due date. One query of those invoices (a customer's open orders', through
    `invoice_open_customer`). `invoice_model` is the model or, in a migration, its historical
    state."""
    invoices = invoice_model._default_manager.all()
    unsettled = invoices.filter(settled=False)
    if customer_ids is not None:
        unsettled = unsettled.filter(customer_id__in=list(customer_ids))
    order_model = invoice_model._meta.get_field("order").related_model
    archive = order_model._meta.get_field("archive_record").related_model
    rows = list(
        invoices.filter(order_id__in=unsettled.values("order_id"))
        .filter(~Exists(archive._default_manager.filter(order_id=OuterRef("order_id"))))
        .values_list(
            "order_id",
            "order__customer_id",
            "order__salesperson_id",
            "order__department_id",
            "due_date",
            "amount",
            "received",
            "settled",
        )
        .order_by()
    )
    orders: dict[int, OrderKey] = {}
    for order_id, customer, person, department, due, _amount, _received, settled in rows:
        if not settled and (order_id not in orders or due < orders[order_id][3]):
            orders[order_id] = (customer, person, department, due)
    found: dict[BalanceKey, Balance] = {}
    for order_id, customer, person, department, due, amount, received, settled in rows:
        figures = found.setdefault((customer, person, department, due, orders[order_id][3]), Balance())
        figures.invoiced += amount
        figures.received += received
        if not settled:
            figures.owed += amount - received
    for customer, person, department, oldest in orders.values():
        found[(customer, person, department, oldest, oldest)].open_orders += 1
    return Expected(found, orders)


def expected_balances(
    invoice_model: Any, customer_ids: Collection[int] | None = None
) -> dict[BalanceKey, Balance]:
    """The `OpenBalance` rows `expected_open` computes."""
    return expected_open(invoice_model, customer_ids).balances


def balance_rows(model: Any, expected: dict[BalanceKey, Balance]) -> Iterator[Any]:
    """The `OpenBalance` rows of `expected` (`model`: the model or, in a migration, its historical
    state), for the keeper and the migration that fills them alike."""
    for (customer, person, department, due, order_due), figures in expected.items():
        yield model(
            customer_id=customer,
            salesperson_id=person,
            department_id=department,
            due_date=due,
            order_due=order_due,
            invoiced=figures.invoiced,
            received=figures.received,
            owed=figures.owed,
            open_orders=figures.open_orders,
        )


def unsettled_rows(model: Any, orders: dict[int, OrderKey]) -> Iterator[Any]:
    """The `UnsettledOrder` rows of `orders` (`model` as for `balance_rows`)."""
    for order_id, (customer, person, department, oldest) in orders.items():
        yield model(
            order_id=order_id,
            customer_id=customer,
            salesperson_id=person,
            department_id=department,
            due_date=oldest,
        )
