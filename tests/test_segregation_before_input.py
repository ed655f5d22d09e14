"""P-5 (issue 23): a decision refused to the person who entered, requested or raised the thing is
refused as that (SelfDecision) whatever they typed: their input is not read first, so a blank
reason or a missing point is never what they are told, and nothing changes. The decisions whose
actions check input before the engine runs (C-5 review opinions, D-1 approval steps, I-2 change
opinions, E-3 contract review); the rest check nothing before the engine (tests/test_segregation_of_duties.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sod_cases import approval_case, change_case, contract_case, review_task_case
from tests.test_segregation_of_duties import refused, snapshot


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_the_raiser_rejecting_a_review_task_without_a_reason_is_refused_as_the_raiser(
    more_heads: dict[str, Any],
) -> None:
    """C-5, P-5: the salesperson on the sales task of their own order, a reject with no comment."""
    from oms.review import actions as review

    task, raiser, _attempt = review_task_case(more_heads)
    refused(task, lambda: review.give_opinion(actor=raiser, task=task, verdict="reject", comment=""))


def test_the_raiser_rejecting_an_approval_step_without_a_reason_is_refused_as_the_raiser(
    more_heads: dict[str, Any],
) -> None:
    """D-1, P-5: the salesperson named approver of their own order, a reject with no comment."""
    from oms.review import actions as review

    step, raiser, _attempt = approval_case(False)(more_heads)
    refused(step, lambda: review.decide_step(actor=raiser, step=step, approve=False, comment=""))


def test_the_raiser_rejecting_their_change_request_without_a_reason_is_refused_as_the_raiser(
    more_heads: dict[str, Any],
) -> None:
    """I-2, P-5: who raised the change, made its leader, a reject with no comment."""
    from oms.changes import actions as changes

    leader, raiser, _attempt = change_case(False)(more_heads)
    refused(leader, lambda: changes.give_opinion(actor=raiser, task=leader, verdict="reject", comment=""))


def test_the_drafter_reviewing_the_contract_with_points_missing_is_refused_as_the_drafter(
    more_heads: dict[str, Any],
) -> None:
    """E-3, P-5: who drew up the contract, reviewing it with no point confirmed."""
    from oms.contracts import actions as contracts

    contract, raiser, _attempt = contract_case(more_heads)
    refused(contract, lambda: contracts.review_contract(actor=raiser, contract=contract, points={}))


def test_the_raiser_of_a_cancellation_cannot_approve_it_as_its_leader(more_heads: dict[str, Any]) -> None:
    """J-1, P-5: who asked for the cancellation, made the leader who approves it, is refused and
    the order stays uncancelled."""
    from oms.changes import actions as changes
    from oms.changes.models import ChangeTask
    from oms.changes.tests.fixtures import raise_typed, released_order

    org = more_heads
    order = released_order(org)
    request = raise_typed(
        actor=org["exec"],
        order=order,
        kind="cancellation",
        source="department",
        reason="客户撤单",
        impact="停产",
        loss_amount="0",
    )
    while (
        task := ChangeTask.objects.filter(request=request, status="open", is_leader=False).first()
    ) is not None:
        changes.give_opinion(actor=task.assignee, task=task, verdict="approve")
    leader = ChangeTask.objects.get(request=request, is_leader=True)
    ChangeTask.objects.filter(pk=leader.pk).update(assignee=org["exec"])
    leader.refresh_from_db()
    refused(leader, lambda: changes.give_opinion(actor=org["exec"], task=leader, verdict="approve"))
    order.refresh_from_db()
    assert order.status == "released"


def test_the_api_refuses_the_raisers_review_opinion_before_reading_it(
    client: Any, more_heads: dict[str, Any]
) -> None:
    """C-5, P-5 over the API: the salesperson's reject without a comment on their own order's task
    is refused as the raiser (403 `self_decision`), no field named, nothing changed."""
    from oms.accounts.actions import issue_api_token

    task, raiser, _attempt = review_task_case(more_heads)
    token = issue_api_token(actor=raiser, user=raiser, name="t")

    def attempt() -> None:
        response = client.post(
            f"/api/review-tasks/{task.pk}/opinion",
            {"verdict": "reject", "comment": ""},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        body = response.json()
        assert (response.status_code, body["code"], body["fields"]) == (403, "self_decision", {})

    before = snapshot(task)
    attempt()
    assert snapshot(task) == before
