"""Scenario of a customer complaint (N-2, N-3, P-2, P-3): registered against a closed and filed
order, walked through every step of the policy (004 客户投诉处理的步骤), each pre-filled from the
records, reported to the head, refused once, approved and carried out; a late step escalates."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from oms.feedback.models import Complaint, Invitation
from oms.notifications.models import Notification
from oms.tracking.actions import sweep
from oms.tracking.models import WorkItem
from tests.scenarios.test_settlement_scenario import _close, _invoice, _pay, _received, _settle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def closed(more_heads: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    from conftest import make_user

    org = more_heads
    org["cs_head"] = make_user("cshead", kind="customer_service", role="head")
    order = _received(org, "on_delivery")
    _invoice(org, _settle(org, order), "D1", "10000")
    _pay(org, "10000", date(2026, 12, 6), "B1")
    return org, _close(org, order)


def _step(client: Any, c: Complaint, step: str, **data: Any) -> Complaint:
    c.refresh_from_db()
    response = client.post(
        reverse("feedback:complaint_step", args=[c.pk]), {"step": step, "version": c.version, **data}
    )
    assert response.status_code == 302
    c.refresh_from_db()
    return c


def _open_steps(c: Complaint) -> list[tuple[str, str]]:
    return [
        (w.title, w.assignee.username)
        for w in WorkItem.objects.filter(object_id=c.pk, kind="complaint.step", status="open").select_related(
            "assignee"
        )
    ]


def test_a_complaint_walks_every_step_of_the_policy(
    client, closed, django_capture_on_commit_callbacks
) -> None:
    org, order = closed
    client.force_login(org["cs"])
    # A closed order prompts the short satisfaction question (N-3).
    assert Invitation.objects.get(order=order).kind == "closing"
    response = client.post(
        reverse("feedback:complaint_new"),
        {
            "order": order.number,
            "category": "quality",
            "description": "齿轮箱异响，要求换货",
            "complainant": "张伟",
            "claim_amount": "1500.00",
        },
    )
    c = Complaint.objects.get()
    assert response.status_code == 302 and (c.status, c.handler, c.order) == ("registered", org["cs"], order)
    assert c.number == f"TS{timezone.localdate():%Y}00001"
    assert _open_steps(c) == [(f"投诉 {c.number}：收集投诉资料", "cs1")]
    assert (
        WorkItem.objects.get(object_id=c.pk, kind="complaint.step", status="open").due_at == c.answer_due_at
    )

    c = _step(client, c, "collect_evidence", evidence_note="客户寄回问题样品一台")
    assert c.status == "evidence" and c.first_answer_at is not None
    # Step 2: the page offers what the delivery records say: the signed receipt of batch 1.
    page = client.get(reverse("feedback:complaint", args=[c.pk])).content.decode()
    assert "第 1 批：张伟 2026-12-02 签收，结论 验收合格，有签字单据" in page
    c = _step(client, c, "check_receipt", receipt_signed="yes", receipt_note="张伟 2026-12-02 签收")
    c = _step(
        client, c, "compare_inspection", inspection_matches="no", inspection_note="出厂检验合格，无异响记录"
    )
    page = client.get(reverse("feedback:complaint", args=[c.pk])).content.decode()
    assert "最后签收 2026-12-02，期限 30 天，至 2027-01-01" in page
    c = _step(client, c, "check_window", within_window="yes", window_note="在 30 天内")
    page = client.get(reverse("feedback:complaint", args=[c.pk])).content.decode()
    assert 'value="客户收货单（第 1 批）"' in page and "合同 HT" in page
    c = _step(
        client,
        c,
        "gather_materials",
        materials=["客户收货单（第 1 批）", "质检报告", "样品"],
        materials_note="交主管",
    )
    assert c.materials == ["客户收货单（第 1 批）", "质检报告", "样品"]
    c = _step(
        client,
        c,
        "decide_remedy",
        meeting_note="质量、销售、客服参加",
        remedy="换新一台",
        proposed_compensation="0",
    )
    c = _step(
        client, c, "record_negotiation", negotiation_outcome="客户同意换货，不索赔", agreed_compensation="0"
    )
    with django_capture_on_commit_callbacks(execute=True):
        c = _step(client, c, "submit_report", report="换新一台，运费我方承担")
    assert (c.status, c.approver) == ("reported", org["cs_head"])
    assert _open_steps(c) == [(f"投诉 {c.number}：审批处理方案", "cshead")]
    assert Notification.objects.filter(
        recipient=org["cs_head"], title=f"投诉 {c.number} 的处理报告待您批准"
    ).exists()

    # The handler cannot approve their own report; the head refuses once, with a reason.
    _step(client, c, "approve")
    assert c.status == "reported"
    client.force_login(org["cs_head"])
    c = _step(client, c, "refuse", reason="运费条款再与客户确认")
    assert c.status == "materials" and c.decision_note == "运费条款再与客户确认"
    client.force_login(org["cs"])
    c = _step(
        client,
        c,
        "decide_remedy",
        meeting_note="复议",
        remedy="换新一台，运费各半",
        proposed_compensation="0",
    )
    c = _step(client, c, "record_negotiation", negotiation_outcome="客户同意", agreed_compensation="0")
    c = _step(client, c, "submit_report", report="换新一台，运费各半")
    client.force_login(org["cs_head"])
    c = _step(client, c, "approve", reason="同意")
    assert c.status == "approved"
    client.force_login(org["cs"])
    c = _step(client, c, "carry_out", execution_note="已发出新机，客户签收")
    assert c.status == "closed" and c.closed_at is not None
    assert _open_steps(c) == []


def test_an_empty_step_is_refused_and_changes_nothing(client, closed) -> None:
    """N-2: each step must record its finding; nothing moves without it."""
    org, order = closed
    client.force_login(org["cs"])
    client.post(
        reverse("feedback:complaint_new"),
        {"order": order.number, "category": "late", "description": "晚到两天", "complainant": "张伟"},
    )
    c = Complaint.objects.get()
    c = _step(client, c, "collect_evidence", evidence_note="")
    assert (c.status, c.version, c.first_answer_at) == ("registered", 1, None)


def test_a_late_step_is_escalated_to_the_handlers_head(client, closed) -> None:
    """N-3, P-3: the first answer is due within the policy's working days; past it, the step is
    escalated to the handler's head once."""
    org, order = closed
    client.force_login(org["cs"])
    client.post(
        reverse("feedback:complaint_new"),
        {"order": order.number, "category": "service", "description": "电话无人接", "complainant": "张伟"},
    )
    c = Complaint.objects.get()
    item = WorkItem.objects.get(object_id=c.pk, kind="complaint.step")
    sweep(now=c.answer_due_at - timedelta(minutes=1))
    item.refresh_from_db()
    assert item.overdue is False
    sweep(now=c.answer_due_at + timedelta(minutes=1))
    item.refresh_from_db()
    assert (item.overdue, item.escalated_to) == (True, org["cs_head"])


def test_the_archive_file_holds_the_complaint_and_the_rating(client, closed) -> None:
    """M-2, N-2, N-3: the filed order's customer feedback includes its complaints and the
    customer's rating of the closed order."""
    from conftest import make_user
    from oms.archive.models import ArchiveRecord
    from oms.feedback import actions

    org, order = closed
    actions.register_complaint(
        actor=org["cs"],
        order_number=order.number,
        category="service",
        description="回访不及时",
        complainant="张伟",
    )
    invitation = Invitation.objects.get(order=order)
    token = actions.issue_link(actor=org["sales"], invitation=invitation)
    actions.answer(token=token, respondent="张伟", values={"closing": 4})  # typed, as the form types it
    client.force_login(make_user("keeper1", kind="administration"))
    page = client.get(
        reverse("archive:detail", args=[ArchiveRecord.objects.get(order=order).pk])
    ).content.decode()
    assert "客户投诉 TS" in page and "回访不及时" in page
    assert "您对本次订单的整体满意度如何？：4 / 5" in page
