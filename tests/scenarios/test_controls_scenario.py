"""Scenario: the controls cannot be bypassed (issue 19).

One special, over-credit order walks its life while, at each step, someone tries the shortcut the
policies forbid, through the page or the API, and is refused with nothing changed:
B-6 (credit at the preliminary check, escalation to management), P-5 (nobody decides what they
entered or raised), C-5, D-1, E-3, F-1, F-3 (technical briefing before production), K-2 and G-3
(no shipping of failed goods), M-1 (no closure before acceptance and payment).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import make_user
from oms.accounts.actions import issue_api_token
from oms.audit.models import AuditEvent
from oms.billing import actions as billing
from oms.contracts import actions as contracts
from oms.core.errors import NotAllowed
from oms.delivery import actions as delivery
from oms.delivery.tests.test_acceptance import ALL_OK as ACCEPTANCE_OK
from oms.engine.workflow import PermissionDenied, SelfDecision, TransitionBlocked
from oms.fulfilment import actions as fulfilment
from oms.fulfilment.models import Milestone, Shipment, TaskKind
from oms.intake import actions as intake
from oms.intake.tests.fixtures import header
from oms.quality import actions as quality
from oms.quality.tests.fixtures import PLAN, inspector
from oms.review import actions as review
from oms.review.models import ApprovalStep, ReviewTask
from oms.tracking.models import WorkItem, WorkStatus

ALL_OK = {k: (True, "") for k in ("capacity", "process", "quantity", "price", "delivery")}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def unchanged(order: Any) -> tuple[Any, ...]:
    order.refresh_from_db()
    return (
        order.status,
        order.version,
        AuditEvent.objects.count(),
        WorkItem.objects.filter(status=WorkStatus.OPEN).count(),
        Shipment.objects.count(),
    )


def api(client: Any, token: str, path: str, payload: dict[str, Any]) -> Any:
    return client.post(path, payload, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_controls_cannot_be_bypassed(client: Any, more_heads: dict[str, Any]) -> None:
    org = more_heads
    org["customer"].credit_limit = Decimal("1000")  # the order's 2,000.00 is over the limit
    org["customer"].save()
    head_token = issue_api_token(actor=org["head"], user=org["head"], name="head")

    # B-6: the salesperson enters a customised order; the head may not pass it over credit.
    order = intake.create_order(
        actor=org["sales"],
        data=header(org, needs_customisation=True),
        lines=[{"product": org["gear"].pk, "quantity": "2", "unit_price": "1000"}],
        duplicate_reason="test",
    )
    order = intake.submit_order(actor=org["sales"], order=order)
    before = unchanged(order)
    response = api(client, head_token, f"/api/orders/{order.pk}/check", {"decision": "pass", "reason": ""})
    assert (response.status_code, response.json()["code"]) == (422, "blocked")
    assert any("信用额度" in r for r in response.json()["fields"]["__all__"])
    assert unchanged(order) == before

    # P-5: the salesperson who entered it cannot check it either (no permission, nor as raiser).
    with pytest.raises(PermissionDenied):
        intake.escalate(actor=org["sales"], order=order, reason="我自己上报")
    assert unchanged(order) == before

    # B-6: escalated by the head; he cannot decide what he escalated; the executive accepts the risk.
    order = intake.escalate(actor=org["head"], order=order, reason="超出信用额度")
    with pytest.raises(PermissionDenied):
        intake.decide(actor=org["head"], order=order, accept=True, reason="我来定")
    order = intake.decide(actor=org["exec"], order=order, accept=True, reason="老客户，接受风险")
    assert order.status == "in_review"

    # C-5, P-5: the salesperson gives no verdict on the board's tasks; the board decides.
    task = ReviewTask.objects.filter(round__order=order, status="open").first()
    assert task is not None
    with pytest.raises(NotAllowed):
        review.give_opinion(actor=org["sales"], task=task, verdict="approve")
    while (task := ReviewTask.objects.filter(round__order=order, status="open").first()) is not None:
        review.give_opinion(actor=task.assignee, task=task, verdict="approve")

    # D-1, P-5: nobody signs an approval step but its approver; the approvers sign.
    step = ApprovalStep.objects.get(order=order, status="open")
    with pytest.raises(NotAllowed):
        review.decide_step(actor=org["sales"], step=step, approve=True)
    for step in ApprovalStep.objects.filter(order=order).order_by("seq"):
        step.refresh_from_db()
        review.decide_step(actor=step.approver, step=step, approve=True)
    order.refresh_from_db()
    order = review.record_confirmation(actor=org["sales"], order=order, confirmed_by_name="张伟")

    # E-3, P-5: the head drafts the contract; he may review contracts, but not his own draft.
    contract = contracts.generate_contract(actor=org["head"], order=order)
    before = unchanged(order)
    with pytest.raises(SelfDecision):
        contracts.review_contract(actor=org["head"], contract=contract, points=ALL_OK)
    assert unchanged(order) == before
    contract = contracts.review_contract(actor=org["exec"], contract=contract, points=ALL_OK)
    contracts.sign_contract(
        actor=org["sales"], contract=contract, scan=SimpleUploadedFile("s.pdf", b"%PDF-1.4 s")
    )

    # F-1: release gives the technical department its documents-and-briefing task.
    order = fulfilment.release_order(actor=org["head"], order=order)
    assert order.department_tasks.filter(kind=TaskKind.TECHNICAL_DOCS).count() == 1

    # F-3: production of the customised order cannot start before the technical briefing.
    first = Milestone.objects.get(order=order, seq=1)
    before = unchanged(order)
    with pytest.raises(TransitionBlocked):
        fulfilment.report_progress(
            actor=org["prod"], order=order, milestone=first, progress=50, quantity_done=Decimal("0")
        )
    assert unchanged(order) == before
    contracts.record_briefing(
        actor=org["tech_head"],
        order=order,
        held_on=date(2026, 11, 26),
        topic="定制工艺交底",
        attendees=[org["prod_head"], org["quality_head"]],
    )
    fulfilment.report_progress(
        actor=org["prod"], order=order, milestone=first, progress=100, quantity_done=Decimal("2")
    )

    # K-2, G-3: failed goods do not ship, through the page or the API.
    shipper = make_user("lg1", kind="logistics")
    ship_token = issue_api_token(actor=shipper, user=shipper, name="lg")
    quality.set_plan(actor=inspector(), order=order, items=PLAN)
    failed = quality.record_inspection(
        actor=inspector(),
        order=order,
        stage="final",
        product_id=org["gear"].pk,
        results={"外观": "划伤"},
        passed=False,
        notes="外观划伤",
        responsible=inspector(),
    )
    line = order.lines.get()
    shipment = {
        "mode": "pickup",
        "shipped_on": "2026-12-01",
        "expected_arrival": "2026-12-03",
        "confirmed_with": "张伟",
        "quantity_checked": True,
        "lines": {"1": "2"},
    }
    before = unchanged(order)
    response = api(client, ship_token, f"/api/orders/{order.pk}/shipments", shipment)
    assert (response.status_code, response.json()["code"]) == (422, "blocked")
    client.force_login(shipper)
    client.post(
        reverse("fulfilment:execution", args=[order.pk, "ship"]),
        {
            **{k: v for k, v in shipment.items() if k != "lines"},
            "quantity_checked": "on",
            f"qty-{line.pk}": "2",
        },
    )
    assert unchanged(order) == before

    # G-3, P-5: the non-conformance is verified by someone other than the person responsible.
    nc = failed.non_conformances.get()
    quality.decide_action(actor=nc.responsible, nc=nc, action="返工")
    nc.refresh_from_db()
    with pytest.raises(SelfDecision):
        quality.verify(actor=nc.responsible, nc=nc, verification="我自己验证")
    nc = quality.verify(actor=org["quality_head"], nc=nc, verification="返工后复检合格")
    quality.close(actor=org["quality_head"], nc=nc)
    quality.record_inspection(
        actor=inspector(),
        order=order,
        stage="final",
        product_id=org["gear"].pk,
        results={"外观": "良好"},
        passed=True,
    )
    response = api(client, ship_token, f"/api/orders/{order.pk}/shipments", shipment)
    assert response.status_code == 201

    # M-1: accepted by the customer but not paid: the order does not close.
    delivery.record_acceptance(
        actor=org["sales"],
        shipment=order.shipments.get(),
        result="accepted",
        checks=ACCEPTANCE_OK,
        received_on=date(2026, 12, 3),
        accepted_by_name="张伟",
        signed_note=SimpleUploadedFile("n.pdf", b"%PDF-1.4 n"),
    )
    order.refresh_from_db()
    assert order.status == "received"
    before = unchanged(order)
    with pytest.raises(TransitionBlocked) as refused:
        billing.close_order(actor=org["head"], order=order)
    assert refused.value.reasons == ["还有未经财务审核结算的数量"]
    assert unchanged(order) == before
