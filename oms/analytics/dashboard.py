"""The analysis (Q-1): orders and amounts by region, customer classification (ABC by amount,
with frequency and recency), sales performance by person and team, time spent in each kind of
step (the bottlenecks), and monthly trends. The orders confirmed in the period are aggregated in
the database: per customer, per salesperson and per month (on PostgreSQL in one pass, with
grouping sets; elsewhere three grouped queries); regions and teams add up the customers' and
salespeople's groups; Python never loops over orders."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html import escape
from typing import Any

from django.db import connection
from django.db.models import Count, Max, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from oms.accounts.models import Department, User
from oms.analytics.assessment import previous_months
from oms.analytics.kpis import bounds
from oms.customers.models import Customer
from oms.orders.models import SalesOrder
from oms.tracking.models import STEP_KINDS, ConfirmedTally, StepStat


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    department: int | None = None
    grade: str = ""


def orders(f: Filters) -> QuerySet[SalesOrder]:
    """The orders the analysis counts: confirmed in the period (cancelled ones excluded)."""
    lo, hi = bounds(f.start, f.end)
    qs = SalesOrder.objects.filter(confirmed_at__gte=lo, confirmed_at__lte=hi).exclude(status="cancelled")
    if f.department:
        qs = qs.filter(department_id=f.department)
    if f.grade:
        qs = qs.filter(customer__grade=f.grade)
    return qs


@dataclass
class Table:
    """A chart's data, also shown as a table and exported to Excel."""

    code: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    chart: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    # The page shows the first rows of a long table (e.g. every customer in the ABC
    # classification); its Excel export has them all.
    SHOWN = 100

    @property
    def shown(self) -> list[list[Any]]:
        return self.rows[: self.SHOWN]

    @property
    def shown_html(self) -> SafeString:
        """The shown rows as table rows, written out at once (issue 21: ~1,000 cells a page took
        a third of the dashboard's Python through the template's loops and filters): what the
        template printed, a date as Y-m-d, nothing for None, a number localised, text escaped."""
        rows = ("".join(f"<td>{_cell(c)}</td>" for c in row) for row in self.shown)
        return mark_safe("".join(f"<tr>{cells}</tr>" for cells in rows))  # noqa: S308


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, str):
        return escape(value)
    return escape(str(localize(value)))


def _n(value: Any) -> Decimal:
    return Decimal(value or 0)


@dataclass(frozen=True)
class Group:
    """One group's orders: how many, how much, the last order date, and its labels."""

    key: int | None
    label: str
    n: int
    amount: Decimal
    last: date | None = None
    parent: str = ""  # the customer's region, or the salesperson's team
    grade: str = ""


@dataclass(frozen=True)
class Counted:
    """The period's orders aggregated per customer, per salesperson and team, and per month."""

    customers: list[dict[str, Any]]
    people: list[dict[str, Any]]
    months: list[dict[str, Any]]


def kept_months(f: Filters, today: date) -> bool:
    """Whether the period is whole months of confirmation, which the kept tallies answer: from a
    first day to a last day, or to today or later (nothing is confirmed after now)."""
    whole_end = f.end.day == monthrange(f.end.year, f.end.month)[1] or f.end >= today
    return f.start.day == 1 and whole_end and f.start <= f.end


def counted_kept(f: Filters) -> Counted | None:
    """Issue 21 (ADR 0019): for whole months, the three groupings from the kept tallies of the
    confirmed orders (`tracking.ConfirmedTally`, a few thousand rows a month) instead of every
    order confirmed in the period; the same sums as `counted_once` (tests, `kpi_figures`).
    None for other periods."""
    if not kept_months(f, timezone.localdate()):
        return None
    qs = ConfirmedTally.objects.filter(month__gte=f.start, month__lte=f.end, orders__gt=0)
    if f.department:
        qs = qs.filter(department_id=f.department)
    if f.grade:
        qs = qs.filter(customer__grade=f.grade)
    if connection.vendor == "postgresql":
        return _kept_once(qs)
    sums = {"n": Sum("orders"), "amount": Sum("amount")}
    # The customers' labels with their sums (issue 21: not a second read naming ~2,000 keys).
    customers: Any = qs.values("customer_id", *LABELS).annotate(**sums, last=Max("last")).order_by()
    people: Any = qs.values("salesperson_id", "department_id").annotate(**sums).order_by()
    months: Any = qs.values("order_month").annotate(**sums).order_by("order_month")
    return Counted(
        list(customers),
        list(people),
        [{"month": r["order_month"], "n": r["n"], "amount": r["amount"]} for r in months],
    )


# The customer's columns a customer's group is labelled with (`by_customer`).
LABELS = ("customer__name", "customer__grade", "customer__region__name")


def _kept_once(qs: QuerySet[ConfirmedTally]) -> Counted:
    """Issue 21: on PostgreSQL the three groupings of the kept tallies in one pass (GROUPING
    SETS: one scan of the period's ~20,000 rows a year instead of three), the customers' groups
    labelled in the same statement (a join of the ~2,000 groups, not a read naming their keys);
    the same sums as `counted_kept`'s three grouped queries (tests on PostgreSQL)."""
    inner, params = (
        qs.values("customer_id", "salesperson_id", "department_id", "order_month", "orders", "amount", "last")
        .order_by()
        .query.sql_with_params()
    )
    customer, region = (
        Customer._meta.db_table,
        Customer._meta.get_field("region").related_model._meta.db_table,
    )
    # Only the queryset's own compiled SQL (its parameters kept apart) and the models' table
    # names are put together here.
    sql = (
        "SELECT g.*, c.name, c.grade, r.name FROM ("  # noqa: S608
        "SELECT t.customer_id, t.salesperson_id, t.department_id, t.order_month, SUM(t.orders) AS n, "
        "SUM(t.amount) AS amount, MAX(t.last) AS last, GROUPING(t.customer_id) AS no_customer, "
        f"GROUPING(t.salesperson_id) AS no_person FROM ({inner}) t GROUP BY GROUPING SETS "
        "((t.customer_id), (t.salesperson_id, t.department_id), (t.order_month))) g "
        f'LEFT JOIN "{customer}" c ON c.id = g.customer_id AND g.no_customer = 0 '
        f'LEFT JOIN "{region}" r ON r.id = c.region_id'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _counted(cursor.fetchall())


def _counted(rows: Sequence[Sequence[Any]]) -> Counted:
    """The rows of a GROUPING SETS statement over (customer), (salesperson, department) and
    (month), each with its count, amount, last date, the two GROUPING flags and, for the kept
    tallies, the customer's labels: sorted into the dashboard's three groupings."""
    found = Counted([], [], [])
    for customer, person, department, month, n, amount, last, no_customer, no_person, *labels in rows:
        if not no_customer:
            named = dict(zip(LABELS, labels, strict=True)) if labels else {}
            found.customers.append({"customer_id": customer, "n": n, "amount": amount, "last": last, **named})
        elif not no_person:
            found.people.append(
                {"salesperson_id": person, "department_id": department, "n": n, "amount": amount}
            )
        else:
            found.months.append({"month": month, "n": n, "amount": amount})
    found.months.sort(key=lambda r: r["month"])
    return found


def counted_once(f: Filters) -> Counted | None:
    """Issue 21: on PostgreSQL the three groupings in one pass over the orders (GROUPING SETS:
    one index-only scan of the covering confirmation index instead of three; measured at 10^5
    orders on the loaded machine: 233 ms against 627 for the three queries, and 451 for a
    parallel grouping by customer × month added up afterwards); the same sums as
    `by_customer`, `by_person` and `trend` compute separately. None elsewhere (SQLite has no
    grouping sets), where each table runs its own grouped query."""
    if connection.vendor != "postgresql":
        return None
    inner, params = (
        orders(f)
        .values("customer_id", "salesperson_id", "department_id", "order_date", "total_amount")
        .order_by()
        .query.sql_with_params()
    )
    month = "date_trunc('month', o.order_date::timestamp)::date"
    # Only the queryset's own compiled SQL (with its parameters kept apart) and constants are
    # put together here.
    sql = (
        f"SELECT o.customer_id, o.salesperson_id, o.department_id, {month}, COUNT(*), "  # noqa: S608
        "SUM(o.total_amount), MAX(o.order_date), GROUPING(o.customer_id), GROUPING(o.salesperson_id) "
        f"FROM ({inner}) o GROUP BY GROUPING SETS ((o.customer_id), (o.salesperson_id, o.department_id), ({month}))"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _counted(cursor.fetchall())


def by_customer(f: Filters, counted: Counted | None = None) -> list[Group]:
    """Orders per customer: one grouped query on the orders alone (on PostgreSQL a parallel
    index-only scan of the covering confirmation index), labelled afterwards from the few
    customers it found (the kept sums come labelled)."""
    rows: list[dict[str, Any]] = (
        counted.customers
        if counted is not None
        else [
            dict(r)
            for r in orders(f)
            .values("customer_id")
            .annotate(n=Count("pk"), amount=Sum("total_amount"), last=Max("order_date"))
        ]
    )
    if rows and LABELS[0] not in rows[0]:
        labels = {
            pk: dict(zip(LABELS, found, strict=True))
            for pk, *found in Customer.objects.filter(pk__in=[r["customer_id"] for r in rows]).values_list(
                "pk", "name", "grade", "region__name"
            )
        }
        rows = [r | labels[r["customer_id"]] for r in rows]
    return [
        Group(
            r["customer_id"],
            r["customer__name"],
            r["n"],
            _n(r["amount"]),
            r["last"],
            r["customer__region__name"] or "—",
            r["customer__grade"],
        )
        for r in rows
    ]


def by_person(f: Filters, counted: Counted | None = None) -> list[Group]:
    """Orders per salesperson and team, labelled afterwards from the people found."""
    rows = (
        counted.people
        if counted is not None
        else list(
            orders(f)
            .values("salesperson_id", "department_id")
            .annotate(n=Count("pk"), amount=Sum("total_amount"))
        )
    )
    people = {
        u["pk"]: u
        for u in User.objects.filter(pk__in={r["salesperson_id"] for r in rows}).values(
            "pk", "last_name", "first_name", "username"
        )
    }
    teams = dict(
        Department.objects.filter(pk__in={r["department_id"] for r in rows}).values_list("pk", "name")
    )
    return [
        Group(
            r["salesperson_id"],
            f"{people[r['salesperson_id']]['last_name']}{people[r['salesperson_id']]['first_name']}"
            or people[r["salesperson_id"]]["username"],
            r["n"],
            _n(r["amount"]),
            parent=teams.get(r["department_id"], "—"),
        )
        for r in rows
    ]


def _roll_up(groups: list[Group]) -> list[tuple[str, int, Decimal]]:
    """Regions from the customers' groups, teams from the salespeople's: the database has
    already aggregated the orders; this adds up at most one row per customer or person."""
    totals: dict[str, tuple[int, Decimal]] = {}
    for g in groups:
        n, amount = totals.get(g.parent, (0, Decimal("0")))
        totals[g.parent] = (n + g.n, amount + g.amount)
    return sorted(((k, n, a) for k, (n, a) in totals.items()), key=lambda t: (-t[2], t[0]))


def _bar(x: list[str], counts: list[int], amounts: list[Decimal] | None) -> dict[str, Any]:
    series: dict[str, Any] = {_("订单数"): counts}
    if amounts is not None:
        series[_("金额")] = [str(a) for a in amounts]
    return {"type": "bar", "x": x, "series": series}


def by_region(customers: list[Group], amounts: bool) -> Table:
    rolled = _roll_up(customers)
    return Table(
        "region",
        _("按区域的订单数与金额"),
        [_("区域"), _("订单数"), _("金额")],
        [[region, n, amount if amounts else None] for region, n, amount in rolled],
        _bar([r[0] for r in rolled], [r[1] for r in rolled], [r[2] for r in rolled] if amounts else None),
    )


def abc(customers: list[Group], amounts: bool, a_share: Decimal, b_share: Decimal) -> Table:
    """Q-1: customers ranked by amount; A up to `a_share` % of the cumulative amount, B up to
    `b_share` %, C the rest; with purchase frequency (orders) and the last order date."""
    ranked = sorted(customers, key=lambda g: (-g.amount, g.label))
    total = sum((g.amount for g in ranked), Decimal("0"))
    running = Decimal("0")
    data = []
    counts = {"A": 0, "B": 0, "C": 0}
    for g in ranked:
        # A customer whose amount starts inside a band belongs to it (the top customer is always A).
        share_before = running * 100 / total if total else Decimal("0")
        running += g.amount
        cls = "A" if share_before < a_share else "B" if share_before < b_share else "C"
        counts[cls] += 1
        share = (g.amount * 100 / total).quantize(Decimal("0.1")) if total else Decimal("0")
        data.append([g.label, cls, g.n, g.amount if amounts else None, share, g.last, g.grade])
    return Table(
        "abc",
        _("客户分类（ABC）"),
        [_("客户"), _("分类"), _("订单数"), _("金额"), _("金额占比（%）"), _("最近下单"), _("客户等级")],
        data,
        {"type": "pie", "x": list(counts), "series": {_("客户数"): list(counts.values())}},
        _("按期内金额从高到低累计：累计占比达 %(a)s%% 之前为 A 类，达 %(b)s%% 之前为 B 类，其余为 C 类。")
        % {"a": a_share, "b": b_share},
    )


def by_salesperson(people: list[Group], amounts: bool) -> Table:
    ranked = sorted(people, key=lambda g: (-g.amount, g.label))
    return Table(
        "sales",
        _("业务员业绩"),
        [_("业务员"), _("部门"), _("订单数"), _("金额")],
        [[g.label, g.parent, g.n, g.amount if amounts else None] for g in ranked],
        _bar(
            [g.label for g in ranked], [g.n for g in ranked], [g.amount for g in ranked] if amounts else None
        ),
    )


def by_team(people: list[Group], amounts: bool) -> Table:
    rolled = _roll_up(people)
    return Table(
        "team",
        _("团队业绩"),
        [_("部门"), _("订单数"), _("金额")],
        [[team, n, amount if amounts else None] for team, n, amount in rolled],
        _bar([r[0] for r in rolled], [r[1] for r in rolled], [r[2] for r in rolled] if amounts else None),
    )


def stages(f: Filters) -> Table:
    """Q-1 execution efficiency: the steps finished in the period by kind, their average time
    and share late (from the daily step statistics); the slowest kinds are the bottlenecks."""
    rows = (
        StepStat.objects.filter(day__gte=f.start, day__lte=f.end)
        .values("kind")
        .annotate(n=Sum("done"), seconds=Sum("seconds"), on_time=Sum("on_time"))
        .order_by("kind")
    )
    data = []
    for r in rows:
        n = r["n"] or 0
        hours = (Decimal(r["seconds"] or 0) / 3600 / n).quantize(Decimal("0.1")) if n else Decimal("0")
        late = (Decimal(n - (r["on_time"] or 0)) * 100 / n).quantize(Decimal("0.1")) if n else Decimal("0")
        data.append([str(STEP_KINDS.get(r["kind"], r["kind"])), n, hours, late])
    data.sort(key=lambda row: (-Decimal(row[2]), str(row[0])))
    return Table(
        "stages",
        _("各环节平均用时（瓶颈）"),
        [_("环节"), _("完成数"), _("平均用时（小时）"), _("超时比例（%）")],
        data,
        {
            "type": "bar",
            "x": [r[0] for r in data],
            "series": {_("平均用时（小时）"): [str(r[2]) for r in data]},
        },
        _("按平均用时从长到短排列；最前面的环节是瓶颈。"),
    )


def trend(f: Filters, amounts: bool, counted: Counted | None = None) -> Table:
    rows = (
        counted.months
        if counted is not None
        else (
            orders(f)
            .annotate(month=TruncMonth("order_date"))
            .values("month")
            .annotate(n=Count("pk"), amount=Sum("total_amount"))
            .order_by("month")
        )
    )
    data = [[f"{r['month']:%Y-%m}", r["n"], _n(r["amount"]) if amounts else None] for r in rows]
    return Table(
        "trend",
        _("月度趋势"),
        [_("月份"), _("订单数"), _("金额")],
        data,
        {
            "type": "line",
            "x": [r[0] for r in data],
            "series": {_("订单数"): [r[1] for r in data]}
            | ({_("金额"): [str(r[2]) for r in data]} if amounts else {}),
        },
    )


def _without_amounts(table: Table) -> Table:
    """S-1: the amount columns leave the table (and the export) for roles without prices."""
    keep = [i for i, h in enumerate(table.headers) if h != _("金额")]
    table.headers = [table.headers[i] for i in keep]
    table.rows = [[row[i] for i in keep] for row in table.rows]
    return table


def all_tables(f: Filters, *, amounts: bool, a_share: Decimal, b_share: Decimal) -> list[Table]:
    counted = counted_kept(f) or counted_once(f)
    customers = by_customer(f, counted)
    people = by_person(f, counted)
    tables = [
        by_region(customers, amounts),
        abc(customers, amounts, a_share, b_share),
        by_salesperson(people, amounts),
        by_team(people, amounts),
        stages(f),
        trend(f, amounts, counted),
    ]
    return tables if amounts else [_without_amounts(t) for t in tables]


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months up to today."""
    start = previous_months(today, 12)[0][0]
    return start, today
