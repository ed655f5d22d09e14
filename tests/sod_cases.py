"""The cases of `test_segregation_of_duties`: for each decision the transition tables declare, a
builder that makes the thing as its raiser and returns (record, raiser, the raiser's attempt to
decide it through the real action). P-5."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from conftest import make_user
from oms.accounts.models import Role
from oms.changes.tests.fixtures import raise_typed
from oms.intake import actions as intake
from oms.intake.tests.fixtures import confirmed_order, header, order_in_review


def head_order(org: dict[str, Any]) -> Any:
    """An order the sales head entered and sells himself, submitted for the check."""
    order = intake.create_order(
        actor=org["head"], data=header(org), lines=order_lines(org), duplicate_reason="t"
    )
    return intake.submit_order(actor=org["head"], order=order)


def order_lines(org: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"product": org["gear"].pk, "quantity": "2", "unit_price": "1000"}]


def check_case(verb: str) -> Callable[[dict[str, Any]], tuple[Any, Any, Callable[[], Any]]]:
    def build(org: dict[str, Any]) -> tuple[Any, Any, Callable[[], Any]]:
        order = head_order(org)
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
            actor=org["sales"], data=header(org), lines=order_lines(org), duplicate_reason="t"
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
        request = raise_typed(
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
            quantities={order.lines.get().pk: Decimal("10")},
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

    order = intake.create_order(
        actor=org["sales"], data=header(org), lines=order_lines(org), duplicate_reason="t"
    )
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


def exception_case(org: dict[str, Any]) -> tuple[Any, Any, Callable[[], Any]]:
    """H-4: the production head raises a shortage and names himself responsible; resolving it
    is then his head's (P-5), never his."""
    from oms.tracking import actions as tracking

    exception = tracking.raise_exception(
        actor=org["prod_head"],
        order=order_in_review(org),
        kind="shortage",
        description="轴承缺货",
        responsible=org["prod_head"],
    )
    return (
        exception,
        org["prod_head"],
        lambda: tracking.resolve_exception(
            actor=org["prod_head"], exception=exception, resolution="已调货", cause="供应商延迟"
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
    "order_exception.resolve_exception": exception_case,
}
