"""What the order page shows of settlement and invoicing (L-1, L-2)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from oms.billing import states
from oms.billing.models import DunningKind, InvoiceType
from oms.orders.models import SalesOrder
from oms.orders.permissions import can_renegotiate
from oms.policy.visibility import visible_field_groups

_BILLED_STATUSES = {"confirmed", "released", "in_production", "on_hold", "shipped", "received", "closed"}


def billing_of(order: SalesOrder, user: Any) -> dict[str, Any]:
    from oms.billing.actions import billable  # the quantities come from the same rule the action checks

    if order.status not in _BILLED_STATUSES:
        # Before goods go out there is nothing to settle: no queries for the order page.
        return {
            "statements": [],
            "billable": [],
            "can_prepare_statement": False,
            "instalments": [],
            "may_schedule": False,
            "closure_missing": [],
            "can_close": False,
        }
    statements = list(
        order.statements.prefetch_related(
            "lines__order_line", "fees", "invoices__allocations", "invoices__dunning_steps"
        ).order_by("pk")
    )
    rows = billable(order) if statements or order.shipments.exists() else []
    from oms.billing.closure import missing

    closable = order.status == "received"
    return {
        "closure_missing": missing(order, amounts="price" in visible_field_groups(user)) if closable else [],
        "can_close": closable and states.can_close(user, order),
        "statements": statements,
        "instalments": list(order.instalments.filter(superseded=False).order_by("seq")),
        "may_schedule": order.payment_terms == "instalments"
        and (can_renegotiate(user, order) or states.in_finance(user))
        and not order.instalments.filter(superseded=False, invoices__isnull=False).exists(),
        "schedule_rows": range(4),
        "billable": [(ln, left) for ln, left in rows if left > 0],
        "can_prepare_statement": can_renegotiate(user, order) and any(left > 0 for _ln, left in rows),
        "is_finance": states.in_finance(user),
        "invoice_types": InvoiceType.choices,
        "dunning_kinds": DunningKind.choices,
        "today": f"{timezone.localdate():%Y-%m-%d}",
        "today_date": timezone.localdate(),
    }
