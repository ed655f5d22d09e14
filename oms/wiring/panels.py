"""What each process stage shows on the order page (H-1), as `(request, order) -> context`.

Each function reads through its app's selectors; `wiring._order_panels` registers them in
process order, and `oms.workbench` renders whatever is registered without knowing the apps."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from oms.accounts.models import User
from oms.billing import selectors as billing_selectors
from oms.changes import selectors as change_selectors
from oms.contracts import selectors as contract_selectors
from oms.delivery import selectors as delivery_selectors
from oms.engine import workflow
from oms.fulfilment import selectors as fulfilment_selectors
from oms.fulfilment import states as fulfilment_states
from oms.orders import permissions
from oms.orders.models import OrderStatus, SalesOrder
from oms.quality import selectors as quality_selectors
from oms.review import actions as review_actions
from oms.review import selectors as review_selectors
from oms.tracking import selectors as tracking_selectors
from oms.tracking import states as tracking_states
from oms.tracking.models import EntryKind, ExceptionKind, ExceptionStatus
from oms.tracking.permissions import can_record_entry, can_write_tracking


def review(request: HttpRequest, order: SalesOrder) -> dict[str, Any]:
    """C-5, D-1, D-2, D-3: the order's review rounds, approval steps and confirmation."""
    deadline = review_actions.modification_deadline(order)
    return {
        "rounds": review_selectors.rounds_of(order),
        "steps": review_selectors.approval_steps_of(order),
        "can_renegotiate": permissions.can_renegotiate(request.user, order),
        "modification_deadline": deadline,
        "modification_open": bool(
            deadline and order.status == OrderStatus.CONFIRMED and timezone.now() <= deadline
        ),
        "modifications": list(order.modifications.select_related("applied_by")),
    }


def contract(request: HttpRequest, order: SalesOrder) -> dict[str, Any]:
    """E-2, E-3: the order's contract and documents, in brief (the documents page has the rest)."""
    return contract_selectors.contract_summary(order)


def changes(request: HttpRequest, order: SalesOrder) -> dict[str, Any]:
    """I-4, J-1: the order's change log and the buttons to ask for a change or a cancellation."""
    return change_selectors.order_panel(request.user, order)


def fulfilment(request: HttpRequest, order: SalesOrder) -> dict[str, Any]:
    """E, F: departments' tasks, procurement, production, stock and shipments; release (E-5),
    offered as the toolbar offers it: enabled only when no guard refuses it (F-1: the signed
    contract, the prepayment), else disabled with the guards' reasons."""
    release = workflow.offered(fulfilment_states.RELEASE, order, request.user)
    return {
        **fulfilment_selectors.execution_of(order, open_lines=request.GET.get("push") == "shipment"),
        "can_release": release == [],
        "release_blocked": release or [],
    }


def delivery(request: HttpRequest, order: SalesOrder) -> dict[str, Any]:
    """G: deliveries and the customer's acceptance; each shipment names the statements that
    settle it (issue 23 point 6: the documents generated from it)."""
    context = delivery_selectors.deliveries_of(order, request.user)
    if context["deliveries"] and order.statements.exists():
        _by_statement, by_shipment = billing_selectors.statement_links(order)
        for shipment, _acceptance in context["deliveries"]:
            shipment.generated_statements = by_shipment.get(shipment.pk, [])
    return context


def billing(request: HttpRequest, order: SalesOrder) -> dict[str, Any]:
    """L: statements, invoices, payments and the order's closure. 下推 (issue 23 point 6):
    `?push=statement` fills the statement form's reconciliation contact (its quantities are the
    accepted ones already), `?push=invoice&statement=<id>` the invoice form with what of that
    statement is not invoiced yet; each statement names the accepted shipments it settles."""
    context = billing_selectors.billing_of(order, request.user)
    if context["statements"]:
        by_statement, _by_shipment = billing_selectors.statement_links(order)
        for statement in context["statements"]:
            statement.source_shipments = by_statement.get(statement.pk, [])
            statement.uninvoiced = billing_selectors.uninvoiced(statement)
    push, chosen = request.GET.get("push", ""), request.GET.get("statement", "")
    context["push_statement"] = push == "statement"
    context["push_invoice"] = int(chosen) if push == "invoice" and chosen.isdigit() else None
    return context


def quality(request: HttpRequest, order: SalesOrder) -> dict[str, Any]:
    """K: the inspection plan, inspections and non-conformances."""
    return quality_selectors.quality_of(order, request.user)


def tracking(request: HttpRequest, order: SalesOrder) -> dict[str, Any]:
    """H-2, H-3, H-4: the tracking ledger and exceptions, and what the viewer may record."""
    exceptions = tracking_selectors.exceptions_of(order)
    for e in exceptions:
        # H-4, P-5: the resolve form is offered to whoever the engine lets resolve it.
        e.may_resolve = e.status == ExceptionStatus.OPEN and workflow.may(
            tracking_states.RESOLVE, e, request.user
        )
    return {
        "exceptions": exceptions,
        # S-1: an auditor reads the ledger and the exceptions and is offered no form.
        "may_write_tracking": can_write_tracking(request.user),
        "ledger": tracking_selectors.ledger_of(order),
        # H-3: a department's periodic report is offered to that department only.
        "entry_kinds": [c for c in EntryKind.choices if can_record_entry(request.user, c[0])],
        "exception_kinds": ExceptionKind.choices,
        "people": User.objects.filter(is_active=True, department__isnull=False)
        .select_related("department")
        .order_by("department__code", "username"),
    }
