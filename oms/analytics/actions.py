"""Every write of analysis and planning (Q-2): order plans, entered or estimated from history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import ExtractQuarter
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.analytics import permissions
from oms.analytics.models import OrderPlan, PlanMethod
from oms.core.errors import FieldErrors
from oms.customers.models import Customer
from oms.engine import records
from oms.orders.models import OrderLine, SalesOrder
from oms.policy.selectors import policy


def record_closed_months(now: datetime, *, months: int = 12) -> int:
    """O-3: record the company figure of every KPI for each of the last `months` closed months
    that has none yet (the sweep calls this; the first run fills the year, later runs add the
    month just ended). Returns how many figures it recorded."""
    from oms.analytics import assessment, kpis
    from oms.analytics.models import KpiMonth

    first_of_this_month = timezone.localtime(now).date().replace(day=1)
    wanted = assessment.previous_months(first_of_this_month, months + 1)[:-1]
    have = set(KpiMonth.objects.filter(month__gte=wanted[0][0]).values_list("month", "kpi"))
    added = 0
    for start, end in wanted:
        for kpi in kpis.KPIS.values():
            if (start, kpi.code) in have:
                continue
            company = kpis.total(kpi.compute(start, end, "department"))
            if company is None:
                continue
            KpiMonth.objects.get_or_create(
                month=start,
                kpi=kpi.code,
                defaults={"numerator": company.numerator, "denominator": company.denominator},
            )
            added += 1
    return added


def period(year: int, quarter: int) -> tuple[date, date]:
    """The dates of a year (quarter 0) or of one quarter."""
    if quarter == 0:
        return date(year, 1, 1), date(year, 12, 31)
    first = 3 * (quarter - 1) + 1
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, first + 3, 1)
    return date(year, first, 1), date.fromordinal(end.toordinal() - 1)


def _ordered() -> Q:
    """Q-2: what counts as a customer's actual orders: confirmed and not cancelled."""
    return Q(confirmed_at__isnull=False) & ~Q(status="cancelled")


def actual(customer_id: int, year: int, quarter: int) -> tuple[Decimal, Decimal]:
    """Quantity and amount ordered by the customer in the period (by order date)."""
    start, end = period(year, quarter)
    orders = SalesOrder.objects.filter(
        _ordered(), customer_id=customer_id, order_date__gte=start, order_date__lte=end
    )
    amount = orders.aggregate(s=Sum("total_amount"))["s"] or Decimal("0")
    quantity = OrderLine.objects.filter(order__in=orders.values("pk"), removed=False).aggregate(
        s=Sum("quantity")
    )["s"] or Decimal("0")
    return Decimal(quantity).quantize(Decimal("0.0001")), Decimal(amount).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Estimate:
    quantity: Decimal
    amount: Decimal
    basis: str


def estimate(customer: Customer, year: int, quarter: int) -> Estimate | None:
    """Q-2 (004 订单计划的预测): when the customer cannot say, the average of the same period in
    the policy's number of previous years; None without any history."""
    years = policy().analysis.plan_history_years
    history = [(y, *actual(customer.pk, y, quarter)) for y in range(year - years, year)]
    if not any(q or a for _y, q, a in history):
        return None
    quantity = (sum((q for _y, q, _a in history), Decimal("0")) / years).quantize(Decimal("0.0001"))
    amount = (sum((a for _y, _q, a in history), Decimal("0")) / years).quantize(Decimal("0.01"))
    span = _("%(y)s 年") % {"y": year - 1} if years == 1 else f"{year - years}–{year - 1}"
    what = _("全年") if quarter == 0 else f"Q{quarter}"
    detail = "；".join(f"{y}: {a}" for y, _q, a in history)
    return Estimate(
        quantity,
        amount,
        _("按 %(span)s %(what)s 同期平均（%(detail)s）") % {"span": span, "what": what, "detail": detail},
    )


@transaction.atomic
def save_plan(
    *,
    actor: User,
    customer: Customer,
    year: int,
    quarter: int | None,
    expected_quantity: Decimal | None = None,
    expected_amount: Decimal | None = None,
    delivery_period: str = "",
    factory: str = "",
    note: str = "",
    estimated: bool = False,
) -> OrderPlan:
    """Q-2: enter (or, with `estimated`, estimate from history) a customer's plan for a period;
    a period has one plan per customer, and a new one replaces the old as a new version. The
    values come typed by `forms.PlanForm` (`forms.plan_input`: the page, the tests alike)."""
    records.require(permissions.can_plan(actor))
    quarter = quarter or 0
    values: dict[str, Any] = {
        "delivery_period": delivery_period[:100],
        "factory": factory[:100],
        "note": note,
    }
    if estimated:
        found = estimate(customer, year, quarter)
        if found is None:
            raise FieldErrors({"customer": [_("该客户没有同期历史订单，无法估算，请直接填报。")]})
        values.update(
            expected_quantity=found.quantity,
            expected_amount=found.amount,
            method=PlanMethod.ESTIMATED,
            basis=found.basis,
        )
    else:
        values.update(
            expected_quantity=expected_quantity or Decimal("0"),
            expected_amount=expected_amount or Decimal("0"),
            method=PlanMethod.ENTERED,
            basis="",
        )
    existing = OrderPlan.objects.filter(customer=customer, year=year, quarter=quarter).first()
    if existing is not None:
        return records.update(
            actor=actor, obj=existing, data=values, version=existing.version, action="analytics.plan.update"
        )
    return records.create(
        actor=actor,
        obj=OrderPlan(customer=customer, year=year, quarter=quarter, created_by=actor, **values),
        fields=["customer", "year", "quarter", *values],
        action="analytics.plan.create",
    )


@dataclass(frozen=True)
class PlanRow:
    plan: OrderPlan
    actual_quantity: Decimal
    actual_amount: Decimal

    @property
    def achieved(self) -> Decimal | None:
        if not self.plan.expected_amount:
            return None
        return (self.actual_amount * 100 / self.plan.expected_amount).quantize(Decimal("0.1"))


def plan_vs_actual(plans: QuerySet[OrderPlan], year: int) -> list[PlanRow]:
    """Q-2: each plan of the year against the orders that came: two grouped queries (amounts
    and quantities by customer and quarter), whatever the number of orders."""
    start, end = period(year, 0)
    base = SalesOrder.objects.filter(_ordered(), order_date__gte=start, order_date__lte=end)
    amounts: dict[tuple[int, int], Decimal] = {}
    for r in (
        base.annotate(q=ExtractQuarter("order_date"))
        .values("customer_id", "q")
        .annotate(s=Sum("total_amount"))
    ):
        amounts[(r["customer_id"], r["q"])] = Decimal(r["s"] or 0)
    quantities: dict[tuple[int, int], Decimal] = {}
    for line in (
        OrderLine.objects.filter(order__in=base.values("pk"), removed=False)
        .annotate(q=ExtractQuarter("order__order_date"))
        .values("order__customer_id", "q")
        .annotate(s=Sum("quantity"))
    ):
        quantities[(line["order__customer_id"], line["q"])] = Decimal(line["s"] or 0)

    def total(source: dict[tuple[int, int], Decimal], customer: int, quarter: int) -> Decimal:
        quarters = range(1, 5) if quarter == 0 else [quarter]
        return sum((source.get((customer, q), Decimal("0")) for q in quarters), Decimal("0"))

    return [
        PlanRow(p, total(quantities, p.customer_id, p.quarter), total(amounts, p.customer_id, p.quarter))
        for p in plans.filter(year=year).select_related("customer")
    ]
