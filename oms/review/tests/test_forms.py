"""Typed input of review decisions (issue 22): a refused opinion, approval, confirmation or failure
cause is shown again with what was typed, and nothing is saved; the API parses with the same forms
(P-1)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from oms.accounts.actions import issue_api_token
from oms.intake.tests.fixtures import order_in_review
from oms.orders.models import OrderStatus
from oms.review import actions
from oms.review.models import ApprovalStep, ReviewTask, RoundStatus, StepStatus, TaskStatus

pytestmark = pytest.mark.django_db


def _task(order, kind):
    return order.review_rounds.get().tasks.get(department_kind=kind)


def test_a_refused_opinion_keeps_what_was_typed(client, org) -> None:
    order = order_in_review(org)
    task = _task(order, "quality")
    client.force_login(org["quality_head"])
    response = client.post(
        reverse("review:task", args=[task.pk]),
        {"verdict": "reject", "conditions": "按 GB/T 1804 检验", "version": task.version},
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "不同意时必须写明理由。" in page
    assert "按 GB/T 1804 检验" in page and 'value="reject" checked' in page
    task.refresh_from_db()
    assert (task.status, task.verdict) == (TaskStatus.OPEN, "")


def test_an_unknown_verdict_is_refused_by_name(client, org) -> None:
    order = order_in_review(org)
    task = _task(order, "quality")
    client.force_login(org["quality_head"])
    response = client.post(
        reverse("review:task", args=[task.pk]), {"verdict": "maybe", "comment": "再看看", "version": "x"}
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "请选择评审意见。" in page and "再看看" in page
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_the_api_refuses_an_unknown_verdict_by_name(client, org) -> None:
    order = order_in_review(org)
    task = _task(order, "quality")
    token = issue_api_token(actor=org["quality_head"], user=org["quality_head"], name="t")
    response = client.post(
        f"/api/review-tasks/{task.pk}/opinion",
        json.dumps({"verdict": "maybe"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert (response.status_code, response.json()["fields"]) == (422, {"verdict": ["请选择评审意见。"]})
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


# --- the order page's review panel (C-6, D-1, D-2): a refused form comes back as it was typed ---


def _awaiting_approval(org):
    order = order_in_review(org)
    for task in ReviewTask.objects.filter(round__order=order, status=TaskStatus.OPEN):
        actions.give_opinion(actor=task.assignee, task=task, verdict="approve")
    return order


def test_a_refused_approval_keeps_the_comment(client, org) -> None:
    order = _awaiting_approval(org)
    step = ApprovalStep.objects.get(order=order)
    client.force_login(org["head"])
    url = reverse("review:approval_decide", args=[step.pk])
    response = client.post(url, {"verb": "reject", "comment": "价格偏低" * 501})
    page = response.content.decode()
    assert response.status_code == 422
    assert "审批意见过长（最多 2000 字）。" in page and "价格偏低" * 501 in page
    refused = client.post(url, {"verb": "reject", "comment": " "})
    assert refused.status_code == 422 and "驳回时必须写明理由。" in refused.content.decode()
    step.refresh_from_db()
    order.refresh_from_db()
    assert (step.status, step.comment, order.status) == (StepStatus.OPEN, "", OrderStatus.IN_APPROVAL)


def test_a_refused_confirmation_keeps_the_name(client, org) -> None:
    order = _awaiting_approval(org)
    actions.decide_step(actor=org["head"], step=ApprovalStep.objects.get(order=order), approve=True)
    client.force_login(org["sales"])
    response = client.post(
        reverse("review:record_confirmation", args=[order.pk]), {"confirmed_by_name": "张伟" * 51}
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "客户确认人过长（最多 100 字）。" in page and "张伟" * 51 in page
    order.refresh_from_db()
    assert (order.status, order.confirmed_by_name) == (OrderStatus.AWAITING_CONFIRMATION, "")


def test_a_refused_failure_cause_keeps_the_lesson(client, org) -> None:
    order = order_in_review(org)
    rnd = order.review_rounds.get()
    for task in ReviewTask.objects.filter(round=rnd, status=TaskStatus.OPEN):
        verdict = "reject" if task.department_kind == "finance" else "approve"
        actions.give_opinion(actor=task.assignee, task=task, verdict=verdict, comment="毛利低")
    client.force_login(org["sales"])
    response = client.post(
        reverse("review:failure_cause", args=[rnd.pk]), {"customer_caused": "on", "lesson": "压价" * 1001}
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "经验教训过长（最多 2000 字）。" in page and "压价" * 1001 in page
    assert f'name="customer_caused" id="cc-{rnd.pk}" checked' in page
    rnd.refresh_from_db()
    assert (rnd.status, rnd.customer_caused, rnd.lesson) == (RoundStatus.FAILED, False, "")


# S-1, P-5 (issue 23): who may not decide is refused before the input is read — the refusal, what
# they typed, never the form's field errors — and nothing changes.


def test_an_approval_by_someone_other_than_the_approver_is_refused_before_the_comment(client, org) -> None:
    order = _awaiting_approval(org)
    step = ApprovalStep.objects.get(order=order)
    client.force_login(org["sales"])  # sees the order, is not the approver
    response = client.post(
        reverse("review:approval_decide", args=[step.pk]), {"verb": "reject", "comment": "价格偏低" * 501}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "只有该步骤的审批人可以审批。" in page and "审批意见过长" not in page
    step.refresh_from_db()
    assert (step.status, step.comment) == (StepStatus.OPEN, "")


def test_a_confirmation_by_production_is_refused_before_the_name_is_read(client, org) -> None:
    order = _awaiting_approval(org)
    actions.decide_step(actor=org["head"], step=ApprovalStep.objects.get(order=order), approve=True)
    client.force_login(org["prod"])
    response = client.post(
        reverse("review:record_confirmation", args=[order.pk]), {"confirmed_by_name": "张伟" * 51}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "只有负责该订单的销售可以记录客户确认。" in page and "客户确认人过长" not in page
    order.refresh_from_db()
    assert (order.status, order.confirmed_by_name) == (OrderStatus.AWAITING_CONFIRMATION, "")


def test_a_failure_cause_by_finance_is_refused_before_the_lesson_is_read(client, org) -> None:
    order = order_in_review(org)
    rnd = order.review_rounds.get()
    for task in ReviewTask.objects.filter(round=rnd, status=TaskStatus.OPEN):
        verdict = "reject" if task.department_kind == "finance" else "approve"
        actions.give_opinion(actor=task.assignee, task=task, verdict=verdict, comment="毛利低")
    client.force_login(org["finance_head"])
    response = client.post(reverse("review:failure_cause", args=[rnd.pk]), {"lesson": "压价" * 1001})
    page = response.content.decode()
    assert response.status_code == 400
    assert "只有销售可以记录失败原因。" in page and "经验教训过长" not in page
    rnd.refresh_from_db()
    assert (rnd.customer_caused, rnd.lesson) == (False, "")
