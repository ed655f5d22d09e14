"""What the preliminary check shows (B-6): completeness, credit, delivery-date reasonableness."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from oms.orders import guards
from oms.orders.checks import credit_standing, delivery_standing
from oms.orders.models import SalesOrder
from oms.policy import selectors as policy_selectors


@dataclass(frozen=True)
class CheckReport:
    missing: list[str]
    credit_limit: Decimal
    open_orders: Decimal
    receivables: Decimal
    overdue: Decimal
    overdue_days: int
    this_order: Decimal
    credit_rating: str
    credit_ok: bool
    lead_time_days: int
    working_days_available: int | None
    delivery_ok: bool | None
    calendar_problem: str
    # B-6: why the policy forbids passing the order without management (empty: it may pass).
    blocking: list[str]

    @property
    def exposure(self) -> Decimal:
        return self.open_orders + self.receivables + self.this_order


def check_report(order: SalesOrder) -> CheckReport:
    """B-6: the figures the checker decides on, judged by the same code as the guards of
    `pass_check` (oms.orders.checks); a fixed number of queries whatever the order size."""
    missing = [
        r
        for r in (
            guards.complete(None, order),
            guards.has_lines(None, order),
            guards.customer_not_blocked(None, order),
        )
        if r
    ]
    rules = policy_selectors.policy(order.policy_version.number).preliminary_check
    credit = credit_standing(order, rules)
    delivery = delivery_standing(order, rules)
    return CheckReport(
        missing=[str(m) for m in missing],
        credit_limit=credit.credit_limit,
        open_orders=credit.open_orders,
        receivables=credit.receivables,
        overdue=credit.overdue,
        overdue_days=credit.overdue_days,
        this_order=credit.this_order,
        credit_rating=order.customer.credit_rating,
        credit_ok=credit.ok,
        lead_time_days=delivery.lead_time_days,
        working_days_available=delivery.working_days_available,
        delivery_ok=delivery.ok,
        calendar_problem=delivery.calendar_problem,
        blocking=credit.blocking() + delivery.blocking(),
    )
