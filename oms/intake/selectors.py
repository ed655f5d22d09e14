"""What the preliminary check shows (B-6): completeness, credit, delivery-date reasonableness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.orders import guards
from oms.orders.models import SalesOrder
from oms.orders.selectors import customer_exposure
from oms.policy import selectors as policy_selectors
from oms.policy.worktime import CalendarMissing


@dataclass(frozen=True)
class CheckReport:
    missing: list[str]
    credit_limit: Decimal
    open_orders: Decimal
    receivables: Decimal
    overdue: Decimal
    this_order: Decimal
    credit_rating: str
    credit_ok: bool
    lead_time_days: int
    working_days_available: int | None
    delivery_ok: bool | None
    calendar_problem: str

    @property
    def exposure(self) -> Decimal:
        return self.open_orders + self.receivables + self.this_order


def check_report(order: SalesOrder) -> CheckReport:
    """B-6: the figures the checker decides on; a fixed number of queries whatever the order size."""
    missing = [
        r
        for r in (
            guards.complete(None, order),
            guards.has_lines(None, order),
            guards.customer_not_blocked(None, order),
        )
        if r
    ]
    exposure = customer_exposure(order.customer_id, exclude_order=order.pk)
    customer = order.customer
    total = exposure["open_orders"] + exposure["receivables"] + order.total_amount
    lead = order.lines.aggregate(m=Max("product__lead_time_days"))["m"] or 0
    start = max(order.order_date, timezone.localdate())
    available: int | None = None
    problem = ""
    try:
        cal = policy_selectors.work_calendar(order.policy_version.number)
        tz = timezone.get_current_timezone()
        available = cal.working_days_between(
            datetime.combine(start, time(12), tz), datetime.combine(order.delivery_date, time(12), tz)
        )
    except CalendarMissing as exc:
        problem = _("工作日历没有 %(y)s 年的数据，请管理员维护。") % {"y": exc.year}
    return CheckReport(
        missing=[str(m) for m in missing],
        credit_limit=customer.credit_limit,
        open_orders=exposure["open_orders"],
        receivables=exposure["receivables"],
        overdue=exposure["overdue"],
        this_order=order.total_amount,
        credit_rating=customer.credit_rating,
        credit_ok=total <= customer.credit_limit and exposure["overdue"] == 0,
        lead_time_days=int(lead),
        working_days_available=available,
        delivery_ok=None if available is None else available >= lead,
        calendar_problem=problem,
    )
