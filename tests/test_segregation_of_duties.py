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
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from oms.accounts.models import Role
from oms.audit.models import AuditEvent
from oms.engine.workflow import SelfDecision, TransitionTable
from oms.intake import actions as intake
from oms.intake.tests.fixtures import confirmed_order, header, order_in_review
from oms.notifications.models import Notification
from oms.tracking.models import WorkItem, WorkStatus


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


# --- builders: each returns (record decided on, raiser, the attempt as the raiser) ----------------


def _head_order(org: dict[str, Any]) -> Any:
    """An order the sales head entered and sells himself, submitted for the check."""
    order = intake.create_order(actor=org["head"], data=header(org), lines=_lines(org), duplicate_reason="t")
    return intake.submit_order(actor=org["head"], order=order)


def _lines(org: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"product": org["gear"].pk, "quantity": "2", "unit_price": "1000"}]


def check_case(verb: str) -> Callable[[dict[str, Any]], tuple[Any, Any, Callable[[], Any]]]:
    def build(org: dict[str, Any]) -> tuple[Any, Any, Callable[[], Any]]:
        order = _head_order(org)
        call = {
            "pass_check": lambda: intake.pass_check(actor=org["head"], order=order),
            "request_info": lambda: intake.request_info(actor=org["head"], order=order, reason="缺资料"),
            "escalate": lambda: intake.escalate(actor=org["head"], order=order, reason="信用"),
        }[verb]
        return order, org["head"], call

    return build


def decision_case(accept: bool) -> Callable[[dict[str, Any]], tuple[Any, Any, Callable[[], Any]]]:
    def build(org: dict[str, Any]) -> tuple[Any, Any, Callable[[], Any]]:
        order = intake.create_order(
            actor=org["sales"], data=header(org), lines=_lines(org), duplicate_reason="t"
        )
        order = intake.submit_order(actor=org["sales"], order=order)
        # The executive checks and escalates; he may decide escalated orders, but not this one.
        order = intake.escalate(actor=org["exec"], order=order, reason="账期长")
        return (
            order,
            org["exec"],
            lambda: intake.decide(actor=org["exec"], order=order, accept=accept, reason="x"),
        )

    return build


def review_task_case(org: dict[str, Any]) -> tuple[Any, Any, Callable[[], Any]]:
    from oms.review import actions as review

    order = order_in_review(org)
    task = order.review_rounds.get().tasks.get(department_kind="sales")
    # Even when the task reached the salesperson (no one else was there when it opened), they
    # cannot give the sales department's verdict on their own order.
    type(task).objects.filter(pk=task.pk).update(assignee=org["sales"])
    task.refresh_from_db()
    return task, org["sales"], lambda: review.give_opinion(actor=org["sales"], task=task, verdict="approve")


def approval_case(approve: bool) -> Callable[[dict[str, Any]], tuple[Any, Any, Callable[[], Any]]]:
    def build(org: dict[str, Any]) -> tuple[Any, Any, Callable[[], Any]]:
        from oms.review import actions as review
        from oms.review.models import ApprovalStep, ReviewTask

        order = order_in_review(org)
        while (task := ReviewTask.objects.filter(round__order=order, status="open").first()) is not None:
            review.give_opinion(actor=task.assignee, task=task, verdict="approve")
        step = ApprovalStep.objects.get(order=order, status="open")
        ApprovalStep.objects.filter(pk=step.pk).update(approver=org["sales"])
        step.refresh_from_db()
        return (
            step,
            org["sales"],
            lambda: review.decide_step(actor=org["sales"], step=step, approve=approve, comment="x"),
        )

    return build


def change_case(approve: bool) -> Callable[[dict[str, Any]], tuple[Any, Any, Callable[[], Any]]]:
    def build(org: dict[str, Any]) -> tuple[Any, Any, Callable[[], Any]]:
        from oms.changes import actions as changes
        from oms.changes.models import ChangeTask
        from oms.changes.tests.fixtures import released_order

        order = released_order(org)
        line = order.lines.get()
        request = changes.raise_request(
            actor=org["exec"],
            order=order,
            kind="change",
            source="department",
            reason="追加",
            impact="生产增加",
            lines=[
                {"line": line.pk, "quantity": "12", "unit_price": str(line.unit_price), "spec": line.spec}
            ],
        )
        while (
            task := ChangeTask.objects.filter(request=request, status="open", is_leader=False).first()
        ) is not None:
            changes.give_opinion(actor=task.assignee, task=task, verdict="approve")
        leader = ChangeTask.objects.get(request=request, is_leader=True)
        assert leader.assignee != org["exec"]  # P-5: the raiser is never named the approver
        ChangeTask.objects.filter(pk=leader.pk).update(assignee=org["exec"])
        leader.refresh_from_db()
        verdict = "approve" if approve else "reject"
        return (
            leader,
            org["exec"],
            lambda: changes.give_opinion(actor=org["exec"], task=leader, verdict=verdict, comment="x"),
        )

    return build


def statement_case(approve: bool) -> Callable[[dict[str, Any]], tuple[Any, Any, Callable[[], Any]]]:
    def build(org: dict[str, Any]) -> tuple[Any, Any, Callable[[], Any]]:
        from oms.billing import actions as billing
        from oms.billing.tests.test_billing import _accepted

        admin = make_user("admin9", kind="administration", role=Role.ADMIN)
        order = _accepted(org, "10")
        # The administrator may both prepare (for sales) and approve (for finance): not both here.
        statement = billing.prepare_statement(
            actor=admin,
            order=order,
            quantities={order.lines.get().pk: "10"},
            reconciled_with="张伟",
            reconciled_on=date(2026, 12, 12),
        )
        return (
            statement,
            admin,
            lambda: billing.review_statement(actor=admin, statement=statement, approve=approve, comment="x"),
        )

    return build


def contract_case(org: dict[str, Any]) -> tuple[Any, Any, Callable[[], Any]]:
    from oms.contracts import actions as contracts

    order = confirmed_order(org)
    contract = contracts.generate_contract(actor=org["head"], order=order)
    points = {k: (True, "") for k in ("capacity", "process", "quantity", "price", "delivery")}
    return (
        contract,
        org["head"],
        lambda: contracts.review_contract(actor=org["head"], contract=contract, points=points),
    )


def _filed(org: dict[str, Any]) -> Any:
    from oms.archive.models import ArchiveRecord

    order = intake.create_order(actor=org["sales"], data=header(org), lines=_lines(org), duplicate_reason="t")
    intake.cancel_draft(actor=org["sales"], order=order, reason="客户取消询价")
    return ArchiveRecord.objects.get(order=order)


def disposal_case(approve: bool) -> Callable[[dict[str, Any]], tuple[Any, Any, Callable[[], Any]]]:
    def build(org: dict[str, Any]) -> tuple[Any, Any, Callable[[], Any]]:
        from oms.archive import actions as archive
        from oms.archive.models import ArchiveRecord

        keeper_head = make_user("keeperhead", kind="administration", role=Role.HEAD)
        record = _filed(org)
        ArchiveRecord.objects.filter(pk=record.pk).update(
            retention_until=timezone.localdate() - timedelta(days=1)
        )
        record = archive.request_disposal(actor=keeper_head, record=record, reason="保存期满")
        return (
            record,
            keeper_head,
            lambda: archive.decide_disposal(actor=keeper_head, record=record, approve=approve, note="x"),
        )

    return build


def access_case(approve: bool) -> Callable[[dict[str, Any]], tuple[Any, Any, Callable[[], Any]]]:
    def build(org: dict[str, Any]) -> tuple[Any, Any, Callable[[], Any]]:
        from oms.archive import actions as archive
        from oms.archive.models import AccessRequest

        record = _filed(org)
        request = archive.request_access(actor=org["exec"], record=record, reason="复核")
        assert request.approver != org["exec"]  # P-5: never the requester, not even an executive
        AccessRequest.objects.filter(pk=request.pk).update(approver=org["exec"])
        request.refresh_from_db()
        return (
            request,
            org["exec"],
            lambda: archive.decide_access(actor=org["exec"], request=request, approve=approve, note="x"),
        )

    return build


def complaint_case(verb: str) -> Callable[[dict[str, Any]], tuple[Any, Any, Callable[[], Any]]]:
    def build(org: dict[str, Any]) -> tuple[Any, Any, Callable[[], Any]]:
        from oms.feedback import actions as feedback
        from oms.feedback.models import Complaint

        order = confirmed_order(org)
        complaint = Complaint.objects.create(
            number="TS-SOD-1",
            order=order,
            category="quality",
            description="异响",
            complainant="张伟",
            answer_due_at=timezone.now() + timedelta(days=3),
            status="reported",
            registered_by=org["cs"],
            handler=org["head"],
            approver=org["head"],  # as if nobody else had been there when the report went up
            report="换货",
        )
        return (
            complaint,
            org["head"],
            lambda: feedback.advance(
                actor=org["head"],
                complaint=complaint,
                step=verb,
                data={},
                version=complaint.version,
                reason="x",
            ),
        )

    return build


def improvement_case(verb: str) -> Callable[[dict[str, Any]], tuple[Any, Any, Callable[[], Any]]]:
    def build(org: dict[str, Any]) -> tuple[Any, Any, Callable[[], Any]]:
        from oms.feedback import actions as feedback

        action = feedback.add_action(
            actor=org["gm"], title="包装加固", owner=org["prod_head"], due_on=date(2027, 1, 10), origin="抽查"
        )
        action = feedback.decide_action(
            actor=org["prod_head"], action=action, verb="finish", note="已加固", version=action.version
        )
        # The owner is a head, who may verify others' actions, but not his own.
        return (
            action,
            org["prod_head"],
            lambda: feedback.decide_action(
                actor=org["prod_head"], action=action, verb=verb, note="x", version=action.version
            ),
        )

    return build


def nc_case(org: dict[str, Any]) -> tuple[Any, Any, Callable[[], Any]]:
    from oms.quality import actions as quality
    from oms.quality.models import Inspection, NonConformance

    order = confirmed_order(org)
    inspection = Inspection.objects.create(
        order=order,
        stage="final",
        product=org["gear"],
        inspector=org["quality_head"],
        passed=False,
        results={},
    )
    nc = NonConformance.objects.create(
        order=order,
        inspection=inspection,
        description="尺寸超差",
        responsible=org["quality_head"],
        status="action_decided",
        action="返工",
    )
    return (
        nc,
        org["quality_head"],
        lambda: quality.verify(actor=org["quality_head"], nc=nc, verification="合格"),
    )


def violation_case(org: dict[str, Any]) -> tuple[Any, Any, Callable[[], Any]]:
    from oms.supervision import actions as supervision

    inspector = make_user("sup1", kind="supervision")
    report = supervision.report_violation(actor=inspector, subject="私下改价", description="确认后改价")
    return (
        report,
        inspector,
        lambda: supervision.close_report(
            actor=inspector, report=report, outcome="不属实", substantiated=False, version=report.version
        ),
    )


CASES: dict[str, Callable[[dict[str, Any]], tuple[Any, Any, Callable[[], Any]]]] = {
    "order.pass_check": check_case("pass_check"),
    "order.request_info": check_case("request_info"),
    "order.escalate": check_case("escalate"),
    "order.accept": decision_case(True),
    "order.decline": decision_case(False),
    "review_task.decide_task": review_task_case,
    "approval_step.approve_step": approval_case(True),
    "approval_step.reject_step": approval_case(False),
    "change_request.approve_change": change_case(True),
    "change_request.reject_change": change_case(False),
    "statement.approve_statement": statement_case(True),
    "statement.return_statement": statement_case(False),
    "contract.review_contract": contract_case,
    "archive_disposal.approve_disposal": disposal_case(True),
    "archive_disposal.refuse_disposal": disposal_case(False),
    "archive_access.approve_access": access_case(True),
    "archive_access.refuse_access": access_case(False),
    "complaint.approve": complaint_case("approve"),
    "complaint.refuse": complaint_case("refuse"),
    "improvement.verify": improvement_case("verify"),
    "improvement.reopen": improvement_case("reopen"),
    "non_conformance.verify": nc_case,
    "violation_report.close": violation_case,
}


def test_every_decision_kind_is_tried(db: Any) -> None:
    """P-5: the cases below cover exactly the decisions the transition tables declare."""
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
    order = _head_order(org)
    item = WorkItem.objects.get(object_id=order.pk, kind="order.check", status="open")
    assert item.assignee == org["exec"]
    order = intake.pass_check(actor=org["exec"], order=order)
    assert order.status == "in_review"


def test_the_heads_own_order_is_reviewed_for_sales_by_someone_else(org: dict[str, Any]) -> None:
    """C-5, P-5: the sales department's verdict on the head's own order is his superior's."""
    order = intake.pass_check(actor=org["exec"], order=_head_order(org))
    task = order.review_rounds.get().tasks.get(department_kind="sales")
    assert task.assignee == org["exec"]


def test_the_heads_own_order_is_signed_by_the_next_person_in_the_chain(org: dict[str, Any]) -> None:
    """D-1, P-5: the sales head's approval step goes to the executive in charge instead."""
    from oms.review import actions as review
    from oms.review.models import ApprovalStep, ReviewTask

    order = intake.pass_check(actor=org["exec"], order=_head_order(org))
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
        order = intake.create_order(actor=head, data=header(org), lines=_lines(org), duplicate_reason="t")
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
    order = _head_order(org)
    client.force_login(org["head"])
    page = client.get(reverse("workbench:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="do-pass_check"' not in page
    assert (
        "您录入了此订单或是它的销售员，“初审通过，提交评审、退回补充资料、上报管理层决定”须由他人决定" in page
    )


def test_posting_the_check_as_the_raiser_is_refused(client: Any, org: dict[str, Any]) -> None:
    """B-6, P-5: a hand-made POST of the check verb changes nothing and says why."""
    order = _head_order(org)
    client.force_login(org["head"])
    before = snapshot(order)
    response = client.post(reverse("workbench:order_transition", args=[order.pk, "pass_check"]), follow=True)
    assert snapshot(order) == before
    assert "不能自己决定“初审通过，提交评审”" in response.content.decode()


def test_the_api_refuses_the_raisers_check_with_a_typed_error(client: Any, org: dict[str, Any]) -> None:
    """B-6, P-5: POST /api/orders/{id}/check as the head who entered it: 403 self_decision."""
    order = _head_order(org)
    client.force_login(org["head"])
    before = snapshot(order)
    response = client.post(
        f"/api/orders/{order.pk}/check", {"decision": "pass", "reason": ""}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "self_decision"
    assert snapshot(order) == before
