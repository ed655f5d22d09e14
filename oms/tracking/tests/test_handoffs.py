"""Issue 23, point 3: each hand-off puts the step in the next actor's "my work" and inbox, and the
previous actor's step is closed (T-1, P-2, P-3). One test per hand-off."""

from __future__ import annotations

from typing import Any

import pytest

from oms.intake.tests.fixtures import confirmed_order, set_policy
from oms.policy import selectors as policy_selectors
from oms.tracking.tests import handoff_walk as walk
from oms.tracking.tests.handoff_walk import finished, waiting

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def org(more_heads: dict[str, Any]) -> dict[str, Any]:
    return walk.people(more_heads)


def _signed(org: dict[str, Any]) -> Any:
    order = confirmed_order(org, quantity="10")
    walk.sign(org, walk.review(org, walk.contract_of(org, order)))
    return order


def test_confirmation_hands_contract_generation_to_the_salesperson(org) -> None:
    """E-1, T-1: the customer's confirmation puts "generate the contract" in the salesperson's work,
    due within the order class's time limit (B-7) on the working calendar (P-2)."""
    order = confirmed_order(org, quantity="10")
    item = waiting(org["sales"], "contract.generate", order)
    finished("order.confirmation", order)
    calendar = policy_selectors.work_calendar(order.policy_version.number)
    assert calendar.working_hours_between(item.started_at, item.due_at) == policy_selectors.time_limit_hours(
        order_class="normal"
    )


def test_a_class_released_without_contract_goes_straight_to_release(org) -> None:
    """E-2, F-1: for a class the policy releases without a contract, the sales head is asked to release."""
    set_policy(org, contracts__release_without_contract_classes=["urgent"])
    order = confirmed_order(org, quantity="10", order_class="urgent")
    waiting(org["head"], "order.release", order)
    assert not order.work_items.filter(kind="contract.generate").exists()


def test_a_generated_contract_waits_on_the_sales_head_to_review_it(org) -> None:
    """E-3: the sales head reviews; the salesperson's step is done."""
    order = confirmed_order(org, quantity="10")
    walk.contract_of(org, order)
    waiting(org["head"], "contract.review", order)
    finished("contract.generate", order)


def test_a_reviewed_contract_waits_on_the_salesperson_to_record_the_signing(org) -> None:
    """E-2, E-3."""
    order = confirmed_order(org, quantity="10")
    walk.review(org, walk.contract_of(org, order))
    waiting(org["sales"], "contract.sign", order)
    finished("contract.review", order)


def test_a_new_version_takes_the_contract_back_to_review_once(org) -> None:
    """E-2: a counter-offer after the review withdraws the signing step and asks for one new review."""
    from oms.contracts import actions as contracts

    order = confirmed_order(org, quantity="10")
    contract = walk.review(org, walk.contract_of(org, order))
    contracts.add_version(actor=org["sales"], contract=contract, kind="counter_offer", reason="分两批交货")
    assert order.work_items.filter(kind="contract.review", status="open").count() == 1
    assert not order.work_items.filter(kind="contract.sign", status="open").exists()


def test_a_signed_contract_waits_on_the_sales_head_to_release(org) -> None:
    """F-1: the release is asked of the sales head."""
    order = _signed(org)
    waiting(org["head"], "order.release", order)
    finished("contract.sign", order)


def test_release_hands_the_first_milestone_to_production(org) -> None:
    """F-2, G-2: every production member sees the first milestone, due at the end of its planned day."""
    order = walk.release(org, _signed(org))
    first = order.milestones.order_by("seq").first()
    for person in (org["prod"], org["prod_head"]):
        item = waiting(person, "production.milestone", order)
    assert first.name in item.title and item.assignee is None
    calendar = policy_selectors.work_calendar(order.policy_version.number)
    assert item.due_at == calendar.end_of_day(first.planned_date)
    finished("order.release", order)


def test_a_finished_milestone_hands_on_the_next_one(org) -> None:
    """G-2: one milestone step at a time, the next after the last one done."""
    order = walk.release(org, _signed(org))
    walk.produce(org, order, upto=1)
    second = order.milestones.order_by("seq")[1]
    assert second.name in waiting(org["prod"], "production.milestone", order).title
    assert order.work_items.filter(kind="production.milestone", status="done").count() == 1


def test_the_last_milestone_hands_the_final_inspection_to_quality(org) -> None:
    """G-3: quality's staff see the final inspection once production is complete."""
    order = walk.release(org, _signed(org))
    walk.produce(org, order)
    waiting(org["qc"], "quality.final", order)
    finished("production.milestone", order)


def test_a_passed_final_inspection_hands_the_goods_to_the_warehouse_staff(org) -> None:
    """K-2, G-4."""
    order = walk.release(org, _signed(org))
    walk.produce(org, order)
    walk.inspect(order)
    for person in (org["wh1"], org["wh2"]):
        waiting(person, "warehouse.prepare", order)
    finished("quality.final", order)


def test_packed_goods_wait_on_logistics_until_everything_is_shipped(org) -> None:
    """G-4, G-5, G-6."""
    order = walk.release(org, _signed(org))
    walk.produce(org, order)
    walk.inspect(order)
    walk.pack(org, order)
    waiting(org["lg"], "logistics.ship", order)
    finished("warehouse.prepare", order)
    walk.ship(org, order)
    finished("logistics.ship", order)


def test_an_approved_statement_waits_on_the_finance_staff_to_invoice_it(org) -> None:
    """L-2: the approved statement is invoiced by the finance staff."""
    order = walk.release(org, _signed(org))
    walk.produce(org, order)
    walk.inspect(order)
    walk.ship(org, order)
    walk.accept(org, order)
    statement = walk.approved_statement(org, order)
    waiting(org["finance"], "billing.invoice", order)
    finished("billing.review", order)
    walk.invoice(org, statement)
    finished("billing.invoice", order)


def test_an_archive_query_request_waits_on_the_requesters_head(org) -> None:
    """M-3: the request is in the approver's work until decided."""
    from oms.archive import actions as archive

    order = walk.release(org, _signed(org))
    walk.produce(org, order)
    walk.inspect(order)
    walk.ship(org, order)
    walk.accept(org, order)
    walk.invoice(org, walk.approved_statement(org, order))
    request = walk.ask(org, walk.pay_and_close(org, order))
    waiting(org["prod_head"], "archive.request", order)
    archive.decide_access(actor=org["prod_head"], request=request, approve=True, note="同意")
    finished("archive.request", order)


def test_a_repeated_hand_off_keeps_one_step_and_tells_once(org) -> None:
    """T-1: a second passed final inspection of the same order neither duplicates the warehouse's
    step nor tells its staff again."""
    from oms.notifications.models import Notification
    from oms.quality import actions as quality

    order = walk.release(org, _signed(org))
    walk.produce(org, order)
    walk.inspect(order)
    quality.record_inspection(
        actor=org["qc"],
        order=order,
        stage="final",
        product_id=order.lines.get().product_id,
        results={"外观": "良好"},
        passed=True,
    )
    assert order.work_items.filter(kind="warehouse.prepare", status="open").count() == 1
    assert Notification.objects.filter(recipient=org["wh1"]).count() == 1
