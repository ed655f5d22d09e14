"""Scenarios of review, approval and confirmation (C-1..C-7, D-1..D-3)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from oms.audit.verify import verify_chain
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.intake import actions as intake
from oms.intake.tests.fixtures import order_in_review, set_policy
from oms.orders.models import OrderStatus
from oms.review import actions
from oms.review.models import ApprovalStep, ReviewRound, ReviewTask, RoundStatus, StepStatus, TaskStatus
from oms.tracking import actions as tracking
from oms.tracking.models import WorkItem

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _approve_all(rnd: ReviewRound) -> None:
    for task in rnd.tasks.filter(status=TaskStatus.OPEN, is_chair=False):
        actions.give_opinion(actor=task.assignee, task=task, verdict="approve", comment="可以")


def test_parallel_round_approval_and_confirmation_by_sales(org) -> None:
    """C-1, C-7 parallel: six departments at once; D-1 small order: the sales head signs; D-2 sales records it."""
    order = order_in_review(org)
    rnd = order.review_rounds.get()
    assert sorted(rnd.tasks.values_list("department_kind", flat=True)) == sorted(
        ["sales", "production", "technical", "quality", "finance", "procurement"]
    )
    assert set(rnd.tasks.values_list("status", flat=True)) == {TaskStatus.OPEN}
    _approve_all(rnd)
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_APPROVAL
    step = ApprovalStep.objects.get(order=order)
    assert (step.role, step.approver, step.status) == ("sales_head", org["head"], StepStatus.OPEN)
    actions.decide_step(actor=org["head"], step=step, approve=True, comment="同意")
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_CONFIRMATION
    order = actions.record_confirmation(actor=org["sales"], order=order, confirmed_by_name="张伟（采购经理）")
    assert (order.status, order.confirmed_by_name, order.confirmation_method) == (
        OrderStatus.CONFIRMED,
        "张伟（采购经理）",
        "sales",
    )
    assert order.confirmed_at is not None
    assert verify_chain().ok


def test_sequential_round_fails_then_passes_on_re_review(org) -> None:
    """C-7 sequential: sales, then finance, then production; C-6 a reject fails the round; the
    renegotiated order is reviewed again and both rounds stay on record."""
    set_policy(org, review__mode="sequential")
    order = order_in_review(org)
    first = order.review_rounds.get()
    assert list(first.tasks.values_list("department_kind", "status")) == [
        ("sales", "open"),
        ("finance", "waiting"),
        ("production", "waiting"),
    ]
    actions.give_opinion(actor=org["head"], task=first.tasks.get(department_kind="sales"), verdict="approve")
    finance = first.tasks.get(department_kind="finance")
    assert finance.status == TaskStatus.OPEN
    actions.give_opinion(actor=org["finance_head"], task=finance, verdict="reject", comment="毛利低于 10%")
    order.refresh_from_db()
    first.refresh_from_db()
    assert (order.status, first.status) == (OrderStatus.REVIEW_FAILED, RoundStatus.FAILED)
    assert first.tasks.get(department_kind="production").status == TaskStatus.SKIPPED
    assert WorkItem.objects.get(kind="order.renegotiate", status="open").assignee == org["sales"]
    actions.record_failure_cause(actor=org["sales"], rnd=first, customer_caused=True, lesson="客户压价过低")

    order = intake.update_order(
        actor=org["sales"],
        order=order,
        data={},
        lines=[{"product": org["gear"].pk, "quantity": "2", "unit_price": "1200"}],
        version=order.version,
    )
    order = actions.resubmit_for_review(actor=org["sales"], order=order, reason="已提价 20%")
    second = order.review_rounds.get(number=2)
    for kind, person in (("sales", "head"), ("finance", "finance_head"), ("production", "prod_head")):
        actions.give_opinion(
            actor=org[person], task=second.tasks.get(department_kind=kind), verdict="approve"
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_APPROVAL
    assert list(order.review_rounds.values_list("number", "status", "customer_caused")) == [
        (1, "failed", True),
        (2, "passed", False),
    ]


def test_major_order_goes_to_the_committee_whose_chair_decides(org) -> None:
    """C-4: above the amount threshold the executive in charge chairs and gives the final verdict."""
    set_policy(org, major_order__amount_threshold="1000")
    order = order_in_review(org)
    rnd = order.review_rounds.get()
    chair = rnd.tasks.get(is_chair=True)
    assert (rnd.major, chair.assignee, chair.status) == (True, org["exec"], TaskStatus.WAITING)
    for task in rnd.tasks.filter(is_chair=False):
        verdict, comment = ("reject", "产能紧张") if task.department_kind == "production" else ("approve", "")
        actions.give_opinion(actor=task.assignee, task=task, verdict=verdict, comment=comment)
    chair.refresh_from_db()
    assert chair.status == TaskStatus.OPEN
    actions.give_opinion(
        actor=org["exec"], task=chair, verdict="conditions", conditions="安排周末加班", comment="战略客户"
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_APPROVAL


def test_overdue_board_task_escalates_across_the_national_day_holiday(org, time_machine) -> None:
    """C-3: 2 working days from Tue 30 Sep 2025 skip 1–8 October: due Fri 10 Oct; then escalated."""
    time_machine.move_to(datetime(2025, 9, 30, 10, 0, tzinfo=TZ), tick=False)
    order = order_in_review(
        org, order_date=datetime(2025, 9, 30).date(), delivery_date=datetime(2025, 12, 30).date()
    )
    task = order.review_rounds.get().tasks.get(department_kind="quality")
    item = WorkItem.objects.get(kind="review.task", object_id=task.pk)
    assert item.due_at == datetime(2025, 10, 10, 10, 0, tzinfo=TZ)
    assert tracking.sweep(now=datetime(2025, 10, 9, 17, 0, tzinfo=TZ)) == 0
    assert tracking.sweep(now=datetime(2025, 10, 10, 10, 1, tzinfo=TZ)) == 6
    item.refresh_from_db()
    assert item.escalated_to == org["gm"]
    # The superior decides in the reviewer's place.
    actions.give_opinion(actor=org["gm"], task=task, verdict="approve", comment="上级代为评审")
    task.refresh_from_db()
    assert (task.status, task.decided_by) == (TaskStatus.DONE, org["gm"])


def test_sequential_stage_deadline_crosses_a_weekend_make_up_day(org, time_machine) -> None:
    """C-3: 8 working hours from Fri 26 Sep 2025 15:00 end on Sunday 28 Sep, a make-up workday."""
    set_policy(org, review__mode="sequential")
    time_machine.move_to(datetime(2025, 9, 26, 15, 0, tzinfo=TZ), tick=False)
    order = order_in_review(
        org, order_date=datetime(2025, 9, 26).date(), delivery_date=datetime(2025, 12, 30).date()
    )
    task = order.review_rounds.get().tasks.get(department_kind="sales")
    assert WorkItem.objects.get(kind="review.task", object_id=task.pk).due_at == datetime(
        2025, 9, 28, 15, 0, tzinfo=TZ
    )


def _credit_for_large_orders(org) -> None:
    """B-6: a customer placing orders of up to 600 000 has a credit limit that covers them, else the
    preliminary check would (rightly) refuse to pass them without management."""
    org["customer"].credit_limit = Decimal("1000000")
    org["customer"].save(update_fields=["credit_limit"])


@pytest.mark.parametrize(
    ("quantity", "roles"),
    [
        ("2", ["sales_head"]),
        ("150", ["sales_head", "executive"]),
        ("600", ["sales_head", "executive", "finance"]),
    ],
)
def test_approval_chain_by_amount(org, quantity, roles) -> None:
    """D-1: more signatures as the amount grows (defaults: 0 / 100 000 / 500 000)."""
    set_policy(org, major_order__amount_threshold="100000000")
    _credit_for_large_orders(org)
    order = order_in_review(org, quantity=quantity)
    _approve_all(order.review_rounds.get())
    steps = list(ApprovalStep.objects.filter(order=order).order_by("seq"))
    assert [s.role for s in steps] == roles
    for step in steps:
        step.refresh_from_db()
        actions.decide_step(actor=step.approver, step=step, approve=True)
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_CONFIRMATION


def test_approval_rejection_returns_the_order_to_sales(org) -> None:
    set_policy(org, major_order__amount_threshold="100000000")
    _credit_for_large_orders(org)
    order = order_in_review(org, quantity="150")
    _approve_all(order.review_rounds.get())
    head_step, exec_step = ApprovalStep.objects.filter(order=order).order_by("seq")
    actions.decide_step(actor=org["head"], step=head_step, approve=True)
    with pytest.raises(FieldErrors):
        actions.decide_step(actor=org["exec"], step=exec_step, approve=False)
    actions.decide_step(actor=org["exec"], step=exec_step, approve=False, comment="付款条件需改为预付 30%")
    order.refresh_from_db()
    assert order.status == OrderStatus.REVIEW_FAILED
    assert WorkItem.objects.get(kind="order.renegotiate", status="open").title.endswith(
        "付款条件需改为预付 30%"
    )


def _awaiting_confirmation(org):
    order = order_in_review(org)
    _approve_all(order.review_rounds.get())
    actions.decide_step(actor=org["head"], step=ApprovalStep.objects.get(order=order), approve=True)
    order.refresh_from_db()
    return order


def test_confirmation_by_link_once(org) -> None:
    """D-2: the customer confirms with a one-time link; reused, expired or forged tokens are refused."""
    order = _awaiting_confirmation(org)
    token = actions.issue_confirmation_link(actor=org["sales"], order=order)
    with pytest.raises(NotAllowed):
        actions.confirm_by_link(token=token + "x", name="张伟")
    order = actions.confirm_by_link(token=token, name="张伟")
    assert (order.status, order.confirmation_method, order.confirmed_by_name) == (
        OrderStatus.CONFIRMED,
        "link",
        "张伟",
    )
    with pytest.raises(ActionError):
        actions.confirm_by_link(token=token, name="张伟")


def test_expired_link_is_refused(org, time_machine) -> None:
    order = _awaiting_confirmation(org)
    token = actions.issue_confirmation_link(actor=org["sales"], order=order)
    time_machine.move_to(timezone.now() + timedelta(hours=73))
    with pytest.raises(ActionError, match="已过期"):
        actions.confirm_by_link(token=token, name="张伟")
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_CONFIRMATION


def test_modification_inside_and_outside_the_window(org, time_machine) -> None:
    """D-3: within 24 h of confirmation a customer change is applied simply; after it, refused."""
    order = actions.record_confirmation(
        actor=org["sales"], order=_awaiting_confirmation(org), confirmed_by_name="张伟"
    )
    time_machine.move_to(order.confirmed_at + timedelta(hours=23))
    order = actions.apply_customer_modification(
        actor=org["sales"],
        order=order,
        description="交货地点改为苏州",
        data={"delivery_place": "苏州"},
        lines=None,
        version=order.version,
    )
    assert (order.delivery_place, order.modifications.count()) == ("苏州", 1)
    time_machine.move_to(order.confirmed_at + timedelta(hours=25))
    with pytest.raises(ActionError, match="变更申请"):
        actions.apply_customer_modification(
            actor=org["sales"],
            order=order,
            description="再改数量",
            data={"delivery_place": "杭州"},
            lines=None,
            version=order.version,
        )
    order.refresh_from_db()
    assert order.delivery_place == "苏州"


def test_refusals_change_nothing(org) -> None:
    """Bad input: not the assignee, reject without comment, a second verdict on a closed task."""
    order = order_in_review(org)
    task = order.review_rounds.get().tasks.get(department_kind="quality")
    with pytest.raises(NotAllowed):
        actions.give_opinion(actor=org["sales"], task=task, verdict="approve")
    with pytest.raises(FieldErrors) as info:
        actions.give_opinion(actor=org["quality_head"], task=task, verdict="reject")
    assert list(info.value.errors) == ["comment"]
    task.refresh_from_db()
    assert (task.status, task.verdict) == (TaskStatus.OPEN, "")
    actions.give_opinion(actor=org["quality_head"], task=task, verdict="approve")
    with pytest.raises(ActionError):
        actions.give_opinion(actor=org["quality_head"], task=task, verdict="reject", comment="改主意")
    task.refresh_from_db()
    assert task.verdict == "approve"


def test_policy_with_an_empty_board_is_refused(org) -> None:
    with pytest.raises(FieldErrors) as info:
        set_policy(org, review__board=[])
    assert list(info.value.errors) == ["review.board"]


def test_superior_reassigns_an_overdue_task(org) -> None:
    from conftest import make_user

    order = order_in_review(org)
    task = order.review_rounds.get().tasks.get(department_kind="technical")
    engineer = make_user("eng1", kind="technical")
    actions.reassign_task(actor=org["tech_head"], task=ReviewTask.objects.get(pk=task.pk), assignee=engineer)
    task.refresh_from_db()
    assert task.assignee == engineer
    assert WorkItem.objects.get(kind="review.task", object_id=task.pk, status="open").assignee == engineer
