"""The customer's change form (I-1), shared by the one-time link and the customer portal."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from oms.core.money import plain_number
from oms.orders.models import SalesOrder


def customer_input(order: SalesOrder, post: QueryDict) -> dict[str, Any]:
    """What the customer asked for: new terms and each line's quantity and specification."""
    return {
        "reason": post.get("reason", ""),
        "impact": post.get("impact", ""),
        "terms": {
            "delivery_date": post.get("delivery_date", ""),
            "delivery_place": post.get("delivery_place", ""),
        },
        "lines": [
            {
                "line": ln.pk,
                "quantity": post.get(f"quantity-{ln.pk}", ""),
                "spec": post.get(f"spec-{ln.pk}", ln.spec),
            }
            for ln in order.lines.all()
        ],
    }


def customer_form(order: SalesOrder, given: QueryDict) -> dict[str, Any]:
    """The form filled with the order as it is, or with what the customer typed."""
    return {
        "rows": [
            (
                ln,
                given.get(f"quantity-{ln.pk}", plain_number(ln.quantity)),
                given.get(f"spec-{ln.pk}", ln.spec),
            )
            for ln in order.lines.select_related("product").order_by("line_no")
        ],
        "delivery_date": given.get("delivery_date", f"{order.delivery_date:%Y-%m-%d}"),
        "delivery_place": given.get("delivery_place", order.delivery_place),
        "post": given or None,
    }
