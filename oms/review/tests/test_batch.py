"""Deciding several review tasks and approval steps at once (issue 23 point 9, C-5, D-1, P-5)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from oms.audit.models import AuditEvent
from oms.intake.tests.fixtures import order_in_review
from oms.orders.models import SalesOrder
from oms.review import actions
from oms.review.models import ApprovalStep, ReviewTask, StepStatus, TaskStatus

pytestmark = pytest.mark.django_db


def _task(order: SalesOrder, user: Any) -> ReviewTask:
    return ReviewTask.objects.get(round__order=order, assignee=user, status=TaskStatus.OPEN)


def _post(client: Any, user: Any, keys: list[str], decision: str, reason: str = "") -> Any:
    client.force_login(user)
    return client.post(reverse("review:batch"), {"items": keys, "decision": decision, "reason": reason})


def test_the_page_lists_open_tasks_with_amount_margin_and_credit(client, org) -> None:
    order = order_in_review(org)
    client.force_login(org["finance_head"])
    response = client.get(reverse("review:batch"))
    (row, why, _ticked), *rest = response.context["rows"]
    assert (row.key, row.order.pk, row.margin, row.credit["limit"], row.credit["over_limit"], why, rest) == (
        f"task-{_task(order, org['finance_head']).pk}",
        order.pk,
        Decimal("100.0"),  # the fixture's products have no standard cost
        org["customer"].credit_limit,
        False,
        "",
        [],
    )
    assert "订单金额" in response.content.decode() and "毛利率" in response.content.decode()


def test_approve_two_tasks_and_one_refused_for_self_decision_changes_nothing(client, org) -> None:
    reviewer = org["prod_head"]
    first, second, own = order_in_review(org), order_in_review(org), order_in_review(org)
    # P-5: the reviewer entered the third order; deciding it is refused, the others go through.
    SalesOrder.objects.filter(pk=own.pk).update(created_by=reviewer)
    tasks = [_task(o, reviewer) for o in (first, second, own)]
    opinions_before = AuditEvent.objects.filter(action="review.opinion").count()
    own_version = tasks[2].version
    response = _post(client, reviewer, [f"task-{t.pk}" for t in tasks], "approve")
    for t in tasks:
        t.refresh_from_db()
    refused = {row.key: why for row, why, _ticked in response.context["rows"] if why}
    assert response.status_code == 422
    assert [(t.status, t.verdict) for t in tasks] == [
        (TaskStatus.DONE, "approve"),
        (TaskStatus.DONE, "approve"),
        (TaskStatus.OPEN, ""),
    ]
    assert (tasks[2].version, tasks[2].decided_by_id, list(refused)) == (
        own_version,
        None,
        [f"task-{tasks[2].pk}"],
    )
    assert AuditEvent.objects.filter(action="review.opinion").count() == opinions_before + 2


def test_returning_needs_a_reason_and_changes_nothing(client, org) -> None:
    task = _task(order_in_review(org), org["prod_head"])
    response = _post(client, org["prod_head"], [f"task-{task.pk}"], "return")
    task.refresh_from_db()
    assert (response.status_code, task.status, task.verdict) == (400, TaskStatus.OPEN, "")


def test_return_with_one_reason_rejects_each_task(client, org) -> None:
    task = _task(order_in_review(org), org["prod_head"])
    _post(client, org["prod_head"], [f"task-{task.pk}"], "return", "产能不足")
    task.refresh_from_db()
    assert (task.status, task.verdict, task.comment) == (TaskStatus.DONE, "reject", "产能不足")


def test_someone_elses_task_is_refused(client, org) -> None:
    task = _task(order_in_review(org), org["prod_head"])
    response = _post(client, org["tech_head"], [f"task-{task.pk}"], "approve")
    task.refresh_from_db()
    assert (response.status_code, task.status, len(response.context["gone"])) == (422, TaskStatus.OPEN, 1)


def test_an_approval_step_is_decided_through_its_verb(client, org) -> None:
    order = order_in_review(org)
    while (task := ReviewTask.objects.filter(round__order=order, status="open").first()) is not None:
        actions.give_opinion(actor=task.assignee, task=task, verdict="approve")
    step = ApprovalStep.objects.get(order=order, status=StepStatus.OPEN)
    response = _post(client, step.approver, [f"step-{step.pk}"], "approve")
    step.refresh_from_db()
    assert (response.status_code, step.status, step.decided_by_id) == (
        200,
        StepStatus.APPROVED,
        step.approver_id,
    )


def test_the_page_reads_a_bounded_number_of_queries(client, org, django_assert_max_num_queries) -> None:
    for _ in range(4):
        order_in_review(org)
    client.force_login(org["prod_head"])
    with django_assert_max_num_queries(14):
        response = client.get(reverse("review:batch"))
    assert len(response.context["rows"]) == 4
