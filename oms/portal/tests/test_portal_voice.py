"""The customer portal (N-1..N-3, H-4, T-1): complaints, surveys, shared documents, invoices
and the delay notices the customer receives."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from oms.accounts.models import User
from oms.customers.models import Contact
from oms.feedback.models import Complaint, Invitation
from oms.notifications.models import Notification, NotificationChannel, OutboundMessage

pytestmark = pytest.mark.django_db


# --- complaints, surveys, documents, money --------------------------------------------------


def test_a_complaint_goes_to_customer_service_with_a_deadline(portal: Client, world: dict[str, Any]) -> None:
    order = world["shipped"]
    response = portal.post(
        f"/portal/orders/{order.number}/complaint/",
        {
            "category": "quality",
            "description": "外壳有划痕",
            "evidence": SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64),
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get(order=order)
    assert (complaint.complainant, complaint.registered_by_id, complaint.handler.username) == (
        "张伟",
        world["user"].pk,
        "customer_service_head",
    )
    assert complaint.answer_due_at > timezone.now()
    assert complaint.number in portal.get("/portal/complaints/").content.decode()


def test_an_empty_complaint_is_refused(portal: Client, world: dict[str, Any]) -> None:
    before = Complaint.objects.count()
    response = portal.post(f"/portal/orders/{world['shipped'].number}/complaint/", {"category": "quality"})
    assert response.status_code == 422
    assert "请填写投诉内容。" in response.content.decode()
    assert Complaint.objects.count() == before


def test_the_customer_answers_a_survey_without_a_link(portal: Client, world: dict[str, Any]) -> None:
    from oms.feedback import actions as feedback

    service = User.objects.get(username="customer_service_staff")
    survey = feedback.create_survey(
        actor=service, title="年度调查", period_start=timezone.localdate(), period_end=timezone.localdate()
    )
    feedback.send_survey(actor=service, survey=survey, customer_ids=[world["own"].pk])
    invitation = Invitation.objects.get(survey=survey)
    assert f"/portal/surveys/{invitation.pk}/" in portal.get("/portal/surveys/").content.decode()
    scores = {q["key"]: "5" for q in feedback.questions_of(invitation) if q["kind"] == "score"}
    response = portal.post(f"/portal/surveys/{invitation.pk}/", {**scores, "comment": "很好"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert (invitation.respondent, invitation.comment) == ("张伟", "很好")
    assert invitation.answers.count() == len(feedback.questions_of(invitation))


def test_only_shared_documents_are_listed_and_downloaded(
    portal: Client, world: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    from oms.contracts import actions as contracts

    settings.MEDIA_ROOT = tmp_path
    order = world["shipped"]

    def upload(title: str) -> Any:
        return contracts.upload_document(
            actor=world["sales"],
            order=order,
            doc_type="drawing",
            title=title,
            upload=SimpleUploadedFile(f"{title}.pdf", b"%PDF-1.4 " + title.encode()),
        )

    shared, internal = upload("外形图"), upload("工艺卡")
    contracts.share_document(actor=world["sales"], document=shared, shared=True)
    body = portal.get(f"/portal/orders/{order.number}/").content.decode()
    assert "外形图" in body and "工艺卡" not in body
    got = portal.get(f"/portal/orders/{order.number}/documents/{shared.pk}/")
    assert (got.status_code, b"".join(got.streaming_content)) == (200, "%PDF-1.4 外形图".encode())  # type: ignore[attr-defined]
    assert portal.get(f"/portal/orders/{order.number}/documents/{internal.pk}/").status_code == 404
    # A new version stays shared; the customer sees the current one.
    newer = upload("外形图")
    assert newer.shared_with_customer is True


def test_invoices_and_balance(portal: Client, world: dict[str, Any]) -> None:
    from oms.billing import actions as billing
    from oms.delivery import actions as delivery

    order = world["shipped"]
    delivery.accept_in_portal(
        actor=world["user"],
        shipment=order.shipments.get(),
        result="accepted",
        checks=dict.fromkeys(delivery.CHECKS, True),
        received_on=timezone.localdate(),
    )
    finance = User.objects.get(username="finance_head")
    statement = billing.prepare_statement(
        actor=world["sales"],
        order=order,
        quantities={ln.pk: ln.quantity for ln in order.lines.all()},
        reconciled_with="张伟",
        reconciled_on=timezone.localdate(),
    )
    statement = billing.review_statement(actor=finance, statement=statement, approve=True)
    billing.record_invoice(
        actor=finance,
        statement=statement,
        invoice_type="special_vat",
        number="FP-PORTAL-1",
        issued_on=timezone.localdate() - timedelta(days=90),
        amount=statement.total,
        tax_rate=Decimal("0"),
    )
    body = portal.get("/portal/invoices/").content.decode()
    assert "FP-PORTAL-1" in body
    assert f'data-testid="balance">{statement.total}<' in body
    assert "已逾期" in body


# --- delay notices (H-4, T-1) ---------------------------------------------------------------


def test_a_delay_is_announced_to_the_customer_without_the_internal_text(
    portal: Client, world: dict[str, Any]
) -> None:
    from oms.tracking import actions as tracking

    NotificationChannel.objects.create(name="客户邮件", kind="email", to_customers=True)
    Contact.objects.filter(customer=world["own"], is_primary=True).update(email="zhangwei@example.com")
    order = world["shipped"]
    exception = tracking.raise_exception(
        actor=world["sales"],
        order=order,
        kind="delay",
        description="供应商 S003 电机缺货，内部原因",
        responsible=User.objects.get(username="production_head"),
    )
    assert exception.customer_informed is True
    note = Notification.objects.get(recipient=world["user"])
    assert note.title == f"您的订单 {order.number} 出现延误，{world['sales']} 正在跟进，将尽快与您联系。"
    assert note.url == f"/portal/orders/{order.number}/"
    mail = OutboundMessage.objects.get(event="order.exception.delay")
    assert (mail.target, mail.title) == ("zhangwei@example.com", note.title)
    body = portal.get(f"/portal/orders/{order.number}/").content.decode()
    assert 'data-testid="portal-notice"' in body
    assert "内部原因" not in body


def test_other_exceptions_are_not_announced(world: dict[str, Any]) -> None:
    from oms.tracking import actions as tracking

    exception = tracking.raise_exception(
        actor=world["sales"],
        order=world["shipped"],
        kind="equipment",
        description="注塑机故障",
        responsible=User.objects.get(username="production_head"),
    )
    assert exception.customer_informed is False
    assert not Notification.objects.filter(recipient=world["user"]).exists()


def test_a_bad_claim_amount_re_renders_what_the_customer_typed(portal: Client, world: dict[str, Any]) -> None:
    """Issue 22: the portal complaint goes through the same form as customer service's; a bad
    amount is named and the page keeps what was typed; nothing is saved."""
    before = Complaint.objects.count()
    response = portal.post(
        f"/portal/orders/{world['shipped'].number}/complaint/",
        {"category": "quality", "description": "外壳有划痕，共三台", "claim_amount": "12.345"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "外壳有划痕，共三台" in body and 'value="12.345"' in body
    assert "最多 2 位小数" in body
    assert Complaint.objects.count() == before


def test_a_rejection_in_the_portal_raises_the_exception_in_the_customers_name(
    world: dict[str, Any],
) -> None:
    """K-3, H-4, S-2: the customer who rejects a shipment under their own login is the one the
    exception (and its audit event) names as raising it, not the salesperson."""
    from oms.delivery import actions as delivery
    from oms.tracking.models import OrderException

    order = world["shipped"]
    acceptance = delivery.accept_in_portal(
        actor=world["user"],
        shipment=order.shipments.get(),
        result="rejected",
        checks=dict.fromkeys(delivery.CHECKS, True),
        remarks="外壳破损",
        received_on=timezone.localdate(),
    )
    problem = OrderException.objects.get(pk=acceptance.problem_id)
    assert (problem.kind, problem.raised_by_id) == ("acceptance", world["user"].pk)
