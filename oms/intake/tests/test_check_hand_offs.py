"""T-1, B-6: every hand-off of the preliminary check is announced to the person it now waits on —
the sales head when an order is submitted or supplemented, the salesperson when it is sent back
for information, management when it is escalated — and the finished step closes with it (H-5)."""

from __future__ import annotations

from typing import Any

import pytest

from oms.intake import actions
from oms.intake.tests.fixtures import header, lines
from oms.notifications.models import Notification
from oms.orders.models import SalesOrder
from oms.tracking.models import WorkItem

pytestmark = pytest.mark.django_db


def _draft(org: dict[str, Any]) -> SalesOrder:
    return actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))


def _told(person: Any) -> list[str]:
    return list(Notification.objects.filter(recipient=person).order_by("pk").values_list("title", flat=True))


def _open_steps(order: SalesOrder) -> list[tuple[str, Any]]:
    return list(
        WorkItem.objects.filter(order=order, status="open").order_by("pk").values_list("kind", "assignee")
    )


def test_submitting_tells_the_sales_head_to_check_the_order(org: dict[str, Any]) -> None:
    order = actions.submit_order(actor=org["sales"], order=_draft(org))
    assert _told(org["head"]) == [f"请初审订单 {order.number}"]
    assert _open_steps(order) == [("order.check", org["head"].pk)]


def test_sending_back_for_information_tells_the_salesperson_what_to_supplement(org: dict[str, Any]) -> None:
    order = actions.submit_order(actor=org["sales"], order=_draft(org))
    order = actions.request_info(actor=org["head"], order=order, reason="请确认付款方式")
    assert _told(org["sales"]) == [f"补充订单 {order.number} 的资料：请确认付款方式"]
    assert _open_steps(order) == [("order.supplement", org["sales"].pk)]


def test_the_supplemented_order_is_announced_to_the_sales_head_again(org: dict[str, Any]) -> None:
    order = actions.submit_order(actor=org["sales"], order=_draft(org))
    order = actions.request_info(actor=org["head"], order=order, reason="请确认付款方式")
    order = actions.complete_info(actor=org["sales"], order=order)
    assert _told(org["head"]) == [f"请初审订单 {order.number}"] * 2
    assert _open_steps(order) == [("order.check", org["head"].pk)]


def test_escalating_tells_management_what_to_decide(org: dict[str, Any]) -> None:
    order = actions.submit_order(actor=org["sales"], order=_draft(org))
    order = actions.escalate(actor=org["head"], order=order, reason="超出信用额度，请决定")
    [(kind, assignee)] = _open_steps(order)
    assert kind == "order.decision"
    assert assignee is not None
    assert _told(assignee) == [f"决定是否接单 {order.number}：超出信用额度，请决定"]


def test_a_declined_order_is_announced_to_its_salesperson_with_the_reason(org: dict[str, Any]) -> None:
    order = actions.submit_order(actor=org["sales"], order=_draft(org))
    order = actions.escalate(actor=org["head"], order=order, reason="超出信用额度，请决定")
    order = actions.decide(actor=org["exec"], order=order, accept=False, reason="风险过高")
    assert _told(org["sales"]) == [f"管理层决定不接单 {order.number}：风险过高"]
    assert _open_steps(order) == []
