"""What the order page shows of settlement and invoicing (L-1, L-2)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from oms.billing import states
from oms.billing.models import InvoiceType
from oms.orders.models import SalesOrder
from oms.orders.permissions import can_renegotiate


def billing_of(order: SalesOrder, user: Any) -> dict[str, Any]:
    from oms.billing.actions import billable  # the quantities come from the same rule the action checks

    statements = list(
        order.statements.prefetch_related("lines__order_line", "fees", "invoices").order_by("pk")
    )
    rows = billable(order) if statements or order.shipments.exists() else []
    return {
        "statements": statements,
        "billable": [(ln, left) for ln, left in rows if left > 0],
        "can_prepare_statement": can_renegotiate(user, order) and any(left > 0 for _ln, left in rows),
        "is_finance": states.in_finance(user),
        "invoice_types": InvoiceType.choices,
        "today": f"{timezone.localdate():%Y-%m-%d}",
    }
