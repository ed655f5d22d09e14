"""O-1 (issue 21): the order KPIs' per-month figures kept at write time.

Order timeliness and order accuracy grouped a whole month's orders by department or person on
every KPI page (1–5 s at 10^6 orders). Each order's outcome is now a row of `OrderOutcome`,
written by the event that decides it, and `KpiTally` holds their sums per month, department and
salesperson, moved by the same transaction; a page reads at most one tally row per salesperson.

The events, each in the action that records it (ADR 0018):
- order timeliness: the order submitted (`received`, its order date's month; good unless a step
  of it is already late); a step of it closed after its limit before the sweep flagged it
  (`close_items`, `end_order_items`) or flagged overdue by the sweep (`late`);
- order accuracy: a delivery signed for (`delivered`, that month); a rejection or qualification,
  a non-conformance or a complaint (`defective`, which also marks the order so that a later
  acceptance starts bad).

What no write decides is read with the figures: a step still open past its limit that the sweep
has not flagged yet makes its order late (`tracking.selectors.unflagged_late_orders`). An order never changes its
department, salesperson or order date once submitted, so no event moves an outcome between
tallies. `rebuild` and `verify` (manage.py kpi_figures) recompute all of it from the source rows.

Every write here is a conditional statement (an insert that does nothing on conflict, an update
of the rows still good) whose RETURNING rows are what changed, so two transactions writing the
same order's outcome move the tallies once; the tallies are moved by an upsert of increments.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.db.models import QuerySet
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from oms.orders.models import SalesOrder
from oms.tracking.models import KpiTally, OrderKpi, OrderOutcome, WorkItem, WorkStatus

_OUTCOME = OrderOutcome._meta.db_table
_TALLY = KpiTally._meta.db_table
_ORDER = SalesOrder._meta.db_table
_ITEM = WorkItem._meta.db_table

# The write-time part of a late step (`oms.analytics.kpis.late_step`): finished after its limit,
# or flagged overdue by the sweep. The third part, open past its limit, depends on the clock.
_KEPT_LATE = "(overdue OR closed_at > due_at)"

Key = tuple[str, date, int, int]
_TALLY_SUMS = (
    f"numerator = {_TALLY}.numerator + excluded.numerator, "
    f"denominator = {_TALLY}.denominator + excluded.denominator"
)


def _month(value: Any) -> date:
    """A month from a row: SQLite's raw cursors answer dates as text."""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return day.replace(day=1)


def _bump(changes: Iterable[tuple[Key, int, int]]) -> None:
    """Add to the tallies (good, all) per key, in one upsert."""
    sums: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for key, good, count in changes:
        sums[key][0] += good
        sums[key][1] += count
    rows = [(*key, n, d) for key, (n, d) in sorted(sums.items()) if n or d]
    if not rows:
        return
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TALLY} (kpi, month, department_id, salesperson_id, numerator, denominator) "  # noqa: S608 - table names and placeholders only
            f"VALUES {values} ON CONFLICT (kpi, month, department_id, salesperson_id) DO UPDATE SET "
            f"{_TALLY_SUMS}",
            [v for row in rows for v in row],
        )


Statement = tuple[str, Sequence[Any]]


def _insert(
    order: SalesOrder,
    kpi: str,
    month: date,
    good_sql: str,
    params: Sequence[Any],
    also: Sequence[Statement] = (),
) -> None:
    """The order's outcome for `kpi` in `month` unless it has one; the tally moves when it was
    written. `also`: other writes of the same action, run with it.

    On PostgreSQL the tally moves in the same statement, by what the insert returned, and one
    `also` rides on it as a further data-modifying WITH part (issue 21: one statement where there
    were two or three). Same effect: the tally still moves only when the outcome was written."""
    insert = (
        f"INSERT INTO {_OUTCOME} (order_id, kpi, month, department_id, salesperson_id, good) "
        f"SELECT %s, %s, %s, %s, %s, {good_sql} WHERE 1 = 1 "
        "ON CONFLICT (order_id, kpi, month) DO NOTHING "
    )
    values = [order.pk, kpi, month, order.department_id, order.salesperson_id, *params]
    if connection.vendor == "postgresql" and len(also) <= 1:
        # One `also` at most: two parts of one statement must not write the same row (which of
        # the two writes would stand is not defined), as a tally's leave and join can.
        parts = [f"o AS ({insert}RETURNING kpi, month, department_id, salesperson_id, good)"]
        parts += [f"a{i} AS ({sql})" for i, (sql, _p) in enumerate(also)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH {', '.join(parts)} "  # noqa: S608 - table names and placeholders only
                f"INSERT INTO {_TALLY} (kpi, month, department_id, salesperson_id, numerator, denominator) "
                "SELECT kpi, month, department_id, salesperson_id, CASE WHEN good THEN 1 ELSE 0 END, 1 FROM o "
                f"ON CONFLICT (kpi, month, department_id, salesperson_id) DO UPDATE SET {_TALLY_SUMS}",
                [*values, *(v for _sql, p in also for v in p)],
            )
        return
    with connection.cursor() as cursor:
        cursor.execute(f"{insert}RETURNING good", values)
        written = cursor.fetchall()
        for sql, p in also:
            cursor.execute(sql, p)
    if written:
        good = int(bool(written[0][0]))
        _bump([((kpi, month, order.department_id, order.salesperson_id), good, 1)])


def _turn_bad(kpi: str, order_ids: Iterable[int]) -> None:
    """The orders' good outcomes of `kpi` become bad; the tallies lose what turned."""
    ids = sorted({int(i) for i in order_ids})
    if not ids:
        return
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_OUTCOME} SET good = %s WHERE kpi = %s AND good AND order_id IN ({marks}) "  # noqa: S608 - table names and placeholders only
            "RETURNING month, department_id, salesperson_id",
            [False, kpi, *ids],
        )
        turned = cursor.fetchall()
    _bump(((kpi, _month(m), int(dept), int(sp)), -1, 0) for m, dept, sp in turned)


# --- order timeliness -------------------------------------------------------------------------


def received(order: SalesOrder) -> None:
    """The order was submitted: it counts in its order date's month, good unless a step of it is
    already late (in the same statement)."""
    _insert(
        order,
        OrderKpi.TIMELINESS,
        order.order_date.replace(day=1),
        f"NOT EXISTS (SELECT 1 FROM {_ITEM} WHERE order_id = %s AND {_KEPT_LATE})",  # noqa: S608 - table names and placeholders only
        [order.pk],
    )


def late(order_ids: Iterable[int | None]) -> None:
    """A step of these orders was handled late (closed after its limit, or flagged overdue)."""
    _turn_bad(OrderKpi.TIMELINESS, (i for i in order_ids if i is not None))


# Whether a step closed now was closed after its limit without the sweep's flag.
_LATE = "CASE WHEN closed_at > due_at AND NOT overdue THEN 1 ELSE 0 END"


def close_returning(qs: QuerySet[WorkItem], **values: Any) -> list[tuple[int | None, bool]]:
    """`qs.update(**values)` for values that close steps, answering each closed step's order and
    whether it was closed after its limit without the sweep's flag: the same one statement as
    the update (RETURNING), so that closing steps on time costs nothing more."""
    query = qs.query.chain(UpdateQuery)
    assert isinstance(query, UpdateQuery)
    query.add_update_values(values)
    compiler = query.get_compiler(qs.db)
    compiler.pre_sql_setup()
    sql, params = compiler.as_sql()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(f"{sql} RETURNING order_id, {_LATE}", params)
        return [(order_id, bool(late_now)) for order_id, late_now in cursor.fetchall()]


_CLOSE_STEPS: dict[tuple[str, int], str] = {}


def close_steps(
    *, content_type_id: int, object_id: int, kinds: Sequence[str] | None, values: dict[str, Any]
) -> list[tuple[int | None, bool]]:
    """`close_returning` of the open steps of one target (of `kinds`, or all) with the closing
    `values` (status, closed_at, closed_by, outcome), its statement written out once per number
    of kinds and each value prepared by its field as the ORM's update prepares it (issue 21: the
    ORM's building of this UPDATE cost more than the database's answer)."""
    meta = WorkItem._meta
    kinds = list(kinds or [])
    key = (connection.alias, len(kinds))
    sql = _CLOSE_STEPS.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        table = quote(meta.db_table)
        sets = ", ".join(
            f"{quote(column)} = %s" for column in ("status", "closed_at", "closed_by_id", "outcome")
        )
        where = " AND ".join(
            f"{table}.{quote(name)} = %s" for name in ("content_type_id", "object_id", "status")
        )
        if kinds:
            where += f" AND {table}.{quote('kind')} IN ({', '.join(['%s'] * len(kinds))})"
        sql = _CLOSE_STEPS[key] = f"UPDATE {table} SET {sets} WHERE {where} RETURNING order_id, {_LATE}"  # noqa: S608 - names from the model
    user = values["closed_by"]
    params = [
        meta.get_field("status").get_db_prep_save(values["status"], connection),
        meta.get_field("closed_at").get_db_prep_save(values["closed_at"], connection),
        user.pk if user is not None else None,
        meta.get_field("outcome").get_db_prep_save(values["outcome"], connection),
        content_type_id,
        meta.get_field("object_id").get_db_prep_save(object_id, connection),
        WorkStatus.OPEN.value,
        *kinds,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(order_id, bool(late_now)) for order_id, late_now in cursor.fetchall()]


# --- order accuracy ---------------------------------------------------------------------------


def delivered(order: SalesOrder, on: date, *, accepted: bool) -> None:
    """A delivery of the order was signed for on `on`: the order counts in that month, good
    unless it is defective. The statement that reads the order's mark locks its row, so that a
    complaint or non-conformance recorded at the same time either sees this outcome or is seen
    by it."""
    if not accepted:
        defective(order.pk)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    _insert(
        order,
        OrderKpi.ACCURACY,
        on.replace(day=1),
        f"NOT (SELECT kpi_defective FROM {_ORDER} WHERE id = %s{lock})",  # noqa: S608 - table names and placeholders only
        [order.pk],
    )


def defective(order_id: int) -> None:
    """The order was delivered with a problem, or will be: marked (its row locked by the update)
    and its good accuracy outcomes turned bad."""
    if SalesOrder.objects.filter(pk=order_id, kpi_defective=False).update(kpi_defective=True):
        _turn_bad(OrderKpi.ACCURACY, [order_id])


# --- confirmation accuracy --------------------------------------------------------------------

_CHANGE = "changes_changerequest"
# A confirmation corrected later (`oms.analytics.kpis._corrected`): a change of the order's
# content the company itself raised, approved. An approved request stays approved.
_CORRECTED = (
    f"EXISTS (SELECT 1 FROM {_CHANGE} WHERE order_id = %s AND kind = 'change' "  # noqa: S608 - table names and placeholders only
    "AND source = 'department' AND status = 'approved')"
)


def confirmation_month(confirmed_at: datetime) -> date:
    """The month a confirmation counts in: its local date's (the KPI's periods are local days)."""
    return timezone.localtime(confirmed_at, timezone.get_default_timezone()).date().replace(day=1)


def confirmed(order: SalesOrder, before: datetime | None, also: Sequence[Statement] = ()) -> None:
    """The customer confirmed the order (again, when `before` is its earlier confirmation): it
    counts in the month of its confirmation, good unless a change the company raised was
    approved for it (in the same statement). A re-confirmation in another month moves the
    outcome: the earlier month's is deleted (what it deleted comes back, and leaves its tally).
    The confirmation holds the order's row, so no other confirmation of it runs meanwhile."""
    assert order.confirmed_at is not None
    month = confirmation_month(order.confirmed_at)
    if before is not None and confirmation_month(before) != month:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {_OUTCOME} WHERE order_id = %s AND kpi = %s AND month <> %s "  # noqa: S608 - table names and placeholders only
                "RETURNING month, department_id, salesperson_id, good",
                [order.pk, OrderKpi.CONFIRMATION, month],
            )
            gone = cursor.fetchall()
        _bump(
            ((OrderKpi.CONFIRMATION, _month(m), int(dept), int(sp)), -int(bool(good)), -1)
            for m, dept, sp, good in gone
        )
    _insert(order, OrderKpi.CONFIRMATION, month, f"NOT {_CORRECTED}", [order.pk], also)


def corrected(order_id: int) -> None:
    """A change the company raised was approved for the order: its confirmation was not
    accurate, so its good confirmation outcome turns bad (the approval holds the order's row)."""
    _turn_bad(OrderKpi.CONFIRMATION, [order_id])


# --- rebuilding and checking ------------------------------------------------------------------


ADR_0018 = (OrderKpi.TIMELINESS, OrderKpi.ACCURACY)


def fill_statements(vendor: str, kpis: Sequence[str] = ADR_0018) -> list[str]:
    """The SQL that computes the kept figures of `kpis` from the source rows into empty tables (by
    table name, so that the migrations that fill existing data run the same statements: ADR
    0018's two KPIs in `analytics 0004`, confirmation accuracy in `analytics 0005`)."""
    outcome = "INSERT INTO tracking_orderoutcome (order_id, kpi, month, department_id, salesperson_id, good) "
    month = month_sql(vendor)
    local_month = local_month_sql(vendor)
    true = "TRUE" if vendor == "postgresql" else "1"
    statements = {
        OrderKpi.ACCURACY: [
            f"UPDATE orders_salesorder SET kpi_defective = {true} WHERE id IN ("  # noqa: S608 - table names and placeholders only
            "SELECT order_id FROM delivery_acceptance WHERE result <> 'accepted' AND order_id IS NOT NULL "
            "UNION SELECT order_id FROM quality_nonconformance "
            "UNION SELECT order_id FROM feedback_complaint WHERE order_id IS NOT NULL)",
        ],
        OrderKpi.TIMELINESS: [
            f"{outcome}SELECT o.id, 'order_timeliness', {month('o.order_date')}, o.department_id, "  # noqa: S608 - table names and constants only
            "o.salesperson_id, NOT EXISTS (SELECT 1 FROM tracking_workitem w WHERE w.order_id = o.id "
            "AND (w.overdue OR w.closed_at > w.due_at)) "
            "FROM orders_salesorder o WHERE o.submitted_at IS NOT NULL",
        ],
    }
    statements[OrderKpi.ACCURACY].append(
        f"{outcome}SELECT o.id, 'order_accuracy', m.month, o.department_id, o.salesperson_id, "  # noqa: S608 - table names and constants only
        f"NOT o.kpi_defective FROM (SELECT DISTINCT order_id, {month('received_on')} AS month "
        "FROM delivery_acceptance WHERE order_id IS NOT NULL) m JOIN orders_salesorder o ON o.id = m.order_id"
    )
    statements[OrderKpi.CONFIRMATION] = [
        f"{outcome}SELECT o.id, 'confirmation_accuracy', {local_month('o.confirmed_at')}, "  # noqa: S608 - table names and constants only
        f"o.department_id, o.salesperson_id, NOT {_CORRECTED.replace('%s', 'o.id')} "
        "FROM orders_salesorder o WHERE o.confirmed_at IS NOT NULL",
    ]
    codes = ", ".join(f"'{OrderKpi(k).value}'" for k in kpis)
    return [
        *(sql for k in kpis for sql in statements[OrderKpi(k)]),
        "INSERT INTO tracking_kpitally (kpi, month, department_id, salesperson_id, numerator, denominator) "  # noqa: S608 - table names and constants only
        "SELECT kpi, month, department_id, salesperson_id, SUM(CASE WHEN good THEN 1 ELSE 0 END), COUNT(*) "
        f"FROM tracking_orderoutcome WHERE kpi IN ({codes}) GROUP BY kpi, month, department_id, salesperson_id",
    ]


def month_sql(vendor: str) -> Callable[[str], str]:
    """SQL for the first day of a date's month."""
    if vendor == "postgresql":
        return lambda c: f"CAST(date_trunc('month', {c}) AS date)"
    return lambda c: f"date({c}, 'start of month')"


def local_month_sql(vendor: str) -> Callable[[str], str]:
    """SQL for the first day of a timestamp's month in the company's time zone (settings)."""
    zone = settings.TIME_ZONE
    if not re.fullmatch(r"[A-Za-z0-9_+\-/]+", zone):
        raise ValueError(zone)  # written into the SQL: a zone name only
    if vendor == "postgresql":
        return lambda c: f"CAST(date_trunc('month', {c} AT TIME ZONE '{zone}') AS date)"
    return lambda c: f"date(django_datetime_trunc('month', {c}, '{zone}', 'UTC'))"


def rebuild() -> None:
    """Recompute every kept figure from the source rows (derived rows, not business records: they
    are replaced whole). Run inside a transaction."""
    KpiTally.objects.all().delete()
    OrderOutcome.objects.all().delete()
    SalesOrder.objects.filter(kpi_defective=True).update(kpi_defective=False)
    with connection.cursor() as cursor:
        for statement in fill_statements(connection.vendor, OrderKpi.values):
            cursor.execute(statement)
