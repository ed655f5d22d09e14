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
