"""The analysis (Q-1): orders and amounts by region, customer classification (ABC by amount,
with frequency and recency), sales performance by person and team, time spent in each kind of
step (the bottlenecks), and monthly trends. Every figure is one grouped query over the orders
confirmed in the period; Python only orders and labels the groups, never loops over orders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from oms.analytics.kpis import bounds
from oms.orders.models import SalesOrder
from oms.tracking.models import STEP_KINDS, WorkItem, WorkStatus


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    department: int | None = None
    grade: str = ""


def orders(f: Filters) -> QuerySet[SalesOrder]:
    """The orders the analysis counts: confirmed in the period (cancelled ones excluded)."""
    lo, hi = bounds(f.start, f.end)
    qs = SalesOrder.objects.filter(confirmed_at__gte=lo, confirmed_at__lt=hi).exclude(status="cancelled")
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


def _n(value: Any) -> Decimal:
    return Decimal(value or 0)


def by_region(f: Filters, amounts: bool) -> Table:
    rows = (
        orders(f)
        .values("customer__region__name")
        .annotate(n=Count("pk"), amount=Sum("total_amount"))
        .order_by("-amount", "customer__region__name")
    )
    data = [[r["customer__region__name"] or "—", r["n"], _n(r["amount"]) if amounts else None] for r in rows]
    return Table(
        "region",
        _("按区域的订单数与金额"),
        [_("区域"), _("订单数"), _("金额")],
        data,
        {
            "type": "bar",
            "x": [r[0] for r in data],
            "series": {_("订单数"): [r[1] for r in data]}
            | ({_("金额"): [float(r[2]) for r in data]} if amounts else {}),
        },
    )


def abc(f: Filters, amounts: bool, a_share: Decimal, b_share: Decimal) -> Table:
    """Q-1: customers ranked by amount; A up to `a_share` % of the cumulative amount, B up to
    `b_share` %, C the rest; with purchase frequency (orders) and the last order date."""
    rows = list(
        orders(f)
        .values("customer_id", "customer__name", "customer__grade")
        .annotate(n=Count("pk"), amount=Sum("total_amount"), last=Max("order_date"))
        .order_by("-amount", "customer__name")
    )
    total = sum((_n(r["amount"]) for r in rows), Decimal("0"))
    running = Decimal("0")
    data = []
    counts = {"A": 0, "B": 0, "C": 0}
    for r in rows:
        # A customer whose amount starts inside a band belongs to it (the top customer is always A).
        share_before = running * 100 / total if total else Decimal("0")
        running += _n(r["amount"])
        cls = "A" if share_before < a_share else "B" if share_before < b_share else "C"
        counts[cls] += 1
        share = (_n(r["amount"]) * 100 / total).quantize(Decimal("0.1")) if total else Decimal("0")
        data.append(
            [
                r["customer__name"],
                cls,
                r["n"],
                _n(r["amount"]) if amounts else None,
                share,
                r["last"],
                r["customer__grade"],
            ]
        )
    return Table(
        "abc",
        _("客户分类（ABC）"),
        [_("客户"), _("分类"), _("订单数"), _("金额"), _("金额占比（%）"), _("最近下单"), _("客户等级")],
        data,
        {"type": "pie", "x": list(counts), "series": {_("客户数"): list(counts.values())}},
        _("按期内金额从高到低累计：累计占比达 %(a)s%% 之前为 A 类，达 %(b)s%% 之前为 B 类，其余为 C 类。")
        % {"a": a_share, "b": b_share},
    )


def by_salesperson(f: Filters, amounts: bool) -> Table:
    rows = (
        orders(f)
        .values(
            "salesperson__last_name", "salesperson__first_name", "salesperson__username", "department__name"
        )
        .annotate(n=Count("pk"), amount=Sum("total_amount"))
        .order_by("-amount", "salesperson__username")
    )
    data = [
        [
            f"{r['salesperson__last_name'] or ''}{r['salesperson__first_name'] or ''}"
            or r["salesperson__username"],
            r["department__name"],
            r["n"],
            _n(r["amount"]) if amounts else None,
        ]
        for r in rows
    ]
    return Table(
        "sales",
        _("业务员业绩"),
        [_("业务员"), _("部门"), _("订单数"), _("金额")],
        data,
        {
            "type": "bar",
            "x": [r[0] for r in data],
            "series": {
                (_("金额") if amounts else _("订单数")): [float(r[3]) if amounts else r[2] for r in data]
            },
        },
    )


def by_team(f: Filters, amounts: bool) -> Table:
    rows = (
        orders(f)
        .values("department__name")
        .annotate(n=Count("pk"), amount=Sum("total_amount"))
        .order_by("-amount")
    )
    data = [[r["department__name"] or "—", r["n"], _n(r["amount"]) if amounts else None] for r in rows]
    return Table(
        "team",
        _("团队业绩"),
        [_("部门"), _("订单数"), _("金额")],
        data,
        {
            "type": "bar",
            "x": [r[0] for r in data],
            "series": {
                (_("金额") if amounts else _("订单数")): [float(r[2]) if amounts else r[1] for r in data]
            },
        },
    )


def stages(f: Filters) -> Table:
    """Q-1 execution efficiency: the steps finished in the period by kind, their average time
    and share late; the slowest kinds are the bottlenecks."""
    lo, hi = bounds(f.start, f.end)
    spent = ExpressionWrapper(F("closed_at") - F("started_at"), output_field=DurationField())
    rows = (
        WorkItem.objects.filter(status=WorkStatus.DONE, closed_at__gte=lo, closed_at__lt=hi)
        .values("kind")
        .annotate(n=Count("pk"), avg=Avg(spent), late=Count("pk", filter=Q(closed_at__gt=F("due_at"))))
        .order_by("-avg")
    )
    data = []
    for r in rows:
        hours = (
            Decimal(r["avg"].total_seconds() / 3600).quantize(Decimal("0.1")) if r["avg"] else Decimal("0")
        )
        late = (Decimal(r["late"]) * 100 / r["n"]).quantize(Decimal("0.1")) if r["n"] else Decimal("0")
        data.append([str(STEP_KINDS.get(r["kind"], r["kind"])), r["n"], hours, late])
    return Table(
        "stages",
        _("各环节平均用时（瓶颈）"),
        [_("环节"), _("完成数"), _("平均用时（小时）"), _("超时比例（%）")],
        data,
        {
            "type": "bar",
            "x": [r[0] for r in data],
            "series": {_("平均用时（小时）"): [float(r[2]) for r in data]},
        },
        _("按平均用时从长到短排列；最前面的环节是瓶颈。"),
    )


def trend(f: Filters, amounts: bool) -> Table:
    rows = (
        orders(f)
        .annotate(month=TruncMonth("order_date"))
        .values("month")
        .annotate(n=Count("pk"), amount=Sum("total_amount"))
        .order_by("month")
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
            | ({_("金额"): [float(r[2]) for r in data]} if amounts else {}),
        },
    )


def _without_amounts(table: Table) -> Table:
    """S-1: the amount columns leave the table (and the export) for roles without prices."""
    keep = [i for i, h in enumerate(table.headers) if h != _("金额")]
    table.headers = [table.headers[i] for i in keep]
    table.rows = [[row[i] for i in keep] for row in table.rows]
    return table


def all_tables(f: Filters, *, amounts: bool, a_share: Decimal, b_share: Decimal) -> list[Table]:
    tables = [
        by_region(f, amounts),
        abc(f, amounts, a_share, b_share),
        by_salesperson(f, amounts),
        by_team(f, amounts),
        stages(f),
        trend(f, amounts),
    ]
    return tables if amounts else [_without_amounts(t) for t in tables]


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months up to today."""
    start = (today.replace(day=1) - timedelta(days=335)).replace(day=1)
    return start, today
