"""The figures kept on each invoice (issue 21, L-3, L-4): what is paid of it, what was paid by its
due date, and whether anything is left to collect. Every billing action that matches money to an
invoice (a payment, the customer's credit on a new invoice) or reverses one (a red-letter
invoice) calls `keep_figures` for the invoices it touched, inside its own transaction, so the
ledger and the collection rate read one row per invoice instead of summing the matches of the
whole scope on every request. The figures are recomputed from the matches (the one definition,
`receivables.paid_amount`), never added to, so a kept figure cannot drift from what it stands for;
`check_invoice_figures` compares them all.

The same calls keep the open balances of the invoices' customers (`OpenBalance`: per customer,
salesperson, department and due date, over the customer's open orders), which the ledger's open
view and the payment form's customers read instead of every unsettled invoice of the scope,
and the customers' unsettled orders (`UnsettledOrder`: one row per order, with its oldest unsettled
due date), which the ledger's open and overdue pages walk; filing an order in the archive keeps
them too (`keep_order_balances`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from oms.billing.expected import (
    balance_rows,
    expected_figures,
    expected_open,
    unsettled_rows,
)
from oms.billing.models import Invoice, OpenBalance, UnsettledOrder
from oms.customers.models import Customer
from oms.tracking.actions import collection


def keep_figures(invoice_ids: Iterable[int]) -> None:
    """Issue 21: set `received`, `received_on_time` and `settled` of these invoices to what their
    matches say (two queries whatever the number of invoices). The caller holds the transaction."""
    ids = {pk for pk in invoice_ids if pk is not None}
    if not ids:
        return
    before = collection.held(ids)  # O-1 the collection rate's tallies (ADR 0019): rows held first
    found = list(expected_figures(Invoice.objects.filter(pk__in=ids)))
    kept = [
        Invoice(
            pk=row["pk"],
            received=row["paid"],
            received_on_time=row["paid_on_time"],
            settled=row["settled_now"],
        )
        for row in found
    ]
    Invoice.objects.bulk_update(kept, ["received", "received_on_time", "settled"])
    collection.moved(before, {row["pk"]: row["paid_on_time"] for row in found})
    keep_balances({row["customer_id"] for row in found})


def keep_balances(customer_ids: Iterable[int]) -> None:
    """Issue 21: recompute the `OpenBalance` and `UnsettledOrder` rows of these customers from
    their invoices (six statements whatever their number; the inserts only when something is
    owed). The customers' rows are locked first, in order, so two actions for one customer
    recompute one after the other, the second reading what the first committed; the caller
    holds the transaction."""
    ids = sorted(set(customer_ids))
    if not ids:
        return
    list(Customer.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk").values_list("pk"))
    expected = expected_open(Invoice, ids)
    OpenBalance.objects.filter(customer_id__in=ids).delete()
    UnsettledOrder.objects.filter(customer_id__in=ids).delete()
    if expected.balances:
        OpenBalance.objects.bulk_create(balance_rows(OpenBalance, expected.balances))
        UnsettledOrder.objects.bulk_create(unsettled_rows(UnsettledOrder, expected.orders))


def keep_order_balances(order: Any) -> None:
    """Issue 21, M-3: an order filed in the archive leaves its customer's open balances, which
    count the orders in scope; one statement when it has nothing unsettled."""
    if Invoice.objects.filter(order=order, settled=False).exists():
        keep_balances([order.customer_id])


def invoice_figure_errors(chunk: int = 2000) -> Iterator[str]:
    """Issue 21: every invoice whose kept figures differ from what its matches compute, as
    "number: field kept ≠ computed" (nothing when all agree). Read only."""
    for row in expected_figures(Invoice.objects.order_by("pk")).iterator(chunk_size=chunk):
        for kept, computed in (
            ("received", "paid"),
            ("received_on_time", "paid_on_time"),
            ("settled", "settled_now"),
        ):
            if row[kept] != row[computed]:
                yield f"{row['number']}: {kept} {_text(row[kept])} ≠ {_text(row[computed])}"


def balance_errors() -> Iterator[str]:
    """Issue 21: every `OpenBalance` row and every `UnsettledOrder` that differs from what the
    invoices compute, missing or left over, as "customer/salesperson/department/due date/order
    due: field kept ≠ computed" and "unsettled order N: …". Read only."""
    expected = expected_open(Invoice)
    kept = {
        (b.customer_id, b.salesperson_id, b.department_id, b.due_date, b.order_due): b
        for b in OpenBalance.objects.order_by("customer_id", "due_date", "pk")
    }
    for key in sorted(set(expected.balances) | set(kept), key=lambda k: (k[0], k[3], k[4], k[1], k[2])):
        name = "/".join(str(part) for part in key)
        want, have = expected.balances.get(key), kept.get(key)
        if want is None:
            yield f"balance {name}: kept, but no open order"
        elif have is None:
            yield f"balance {name}: missing"
        else:
            for field in ("invoiced", "received", "owed", "open_orders"):
                if getattr(have, field) != getattr(want, field):
                    yield f"balance {name}: {field} {_text(getattr(have, field))} ≠ {_text(getattr(want, field))}"
    yield from _unsettled_order_errors(expected.orders)


def _unsettled_order_errors(expected: dict[int, tuple[int, int, int, Any]]) -> Iterator[str]:
    kept = {
        row[0]: row[1:]
        for row in UnsettledOrder.objects.values_list(
            "order_id", "customer_id", "salesperson_id", "department_id", "due_date"
        )
    }
    for order_id in sorted(set(expected) | set(kept)):
        want, have = expected.get(order_id), kept.get(order_id)
        if want is None:
            yield f"unsettled order {order_id}: kept, but nothing unsettled"
        elif have is None:
            yield f"unsettled order {order_id}: missing"
        elif tuple(have) != want:
            shown = ("/".join(str(part) for part in k) for k in (have, want))
            yield f"unsettled order {order_id}: {next(shown)} ≠ {next(shown)}"


def rebuild_balances() -> int:
    """Issue 21: recompute every `OpenBalance` and `UnsettledOrder` row from the invoices (what
    the migration that fills them does; `check_invoice_figures --rebuild`). The caller holds the
    transaction; returns the number of rows written."""
    # Every customer's rows locked, as `keep_balances` locks those it recomputes.
    list(Customer.objects.select_for_update(no_key=True).order_by("pk").values_list("pk"))
    expected = expected_open(Invoice)
    OpenBalance.objects.all().delete()
    UnsettledOrder.objects.all().delete()
    OpenBalance.objects.bulk_create(balance_rows(OpenBalance, expected.balances), batch_size=5000)
    UnsettledOrder.objects.bulk_create(unsettled_rows(UnsettledOrder, expected.orders), batch_size=5000)
    return len(expected.balances) + len(expected.orders)


def _text(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, Decimal) else str(value)
