"""Typed input of review decisions (issue 22): a refused opinion is shown again with what the
reviewer typed, and nothing is saved; the API parses with the same forms (P-1)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from oms.accounts.actions import issue_api_token
from oms.intake.tests.fixtures import order_in_review
from oms.review.models import TaskStatus

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
