"""P-5, B-6, C-5, D-1, E-3, I-2, J-1, L-2, M-2, M-3, N-1, N-2, G-3, O-4: nobody decides what they
entered, requested or raised.

Every decision in the system is a transition marked with its raisers (`Transition.raisers`); the
one engine refuses it to them. This module finds every such transition in every transition table
and tries each as the person who raised the thing, through the real action, with the permission
the decision otherwise needs: each attempt is refused and changes nothing. A new decision without
a case here fails `test_every_decision_kind_is_tried`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from conftest import make_user
from oms.accounts.models import Role
from oms.audit.models import AuditEvent
from oms.engine.workflow import SelfDecision, TransitionTable
from oms.intake import actions as intake
from oms.intake.tests.fixtures import header
from oms.notifications.models import Notification
from oms.tracking.models import WorkItem, WorkStatus
from tests.sod_cases import CASES, decision_case, head_order, order_lines


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def decision_kinds() -> set[str]:
    """Every decision transition of every table, as "table.transition"."""
    found: set[str] = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("oms."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.states")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if isinstance(value, TransitionTable):
                found |= {f"{value.name}.{t.name}" for t in value.transitions.values() if t.is_decision}
    return found


def snapshot(obj: models.Model) -> tuple[Any, ...]:
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    fields = [f.attname for f in type(obj)._meta.concrete_fields if not f.attname.endswith("_at")]
    return (
        tuple(getattr(fresh, f) for f in fields),
        AuditEvent.objects.count(),
        WorkItem.objects.filter(status=WorkStatus.OPEN).count(),
        Notification.objects.count(),
    )


def refused(obj: models.Model, attempt: Callable[[], Any]) -> SelfDecision:
    """The attempt raises SelfDecision and leaves the record, the audit log, the open work and
    the inbox exactly as they were."""
    before = snapshot(obj)
    with pytest.raises(SelfDecision) as info:
        attempt()
    assert snapshot(obj) == before
    return info.value


def test_every_decision_kind_is_tried(db: Any) -> None:
    """P-5: the cases (tests/sod_cases.py) cover exactly the decisions the transition tables declare."""
    assert decision_kinds() == set(CASES)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_the_raiser_cannot_decide(kind: str, more_heads: dict[str, Any]) -> None:
    """P-5: whoever entered, requested or raised the thing is refused, and nothing changes."""
    record, _raiser, attempt = CASES[kind](more_heads)
    error = refused(record, attempt)
    assert "不能自己决定" in error.message


# --- who is named instead (P-3, P-5) ------------------------------------------------------------


def test_the_check_of_the_heads_own_order_goes_to_his_superior(org: dict[str, Any]) -> None:
    """B-6, P-5: the head's own order is checked by the executive in charge, who may pass it."""
    order = head_order(org)
    item = WorkItem.objects.get(object_id=order.pk, kind="order.check", status="open")
    assert item.assignee == org["exec"]
    order = intake.pass_check(actor=org["exec"], order=order)
    assert order.status == "in_review"


def test_the_heads_own_order_is_reviewed_for_sales_by_someone_else(org: dict[str, Any]) -> None:
    """C-5, P-5: the sales department's verdict on the head's own order is his superior's."""
    order = intake.pass_check(actor=org["exec"], order=head_order(org))
    task = order.review_rounds.get().tasks.get(department_kind="sales")
    assert task.assignee == org["exec"]


def test_the_heads_own_order_is_signed_by_the_next_person_in_the_chain(org: dict[str, Any]) -> None:
    """D-1, P-5: the sales head's approval step goes to the executive in charge instead."""
    from oms.review import actions as review
    from oms.review.models import ApprovalStep, ReviewTask

    order = intake.pass_check(actor=org["exec"], order=head_order(org))
    while (task := ReviewTask.objects.filter(round__order=order, status="open").first()) is not None:
        review.give_opinion(actor=task.assignee, task=task, verdict="approve")
    step = ApprovalStep.objects.get(order=order, seq=1)
    assert (step.role, step.approver) == ("sales_head", org["exec"])


def test_the_escalator_does_not_decide_and_the_general_manager_is_named(org: dict[str, Any]) -> None:
    """B-6, P-5: an order the executive escalated waits on the general manager."""
    record, _raiser, _attempt = decision_case(True)(org)
    item = WorkItem.objects.get(object_id=record.pk, kind="order.decision", status="open")
    assert item.assignee == org["gm"]
    order = intake.decide(actor=org["gm"], order=record, accept=True, reason="接受风险")
    assert order.status == "in_review"


def test_when_nobody_else_exists_the_step_waits_and_the_administrator_is_told(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """P-3, P-5: a one-person sales company: the head's own order is assigned to nobody and every
    administrator is told why."""
    from oms.catalog.models import Product
    from oms.customers.tests.factories import CustomerFactory

    head = make_user("onlyhead", kind="sales", role=Role.HEAD)
    admin = make_user("admin1", kind="administration", role=Role.ADMIN)
    org = {
        # S-1: the head's own customer, so that it is in their scope.
        "customer": CustomerFactory(credit_limit=Decimal("100000"), owner=head, department=head.department),
        "gear": Product.objects.create(
            code="P1", name="齿轮箱", unit="台", list_price=Decimal("1000"), lead_time_days=1
        ),
    }
    with django_capture_on_commit_callbacks(execute=True):
        order = intake.create_order(
            actor=head, data=header(org), lines=order_lines(org), duplicate_reason="t"
        )
        order = intake.submit_order(actor=head, order=order)
    item = WorkItem.objects.get(object_id=order.pk, kind="order.check", status="open")
    assert item.assignee is None
    note = Notification.objects.get(recipient=admin)
    assert (
        note.title == f"初审订单 {order.number}：除提出人外没有可以决定的人，请在组织中指定（如分管领导）。"
    )


# --- every path: page and API ---------------------------------------------------------------


def test_the_check_page_offers_the_raiser_no_decision_and_says_why(client: Any, org: dict[str, Any]) -> None:
    """B-6, P-5: the head's own order shows no check buttons, only the reason."""
    order = head_order(org)
    client.force_login(org["head"])
    page = client.get(reverse("workbench:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="do-pass_check"' not in page
    assert (
        "您录入了此订单或是它的销售员，“初审通过，提交评审、退回补充资料、上报管理层决定”须由他人决定" in page
    )


def test_posting_the_check_as_the_raiser_is_refused(client: Any, org: dict[str, Any]) -> None:
    """B-6, P-5: a hand-made POST of the check verb changes nothing and says why."""
    order = head_order(org)
    client.force_login(org["head"])
    before = snapshot(order)
    response = client.post(reverse("workbench:order_transition", args=[order.pk, "pass_check"]), follow=True)
    assert snapshot(order) == before
    assert "不能自己决定“初审通过，提交评审”" in response.content.decode()


def test_the_api_refuses_the_raisers_check_with_a_typed_error(client: Any, org: dict[str, Any]) -> None:
    """B-6, P-5: POST /api/orders/{id}/check as the head who entered it: 403 self_decision."""
    order = head_order(org)
    client.force_login(org["head"])
    before = snapshot(order)
    response = client.post(
        f"/api/orders/{order.pk}/check", {"decision": "pass", "reason": ""}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "self_decision"
    assert snapshot(order) == before
