"""Change and cancellation requests: who reviews, what is refused, what an approval does (I-1..I-4, J-1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import make_user
from oms.catalog.models import StockLevel, Warehouse
from oms.changes import actions
from oms.changes.models import ChangeRequest, ChangeTask, RequestStatus
from oms.changes.tests.fixtures import approve_all, raise_cancellation, raise_typed, released_order
from oms.core.errors import ActionError, FieldErrors, NotAllowed, StaleVersion
from oms.engine.workflow import PermissionDenied
from oms.fulfilment import actions as fulfilment
from oms.fulfilment.models import ReservationStatus, TaskKind
from oms.fulfilment.tests.fixtures import CHECKED
from oms.intake.tests.fixtures import confirmed_order, set_policy
from oms.orders.models import OrderStatus
from oms.quality.tests.fixtures import pass_final_inspection
from oms.tracking.models import WorkItem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _change(org: dict[str, Any], order: Any, quantity: str = "12", **kwargs: Any) -> ChangeRequest:
    line = order.lines.get()
    args: dict[str, Any] = {
        "actor": org["sales"],
        "order": order,
        "kind": "change",
        "source": "department",
        "reason": "追加",
        "impact": "生产增加",
        "lines": [
            {"line": line.pk, "quantity": quantity, "unit_price": str(line.unit_price), "spec": line.spec}
        ],
    }
    args.update(kwargs)
    return raise_typed(**args)


def _ship(org: dict[str, Any], order: Any, quantity: str) -> None:
    shipper = org.get("shipper") or make_user("lg1", kind="logistics")
    org["shipper"] = shipper
    pass_final_inspection(order)  # K-2: quality releases the goods before they ship
    fulfilment.ship(
        **CHECKED,
        actor=shipper,
        order=order,
        mode="pickup",
        shipped_on=date(2026, 12, 1),
        quantities={order.lines.get().pk: Decimal(quantity)},
    )


def test_delivery_place_goes_to_logistics_and_finance(more_heads) -> None:
    """I-2: the policy's rule for a delivery place change names exactly logistics and finance."""
    order = released_order(more_heads)
    request = raise_typed(
        actor=more_heads["sales"],
        order=order,
        kind="change",
        source="department",
        reason="客户换仓库",
        impact="运输路线变化",
        terms={"delivery_place": "苏州工业园区"},
    )
    assert request.departments == ["logistics", "finance"]
    assert sorted(
        ChangeTask.objects.filter(request=request, status="open").values_list("department_kind", flat=True)
    ) == ["finance", "logistics"]


def test_quantity_below_shipped_is_refused(more_heads) -> None:
    order = released_order(more_heads)
    _ship(more_heads, order, "6")
    with pytest.raises(FieldErrors) as refused:
        _change(more_heads, order, quantity="5")
    assert refused.value.errors == {"lines.0.quantity": ["第 1 行已发货 6，变更后的数量不能少于已发货数量。"]}
    assert ChangeRequest.objects.count() == 0
    assert order.lines.get().quantity == Decimal("10")


def test_change_of_a_cancelled_order_is_refused(org) -> None:
    order = confirmed_order(org)
    order.status = OrderStatus.CANCELLED
    order.save(update_fields=["status"])
    with pytest.raises(ActionError) as refused:
        _change(org, order)
    assert (
        refused.value.message
        == "订单当前状态为“已取消”，只有客户确认后、全部发货前的订单才能申请变更或取消。"
    )
    assert ChangeRequest.objects.count() == 0


def test_second_request_on_the_same_line_is_refused_while_the_first_is_open(more_heads) -> None:
    order = released_order(more_heads)
    first = _change(more_heads, order, quantity="12")
    with pytest.raises(ActionError) as refused:
        _change(more_heads, order, quantity="14")
    assert refused.value.message == f"第 1 行正在申请 {first.number} 中变更，请等它结束或撤回后再提交。"
    assert ChangeRequest.objects.count() == 1


def test_a_request_on_other_terms_may_run_beside_an_open_one(more_heads) -> None:
    order = released_order(more_heads)
    _change(more_heads, order, quantity="12")
    other = raise_typed(
        actor=more_heads["sales"],
        order=order,
        kind="change",
        source="department",
        reason="换地址",
        impact="无",
        terms={"delivery_place": "苏州"},
    )
    assert other.status == RequestStatus.IN_REVIEW
    assert ChangeRequest.objects.filter(status="in_review").count() == 2


def test_line_free_after_the_first_request_is_withdrawn(more_heads) -> None:
    order = released_order(more_heads)
    first = _change(more_heads, order, quantity="12")
    actions.withdraw(actor=more_heads["sales"], request=first, reason="客户改主意")
    first.refresh_from_db()
    assert first.status == RequestStatus.WITHDRAWN
    assert not WorkItem.objects.filter(content_type__model="changetask", status="open").exists()
    assert _change(more_heads, order, quantity="14").status == RequestStatus.IN_REVIEW


def test_someone_else_cannot_withdraw(more_heads) -> None:
    order = released_order(more_heads)
    first = _change(more_heads, order)
    with pytest.raises(PermissionDenied):
        actions.withdraw(actor=more_heads["prod"], request=first, reason="不要了")
    first.refresh_from_db()
    assert first.status == RequestStatus.IN_REVIEW


def test_cancellation_after_full_shipment_is_refused_as_a_return(more_heads) -> None:
    order = released_order(more_heads)
    _ship(more_heads, order, "10")
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    with pytest.raises(ActionError) as refused:
        raise_cancellation(more_heads, order, reason="不要了")
    assert refused.value.message == "订单已全部发货，不能取消，请按退货处理。"
    assert (ChangeRequest.objects.count(), order.status) == (0, OrderStatus.SHIPPED)


def test_cancellation_is_refused_while_a_change_is_open(more_heads) -> None:
    order = released_order(more_heads)
    first = _change(more_heads, order)
    with pytest.raises(ActionError) as refused:
        raise_cancellation(more_heads, order, reason="不要了")
    assert refused.value.message == f"订单已有未结束的申请 {first.number}，请等它结束或撤回后再提交。"
    assert ChangeRequest.objects.count() == 1


def test_customer_request_needs_the_written_notice(more_heads) -> None:
    order = released_order(more_heads)
    with pytest.raises(FieldErrors) as refused:
        _change(more_heads, order, source="customer")
    assert refused.value.errors == {"customer_notice": ["客户提出的申请须附客户书面通知。"]}
    assert ChangeRequest.objects.count() == 0


def test_the_notice_requirement_is_a_policy_setting(more_heads) -> None:
    set_policy(more_heads, changes__customer_notice_required=False)
    order = released_order(more_heads)
    assert _change(more_heads, order, source="customer").source == "customer"


def test_a_customer_request_through_sales_is_shown_as_recorded_by_sales(more_heads) -> None:
    """I-1: a customer's request that sales brings in says so: the customer raised it, sales
    recorded it; a department's own request names its raiser and department."""
    set_policy(more_heads, changes__customer_notice_required=False)
    order = released_order(more_heads)
    change = _change(more_heads, order, source="customer")
    sales = more_heads["sales"].get_full_name() or more_heads["sales"].username
    assert (change.channel, change.customer_user) == ("sales", None)
    assert change.raiser_display == f"客户（{order.customer.name}）提出，销售{sales} 代录"
    change.source = "department"
    assert change.raiser_display == f"{sales}（{more_heads['sales'].department}）"


def test_nothing_changed_is_refused(more_heads) -> None:
    order = released_order(more_heads)
    with pytest.raises(FieldErrors) as refused:
        _change(more_heads, order, quantity="10")
    assert refused.value.errors == {"lines": ["新条款与订单现有内容相同，没有需要变更的内容。"]}


def test_cancellation_needs_a_loss_estimate(more_heads) -> None:
    order = released_order(more_heads)
    with pytest.raises(FieldErrors) as refused:
        raise_typed(
            actor=more_heads["sales"],
            order=order,
            kind="cancellation",
            source="department",
            reason="x",
            impact="y",
        )
    assert refused.value.errors == {"loss_amount": ["请填写估算损失金额（不小于 0）。"]}


def test_only_the_reviewer_gives_the_opinion(more_heads) -> None:
    order = released_order(more_heads)
    request = _change(more_heads, order)
    task = ChangeTask.objects.get(request=request, department_kind="production")
    with pytest.raises(NotAllowed):
        actions.give_opinion(actor=more_heads["sales"], task=task, verdict="approve")
    task.refresh_from_db()
    assert (task.status, task.verdict) == ("open", "")


def test_stale_opinion_is_refused(more_heads) -> None:
    order = released_order(more_heads)
    request = _change(more_heads, order)
    task = ChangeTask.objects.get(request=request, department_kind="production")
    with pytest.raises(StaleVersion):
        actions.give_opinion(actor=task.assignee, task=task, verdict="approve", version=task.version - 1)
    task.refresh_from_db()
    assert task.status == "open"


def test_the_leader_opens_only_after_every_department(more_heads) -> None:
    order = released_order(more_heads)
    request = _change(more_heads, order)
    tasks = ChangeTask.objects.filter(request=request, is_leader=False).order_by("pk")
    for task in tasks[:2]:
        actions.give_opinion(actor=task.assignee, task=task, verdict="approve")
    leader = ChangeTask.objects.get(request=request, is_leader=True)
    assert leader.status == "waiting"
    last = tasks.last()
    assert last is not None
    actions.give_opinion(actor=last.assignee, task=last, verdict="approve")
    leader.refresh_from_db()
    request.refresh_from_db()
    assert (leader.status, request.status) == ("open", RequestStatus.IN_APPROVAL)


def test_the_approving_leader_is_a_policy_setting(more_heads) -> None:
    set_policy(more_heads, changes__approver="sales_head")
    order = released_order(more_heads)
    request = _change(more_heads, order)
    assert ChangeTask.objects.get(request=request, is_leader=True).assignee == more_heads["head"]


def test_sequential_review_opens_one_department_at_a_time(more_heads) -> None:
    set_policy(more_heads, review__mode="sequential")
    order = released_order(more_heads)
    request = _change(more_heads, order)
    open_now = list(
        ChangeTask.objects.filter(request=request, status="open").values_list("department_kind", flat=True)
    )
    assert open_now == ["production"]


def test_shipped_during_review_blocks_the_approval(more_heads) -> None:
    """A change cannot make a line smaller than what has shipped since the request was raised."""
    order = released_order(more_heads)
    request = _change(more_heads, order, quantity="4")
    _ship(more_heads, order, "6")
    for task in ChangeTask.objects.filter(request=request, is_leader=False):
        actions.give_opinion(actor=task.assignee, task=task, verdict="approve")
    leader = ChangeTask.objects.get(request=request, is_leader=True)
    with pytest.raises(ActionError) as refused:
        actions.give_opinion(actor=leader.assignee, task=leader, verdict="approve")
    assert refused.value.message == "第 1 行在评审期间已发货 6，超过变更后的数量；请撤回申请后重新提交。"
    leader.refresh_from_db()
    request.refresh_from_db()
    assert (leader.status, request.status, order.lines.get().quantity) == (
        "open",
        RequestStatus.IN_APPROVAL,
        Decimal("10"),
    )


def test_a_smaller_quantity_releases_the_stock_held_beyond_it(more_heads) -> None:
    """I-3: reservations beyond the new quantity go back to stock."""
    order = released_order(more_heads)
    warehouse = make_user("wh1", kind="warehouse")
    level = StockLevel.objects.create(
        product=more_heads["gear"],
        warehouse=Warehouse.objects.create(code="W1", name="成品仓"),
        on_hand=Decimal("20"),
    )
    line = order.lines.get()
    fulfilment.reserve(
        actor=warehouse, order=order, line_id=line.pk, stock_level_id=level.pk, quantity=Decimal("6")
    )
    fulfilment.reserve(
        actor=warehouse, order=order, line_id=line.pk, stock_level_id=level.pk, quantity=Decimal("4")
    )
    approve_all(_change(more_heads, order, quantity="7"))
    level.refresh_from_db()
    assert level.reserved == Decimal("6")
    assert list(order.reservations.order_by("pk").values_list("status", flat=True)) == [
        ReservationStatus.RESERVED,
        ReservationStatus.RELEASED,
    ]


def test_a_new_delivery_date_moves_allocation_and_milestones(more_heads) -> None:
    order = released_order(more_heads)
    allocation = order.department_tasks.get(kind=TaskKind.WAREHOUSE_ALLOCATION)
    milestone = order.milestones.order_by("seq").first()
    assert milestone is not None
    request = raise_typed(
        actor=more_heads["sales"],
        order=order,
        kind="change",
        source="department",
        reason="客户推迟",
        impact="无",
        terms={"delivery_date": "2027-01-27"},
    )
    approve_all(request)
    moved = order.department_tasks.get(kind=TaskKind.WAREHOUSE_ALLOCATION)
    new_first = order.milestones.get(pk=milestone.pk)
    assert (moved.due_at - allocation.due_at).days == 7
    assert (new_first.planned_date - milestone.planned_date).days == 7


def test_added_and_removed_lines(more_heads) -> None:
    """I-3: a new product is a new line after the last; a removed line is kept, marked removed."""
    order = released_order(more_heads)
    old = order.lines.get()
    request = raise_typed(
        actor=more_heads["sales"],
        order=order,
        kind="change",
        source="department",
        reason="换型",
        impact="技术确认",
        lines=[{"product": more_heads["motor"].pk, "quantity": "3", "unit_price": "500"}],
    )
    assert request.aspects == ["lines"]
    approve_all(request)
    order.refresh_from_db()
    assert [(ln.line_no, ln.product_id, ln.quantity) for ln in order.lines.all()] == [
        (2, more_heads["motor"].pk, Decimal("3"))
    ]
    old.refresh_from_db()
    assert old.removed is True
    assert order.total_amount == Decimal("1500.00")


def test_escalated_superior_may_decide(more_heads) -> None:
    """C-3 applies to change review too: the sweeper escalates an overdue task to the superior."""
    from datetime import timedelta

    from oms.tracking.actions import sweep

    order = released_order(more_heads)
    request = _change(more_heads, order)
    task = ChangeTask.objects.get(request=request, department_kind="production")
    item = WorkItem.objects.get(content_type__model="changetask", object_id=task.pk)
    sweep(now=item.due_at + timedelta(hours=1))
    item.refresh_from_db()
    assert item.escalated_to is not None
    actions.give_opinion(actor=item.escalated_to, task=task, verdict="approve")
    task.refresh_from_db()
    assert (task.status, task.decided_by) == ("done", item.escalated_to)


def test_signed_agreement_must_be_a_scan(more_heads) -> None:
    order = released_order(more_heads)
    request = approve_all(_change(more_heads, order))
    with pytest.raises(FieldErrors) as refused:
        actions.sign_agreement(
            actor=more_heads["sales"], request=request, scan=SimpleUploadedFile("a.txt", b"hello")
        )
    assert refused.value.errors == {"scan": ["只接受 PDF 或图片（PNG、JPEG）。"]}
    request.refresh_from_db()
    assert request.agreement_signed_at is None
