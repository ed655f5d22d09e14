"""H-5, P-3: an order that ends (closed, cancelled, declined) waits on nobody: each action that
ends it withdraws every open step of it and of what belongs to it, with the reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps

from oms.billing import actions as billing
from oms.devtools.diagrams import tables
from oms.engine.workflow import InvalidTransition
from oms.intake import actions as intake
from oms.intake.tests.fixtures import header, order_in_review
from oms.orders.models import OrderStatus
from oms.review import actions as review
from oms.review.models import ReviewTask
from oms.tracking import actions
from oms.tracking.models import WorkItem, WorkStatus

pytestmark = pytest.mark.django_db

_ENDS = {OrderStatus.CLOSED, OrderStatus.CANCELLED, OrderStatus.DECLINED}


def _exception(org: dict[str, Any], order: Any) -> WorkItem:
    """An open step of the order owned by another department (an exception to handle)."""
    actions.raise_exception(
        actor=org["prod"],
        order=order,
        kind="shortage",
        description="轴承缺货",
        responsible=org["procurement_head"],
    )
    return WorkItem.objects.get(order=order, kind="order.exception")


def _draft(org: dict[str, Any]) -> Any:
    return intake.create_order(
        actor=org["sales"],
        data=header(org),
        lines=[{"product": org["gear"].pk, "quantity": "2", "unit_price": "1000"}],
        duplicate_reason="test",
    )


def test_every_end_of_an_order_is_one_of_the_actions_that_end_its_steps() -> None:
    """H-5: the transitions into an end state are exactly those whose actions call
    end_order_items (intake.cancel_draft, intake.decide, review.cancel_after_review,
    changes._cancel, billing.close_order); a new one must join them."""
    ends = {
        t.name
        for table in tables()
        if table.name == "order" or table.name.startswith("order_")
        for t in table.transitions.values()
        if t.target in _ENDS
    }
    assert ends == {"cancel_draft", "decline", "cancel_after_review", "cancel_order", "close_order"}


def test_voiding_a_draft_withdraws_its_steps(org) -> None:
    """H-5: a voided draft's open steps are withdrawn with the reason."""
    order = _draft(org)
    item = _exception(org, order)
    intake.cancel_draft(actor=org["sales"], order=order, reason="客户撤回")
    item.refresh_from_db()
    assert (item.status, item.outcome, item.closed_by) == (
        WorkStatus.CANCELLED,
        "订单已结束：客户撤回",
        org["sales"],
    )


def test_declining_withdraws_every_open_step(org) -> None:
    """H-5, B-6: management declines the escalated order; nothing of it stays open."""
    order = intake.submit_order(actor=org["sales"], order=_draft(org))
    order = intake.escalate(actor=org["head"], order=order, reason="信用超限")
    item = _exception(org, order)
    intake.decide(actor=org["exec"], order=order, accept=False, reason="风险过高")
    item.refresh_from_db()
    assert (item.status, item.outcome) == (WorkStatus.CANCELLED, "订单已结束：不接单：风险过高")
    assert not WorkItem.objects.filter(order=order, status=WorkStatus.OPEN).exists()


def test_cancelling_after_a_failed_review_withdraws_every_open_step(org) -> None:
    """H-5, C-6: the renegotiation and any other open step end with the cancellation."""
    order = order_in_review(org)
    task = ReviewTask.objects.filter(round__order=order, status="open").first()
    review.give_opinion(actor=task.assignee, task=task, verdict="reject", comment="产能不足")
    order.refresh_from_db()
    if order.status == OrderStatus.IN_REVIEW:  # sequential or chair decides: reject the rest too
        while (t := ReviewTask.objects.filter(round__order=order, status="open").first()) is not None:
            review.give_opinion(actor=t.assignee, task=t, verdict="reject", comment="同上")
        order.refresh_from_db()
    assert order.status == OrderStatus.REVIEW_FAILED
    assert WorkItem.objects.filter(order=order, kind="order.renegotiate", status=WorkStatus.OPEN).exists()
    review.cancel_after_review(actor=org["sales"], order=order, reason="客户不接受")
    assert list(WorkItem.objects.filter(order=order, status=WorkStatus.OPEN)) == []
    assert set(
        WorkItem.objects.filter(order=order, kind="order.renegotiate").values_list("outcome", flat=True)
    ) == {"订单已结束：客户不接受"}


def test_a_refused_closure_changes_no_step(org) -> None:
    """H-5, M-1: closing an order that is not received is refused; its steps stay as they were."""
    order = order_in_review(org)
    before = list(WorkItem.objects.filter(order=order).values_list("pk", "status", "outcome").order_by("pk"))
    with pytest.raises(InvalidTransition):
        billing.close_order(actor=org["sales"], order=order)
    assert (
        list(WorkItem.objects.filter(order=order).values_list("pk", "status", "outcome").order_by("pk"))
        == before
    )
    assert WorkStatus.OPEN in {s for _p, s, _o in before}


def test_a_cancelled_orders_purchase_decision_outlives_it(more_heads) -> None:
    """J-1: procurement's decision on an open purchase of a cancelled order stays in its work."""
    from oms.changes.tests.fixtures import cancelled_with_open_purchase

    order, _buyer, po = cancelled_with_open_purchase(more_heads)
    open_items = list(
        WorkItem.objects.filter(order=order, status=WorkStatus.OPEN).values_list("kind", "object_id")
    )
    assert open_items == [("purchase.decision", po.pk)]


def test_a_step_records_the_order_of_its_target(org) -> None:
    """H-5: a review task's step knows its order, though the task reaches it through its round."""
    order = order_in_review(org)
    items = WorkItem.objects.filter(kind="review.task")
    assert items.exists() and set(items.values_list("order", flat=True)) == {order.pk}


def test_a_step_of_an_order_object_without_its_order_is_refused(org) -> None:
    """H-5: a step whose order cannot be found would outlive its order; it is refused."""
    from oms.policy.selectors import work_calendar

    task = ReviewTask.objects.filter(round__order=order_in_review(org)).first()
    count = WorkItem.objects.count()
    with pytest.raises(ValueError):
        actions.open_item(
            target=task,
            kind="review.task",
            title="x",
            department=task.department,
            assignee=None,
            calendar=work_calendar(),
            hours=1,
        )
    assert WorkItem.objects.count() == count


def test_the_migration_gives_existing_steps_their_order(org) -> None:
    """H-5: the backfill finds each step's order through its target."""
    import importlib

    backfill = importlib.import_module("oms.tracking.migrations.0007_workitem_order").backfill
    order = order_in_review(org)
    _exception(org, order)
    expected = dict(WorkItem.objects.values_list("pk", "order"))
    assert len(expected) > 2 and set(expected.values()) == {order.pk}
    WorkItem.objects.update(order=None)
    backfill(apps, None)
    assert dict(WorkItem.objects.values_list("pk", "order")) == expected
