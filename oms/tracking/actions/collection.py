"""O-1 (issue 21, ADR 0019): the collection rate's per-month sums kept at write time.

The collection rate of a month is what was received by their due date of the invoices falling
due that month, over what they amount to, by the sales department and salesperson of each
invoice's order. The KPI page grouped the month's invoices (about 20 000 at 10^6 orders) joined
to their statements and orders (320–435 ms); `CollectionTally` now holds the two sums per month,
department and salesperson, moved by the billing actions in their own transaction:
- an invoice issued (or a red-letter one): its amount, in its due date's month (`issued`);
- what was received of an invoice by its due date changed (a payment matched, a credit applied,
  a reversal): `billing.actions.figures.keep_figures` locks the invoices (`held`) before it
  recomputes their kept figures, and the tallies move by the difference (`moved`).

An invoice never changes its amount, due date or order once issued, and an order never changes
its department or salesperson once submitted, so no event moves an invoice between tallies.
Holding the invoices' rows before reading their matches makes two actions on one invoice
compute one after the other, the second from what the first committed: the difference each
adds is its own. `rebuild` and `errors` (manage.py kpi_figures) recompute all of it from the
invoices. Tracking is below billing: the billing tables are named, not imported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection

from oms.tracking.models import CollectionTally

_TALLY = CollectionTally._meta.db_table
_SOURCE = (
    "FROM billing_invoice i JOIN billing_statement s ON s.id = i.statement_id "
    "JOIN orders_salesorder o ON o.id = s.order_id"
)
ZERO = Decimal("0")

Key = tuple[date, int, int]
Held = dict[int, tuple[Key, Decimal]]


def _day(value: Any) -> date:
    """A month's first day from a row (SQLite's raw cursors answer dates as text)."""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return day.replace(day=1)


def _money(value: Any) -> Decimal:
    """A sum from a raw row, to the fen (SQLite's sums of decimal columns are floats)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _bump(changes: Iterable[tuple[Key, Decimal, Decimal]]) -> None:
    """Add to the tallies (received by the due date, amount due) per key, in one upsert."""
    sums: dict[Key, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for key, received, due in changes:
        sums[key][0] += received
        sums[key][1] += due
    rows = [(*key, r, d) for key, (r, d) in sorted(sums.items()) if r or d]
    if not rows:
        return
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TALLY} (month, department_id, salesperson_id, received, due) "  # noqa: S608 - table names and placeholders only
            f"VALUES {values} ON CONFLICT (month, department_id, salesperson_id) DO UPDATE SET "
            f"received = {_TALLY}.received + excluded.received, due = {_TALLY}.due + excluded.due",
            [v for row in rows for v in row],
        )


def issued(invoice: Any, order: Any) -> None:
    """An invoice of `order` was issued (a red-letter one too, with its negative amount): it
    falls due in its due date's month. What is received of it moves with `moved`."""
    _bump(
        [((invoice.due_date.replace(day=1), order.department_id, order.salesperson_id), ZERO, invoice.amount)]
    )


def held(invoice_ids: Iterable[int]) -> Held:
    """Lock these invoices' rows, in order, and answer each one's tally and what it counts as
    received by its due date now."""
    ids = sorted(set(invoice_ids))
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    lock = " FOR UPDATE OF i" if connection.features.has_select_for_update_of else ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.id, i.due_date, o.department_id, o.salesperson_id, i.received_on_time "
            f"{_SOURCE} WHERE i.id IN ({marks}) ORDER BY i.id{lock}",
            ids,
        )
        return {
            int(pk): ((_day(due), int(dept), int(sp)), _money(received))
            for pk, due, dept, sp, received in cursor.fetchall()
        }


def moved(before: Held, received: Mapping[int, Decimal]) -> None:
    """The invoices held now count `received` by their due date: the tallies move by the
    difference (one upsert, none when nothing changed)."""
    _bump((key, received[pk] - old, ZERO) for pk, (key, old) in before.items() if pk in received)


def _sums(vendor: str) -> str:
    """The SELECT of the tallies from the invoices."""
    month = (
        "CAST(date_trunc('month', i.due_date) AS date)"
        if vendor == "postgresql"
        else "date(i.due_date, 'start of month')"
    )
    return (
        f"SELECT {month}, o.department_id, o.salesperson_id, SUM(i.received_on_time), SUM(i.amount) "
        f"{_SOURCE} GROUP BY {month}, o.department_id, o.salesperson_id"
    )


def fill_statement(vendor: str) -> str:
    """The SQL that computes the tallies from the invoices into an empty table (the migration
    that fills existing data runs it too)."""
    return f"INSERT INTO {_TALLY} (month, department_id, salesperson_id, received, due) {_sums(vendor)}"


def rebuild() -> None:
    """Recompute the tallies from the invoices (derived rows, replaced whole). In a transaction."""
    CollectionTally.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(fill_statement(connection.vendor))


def errors() -> list[str]:
    """Every tally that differs from what the invoices sum, as text (none when all agree)."""
    have = {
        (t.month, t.department_id, t.salesperson_id): (t.received, t.due)
        for t in CollectionTally.objects.exclude(received=0, due=0)
    }
    with connection.cursor() as cursor:
        cursor.execute(_sums(connection.vendor))
        want = {
            (_day(m), int(dept), int(sp)): (_money(r), _money(d))
            for m, dept, sp, r, d in cursor.fetchall()
            if r or d
        }
    return [
        f"collection {key[0]:%Y-%m} {key[1]}/{key[2]}: kept {have.get(key)}, invoices {want.get(key)}"
        for key in sorted(set(have) | set(want))
        if have.get(key, (ZERO, ZERO)) != want.get(key, (ZERO, ZERO))
    ]
