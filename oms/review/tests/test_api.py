"""Review, approval and confirmation over the API (C-5, D-1, D-2)."""

from __future__ import annotations

import json

import pytest

from oms.accounts.actions import issue_api_token
from oms.intake.tests.fixtures import order_in_review
from oms.orders.models import OrderStatus
from oms.review.models import ApprovalStep

pytestmark = pytest.mark.django_db


def _auth(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(actor=user, user=user, name='t')}"}


def test_review_approval_and_confirmation_through_the_api(client, org) -> None:
    order = order_in_review(org)
    board = ["head", "prod_head", "tech_head", "quality_head", "finance_head", "procurement_head"]
    for person in board:
        tasks = client.get("/api/review-tasks/", **_auth(org[person])).json()
        mine = [t for t in tasks if t["assignee_id"] == org[person].pk]
        assert len(mine) == 1, person
        response = client.post(
            f"/api/review-tasks/{mine[0]['id']}/opinion",
            json.dumps({"verdict": "approve"}),
            content_type="application/json",
            **_auth(org[person]),
        )
        assert response.status_code == 200
    review = client.get(f"/api/orders/{order.pk}/review", **_auth(org["sales"])).json()
    assert (review["status"], review["rounds"][0]["status"], review["approval_steps"][0]["role"]) == (
        "in_approval",
        "passed",
        "sales_head",
    )
    step = review["approval_steps"][0]["id"]
    client.post(
        f"/api/approval-steps/{step}/decision",
        json.dumps({"approve": True}),
        content_type="application/json",
        **_auth(org["head"]),
    )
    confirmed = client.post(
        f"/api/orders/{order.pk}/confirmation",
        json.dumps({"confirmed_by_name": "张伟"}),
        content_type="application/json",
        **_auth(org["sales"]),
    ).json()
    assert confirmed["status"] == OrderStatus.CONFIRMED


def test_reject_without_comment_is_422(client, org) -> None:
    order = order_in_review(org)
    task = order.review_rounds.get().tasks.get(department_kind="quality")
    response = client.post(
        f"/api/review-tasks/{task.pk}/opinion",
        json.dumps({"verdict": "reject"}),
        content_type="application/json",
        **_auth(org["quality_head"]),
    )
    assert (response.status_code, list(response.json()["fields"])) == (422, ["comment"])


def test_someone_else_cannot_approve_a_step(client, org) -> None:
    order = order_in_review(org)
    from oms.review import actions

    for task in order.review_rounds.get().tasks.all():
        actions.give_opinion(actor=task.assignee, task=task, verdict="approve")
    step = ApprovalStep.objects.get(order=order)
    response = client.post(
        f"/api/approval-steps/{step.pk}/decision",
        json.dumps({"approve": True}),
        content_type="application/json",
        **_auth(org["exec"]),
    )
    step.refresh_from_db()
    assert (response.status_code, step.status) == (403, "open")


def test_confirmation_link_is_issued(client, org) -> None:
    order = order_in_review(org)
    from oms.review import actions

    for task in order.review_rounds.get().tasks.all():
        actions.give_opinion(actor=task.assignee, task=task, verdict="approve")
    actions.decide_step(actor=org["head"], step=ApprovalStep.objects.get(order=order), approve=True)
    response = client.post(f"/api/orders/{order.pk}/confirmation-link", **_auth(org["sales"]))
    assert response.status_code == 201 and "/confirm/" in response.json()["url"]
