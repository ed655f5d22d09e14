"""What the order page shows of settlement and invoicing (L-1, L-2), and the quantities the
statement rules count (K-3 → L-1)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from oms.billing import states
from oms.billing.models import BILLING_STATUSES, DunningKind, InvoiceType, PaymentMatch, StatementLine
from oms.core.money import plain_number
from oms.delivery.models import ACCEPTING, Acceptance
from oms.fulfilment.models import ShipmentLine
from oms.orders.models import SalesOrder
from oms.orders.permissions import can_renegotiate
from oms.policy.selectors import policy
from oms.policy.visibility import visible_field_groups

_BILLED_STATUSES = {"confirmed", "released", "in_production", "on_hold", "shipped", "received", "closed"}


def accepted_quantities(order: SalesOrder) -> dict[int, Decimal]:
    """K-3 → L-1: per order line, what the customer accepted (the latest acceptance of each
    shipment counts)."""
    accepted = accepted_shipment_ids(order)
    rows = (
        ShipmentLine.objects.filter(shipment_id__in=accepted)
        .values("order_line_id")
        .annotate(q=Sum("quantity"))
    )
    return {r["order_line_id"]: r["q"] for r in rows}


def billed_quantities(order: SalesOrder) -> dict[int, Decimal]:
    """What statements under review or approved already settle, per order line."""
    rows = (
        StatementLine.objects.filter(statement__order=order, statement__status__in=BILLING_STATUSES)
        .values("order_line_id")
        .annotate(q=Sum("quantity"))
    )
    return {r["order_line_id"]: r["q"] for r in rows}


def billable(order: SalesOrder) -> list[tuple[Any, Decimal]]:
    """(order line, quantity accepted and not yet on a statement), for the statement form; the
    same rule `prepare_statement` checks (L-1)."""
    accepted, billed = accepted_quantities(order), billed_quantities(order)
    return [
        (ln, accepted.get(ln.pk, Decimal("0")) - billed.get(ln.pk, Decimal("0")))
        for ln in order.lines.select_related("product").order_by("line_no")
    ]


def payments_on(order: SalesOrder) -> list[PaymentMatch]:
    """Issue 23: the payments (收款) matched to the order's invoices, each with its number, as
    the order page lists them (one query)."""
    return list(
        PaymentMatch.objects.filter(invoice__statement__order=order)
        .select_related("payment", "invoice", "invoice__reversed_by")
        .order_by("payment__received_on", "payment__pk", "pk")
    )


def tax_rate_choices() -> list[tuple[str, str]]:
    """Issue 23: the policy's VAT rates as (value, label): ("13", "13%")."""
    return [(plain_number(r), f"{plain_number(r)}%") for r in policy().tax.rates]


_NOTHING_TO_SETTLE: dict[str, Any] = {
    "statements": [],
    "billable": [],
    "can_prepare_statement": False,
    "instalments": [],
    "may_schedule": False,
    "closure_missing": [],
    "statement_rows": [],
    "payments": [],
    "can_close": False,
}


def billing_of(order: SalesOrder, user: Any) -> dict[str, Any]:
    """The order page's settlement panel: statements, invoices, instalments and closure (L-1..L-5, M-1)."""
    from oms.billing.closure import missing

    if order.status not in _BILLED_STATUSES:
        # Before goods go out there is nothing to settle: no queries for the order page.
        return dict(_NOTHING_TO_SETTLE)
    statements = list(
        order.statements.prefetch_related(
            "lines__order_line",
            "fees",
            "invoices__matches",
            "invoices__dunning_steps",
            "invoices__reverses",
            "invoices__reversed_by",
        ).order_by("pk")
    )
    rows = billable(order) if statements or order.shipments.exists() else []
    closable = order.status == "received"
    return {
        "closure_missing": missing(order, amounts="price" in visible_field_groups(user)) if closable else [],
        "can_close": closable and states.can_close(user, order),
        "statements": statements,
        "payments": payments_on(order),
        "instalments": list(order.instalments.filter(superseded=False).order_by("seq")),
        "may_schedule": order.payment_terms == "instalments"
        and (can_renegotiate(user, order) or states.in_finance(user))
        and not order.instalments.filter(superseded=False, invoices__isnull=False).exists(),
        "schedule_rows": [(i, "", "") for i in range(4)],
        "billable": [(ln, left) for ln, left in rows if left > 0],
        # The statement form's rows: each line's quantity left, offered as what to settle.
        "statement_rows": [(ln, left, plain_number(left)) for ln, left in rows if left > 0],
        "fee_rows": [(i, "", "") for i in range(2)],
        "can_prepare_statement": can_renegotiate(user, order) and any(left > 0 for _ln, left in rows),
        "is_finance": states.in_finance(user),
        "invoice_types": InvoiceType.choices,
        "tax_rates": tax_rate_choices(),
        "default_tax_rate": plain_number(policy().tax.default_rate),
        "dunning_kinds": DunningKind.choices,
        "today": f"{timezone.localdate():%Y-%m-%d}",
        "today_date": timezone.localdate(),
    }


def accepted_shipment_ids(order: SalesOrder) -> list[int]:
    """K-3: the order's shipments whose latest acceptance accepts the goods."""
    latest: dict[int, str] = {}
    for shipment_id, result in (
        Acceptance.objects.filter(shipment__order=order)
        .order_by("created_at", "pk")
        .values_list("shipment_id", "result")
    ):
        latest[shipment_id] = result
    return [sid for sid, result in latest.items() if result in ACCEPTING]


def statement_links(order: SalesOrder) -> tuple[dict[int, list[int]], dict[int, list[Any]]]:
    """下推 (issue 23 point 6, L-1): which accepted shipments each statement settles and which
    statements settle each shipment, through the order lines both carry (StatementLine and
    ShipmentLine → OrderLine); returned statements settle nothing. Two queries.
    Returns (statement id → shipment numbers, shipment id → statements)."""
    accepted = ShipmentLine.objects.filter(shipment_id__in=accepted_shipment_ids(order)).values_list(
        "shipment_id", "shipment__number", "order_line_id"
    )
    shipments_of_line: dict[int, set[tuple[int, int]]] = {}
    for shipment_id, number, line_id in accepted:
        shipments_of_line.setdefault(line_id, set()).add((shipment_id, number))
    by_statement: dict[int, set[tuple[int, int]]] = {}
    statements: dict[int, Any] = {}
    for sl in StatementLine.objects.filter(
        statement__order=order, statement__status__in=BILLING_STATUSES
    ).select_related("statement"):
        statements[sl.statement_id] = sl.statement
        by_statement.setdefault(sl.statement_id, set()).update(shipments_of_line.get(sl.order_line_id, ()))
    by_shipment: dict[int, list[Any]] = {}
    for statement_id, pairs in sorted(by_statement.items()):
        for shipment_id, _number in pairs:
            by_shipment.setdefault(shipment_id, []).append(statements[statement_id])
    return {k: sorted(n for _sid, n in v) for k, v in by_statement.items()}, by_shipment


def uninvoiced(statement: Any) -> Decimal:
    """L-2: what of an approved statement no invoice covers yet (its invoices prefetched)."""
    return Decimal(statement.total) - sum((inv.amount for inv in statement.invoices.all()), Decimal("0"))
