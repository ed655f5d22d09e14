from __future__ import annotations

from decimal import Decimal
from typing import Any

from conftest import make_user
from oms.intake.tests.fixtures import signed_order


def released_order(org: dict[str, Any], *, quantity: str = "10", **overrides: Any) -> Any:
    """A signed order released to the departments (needs the `more_heads` fixture)."""
    from oms.fulfilment import actions as fulfilment

    return fulfilment.release_order(
        actor=org["head"], order=signed_order(org, quantity=quantity, **overrides)
    )


def in_production(org: dict[str, Any], *, quantity: str = "10") -> Any:
    """Released, the production plan done, the first milestone reported."""
    from oms.fulfilment import actions as fulfilment
    from oms.fulfilment.models import TaskKind

    order = released_order(org, quantity=quantity)
    plan = order.department_tasks.get(kind=TaskKind.PRODUCTION_PLAN)
    fulfilment.complete_task(actor=plan.assignee, task=plan, note="排产完成")
    first = order.milestones.order_by("seq").first()
    fulfilment.report_progress(
        actor=org["prod"], order=order, milestone=first, progress=100, quantity_done=Decimal(quantity)
    )
    order.refresh_from_db()
    return order


def buyer(org: dict[str, Any]) -> Any:
    if "buyer" not in org:
        org["buyer"] = make_user("buyer1", kind="procurement")
    return org["buyer"]


def approve_all(request: Any) -> Any:
    """Every affected department approves, then the leader."""
    from oms.changes import actions
    from oms.changes.models import ChangeTask

    while True:
        task = ChangeTask.objects.filter(request=request, status="open").order_by("stage", "pk").first()
        if task is None:
            break
        actions.give_opinion(actor=task.assignee, task=task, verdict="approve")
    request.refresh_from_db()
    return request


def cancelled_with_open_purchase(org: dict[str, Any]) -> tuple[Any, Any, Any]:
    """J-1: a released order with an open purchase order, then cancelled: the purchase waits for
    procurement's decision with the supplier. Returns (order, buyer, purchase order)."""
    from datetime import date

    from oms.fulfilment import actions as fulfilment
    from oms.partners.models import Supplier

    order = released_order(org)
    buyer = make_user("buyer7", kind="procurement")
    supplier = Supplier.objects.create(code="S1", name="宁波精工", qualification="qualified")
    po = fulfilment.create_purchase_order(
        actor=buyer, order=order, supplier=supplier, lines=[(org["gear"], Decimal("10"), date(2026, 12, 5))]
    )
    approve_all(raise_cancellation(org, order, impact="采购未到货"))
    return order, buyer, po


def raise_cancellation(
    org: dict[str, Any], order: Any, *, reason: str = "客户取消", impact: str = "无"
) -> Any:
    """Sales asks, for the department, to cancel the order, no loss estimated (J-1)."""

    return raise_typed(
        actor=org["sales"],
        order=order,
        kind="cancellation",
        source="department",
        reason=reason,
        impact=impact,
        loss_amount="0",
    )


_HEADER = ("kind", "source", "reason", "impact", "loss_amount", "loss_notes")


def raise_typed(*, actor: Any, order: Any, notice: Any = None, **given: Any) -> Any:
    """`raise_request` with what a test types parsed by the request's forms first, as the page,
    the API and the portal parse it (`oms.changes.forms.change_values`; the action takes typed
    values only, issue 22). Keys that are no input of the form (`customer_name`, `channel`,
    `customer_user`) go to the action as they are."""
    from oms.changes import actions
    from oms.changes.forms import change_values

    header = {k: v for k, v in given.items() if k in _HEADER}
    rest = {k: v for k, v in given.items() if k not in _HEADER and k not in {"terms", "lines"}}
    values = change_values(
        header, given.get("terms"), given.get("lines"), {"customer_notice": notice} if notice else None
    )
    return actions.raise_request(actor=actor, order=order, **values, **rest)
