"""Guards of the order's transitions: each returns the reason it refuses, or None (DESIGN 4)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from oms.core import txmemo
from oms.orders.checks import CreditStanding, credit_standing, delivery_standing


def has_lines(user: Any, order: Any) -> str | None:
    return None if order.lines.exists() else _("订单没有明细行。")


def customer_not_blocked(user: Any, order: Any) -> str | None:
    customer = order.customer
    if customer.blocked:
        return _("客户 %(c)s 已冻结：%(r)s") % {"c": customer, "r": customer.blocked_reason or "—"}
    return None


def complete(user: Any, order: Any) -> str | None:
    """P-1: the key elements are present before anyone else works on the order."""
    missing = [
        str(label)
        for label, value in (
            (_("联系人"), order.contact_name),
            (_("联系电话"), order.contact_phone),
            (_("交货地点"), order.delivery_place),
        )
        if not str(value or "").strip()
    ]
    return _("缺少：%(f)s") % {"f": "、".join(missing)} if missing else None


def _credit(order: Any) -> CreditStanding:
    """The credit figures, worked out once per action for both credit guards (issue 21: five
    statements, not ten); keyed by the order's version and total, so a changed order is not
    served the figures of before."""
    return txmemo.per_action(
        f"orders.credit:{order.pk}:{getattr(order, 'version', '')}:{order.total_amount}",
        lambda: credit_standing(order),
    )


def credit_within_limit(user: Any, order: Any) -> str | None:
    """B-6 (001 二(三)2): an order taking the customer over the credit limit goes to management
    (escalate), never straight to review, unless the policy lets over-limit orders pass."""
    return _credit(order).limit_reason()


def overdue_within_tolerance(user: Any, order: Any) -> str | None:
    """B-6 (001 二(三)2): a customer with overdue receivables beyond the policy's tolerance (amount
    and age of the oldest) goes to management (escalate), never straight to review."""
    return _credit(order).overdue_reason()


def delivery_date_feasible(user: Any, order: Any) -> str | None:
    """B-6 (001 二(三)2): a delivery date shorter than the products' lead time in working days goes
    to management (escalate), never straight to review."""
    return delivery_standing(order).reason()
