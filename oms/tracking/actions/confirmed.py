"""Q-1 (issue 21, ADR 0019): the management dashboard's sums of the confirmed orders kept at
write time.

The dashboard grouped every order confirmed in its period (about 340 000 for twelve months at
10^6 orders) by customer, salesperson and month on every request. `ConfirmedTally` now holds,
per month of confirmation, customer, salesperson, department and month of the order date, how
many orders, their amount and the latest order date, over the orders confirmed and not
cancelled. What an order counts for depends on its confirmation, status, customer, order date
and amount, which change only in actions that hold the order's row:
- the confirmation (a first one adds the order, a re-confirmation in another month moves it);
- the customer's modification inside the window (customer, order date, amount);
- an approved change (amount) and an approved cancellation, or a cancellation after a failed
  review (the order leaves).
Each takes the order's `share` before it writes and calls `moved` after: the tally loses the
old share and gains the new one. The latest order date of a tally is a maximum, which cannot be
taken back by subtraction: losing an order recomputes it from the orders of that tally (the
customer's orders, through their index).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection
from django.utils import timezone

from oms.tracking.actions.outcomes import confirmation_month, local_month_sql, month_sql
from oms.tracking.models import ConfirmedTally

_TALLY = ConfirmedTally._meta.db_table


class Share(NamedTuple):
    """What one order counts for: its tally's key, its amount and its order date."""

    month: date
    customer: int
    salesperson: int
    department: int
    order_month: date
    amount: Decimal
    order_date: date


def share(order: Any, *, cancelled_too: bool = False) -> Share | None:
    """The order's share as it stands (None when it is not confirmed, or cancelled)."""
    if order.confirmed_at is None or (order.status == "cancelled" and not cancelled_too):
        return None
    return Share(
        confirmation_month(order.confirmed_at),
        order.customer_id,
        order.salesperson_id,
        order.department_id,
        order.order_date.replace(day=1),
        Decimal(order.total_amount),
        order.order_date,
    )


def moved(before: Share | None, after: Share | None) -> None:
    """The order counted for `before` and now counts for `after` (written already): the old
    share leaves its tally, the new one joins its own. Nothing when they are the same."""
    with connection.cursor() as cursor:
        for sql, params in moving(before, after):
            cursor.execute(sql, params)


def moving(before: Share | None, after: Share | None) -> list[tuple[str, list[Any]]]:
    """The statements of `moved`, for an action that runs them with a statement of its own
    (issue 21: the confirmation, with its KPI outcome's)."""
    if before == after:
        return []
    return ([_leave(before)] if before is not None else []) + ([_join(after)] if after is not None else [])


def cancelled(order: Any) -> None:
    """The order (locked, its cancellation written) leaves its tally, if it was confirmed."""
    moved(share(order, cancelled_too=True), None)


def _join(s: Share) -> tuple[str, list[Any]]:
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    return (
        f"INSERT INTO {_TALLY} (month, customer_id, salesperson_id, department_id, order_month, "  # noqa: S608 - table names and placeholders only
        "orders, amount, last) VALUES (%s, %s, %s, %s, %s, 1, %s, %s) "
        "ON CONFLICT (month, customer_id, salesperson_id, department_id, order_month) DO UPDATE SET "
        f"orders = {_TALLY}.orders + 1, amount = {_TALLY}.amount + excluded.amount, "
        f"last = COALESCE({greatest}({_TALLY}.last, excluded.last), excluded.last)",
        [*s[:5], s.amount, s.order_date],
    )


def _leave(s: Share) -> tuple[str, list[Any]]:
    """One order fewer in the tally; its latest order date recomputed from the orders still in
    it (the order's own new state is written already)."""
    zone = timezone.get_default_timezone()
    lo = datetime.combine(s.month, time.min, zone)
    hi = datetime.combine((s.month + timedelta(days=32)).replace(day=1), time.min, zone)
    next_month = (s.order_month + timedelta(days=32)).replace(day=1)
    return (
        f"UPDATE {_TALLY} SET orders = orders - 1, amount = amount - %s, last = ("  # noqa: S608 - table names and placeholders only
        "SELECT MAX(o.order_date) FROM orders_salesorder o WHERE o.customer_id = %s "
        "AND o.salesperson_id = %s AND o.department_id = %s AND o.order_date >= %s "
        "AND o.order_date < %s AND o.confirmed_at >= %s AND o.confirmed_at < %s "
        "AND o.status <> 'cancelled') "
        "WHERE month = %s AND customer_id = %s AND salesperson_id = %s AND department_id = %s "
        "AND order_month = %s",
        [s.amount, s.customer, s.salesperson, s.department, s.order_month, next_month, lo, hi, *s[:5]],
    )


def _sums(vendor: str) -> str:
    """The SELECT of the tallies from the orders."""
    month, order_month = local_month_sql(vendor)("o.confirmed_at"), month_sql(vendor)("o.order_date")
    return (
        f"SELECT {month}, o.customer_id, o.salesperson_id, o.department_id, {order_month}, COUNT(*), "  # noqa: S608 - table names and constants only
        "SUM(o.total_amount), MAX(o.order_date) FROM orders_salesorder o "
        "WHERE o.confirmed_at IS NOT NULL AND o.status <> 'cancelled' "
        f"GROUP BY {month}, o.customer_id, o.salesperson_id, o.department_id, {order_month}"
    )


def fill_statement(vendor: str) -> str:
    """The SQL that computes the tallies from the orders into an empty table (the migration that
    fills existing data runs it too)."""
    return (
        f"INSERT INTO {_TALLY} (month, customer_id, salesperson_id, department_id, order_month, "
        f"orders, amount, last) {_sums(vendor)}"
    )


def rebuild() -> None:
    """Recompute the tallies from the orders (derived rows, replaced whole). In a transaction."""
    ConfirmedTally.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(fill_statement(connection.vendor))


def errors() -> list[str]:
    """Every tally that differs from what the orders sum, as text (none when all agree)."""
    have = {
        (t.month, t.customer_id, t.salesperson_id, t.department_id, t.order_month): (
            t.orders,
            t.amount,
            t.last,
        )
        for t in ConfirmedTally.objects.exclude(orders=0)
    }
    with connection.cursor() as cursor:
        cursor.execute(_sums(connection.vendor))
        want = {
            (_day(m), int(c), int(sp), int(d), _day(om)): (
                int(n),
                Decimal(str(a)).quantize(Decimal("0.01")),
                _day(last, first=False),
            )
            for m, c, sp, d, om, n, a, last in cursor.fetchall()
        }
    return [
        f"confirmed {key}: kept {have.get(key)}, orders {want.get(key)}"
        for key in sorted(set(have) | set(want))
        if have.get(key) != want.get(key)
    ]


def _day(value: Any, *, first: bool = True) -> date:
    """A date from a row (SQLite's raw cursors answer dates as text); `first`: its month's."""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return day.replace(day=1) if first else day
