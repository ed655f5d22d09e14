"""The monthly assessment report for management (O-3; 004 第十八条: the order management
department assesses every department monthly and reports to the company's leaders): the KPIs by
department against their targets, their trend, the worst figures, and what is still open."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.analytics import kpis
from oms.analytics.models import KpiMonth
from oms.feedback.models import ActionStatus, Complaint
from oms.policy.selectors import policy
from oms.supervision.models import Finding
from oms.tracking.models import ExceptionStatus, OrderException, WorkItem, WorkStatus


def month_bounds(month: str) -> tuple[date, date]:
    """'2026-11' → 1 and 30 November; a bad value is the current month."""
    try:
        year, m = (int(x) for x in month.split("-"))
        start = date(year, m, 1)
    except ValueError:
        start = timezone.localdate().replace(day=1)
    return start, start.replace(day=monthrange(start.year, start.month)[1])


def previous_months(start: date, n: int) -> list[tuple[date, date]]:
    """The `n` months ending with `start`'s, oldest first."""
    year, m = start.year, start.month
    months = []
    for _i in range(n):
        months.append(month_bounds(f"{year}-{m}"))
        year, m = (year, m - 1) if m > 1 else (year - 1, 12)
    return list(reversed(months))


@dataclass(frozen=True)
class KpiSection:
    kpi: kpis.Kpi
    target: Decimal
    company: kpis.Row | None
    departments: list[kpis.Row]
    trend: list[tuple[str, Decimal | None]]

    @property
    def below(self) -> list[kpis.Row]:
        return [r for r in self.departments if r.percent is not None and r.percent < self.target]


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    sections: list[KpiSection]
    worst_people: list[kpis.Row]
    overdue_now: list[dict[str, Any]]
    exceptions: list[OrderException]
    findings: list[Finding]
    complaints: dict[str, int]

    def sheets(self) -> list[tuple[str, list[Any], list[list[Any]]]]:
        """The report as Excel sheets."""
        out: list[tuple[str, list[Any], list[list[Any]]]] = []
        for s in self.sections:
            rows = [[r.label, r.numerator, r.denominator, r.percent, s.target] for r in s.departments]
            if s.company:
                rows.insert(
                    0,
                    [
                        s.company.label,
                        s.company.numerator,
                        s.company.denominator,
                        s.company.percent,
                        s.target,
                    ],
                )
            out.append(
                (str(s.kpi.title), [_("部门"), _("分子"), _("分母"), _("比率（%）"), _("目标（%）")], rows)
            )
        out.append(
            (
                _("环节及时率最低的人员"),
                [_("人员"), _("按时完成"), _("完成"), _("比率（%）")],
                [[r.label, r.numerator, r.denominator, r.percent] for r in self.worst_people],
            )
        )
        out.append(
            (
                _("未结异常"),
                [_("订单号"), _("异常类型"), _("负责人"), _("处理期限")],
                [
                    [e.order.number, e.get_kind_display(), str(e.responsible), e.due_at]
                    for e in self.exceptions
                ],
            )
        )
        out.append(
            (
                _("未关闭的检查发现"),
                [_("问题描述"), _("整改负责人"), _("整改期限"), _("状态")],
                [
                    [f.description, str(f.action.owner), f.action.due_on, f.action.get_status_display()]
                    for f in self.findings
                ],
            )
        )
        return out


def build(month: str) -> Report:
    """O-3: a bounded number of grouped queries, whatever the number of orders."""
    start, end = month_bounds(month)
    targets = policy().analysis
    sections = []
    months = previous_months(start, 6)
    recorded = {
        (m.month, m.kpi): kpis.Row(0, "", m.numerator, m.denominator)
        for m in KpiMonth.objects.filter(month__gte=months[0][0], month__lt=start)
    }
    for kpi in kpis.KPIS.values():
        departments = kpi.figures(start, end, "department")
        company = kpis.total(departments)
        missing = [a for a, _b in months[:-1] if (a, kpi.code) not in recorded]
        live = {r.key: r.percent for r in kpi.figures(missing[0], months[-2][1], "month")} if missing else {}
        trend = []
        for a, _b in months[:-1]:
            row = recorded.get((a, kpi.code))
            trend.append((f"{a:%Y-%m}", row.percent if row else live.get(f"{a:%Y-%m}")))
        trend.append((f"{start:%Y-%m}", company.percent if company else None))
        sections.append(
            KpiSection(
                kpi,
                Decimal(getattr(targets, kpi.target_field)),
                company,
                sorted(departments, key=lambda r: (r.percent or 0, r.label)),
                trend,
            )
        )
    people = [r for r in kpis.timeliness(start, end, "person") if r.denominator >= 3]
    worst = sorted(people, key=lambda r: (r.percent or 0, -r.denominator))[:5]
    overdue = [
        dict(row)
        for row in WorkItem.objects.filter(status=WorkStatus.OPEN, overdue=True)
        .values("department__name")
        .annotate(n=Count("pk"))
        .order_by("-n")[:10]
    ]
    exceptions = list(
        OrderException.objects.filter(status=ExceptionStatus.OPEN)
        .select_related("order", "responsible")
        .order_by("due_at")[:20]
    )
    findings = list(
        Finding.objects.exclude(action__status=ActionStatus.VERIFIED)
        .select_related("action", "action__owner")
        .order_by("action__due_on", "pk")[:20]
    )
    lo, hi = kpis.bounds(start, end)
    complaints = Complaint.objects.aggregate(
        received=Count("pk", filter=Q(received_at__gte=lo, received_at__lte=hi)),
        closed=Count("pk", filter=Q(closed_at__gte=lo, closed_at__lte=hi)),
        open=Count("pk", filter=~Q(status="closed")),
    )
    return Report(start, end, sections, worst, overdue, exceptions, findings, complaints)
