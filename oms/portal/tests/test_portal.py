"""The customer portal (B-8, H-1, N-3, T-1): a customer's contact logs in, sees only their
company's orders, and places, confirms, accepts, answers and complains; everything else is 404."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from oms.accounts.models import User
from oms.audit.models import AuditEvent
from oms.customers import actions as customers
from oms.customers.models import Contact, Customer, PortalAccount
from oms.delivery.models import Acceptance
from oms.demo.data import load_demo
from oms.feedback.models import Complaint, Invitation
from oms.fulfilment.models import Shipment
from oms.notifications.models import Notification, NotificationChannel, OutboundMessage
from oms.orders.models import SalesOrder
from oms.tracking.models import WorkItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    load_demo()
    customer = User.objects.get(username="customer")
    own = Customer.objects.get(code="C0001")
    return {
        "user": customer,
        "own": own,
        "other_order": SalesOrder.objects.exclude(customer=own).filter(submitted_at__isnull=False).first(),
        "to_confirm": SalesOrder.objects.get(customer=own, status="awaiting_confirmation"),
        "shipped": SalesOrder.objects.filter(customer=own, status="shipped").earliest("pk"),
        "admin": User.objects.get(username="admin"),
        "sales": User.objects.get(username="sales_staff"),
    }


@pytest.fixture
def client_factory() -> Any:
    return Client


@pytest.fixture
def portal(client: Client, world: dict[str, Any]) -> Client:
    client.force_login(world["user"])
    return client


def _checks() -> dict[str, str]:
    return dict.fromkeys(("appearance_ok", "quantity_ok", "spec_ok", "quality_ok"), "on")


# --- confinement (B-8, S-1) -----------------------------------------------------------------


def test_a_customer_is_confined_to_the_portal(portal: Client, world: dict[str, Any]) -> None:
    assert portal.get("/").url == "/portal/"  # type: ignore[attr-defined]
    for path in (
        "/orders/",
        f"/orders/{world['shipped'].pk}/",
        "/work/",
        "/api/orders/",
        "/master/customers/",
    ):
        assert portal.get(path).status_code == 404, path
    assert portal.get("/portal/").status_code == 200


def test_staff_do_not_see_the_portal(client: Client, world: dict[str, Any]) -> None:
    client.force_login(world["sales"])
    assert client.get("/portal/").status_code == 404
    assert client.get(f"/portal/orders/{world['shipped'].number}/").status_code == 404


def test_a_customer_api_token_is_refused(client: Client, world: dict[str, Any]) -> None:
    from oms.accounts import actions as accounts

    key = accounts.issue_api_token(actor=world["admin"], user=world["user"], name="erp")
    response = client.get("/api/orders/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401


def test_the_home_page_lists_only_the_own_company_orders(portal: Client, world: dict[str, Any]) -> None:
    body = portal.get("/portal/").content.decode()
    own = SalesOrder.objects.filter(customer=world["own"], submitted_at__isnull=False)
    assert own.count() == 4  # pending check, two shipped, one to confirm; the draft is sales'
    for order in own:
        assert order.number in body
    for order in SalesOrder.objects.exclude(customer=world["own"]):
        assert order.number not in body
    assert "待您确认" in body


def test_another_customer_order_answers_like_one_that_does_not_exist(
    portal: Client, world: dict[str, Any]
) -> None:
    """B-8: guessing another customer's order number tells nothing."""
    other = portal.get(f"/portal/orders/{world['other_order'].number}/")
    missing = portal.get("/portal/orders/SO-NO-SUCH-ORDER/")
    assert (other.status_code, missing.status_code) == (404, 404)
    # The 404 page is the normal layout: its forms carry a CSRF token masked afresh per response
    # and the language switch returns to the address asked for; nothing else may differ.
    varying = re.compile(rb'name="(csrfmiddlewaretoken|next)" value="[^"]*"')
    assert varying.sub(b"", other.content) == varying.sub(b"", missing.content)


def test_the_order_page_shows_stage_shipments_and_tracking(portal: Client, world: dict[str, Any]) -> None:
    shipment = world["shipped"].shipments.get()
    Shipment.objects.filter(pk=shipment.pk).update(tracking_number="SF1234567890")
    body = portal.get(f"/portal/orders/{world['shipped'].number}/").content.decode()
    assert 'data-testid="portal-stage">已发货<' in body
    assert "SF1234567890" in body
    assert f"/portal/orders/{world['shipped'].number}/shipments/1/accept/" in body


def test_pages_make_a_bounded_number_of_queries(
    portal: Client, world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(14):
        assert portal.get("/portal/").status_code == 200
    with django_assert_max_num_queries(20):
        assert portal.get(f"/portal/orders/{world['shipped'].number}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert portal.get("/portal/invoices/").status_code == 200


# --- confirming (D-2) ---------------------------------------------------------------------


def test_the_customer_confirms_their_order(portal: Client, world: dict[str, Any]) -> None:
    order = world["to_confirm"]
    response = portal.post(f"/portal/orders/{order.number}/confirm/")
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.confirmation_method, order.confirmed_by_name) == (
        "confirmed",
        "portal",
        "张伟",
    )
    event = AuditEvent.objects.filter(object_id=str(order.pk), action="transition:confirm").get()
    assert event.actor_id == world["user"].pk


def test_staff_see_that_the_customer_confirmed_in_the_portal(
    portal: Client, client_factory: Any, world: dict[str, Any]
) -> None:
    """D-2, B-8: the order page, its confirmation panel, its history, the review report and the
    archive record name the customer's contact and the portal, not sales or a link."""
    from oms.archive.contents import sections
    from oms.review.models import ReviewRound

    order = world["to_confirm"]
    portal.post(f"/portal/orders/{order.number}/confirm/")
    order.refresh_from_db()
    assert (order.confirmation_method, order.confirmed_by_id) == ("portal", world["user"].pk)
    when = f"{timezone.localtime(order.confirmed_at):%Y-%m-%d %H:%M}"
    shown = f"客户张伟（{world['own'].name}）于 {when} 在客户门户确认"
    assert order.confirmation_account == shown
    staff = client_factory()
    staff.force_login(world["admin"])
    page = staff.get(f"/orders/{order.pk}/").content.decode()
    assert shown in page
    assert f"客户张伟（{world['own'].name}）· 客户门户" in page  # the timeline and the history
    assert "销售记录" not in page
    rnd = ReviewRound.objects.filter(order=order).latest("number")
    assert shown in staff.get(f"/review/rounds/{rnd.pk}/report/").content.decode()
    head = next(s for s in sections(order, world["admin"]) if s.key == "order")
    assert ["客户确认", shown] in head.rows


def test_staff_see_that_the_customer_raised_the_change_in_the_portal(
    portal: Client, client_factory: Any, world: dict[str, Any]
) -> None:
    """I-1, B-8: a change asked in the portal is raised in the salesperson's name but shown as the
    customer's contact's, through the portal, on the request, the list, the order and the archive."""
    from oms.archive.contents import sections
    from oms.changes.models import ChangeRequest
    from oms.review import actions as review

    order = review.confirm_in_portal(actor=world["user"], order=world["to_confirm"])
    line = order.lines.get()
    portal.post(
        f"/portal/orders/{order.number}/change/",
        {
            f"quantity-{line.pk}": "12",
            f"spec-{line.pk}": line.spec,
            "delivery_date": f"{order.delivery_date:%Y-%m-%d}",
            "delivery_place": order.delivery_place,
            "reason": "新产线提前投产",
            "impact": "交期不变",
        },
    )
    change = ChangeRequest.objects.get(order=order)
    sales = order.salesperson.get_full_name() or order.salesperson.username
    shown = f"客户张伟（{world['own'].name}）在客户门户提出，以销售{sales} 名义登记"
    assert (change.channel, change.customer_user, change.raiser_display) == ("portal", world["user"], shown)
    staff = client_factory()
    staff.force_login(world["admin"])
    assert shown in staff.get(f"/changes/{change.pk}/").content.decode()
    assert shown in staff.get("/changes/").content.decode()
    assert shown in staff.get(f"/orders/{order.pk}/").content.decode()
    changes = next(s for s in sections(order, world["admin"]) if s.key == "changes")
    assert changes.rows[0][2] == shown


def test_confirming_another_customer_order_is_404_and_changes_nothing(
    portal: Client, world: dict[str, Any]
) -> None:
    other = SalesOrder.objects.exclude(customer=world["own"]).get(status="in_review")
    response = portal.post(f"/portal/orders/{other.number}/confirm/")
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == "in_review"


def test_the_confirmation_action_refuses_another_company(world: dict[str, Any]) -> None:
    from oms.core.errors import NotAllowed
    from oms.review import actions as review

    other = SalesOrder.objects.exclude(customer=world["own"]).filter(status="confirmed").first()
    assert other is not None
    with pytest.raises(NotAllowed):
        review.confirm_in_portal(actor=world["user"], order=other)


# --- asking for a change (I-1) ---------------------------------------------------------------


def test_the_customer_asks_for_a_change_of_a_confirmed_order(portal: Client, world: dict[str, Any]) -> None:
    from oms.changes.models import ChangeRequest
    from oms.review import actions as review

    order = review.confirm_in_portal(actor=world["user"], order=world["to_confirm"])
    line = order.lines.get()
    response = portal.post(
        f"/portal/orders/{order.number}/change/",
        {
            f"quantity-{line.pk}": "12",
            f"spec-{line.pk}": line.spec,
            "delivery_date": f"{order.delivery_date:%Y-%m-%d}",
            "delivery_place": order.delivery_place,
            "reason": "新产线提前投产",
            "impact": "交期不变",
        },
    )
    assert response.status_code == 302
    change = ChangeRequest.objects.get(order=order)
    assert (change.source, change.customer_name, change.reason, change.raised_by_id) == (
        "customer",
        "张伟",
        "新产线提前投产",
        order.salesperson_id,
    )


def test_a_change_of_a_shipped_order_is_refused(portal: Client, world: dict[str, Any]) -> None:
    from oms.changes.models import ChangeRequest

    before = ChangeRequest.objects.count()
    response = portal.post(f"/portal/orders/{world['shipped'].number}/change/", {"reason": "x"})
    assert response.status_code == 422
    assert "只有客户确认后、全部发货前的订单才能申请变更。" in response.content.decode()
    assert ChangeRequest.objects.count() == before


# --- accepting a delivery (K-3) -------------------------------------------------------------


def test_the_customer_accepts_a_shipment_and_the_order_is_received(
    portal: Client, world: dict[str, Any]
) -> None:
    order = world["shipped"]
    response = portal.post(
        f"/portal/orders/{order.number}/shipments/1/accept/",
        {**_checks(), "result": "accepted", "received_on": f"{timezone.localdate():%Y-%m-%d}"},
    )
    assert response.status_code == 302
    acceptance = Acceptance.objects.get(shipment__order=order)
    assert (acceptance.method, acceptance.accepted_by_name, acceptance.recorded_by_id) == (
        "portal",
        "张伟",
        world["user"].pk,
    )
    order.refresh_from_db()
    assert order.status == "received"


def test_an_acceptance_in_the_portal_is_the_signed_report(portal: Client, world: dict[str, Any]) -> None:
    """K-3, M-1: the customer's own submission needs no uploaded note for closure or spot checks."""
    from oms.billing.closure import missing

    order = world["shipped"]
    portal.post(
        f"/portal/orders/{order.number}/shipments/1/accept/",
        {**_checks(), "result": "accepted", "received_on": f"{timezone.localdate():%Y-%m-%d}"},
    )
    assert not any("签字送货单" in reason or "未验收" in reason for reason in missing(order))


def test_an_incomplete_acceptance_is_refused_and_nothing_is_saved(
    portal: Client, world: dict[str, Any]
) -> None:
    order = world["shipped"]
    response = portal.post(
        f"/portal/orders/{order.number}/shipments/1/accept/",
        {"appearance_ok": "on", "result": "accepted", "received_on": f"{timezone.localdate():%Y-%m-%d}"},
    )
    assert response.status_code == 422
    assert "外观、数量、规格、质量都合格才能登记为验收合格" in response.content.decode()
    assert not Acceptance.objects.filter(shipment__order=order).exists()
    order.refresh_from_db()
    assert order.status == "shipped"


# --- placing an order (B-8) ---------------------------------------------------------------


def _order_form(**extra: Any) -> dict[str, Any]:
    from oms.catalog.models import Product

    product = Product.objects.get(code="P1002")
    return {
        "delivery_date": f"{timezone.localdate() + timedelta(days=30):%Y-%m-%d}",
        "order_class": "normal",
        "external_ref": "PO-88",
        "delivery_place": "上海市浦东新区示例路 1 号",
        "contact_phone": "13912345670",
        "product": [str(product.pk), ""],
        "quantity": ["3", ""],
        "spec": ["", ""],
        **extra,
    }


def test_a_placed_order_enters_intake_as_pending_check(portal: Client, world: dict[str, Any]) -> None:
    from oms.catalog.models import Product

    before = SalesOrder.objects.count()
    response = portal.post("/portal/orders/new/", _order_form())
    assert response.status_code == 302
    assert SalesOrder.objects.count() == before + 1
    order = SalesOrder.objects.latest("pk")
    assert (order.status, order.channel, order.customer_id, order.external_ref) == (
        "pending_check",
        "portal",
        world["own"].pk,
        "PO-88",
    )
    assert (order.salesperson_id, order.created_by_id, order.contact_name) == (
        world["own"].owner_id,
        world["user"].pk,
        "张伟",
    )
    line = order.lines.get()
    assert (line.quantity, line.unit_price) == (Decimal("3"), Product.objects.get(code="P1002").list_price)
    assert WorkItem.objects.filter(object_id=order.pk, kind="order.check", closed_at__isnull=True).exists()
    assert response.url == f"/portal/orders/{order.number}/"  # type: ignore[attr-defined]


def test_an_order_without_lines_or_date_is_refused_and_nothing_is_saved(
    portal: Client, world: dict[str, Any]
) -> None:
    before = SalesOrder.objects.count()
    response = portal.post(
        "/portal/orders/new/", _order_form(delivery_date="", product=["", ""], quantity=["", ""])
    )
    assert response.status_code == 422
    assert response.context["errors"] == {
        "delivery_date": ["交货日期：请填写要求的交货日期。"],
        "lines": ["至少需要一行订单明细。"],
    }
    assert SalesOrder.objects.count() == before


def test_every_problem_of_the_order_form_shows_at_once(portal: Client, world: dict[str, Any]) -> None:
    response = portal.post("/portal/orders/new/", _order_form(delivery_date="", contact_phone="12"))
    assert response.status_code == 422
    assert response.context["errors"] == {
        "contact_phone": ["联系电话：电话号码格式不正确，例如 13812345678 或 021-12345678。"],
        "delivery_date": ["交货日期：请填写要求的交货日期。"],
    }


def test_a_bad_line_is_named_by_its_row(portal: Client, world: dict[str, Any]) -> None:
    response = portal.post("/portal/orders/new/", _order_form(quantity=["0", ""]))
    assert response.status_code == 422
    assert response.context["errors"] == {"lines.0.quantity": ["第 1 行数量：数量必须大于 0。"]}


def test_a_customer_cannot_set_prices_or_another_customer(world: dict[str, Any]) -> None:
    from oms.core.errors import FieldErrors
    from oms.intake import actions as intake

    with pytest.raises(FieldErrors) as refused:
        intake.place_customer_order(
            actor=world["user"],
            data={"customer": world["other_order"].customer, "delivery_place": "x"},
            lines=[],
        )
    assert list(refused.value.errors) == ["customer"]


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
        quantities={ln.pk: str(ln.quantity) for ln in order.lines.all()},
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
        amount=str(statement.total),
        tax_amount="0",
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


# --- opening and stopping portal logins (B-8) -------------------------------------------------


def test_the_administrator_opens_a_login_shown_once(client: Client, world: dict[str, Any]) -> None:
    contact = Contact.objects.filter(customer__code="C0002").first()
    assert contact is not None
    admin_client = client
    admin_client.force_login(world["admin"])
    response = admin_client.post(f"/master/contacts/{contact.pk}/portal/", {"username": "tianfu"})
    assert response.status_code == 200
    account = PortalAccount.objects.get(contact=contact)
    password = response.context["password"]
    assert f"<code>{password}</code>" in response.content.decode()
    user = account.user
    assert (user.username, user.is_customer, user.check_password(password)) == ("tianfu", True, True)
    assert admin_client.get(f"/master/contacts/{contact.pk}/portal/").context["password"] == ""


def test_a_taken_login_name_is_refused(world: dict[str, Any]) -> None:
    from oms.core.errors import FieldErrors

    contact = Contact.objects.filter(customer__code="C0002").first()
    assert contact is not None
    with pytest.raises(FieldErrors) as refused:
        customers.grant_portal_access(actor=world["admin"], contact=contact, username="sales_staff")
    assert refused.value.errors == {"username": ["登录名已被使用。"]}
    assert not PortalAccount.objects.filter(contact=contact).exists()


def test_only_the_administrator_opens_logins(world: dict[str, Any]) -> None:
    from oms.core.errors import NotAllowed

    contact = Contact.objects.filter(customer__code="C0002").first()
    assert contact is not None
    with pytest.raises(NotAllowed):
        customers.grant_portal_access(actor=world["sales"], contact=contact, username="tianfu")


def test_a_revoked_login_stops_at_once(client: Client, world: dict[str, Any]) -> None:
    account = PortalAccount.objects.get(user=world["user"])
    client.force_login(world["user"])
    customers.revoke_portal_access(actor=world["admin"], account=account, version=account.version)
    assert client.get("/portal/").status_code == 302  # back to the login page
    account.refresh_from_db()
    assert (account.active, account.user.is_active) == (False, False)


def test_the_customer_changes_their_password(portal: Client, world: dict[str, Any]) -> None:
    refused = portal.post("/portal/password/", {"old_password": "wrong", "new_password": "Abcdef-12345"})
    assert refused.status_code == 422
    assert "原密码不正确。" in refused.content.decode()
    ok = portal.post("/portal/password/", {"old_password": "Demo@2026oms", "new_password": "Abcdef-12345x"})
    assert ok.status_code == 302
    world["user"].refresh_from_db()
    assert world["user"].check_password("Abcdef-12345x")


@pytest.mark.parametrize("value", ["1E+20", "NaN", "Infinity", "1E+400"])
def test_an_oversized_or_non_finite_quantity_is_refused_naming_the_row(
    portal: Client, world: dict[str, Any], value: str
) -> None:
    """P-1 (issue 20.1): NaN, Infinity, 1E+400 and 10^20 in the portal's order form answer 422
    naming the row's quantity, not 500; nothing is saved and the staff order list still answers."""
    before = SalesOrder.objects.count()
    response = portal.post("/portal/orders/new/", _order_form(quantity=[value, ""]))
    assert response.status_code == 422
    assert list(response.context["errors"]) == ["lines.0.quantity"]
    assert response.context["errors"]["lines.0.quantity"][0].startswith("第 1 行数量：数量：")
    assert SalesOrder.objects.count() == before
    staff = Client()
    staff.force_login(world["sales"])
    assert staff.get("/orders/").status_code == 200
