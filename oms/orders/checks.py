"""The preliminary check's two judgements (B-6, 001 二(三)2): the customer's credit and the
delivery date against the products' lead time. One implementation serves the check page (what it
shows) and the guards of `pass_check` (what it refuses), so the two can never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.core.money import format_amount
from oms.orders.models import SalesOrder
from oms.orders.selectors import customer_exposure
from oms.policy import selectors as policy_selectors
from oms.policy.schema import PreliminaryCheck
from oms.policy.worktime import CalendarMissing


@dataclass(frozen=True)
class CreditStanding:
    """B-6: the customer's exposure with this order against the credit limit, and the overdue
    receivables against what the policy tolerates."""

    credit_limit: Decimal
    open_orders: Decimal
    receivables: Decimal
    overdue: Decimal
    overdue_days: int
    this_order: Decimal
    rules: PreliminaryCheck

    @property
    def exposure(self) -> Decimal:
        return self.open_orders + self.receivables + self.this_order

    @property
    def over_limit(self) -> bool:
        return self.exposure > self.credit_limit

    @property
    def overdue_beyond_tolerance(self) -> bool:
        """Overdue receivables are tolerated only while both the amount and the age of the oldest
        overdue invoice stay within the policy's tolerance."""
        return self.overdue > 0 and (
            self.overdue > self.rules.overdue_amount_tolerated
            or self.overdue_days > self.rules.overdue_days_tolerated
        )

    @property
    def ok(self) -> bool:
        return not self.over_limit and not self.overdue_beyond_tolerance

    def limit_reason(self) -> str | None:
        """Why the exposure blocks passing, if it does under the policy."""
        if not (self.over_limit and self.rules.over_credit_limit_blocks):
            return None
        return _(
            "客户信用超额：占用 %(e)s 元（未完成订单 %(o)s + 应收 %(r)s + 本单 %(t)s）超出信用额度 %(l)s 元。"
        ) % {
            "e": format_amount(self.exposure),
            "o": format_amount(self.open_orders),
            "r": format_amount(self.receivables),
            "t": format_amount(self.this_order),
            "l": format_amount(self.credit_limit),
        }

    def overdue_reason(self) -> str | None:
        """Why the overdue receivables block passing, if they are beyond the policy's tolerance."""
        if not self.overdue_beyond_tolerance:
            return None
        return _(
            "客户有逾期应收 %(a)s 元，最早一笔已逾期 %(d)s 天，超出制度容忍（%(ta)s 元、%(td)s 天）。"
        ) % {
            "a": format_amount(self.overdue),
            "d": self.overdue_days,
            "ta": format_amount(self.rules.overdue_amount_tolerated),
            "td": self.rules.overdue_days_tolerated,
        }

    def blocking(self) -> list[str]:
        """What of the credit the policy forbids the sales head to pass on his own."""
        return [r for r in (self.limit_reason(), self.overdue_reason()) if r]


@dataclass(frozen=True)
class DeliveryStanding:
    """B-6: working days from the order date (or today, if later) to the delivery date, against the
    longest lead time of the order's products (A-2), counted on the work calendar (C-3)."""

    lead_time_days: int
    working_days_available: int | None
    calendar_year_missing: int | None
    rules: PreliminaryCheck

    @property
    def ok(self) -> bool | None:
        if self.working_days_available is None:
            return None
        return self.working_days_available >= self.lead_time_days

    @property
    def calendar_problem(self) -> str:
        if self.calendar_year_missing is None:
            return ""
        return _("工作日历没有 %(y)s 年的数据，请管理员维护。") % {"y": self.calendar_year_missing}

    def reason(self) -> str | None:
        """Why the delivery date blocks passing, if it does under the policy. A date that cannot
        be judged (no calendar for its year) is not passed either: the calendar fails loudly."""
        if not self.rules.tight_delivery_blocks:
            return None
        if self.ok is None:
            return _("无法判断交期是否合理：%(p)s") % {"p": self.calendar_problem}
        if not self.ok:
            return _("交期偏紧：到交货日期只有 %(a)s 个工作日，产品交货周期最长 %(l)s 个工作日。") % {
                "a": self.working_days_available,
                "l": self.lead_time_days,
            }
        return None

    def blocking(self) -> list[str]:
        return [r for r in (self.reason(),) if r]


def _rules(order: SalesOrder) -> PreliminaryCheck:
    # The order keeps the policy version it started under (DESIGN 5).
    return policy_selectors.policy(order.policy_version.number).preliminary_check


def credit_standing(order: SalesOrder, rules: PreliminaryCheck | None = None) -> CreditStanding:
    """B-6: the credit figures of the order's customer with this order; a fixed number of queries."""
    exposure = customer_exposure(order.customer_id, exclude_order=order.pk)
    return CreditStanding(
        credit_limit=order.customer.credit_limit,
        open_orders=exposure["open_orders"],
        receivables=exposure["receivables"],
        overdue=exposure["overdue"],
        overdue_days=int(exposure["overdue_days"]),
        this_order=order.total_amount,
        rules=rules or _rules(order),
    )


def delivery_standing(order: SalesOrder, rules: PreliminaryCheck | None = None) -> DeliveryStanding:
    """B-6: the delivery date against the products' lead time in working days; a fixed number of
    queries whatever the order size."""
    lead = order.lines.aggregate(m=Max("product__lead_time_days"))["m"] or 0
    start = max(order.order_date, timezone.localdate())
    available: int | None = None
    missing: int | None = None
    try:
        cal = policy_selectors.work_calendar(order.policy_version.number)
        tz = timezone.get_current_timezone()
        available = cal.working_days_between(
            datetime.combine(start, time(12), tz), datetime.combine(order.delivery_date, time(12), tz)
        )
    except CalendarMissing as exc:
        missing = exc.year
    return DeliveryStanding(
        lead_time_days=int(lead),
        working_days_available=available,
        calendar_year_missing=missing,
        rules=rules or _rules(order),
    )


def blocking_reasons(order: SalesOrder) -> list[str]:
    """B-6: every reason the policy forbids passing the order to review without management."""
    rules = _rules(order)
    return credit_standing(order, rules).blocking() + delivery_standing(order, rules).blocking()
