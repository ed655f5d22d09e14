"""Scenarios of changes and cancellation (I-1..I-4, J-1): a quantity increase during production,
a refused change, and a cancellation during procurement with its loss assessment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from oms.audit.verify import verify_chain
from oms.changes import actions
from oms.changes.models import ChangeTask, RequestStatus
from oms.changes.tests.fixtures import approve_all, buyer, in_production, raise_typed, released_order
from oms.fulfilment import actions as fulfilment
from oms.fulfilment.models import DeptTaskStatus, POStatus, SupplierDecision, TaskKind
from oms.notifications.models import Notification
from oms.orders import versions
from oms.orders.models import OrderStatus
from oms.partners.models import Supplier
from oms.tracking.models import WorkItem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _lines(order, quantity: str) -> list[dict]:
    line = order.lines.get()
    return [{"line": line.pk, "quantity": quantity, "unit_price": str(line.unit_price), "spec": line.spec}]


def test_quantity_increase_during_production(more_heads, django_capture_on_commit_callbacks) -> None:
    """I-1 the customer asks for 15 instead of 10 with a written notice; I-2 production,
    procurement and finance review it (exactly those) and the executive approves; I-3 the order
    takes the new quantity, the production plan is reopened, an agreement is drawn up and signed;
    I-4 the order has a new version whose difference shows the quantity."""
    org = more_heads
    order = in_production(org, quantity="10")
    assert order.status == OrderStatus.IN_PRODUCTION
    line = order.lines.get()
    request = raise_typed(
        actor=org["sales"],
        order=order,
        kind="change",
        source="customer",
        reason="客户追加数量",
        impact="生产增加 5 台，采购增加原料",
        lines=_lines(order, "15"),
        notice=SimpleUploadedFile("notice.pdf", b"%PDF-1.4 notice"),
    )
    assert request.aspects == ["quantity"]
    assert request.departments == ["production", "procurement", "finance"]
    reviewers = ChangeTask.objects.filter(request=request, is_leader=False)
    assert sorted(reviewers.values_list("department_kind", flat=True)) == [
        "finance",
        "procurement",
        "production",
    ]
    assert set(reviewers.values_list("status", flat=True)) == {"open"}
    leader = ChangeTask.objects.get(request=request, is_leader=True)
    assert (leader.assignee, leader.status) == (org["exec"], "waiting")
    # I-2: nothing changes while the review runs.
    order.refresh_from_db()
    assert order.lines.get().quantity == Decimal("10")

    with django_capture_on_commit_callbacks(execute=True):
        request = approve_all(request)
    assert request.status == RequestStatus.APPROVED
    order.refresh_from_db()
    line.refresh_from_db()
    assert (line.quantity, line.amount, order.total_amount) == (
        Decimal("15"),
        Decimal("15000.00"),
        Decimal("15000.00"),
    )
    assert order.lines.get().pk == line.pk  # the line keeps its identity for shipments and reservations
    # I-3: plans adjusted: the done production plan is open again, with a new work item.
    plan = order.department_tasks.get(kind=TaskKind.PRODUCTION_PLAN)
    assert plan.status == DeptTaskStatus.OPEN
    assert WorkItem.objects.filter(object_id=plan.pk, kind="release.task", status="open").count() == 1
    assert Notification.objects.filter(recipient=plan.assignee, title__contains=request.number).exists()
    assert request.agreement_number.startswith("BX") and "15" in request.agreement_html
    request = actions.sign_agreement(
        actor=org["sales"], request=request, scan=SimpleUploadedFile("a.pdf", b"%PDF-1.4 signed")
    )
    assert request.agreement_signed_at is not None
    # I-4: a new version, and its difference with the one before shows the quantity change.
    kept = list(order.versions.order_by("number"))
    assert kept[-1].number == request.result_version
    difference = versions.diff(kept[-2].snapshot, kept[-1].snapshot)
    assert [(b["quantity"], a["quantity"]) for b, a in difference.changed] == [("10.0000", "15.0000")]
    assert verify_chain().ok


def test_refused_change_leaves_the_order_and_asks_sales_to_explain(more_heads) -> None:
    """I-2 a department refuses; I-3 the reason is recorded and sales explains it to the customer."""
    org = more_heads
    order = released_order(org, quantity="10")
    before = order.version
    request = raise_typed(
        actor=org["sales"],
        order=order,
        kind="change",
        source="department",
        reason="客户希望提前交货",
        impact="生产需加班",
        terms={"delivery_date": "2026-12-20"},
    )
    assert request.departments == ["production", "procurement", "logistics"]
    task = ChangeTask.objects.get(request=request, department_kind="production")
    actions.give_opinion(actor=task.assignee, task=task, verdict="reject", comment="产能已排满")
    request.refresh_from_db()
    order.refresh_from_db()
    assert request.status == RequestStatus.REJECTED
    assert request.decision_reason.endswith("产能已排满")
    assert (order.version, order.delivery_date) == (before, date(2027, 1, 20))
    assert set(ChangeTask.objects.filter(request=request).values_list("status", flat=True)) == {
        "done",
        "skipped",
    }
    explain = WorkItem.objects.get(object_id=request.pk, kind="change.explain")
    assert explain.assignee == org["sales"]
    actions.record_explanation(actor=org["sales"], request=request, text="已电话说明产能原因")
    explain.refresh_from_db()
    assert explain.status == "done"


def test_cancellation_during_procurement(more_heads) -> None:
    """J-1: a cancellation with the loss assessed (work done, materials bought); reviewed and
    approved like a change; all open work stops, held stock is released, the open purchase order
    waits for the supplier decision; the order ends cancelled."""
    org = more_heads
    order = released_order(org, quantity="10")
    supplier = Supplier.objects.create(code="S1", name="宁波精工", qualification="qualified")
    po = fulfilment.create_purchase_order(
        actor=buyer(org),
        order=order,
        supplier=supplier,
        lines=[(org["gear"], Decimal("10"), date(2026, 12, 5))],
    )
    fulfilment.receive_goods(
        actor=buyer(org),
        line=po.lines.get(),
        received_on=date(2026, 12, 5),
        received=Decimal("4"),
        accepted=Decimal("4"),
    )
    request = raise_typed(
        actor=org["sales"],
        order=order,
        kind="cancellation",
        source="customer",
        reason="客户项目取消",
        impact="已采购部分原料",
        notice=SimpleUploadedFile("notice.pdf", b"%PDF-1.4 notice"),
        loss_amount="1200",
        loss_notes="已到货 4 件原料",
    )
    assert request.departments == ["production", "procurement", "warehouse", "finance"]
    assert request.loss_facts["open_purchase_orders"] == 1
    assert request.loss_facts["purchases"][0]["lines"][0]["accepted"] == "4.0000"
    finance = ChangeTask.objects.get(request=request, department_kind="finance")
    actions.give_opinion(actor=finance.assignee, task=finance, verdict="approve", assessed_loss="1500")
    request = approve_all(request)
    assert (request.status, request.loss_amount) == (RequestStatus.APPROVED, Decimal("1500.00"))
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert set(order.department_tasks.values_list("status", flat=True)) == {DeptTaskStatus.CANCELLED}
    po.refresh_from_db()
    assert (po.status, po.supplier_decision) == (POStatus.OPEN, SupplierDecision.PENDING)
    decision = WorkItem.objects.get(object_id=po.pk, kind="purchase.decision")
    assert decision.assignee == org["procurement_head"]
    po = fulfilment.decide_supplier(actor=buyer(org), po=po, decision="cancel", note="供应商同意取消余量")
    assert (po.status, po.supplier_decision) == (POStatus.CANCELLED, SupplierDecision.CANCEL)
    assert not WorkItem.objects.filter(
        object_id=order.pk, content_type__model="salesorder", status="open"
    ).exists()
    assert verify_chain().ok
