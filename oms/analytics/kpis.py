"""The KPIs of the order management policy (O-1), computed from the records in the database, per
company, department or person, for any period; each with its formula and the records behind it.

Each KPI is one grouped query: the numerator and the denominator
counted (or summed) per group with conditional aggregates, never a Python loop over orders.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Concat, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.billing.models import Invoice
from oms.changes.models import ChangeRequest, RequestKind, RequestStatus, Source
from oms.delivery.models import Acceptance, AcceptanceResult
from oms.feedback.models import Answer, Complaint
from oms.orders.models import SalesOrder
from oms.quality.models import NonConformance
from oms.tracking.models import (
    CollectionTally,
    KpiTally,
    OrderKpi,
    OrderOutcome,
    StepStat,
    WorkItem,
    WorkStatus,
)
from oms.tracking.selectors import unflagged_late_orders

BY = ("company", "department", "person", "month")


@dataclass(frozen=True)
class Row:
    key: Any
    label: str
    numerator: Decimal
    denominator: Decimal

    @property
    def percent(self) -> Decimal | None:
        if not self.denominator:
            return None
        return (self.numerator * 100 / self.denominator).quantize(Decimal("0.1"))


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The aware datetimes of the first and the last instant of [start, end], for range filters
    that use the indexes (a `__date` lookup would not)."""
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end, time.max, tz)


def _person_label(prefix: str) -> Any:
    return Concat(F(f"{prefix}last_name"), F(f"{prefix}first_name"))


def _grouped(
    qs: QuerySet[Any],
    by: str,
    *,
    department: str,
    person: str,
    month: Any,
    numerator: Any,
    denominator: Any,
) -> list[Row]:
    """One grouped query: the rows of `qs` by department, person or month (or all), with the
    two aggregates."""
    if by == "company":
        keys: dict[str, Any] = {"k": Value(0), "name": Value(str(_("全公司")))}
    elif by == "department":
        keys = {"k": F(f"{department}_id"), "name": F(f"{department}__name")}
    elif by == "month":
        keys = {"k": TruncMonth(month), "name": Value("")}
    else:
        keys = {"k": F(f"{person}_id"), "name": _person_label(f"{person}__")}
    rows = qs.annotate(**keys).values("k", "name").annotate(n=numerator, d=denominator).order_by("k")
    return [
        Row(
            f"{r['k']:%Y-%m}" if by == "month" and r["k"] else r["k"],
            f"{r['k']:%Y-%m}" if by == "month" and r["k"] else str(r["name"] or "—"),
            Decimal(r["n"] or 0),
            Decimal(r["d"] or 0),
        )
        for r in rows
        if r["d"]
    ]


def total(rows: list[Row]) -> Row | None:
    """The company's figure from the groups' (every record is in exactly one group)."""
    if not rows:
        return None
    return Row(
        0,
        str(_("全公司")),
        sum((r.numerator for r in rows), Decimal("0")),
        sum((r.denominator for r in rows), Decimal("0")),
    )


# --- order processing timeliness (订单处理及时率, O-1) -------------------------------------------


def late_step() -> Q:
    """O-1: a step (work item) not handled within its limit: finished after its deadline, still
    open past it, or flagged overdue by the sweep (which also covers a step withdrawn after it
    went overdue)."""
    return (
        Q(closed_at__gt=F("due_at")) | Q(status=WorkStatus.OPEN, due_at__lt=timezone.now()) | Q(overdue=True)
    )


def handled_in_time() -> Any:
    """O-1 (seed 003 六(二)1 订单处理及时率): an order is *handled in time* when every step of it
    was handled within its limit, i.e. NOT EXISTS a work item of the order that is late
    (`late_step`): from the preliminary check through review, approval and confirmation to the
    departments' plans, changes, settlement and complaints. Written as a negated `Exists`, one
    probe of the work items' order index per order (never a LEFT JOIN over all steps)."""
    return ~Exists(WorkItem.objects.filter(order=OuterRef("pk")).filter(late_step()))


def received_base(start: date, end: date) -> QuerySet[SalesOrder]:
    """O-1: the orders received in the period (by their order date, 下单日期, indexed), once
    submitted for the check; drafts never submitted were not received."""
    return SalesOrder.objects.filter(order_date__gte=start, order_date__lte=end, submitted_at__isnull=False)


def order_timeliness(start: date, end: date, by: str) -> list[Row]:
    """O-1 订单处理及时率 = orders received in the period and handled in time ÷ orders received in
    the period × 100 %, by the order's sales department and salesperson (who answer for the
    order), or by the month of receipt. One grouped query with a NOT EXISTS per order."""
    return _grouped(
        received_base(start, end).annotate(in_time=handled_in_time()),
        by,
        department="department",
        person="salesperson",
        month="order_date",
        numerator=Count("pk", filter=Q(in_time=True)),
        denominator=Count("pk"),
    )


# --- step timeliness (环节及时率) --------------------------------------------------------------


def timeliness_base(start: date, end: date) -> QuerySet[WorkItem]:
    """Steps finished in the period (every pending step with a deadline: review, approval,
    confirmation, release plans, complaints, findings, …), for the records behind a figure."""
    lo, hi = bounds(start, end)
    return WorkItem.objects.filter(status=WorkStatus.DONE, closed_at__gte=lo, closed_at__lte=hi)


def timeliness(start: date, end: date, by: str) -> list[Row]:
    """The per-step figure (环节及时率, not the seed's per-order one): steps finished within their
    limit ÷ steps finished, by the step's department and person, from the daily step statistics
    (tracking.StepStat, kept up to date by the sweep)."""
    return _grouped(
        StepStat.objects.filter(day__gte=start, day__lte=end),
        by,
        department="department",
        person="assignee",
        month="day",
        numerator=Sum("on_time"),
        denominator=Sum("done"),
    )


# --- confirmation accuracy (确认准确率) --------------------------------------------------------


def _corrected() -> Exists:
    """A confirmed order corrected later: a change of its content the company itself raised and
    carried out (a customer's own change is not a confirmation error)."""
    return Exists(
        ChangeRequest.objects.filter(
            order=OuterRef("pk"),
            kind=RequestKind.CHANGE,
            source=Source.DEPARTMENT,
            status=RequestStatus.APPROVED,
        )
    )


def confirmed_base(start: date, end: date) -> QuerySet[SalesOrder]:
    lo, hi = bounds(start, end)
    return SalesOrder.objects.filter(confirmed_at__gte=lo, confirmed_at__lte=hi)


def confirmation_accuracy(start: date, end: date, by: str) -> list[Row]:
    return _grouped(
        confirmed_base(start, end).annotate(corrected=_corrected()),
        by,
        department="department",
        person="salesperson",
        month="confirmed_at",
        numerator=Count("pk", filter=Q(corrected=False)),
        denominator=Count("pk"),
    )


# --- order accuracy (订单准确率) ---------------------------------------------------------------


def _defective() -> Q:
    """An order delivered with a problem: a rejected or qualified acceptance, a non-conformance,
    or a complaint. Written as three `IN (…)` sets, which the database builds once each, rather
    than three correlated look-ups per order."""
    return (
        Q(pk__in=Acceptance.objects.exclude(result=AcceptanceResult.ACCEPTED).values("order_id"))
        | Q(pk__in=NonConformance.objects.values("order_id"))
        | Q(pk__in=Complaint.objects.values("order_id"))
    )


def delivered_base(start: date, end: date) -> QuerySet[SalesOrder]:
    """Orders with a delivery accepted (signed for) in the period (found from the acceptances by
    their date, each with its order: no join of the shipments)."""
    signed = Acceptance.objects.filter(received_on__gte=start, received_on__lte=end).values("order_id")
    return SalesOrder.objects.filter(pk__in=signed)


def order_accuracy(start: date, end: date, by: str) -> list[Row]:
    first_received = Subquery(
        Acceptance.objects.filter(order=OuterRef("pk"), received_on__gte=start, received_on__lte=end)
        .order_by("received_on")
        .values("received_on")[:1],
        output_field=DateField(),
    )
    return _grouped(
        delivered_base(start, end).annotate(received=first_received),
        by,
        department="department",
        person="salesperson",
        month="received",
        numerator=Count("pk", filter=~_defective()),
        denominator=Count("pk"),
    )


# --- customer satisfaction (客户满意度) --------------------------------------------------------


def satisfaction_base(start: date, end: date) -> QuerySet[Answer]:
    lo, hi = bounds(start, end)
    return Answer.objects.filter(score__isnull=False, answered_at__gte=lo, answered_at__lte=hi)


def satisfaction(start: date, end: date, by: str) -> list[Row]:
    return _grouped(
        satisfaction_base(start, end),
        by,
        department="invitation__salesperson__department",
        person="invitation__salesperson",
        month="answered_at",
        numerator=Sum("score"),
        denominator=Sum("scale"),
    )


# --- collection rate (回款率) -----------------------------------------------------------------


def collection_base(start: date, end: date) -> QuerySet[Invoice]:
    return Invoice.objects.filter(due_date__gte=start, due_date__lte=end)


def collection(start: date, end: date, by: str) -> list[Row]:
    """Received by the due date / due, of the invoices falling due in the period. Issue 21: one
    grouped query of the invoices, each keeping what was paid of it by its due date
    (`Invoice.received_on_time`, kept by the billing actions from the matches of payments dated
    on or before the due date) instead of a second query joining matches, payments, invoices,
    statements and orders."""
    return _grouped(
        collection_base(start, end),
        by,
        department="statement__order__department",
        person="statement__order__salesperson",
        month="due_date",
        numerator=Sum("received_on_time"),
        denominator=Sum("amount"),
    )


# --- figures kept at write time (issue 21) -----------------------------------------------------


def whole_months(start: date, end: date) -> bool:
    """Whether [start, end] is whole calendar months, which the kept tallies answer."""
    return start.day == 1 and end.day == monthrange(end.year, end.month)[1] and start <= end


def kept(code: str, start: date, end: date, by: str) -> list[Row]:
    """Order timeliness, order accuracy or confirmation accuracy for whole months from the tallies
    kept at write time (`tracking.KpiTally`, ADRs 0018 and 0019): at most one row per month and salesperson, instead of
    grouping the months' orders. Order timeliness also takes out, at read time, the good orders
    with a step open past its limit that the sweep has not flagged yet, as `late_step` counts
    them. Equal to the KPI's `compute` (tests/test_kept_kpis.py, `manage.py kpi_figures`)."""
    group = {"department": "department", "person": "salesperson", "month": "month"}
    rows = _grouped(
        KpiTally.objects.filter(kpi=code, month__gte=start, month__lte=end),
        by,
        **group,
        numerator=Sum("numerator"),
        denominator=Sum("denominator"),
    )
    if code != OrderKpi.TIMELINESS:
        return rows
    stuck = {
        r.key: r.numerator
        for r in _grouped(
            OrderOutcome.objects.filter(
                kpi=code,
                month__gte=start,
                month__lte=end,
                good=True,
                order_id__in=unflagged_late_orders(timezone.now()),
            ),
            by,
            **group,
            numerator=Count("pk"),
            denominator=Count("pk"),
        )
    }
    if not stuck:
        return rows
    return [Row(r.key, r.label, r.numerator - stuck.get(r.key, 0), r.denominator) for r in rows]


def kept_collection(start: date, end: date, by: str) -> list[Row]:
    """The collection rate for whole months from the tallies kept by the billing actions
    (`tracking.CollectionTally`, ADR 0019): at most one row per month and salesperson instead of
    the months' invoices joined to their orders. Equal to `collection` (`manage.py kpi_figures`)."""
    return _grouped(
        CollectionTally.objects.filter(month__gte=start, month__lte=end),
        by,
        department="department",
        person="salesperson",
        month="month",
        numerator=Sum("received"),
        denominator=Sum("due"),
    )


@dataclass(frozen=True)
class Kpi:
    code: str
    title: Any
    formula: Any
    target_field: str
    compute: Callable[[date, date, str], list[Row]]
    money: bool = False

    def figures(self, start: date, end: date, by: str) -> list[Row]:
        """What the pages show: the kept tallies for whole months where the KPI has them, else
        the figure computed from the records."""
        if self.code in OrderKpi.values and whole_months(start, end):
            return kept(self.code, start, end, by)
        if self.code == "collection" and whole_months(start, end):
            return kept_collection(start, end, by)
        return self.compute(start, end, by)


KPIS: dict[str, Kpi] = {
    k.code: k
    for k in (
        Kpi(
            "order_timeliness",
            _("订单处理及时率"),
            _(
                "期内接收的订单中及时处理的订单数 ÷ 期内接收的订单数 × 100%"
                "（及时处理：该订单没有任何待办步骤超时，即没有超过时限才完成、也没有过了时限仍未完成的步骤）"
            ),
            "order_timeliness_target",
            order_timeliness,
        ),
        Kpi(
            "timeliness",
            _("环节及时率（按待办步骤）"),
            _("期内完成且未超过时限的待办步骤数 ÷ 期内完成的待办步骤数 × 100%"),
            "timeliness_target",
            timeliness,
        ),
        Kpi(
            "confirmation_accuracy",
            _("确认准确率"),
            _("期内确认、之后没有因内部差错而批准变更的订单数 ÷ 期内确认的订单数 × 100%"),
            "confirmation_accuracy_target",
            confirmation_accuracy,
        ),
        Kpi(
            "order_accuracy",
            _("订单准确率"),
            _("期内签收、无拒收或保留意见、无不合格品、无投诉的订单数 ÷ 期内签收的订单数 × 100%"),
            "order_accuracy_target",
            order_accuracy,
        ),
        Kpi(
            "satisfaction",
            _("客户满意度"),
            _("期内客户评分之和 ÷ 满分之和 × 100%"),
            "satisfaction_target",
            satisfaction,
        ),
        Kpi(
            "collection",
            _("回款率"),
            _("期内到期发票在到期日前收到的金额 ÷ 期内到期发票金额 × 100%"),
            "collection_target",
            collection,
            money=True,
        ),
    )
}
