"""H-1, H-2, H-4, H-5, H-6: customer stage, ledger, exceptions, idle orders, management overview."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from oms.core.errors import FieldErrors
from oms.engine.workflow import PermissionDenied
from oms.intake import actions as intake
from oms.intake.tests.fixtures import confirmed_order, header, lines, order_in_review
from oms.orders.models import CustomerStage, SalesOrder
from oms.tracking import actions
from oms.tracking.models import ExceptionStatus, WorkItem

pytestmark = pytest.mark.django_db


def test_customer_stage_follows_the_order(org) -> None:
    """H-1: placed until approved; reviewed once the order awaits or has the customer's confirmation."""
    order = order_in_review(org)
    assert order.customer_stage == CustomerStage.PLACED
    order = confirmed_order(org)
    assert [reached for _code, _label, reached in order.customer_stages()] == [
        True,
        True,
        False,
        False,
        False,
    ]


def test_exception_is_owned_escalated_and_resolved_with_its_cause(org) -> None:
    """H-4."""
    order = order_in_review(org)
    exception = actions.raise_exception(
        actor=org["prod"],
        order=order,
        kind="shortage",
        description="轴承缺货",
        responsible=org["procurement_head"],
    )
    item = WorkItem.objects.get(kind="order.exception")
    assert (item.assignee, exception.status) == (org["procurement_head"], ExceptionStatus.OPEN)
    actions.sweep(now=item.due_at + timedelta(minutes=1))
    item.refresh_from_db()
    assert item.escalated_to == org["gm"]
    with pytest.raises(FieldErrors):
        actions.resolve_exception(
            actor=org["procurement_head"], exception=exception, resolution="已调货", cause=""
        )
    with pytest.raises(PermissionDenied):
        actions.resolve_exception(
            actor=org["prod"], exception=exception, resolution="已调货", cause="供应商延迟"
        )
    exception = actions.resolve_exception(
        actor=org["procurement_head"],
        exception=exception,
        resolution="已从二号仓调货",
        cause="供应商延迟",
        liability="供应商承担运费",
        customer_informed=True,
    )
    assert (exception.status, exception.liability, exception.customer_informed) == (
        ExceptionStatus.RESOLVED,
        "供应商承担运费",
        True,
    )
    assert not WorkItem.objects.filter(kind="order.exception", status="open").exists()


def test_exception_needs_a_description(org) -> None:
    order = order_in_review(org)
    with pytest.raises(FieldErrors) as info:
        actions.raise_exception(
            actor=org["prod"], order=order, kind="delay", description=" ", responsible=org["prod_head"]
        )
    assert list(info.value.errors) == ["description"]


def test_idle_order_is_flagged_once_and_cleared_by_a_ledger_entry(org) -> None:
    """H-5."""
    order = intake.submit_order(
        actor=org["sales"], order=intake.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    )
    later = timezone.now() + timedelta(days=4)
    assert actions.flag_idle_orders(now=later) == 1
    assert actions.flag_idle_orders(now=later) == 0
    assert WorkItem.objects.get(kind="order.idle").assignee == org["sales"]
    actions.add_entry(actor=org["sales"], order=order, kind="contact", text="已电话联系客户，确认图纸")
    assert not WorkItem.objects.filter(kind="order.idle", status="open").exists()


def test_overview_puts_orders_at_risk_first_with_bounded_queries(
    client, org, django_assert_max_num_queries
) -> None:
    """H-6."""
    for i in range(25):
        intake.create_order(actor=org["sales"], data=header(org), lines=lines(org), duplicate_reason=f"{i}")
    quiet = SalesOrder.objects.order_by("pk")
    risky = quiet.last()
    actions.raise_exception(
        actor=org["sales"], order=risky, kind="delay", description="设备检修", responsible=org["prod_head"]
    )
    SalesOrder.objects.update(status="pending_check")
    client.force_login(org["exec"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("tracking:overview"))
    rows = response.context["page"].object_list
    assert rows[0].pk == risky.pk and rows[0].risk_exceptions == 1


def test_staff_cannot_open_the_overview(client, org) -> None:
    client.force_login(org["sales"])
    assert client.get(reverse("tracking:overview")).status_code == 404


def test_order_page_shows_stage_ledger_and_exceptions(client, org) -> None:
    order = order_in_review(org)
    client.force_login(org["head"])
    client.post(
        reverse("tracking:order_tracking", args=[order.pk, "entry"]),
        {"kind": "progress", "text": "评审进行中"},
    )
    content = client.get(reverse("workbench:order_detail", args=[order.pk]) + "?tab=records").content.decode()
    assert (
        'data-testid="customer-stage"' in content
        and "评审进行中" in content
        and 'data-testid="raise-exception"' in content
    )


def test_an_idle_order_reminder_is_announced_to_the_salesperson(org) -> None:
    """H-5, T-1: the idle reminder is told to the salesperson who must record progress."""
    from oms.notifications.models import Notification

    order = intake.submit_order(
        actor=org["sales"], order=intake.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    )
    days = order.policy().reporting.idle_days
    actions.flag_idle_orders(now=timezone.now() + timedelta(days=days + 1))
    told = Notification.objects.filter(recipient=org["sales"]).values_list("title", flat=True)
    assert list(told) == [f"订单 {order.number} 已 {days} 天无进展"]
