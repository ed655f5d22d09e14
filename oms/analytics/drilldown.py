"""The records behind one KPI figure (O-1): for the page that drills from a figure down to the
orders, steps, answers or invoices it counts, each marked whether it counts in the numerator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.utils.translation import gettext_lazy as _

from oms.analytics.kpis import (
    _corrected,
    _defective,
    collection_base,
    confirmed_base,
    delivered_base,
    handled_in_time,
    received_base,
    satisfaction_base,
    timeliness_base,
    whole_months,
)
from oms.orders.models import SalesOrder
from oms.tracking.models import OrderKpi, OrderOutcome


@dataclass(frozen=True)
class DrillRow:
    cells: list[Any]
    counted: bool | None  # in the numerator (None: the KPI is a ratio of sums, not of records)
    order_id: int | None

    @property
    def marked_cells(self) -> list[tuple[Any, bool]]:
        """Each cell with whether it is a date or a time (the page formats those); asking the
        template for `cell.year` of every other cell cost 0.1 ms a cell (issue 21)."""
        return [(c, isinstance(c, date)) for c in self.cells]


@dataclass(frozen=True)
class Drill:
    headers: list[Any]
    rows: list[DrillRow]
    total: int


def _person(user: Any) -> str:
    return (user.get_full_name() or user.username) if user is not None else "—"


@dataclass(frozen=True)
class _DrillSource:
    """One KPI's records: the queryset annotated with `good`, the field a department's or a
    person's figure filters on, the columns, and the order each record belongs to."""

    qs: QuerySet[Any]
    field: str | None
    headers: list[Any]
    cells: Callable[[Any], list[Any]]
    order_of: Callable[[Any], int | None]


_ORDER_GROUP = {"department": "department_id", "person": "salesperson_id"}


def drill(
    code: str, start: date, end: date, by: str, key: str, *, show_money: bool, limit: int = 500
) -> Drill:
    """O-1: the records behind one figure (the first `limit`), each marked whether it counts in
    the numerator; orders link to their page."""
    money: Callable[[Any], Any] = (lambda v: v) if show_money else (lambda v: "***")
    source = _DRILLS.get(code, _collection_drill)(code, start, end, by, money)
    qs = source.qs
    if source.field and key:
        qs = qs.filter(**{source.field: int(key)})
    if code in OrderKpi.values and whole_months(start, end):
        qs = qs.filter(pk__in=_kept_orders(code, start, end, by, key))
    total = qs.count()
    rows: list[DrillRow] = []
    for obj in qs.order_by("pk")[:limit]:
        counted = None if code == "satisfaction" else bool(getattr(obj, "good", False))
        rows.append(DrillRow(source.cells(obj), counted, source.order_of(obj)))
    return Drill(source.headers, rows, total)


def _kept_orders(code: str, start: date, end: date, by: str, key: str) -> QuerySet[OrderOutcome, Any]:
    """Issue 21 (ADR 0018): the orders counted in an order KPI's whole months, from their kept
    outcomes (one salesperson's or department's through the outcomes' index): the same orders
    as the records' definition finds, without reading the months' acceptances or orders first."""
    outcomes = OrderOutcome.objects.filter(kpi=code, month__gte=start, month__lte=end)
    if key and by in _OUTCOME_GROUP:
        outcomes = outcomes.filter(**{_OUTCOME_GROUP[by]: int(key)})
    return outcomes.values("order_id")


_OUTCOME_GROUP = {"department": "department_id", "person": "salesperson_id"}


def _orders_drill(qs: Any, by: str, when: str, when_label: Any) -> _DrillSource:
    """The orders behind an order figure (annotated `good`), one row each with the date `when`."""
    return _DrillSource(
        qs=qs.select_related("customer", "salesperson"),
        field=_ORDER_GROUP.get(by),
        headers=[_("订单号"), _("客户"), _("业务员"), when_label, _("状态")],
        cells=lambda o: [
            o.number,
            o.customer.name,
            _person(o.salesperson),
            getattr(o, when),
            o.get_status_display(),
        ],
        order_of=lambda o: o.pk,
    )


def _order_timeliness_drill(
    code: str, start: date, end: date, by: str, money: Callable[[Any], Any]
) -> _DrillSource:
    base = SalesOrder.objects.all() if whole_months(start, end) else received_base(start, end)
    qs = base.annotate(good=handled_in_time())
    return _orders_drill(qs, by, "order_date", _("下单日期"))


def _timeliness_drill(
    code: str, start: date, end: date, by: str, money: Callable[[Any], Any]
) -> _DrillSource:
    qs = timeliness_base(start, end).select_related("assignee", "department")
    return _DrillSource(
        qs=qs.annotate(good=ExpressionWrapper(Q(closed_at__lte=F("due_at")), output_field=BooleanField())),
        field={"department": "department_id", "person": "assignee_id"}.get(by),
        headers=[_("待办事项"), _("负责部门"), _("负责人"), _("截止时间"), _("完成时间")],
        cells=lambda w: [w.title, w.department.name, _person(w.assignee), w.due_at, w.closed_at],
        order_of=lambda w: None,
    )


def _accuracy_drill(code: str, start: date, end: date, by: str, money: Callable[[Any], Any]) -> _DrillSource:
    """Confirmation accuracy (orders corrected after confirmation) or order accuracy (orders
    delivered with a defect)."""
    if code == "confirmation_accuracy":
        qs = confirmed_base(start, end).annotate(bad=_corrected())
    elif whole_months(start, end):
        # The order's kept defect mark is `_defective` (ADR 0018), read from the row instead of
        # three sets built over every acceptance, non-conformance and complaint.
        qs = SalesOrder.objects.all().annotate(bad=F("kpi_defective"))
    else:
        qs = delivered_base(start, end).annotate(
            bad=ExpressionWrapper(_defective(), output_field=BooleanField())
        )
    good = ExpressionWrapper(Q(bad=False), output_field=BooleanField())
    return _orders_drill(qs.annotate(good=good), by, "confirmed_at", _("确认时间"))


def _satisfaction_drill(
    code: str, start: date, end: date, by: str, money: Callable[[Any], Any]
) -> _DrillSource:
    return _DrillSource(
        qs=satisfaction_base(start, end).select_related(
            "invitation__customer", "invitation__salesperson", "invitation__order"
        ),
        field={
            "department": "invitation__salesperson__department_id",
            "person": "invitation__salesperson_id",
        }.get(by),
        headers=[_("客户"), _("业务员"), _("问题"), _("评分"), _("答复时间")],
        cells=lambda a: [
            a.invitation.customer.name,
            _person(a.invitation.salesperson),
            a.question_text,
            f"{a.score} / {a.scale}",
            a.answered_at,
        ],
        order_of=lambda a: a.invitation.order_id,
    )


def _collection_drill(
    code: str, start: date, end: date, by: str, money: Callable[[Any], Any]
) -> _DrillSource:
    """Invoices and how much of each was received by its due date (kept on the invoice, issue 21)."""
    qs = (
        collection_base(start, end)
        .annotate(on_time=F("received_on_time"))
        .annotate(good=ExpressionWrapper(Q(on_time__gte=F("amount")), output_field=BooleanField()))
        .select_related("statement__order", "statement__order__customer")
    )
    return _DrillSource(
        qs=qs,
        field={
            "department": "statement__order__department_id",
            "person": "statement__order__salesperson_id",
        }.get(by),
        headers=[_("发票号码"), _("订单号"), _("客户"), _("应收日期"), _("价税合计"), _("到期前收到")],
        cells=lambda i: [
            i.number,
            i.statement.order.number,
            i.statement.order.customer.name,
            i.due_date,
            money(i.amount),
            money(i.on_time),
        ],
        order_of=lambda i: i.statement.order_id,
    )


# O-1: each KPI's records; any other code is the collection KPI.
_DRILLS: dict[str, Callable[[str, date, date, str, Callable[[Any], Any]], _DrillSource]] = {
    "order_timeliness": _order_timeliness_drill,
    "timeliness": _timeliness_drill,
    "confirmation_accuracy": _accuracy_drill,
    "order_accuracy": _accuracy_drill,
    "satisfaction": _satisfaction_drill,
}
