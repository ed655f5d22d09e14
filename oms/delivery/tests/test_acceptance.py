"""Delivery documents and the customer's acceptance (K-1..K-3)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from oms.changes.tests.fixtures import released_order
from oms.core.errors import ActionError, FieldErrors
from oms.delivery import actions
from oms.delivery.models import Acceptance, AcceptanceLink
from oms.fulfilment import actions as fulfilment
from oms.orders.models import CustomerStage, OrderStatus
from oms.quality.tests.fixtures import pass_final_inspection
from oms.tracking.models import OrderException

pytestmark = pytest.mark.django_db
ALL_OK = {c: True for c in actions.CHECKS}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _shipped(org: dict[str, Any], *parts: str) -> Any:
    order = released_order(org)
    pass_final_inspection(order)  # K-2: quality releases the goods before they ship
    # The same shipper for a second order of the same test.
    shipper = get_user_model().objects.filter(username="lg1").first() or make_user("lg1", kind="logistics")
    for i, qty in enumerate(parts):
        fulfilment.ship(
            actor=shipper,
            order=order,
            mode="pickup",
            shipped_on=date(2026, 12, 1 + i),
            quantities={order.lines.get().pk: Decimal(qty)},
            confirmed_with="张伟",
            expected_arrival=date(2026, 12, 5),
            quantity_checked=True,
        )
    order.refresh_from_db()
    return order


def _scan() -> SimpleUploadedFile:
    return SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed")


def test_order_is_received_when_every_shipment_is_accepted(more_heads) -> None:
    """K-3: a rejection goes to customer service as a problem; the order is received once the
    last shipment is accepted, here by the customer through the link."""
    org = more_heads
    service_head = make_user("cshead", kind="customer_service", role="head")
    order = _shipped(org, "6", "4")
    first, second = order.shipments.order_by("number")
    actions.record_acceptance(
        actor=org["sales"],
        shipment=first,
        result="accepted",
        checks=ALL_OK,
        received_on=date(2026, 12, 3),
        accepted_by_name="张伟",
        signed_note=_scan(),
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    rejected = actions.record_acceptance(
        actor=org["sales"],
        shipment=second,
        result="rejected",
        checks={**ALL_OK, "appearance_ok": False},
        remarks="外箱破损两件",
        received_on=date(2026, 12, 4),
        accepted_by_name="张伟",
    )
    problem = OrderException.objects.get()
    assert (problem.kind, problem.responsible, rejected.problem) == ("acceptance", service_head, problem)
    token = actions.issue_acceptance_link(actor=org["sales"], shipment=second)
    actions.accept_by_link(
        token=token,
        name="张伟",
        result="remarks",
        checks=ALL_OK,
        remarks="补发后合格",
        received_on=date(2026, 12, 8),
    )
    order.refresh_from_db()
    assert (order.status, order.customer_stage) == (OrderStatus.RECEIVED, CustomerStage.RECEIVED)


def test_an_acceptance_keeps_its_shipments_order(more_heads) -> None:
    """Issue 21: the acceptance names its shipment's order (the order accuracy KPI reads it)."""
    order = _shipped(more_heads, "10")
    acceptance = actions.record_acceptance(
        actor=more_heads["sales"],
        shipment=order.shipments.get(),
        result="accepted",
        checks=ALL_OK,
        received_on=date(2026, 12, 3),
        accepted_by_name="张伟",
        signed_note=_scan(),
    )
    acceptance.refresh_from_db()
    assert acceptance.order_id == order.pk


def test_accepted_needs_every_check(more_heads) -> None:
    order = _shipped(more_heads, "10")
    with pytest.raises(FieldErrors) as refused:
        actions.record_acceptance(
            actor=more_heads["sales"],
            shipment=order.shipments.get(),
            result="accepted",
            checks={**ALL_OK, "spec_ok": False},
            received_on=date(2026, 12, 3),
            accepted_by_name="张伟",
            signed_note=_scan(),
        )
    assert list(refused.value.errors) == ["result"]
    assert Acceptance.objects.count() == 0


def test_staff_acceptance_needs_the_signed_delivery_note(more_heads) -> None:
    order = _shipped(more_heads, "10")
    with pytest.raises(FieldErrors) as refused:
        actions.record_acceptance(
            actor=more_heads["sales"],
            shipment=order.shipments.get(),
            result="accepted",
            checks=ALL_OK,
            received_on=date(2026, 12, 3),
            accepted_by_name="张伟",
        )
    assert refused.value.errors == {"signed_note": ["请上传客户签字的送货单或验收报告。"]}
    order.refresh_from_db()
    assert (Acceptance.objects.count(), order.status) == (0, OrderStatus.SHIPPED)


def test_an_accepted_shipment_is_not_accepted_twice(more_heads) -> None:
    order = _shipped(more_heads, "10")
    shipment = order.shipments.get()
    args = {
        "actor": more_heads["sales"],
        "shipment": shipment,
        "result": "accepted",
        "checks": ALL_OK,
        "received_on": date(2026, 12, 3),
        "accepted_by_name": "张伟",
    }
    actions.record_acceptance(**args, signed_note=_scan())
    with pytest.raises(ActionError) as refused:
        actions.record_acceptance(**args, signed_note=_scan())
    assert refused.value.message == "第 1 批已验收，不能重复登记。"
    assert Acceptance.objects.count() == 1


def test_used_and_expired_links_are_refused(more_heads) -> None:
    order = _shipped(more_heads, "10")
    shipment = order.shipments.get()
    token = actions.issue_acceptance_link(actor=more_heads["sales"], shipment=shipment)
    AcceptanceLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ActionError) as expired:
        actions.accept_by_link(
            token=token, name="张伟", result="accepted", checks=ALL_OK, received_on=date(2026, 12, 3)
        )
    assert expired.value.message == "验收链接已过期，请联系销售重新发送。"
    AcceptanceLink.objects.update(expires_at=timezone.now() + timedelta(hours=1))
    actions.accept_by_link(
        token=token, name="张伟", result="accepted", checks=ALL_OK, received_on=date(2026, 12, 3)
    )
    with pytest.raises(ActionError) as used:
        actions.accept_by_link(
            token=token, name="张伟", result="accepted", checks=ALL_OK, received_on=date(2026, 12, 3)
        )
    assert used.value.message == "该验收链接已使用过。"
    assert Acceptance.objects.count() == 1


def test_delivery_note_and_certificate_print_as_pdf(client, more_heads) -> None:
    """K-2: the delivery note and the certificate of conformity go with the goods."""
    order = _shipped(more_heads, "10")
    shipment = order.shipments.get()
    client.force_login(more_heads["sales"])
    note = client.get(reverse("delivery:document", args=[shipment.pk, "note"]))
    assert "送货单" in note.content.decode() and "张伟" in note.content.decode()
    for kind in ("note", "certificate"):
        pdf = client.get(reverse("delivery:document", args=[shipment.pk, kind]) + "?format=pdf")
        assert (pdf["Content-Type"], pdf.content[:4]) == ("application/pdf", b"%PDF")


def test_acceptance_through_the_customer_page(client, more_heads) -> None:
    order = _shipped(more_heads, "10")
    token = actions.issue_acceptance_link(actor=more_heads["sales"], shipment=order.shipments.get())
    url = reverse("delivery:accept", args=[token])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "张伟",
            "result": "accepted",
            "received_on": "2026-12-03",
            **{c: "on" for c in actions.CHECKS},
        },
    )
    assert 'data-testid="customer-accept-done"' in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED


def test_order_page_shows_the_deliveries(client, more_heads, django_assert_max_num_queries) -> None:
    order = _shipped(more_heads, "6", "4")
    client.force_login(more_heads["sales"])
    with django_assert_max_num_queries(80):
        body = client.get(reverse("workbench:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="delivery-2"' in body and 'data-testid="record-acceptance-1"' in body


def test_a_refused_acceptance_on_the_order_page_is_shown_again_as_typed(client, more_heads) -> None:
    """K-3, issue 22: staff's acceptance with a failed check but "accepted" is refused; what was
    typed is shown again (the verdict, the checks, who signed, the day) and nothing is saved."""
    order = _shipped(more_heads, "10")
    shipment = order.shipments.get()
    client.force_login(more_heads["sales"])
    response = client.post(
        reverse("delivery:acceptance", args=[shipment.pk]),
        {
            "result": "remarks",
            "appearance_ok": "on",
            "received_on": "2026-12-04",
            "accepted_by_name": "王五",
            "signed_note": _scan(),
        },
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert 'value="王五"' in body and 'value="2026-12-04"' in body and 'value="remarks" selected' in body
    assert 'name="appearance_ok" checked' in body and 'name="quantity_ok" >' in body
    assert "有保留意见或拒收时请写明问题。" in body
    assert not Acceptance.objects.exists()


def test_a_bad_date_on_the_customer_page_is_shown_again_as_typed(client, more_heads) -> None:
    order = _shipped(more_heads, "10")
    token = actions.issue_acceptance_link(actor=more_heads["sales"], shipment=order.shipments.get())
    response = client.post(
        reverse("delivery:accept", args=[token]),
        {"name": "张伟", "result": "rejected", "received_on": "2026-13-45", "remarks": "外箱破损"},
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert 'value="张伟"' in body and 'value="2026-13-45"' in body and 'value="外箱破损"' in body
    assert 'value="rejected" selected' in body and "日期：格式不正确，应为 YYYY-MM-DD。" in body
    assert not Acceptance.objects.exists()


def test_an_acceptance_recorded_by_production_is_refused_before_it_is_read(client, more_heads) -> None:
    """K-3, S-1 (issue 23): only sales, customer service or logistics record the customer's
    acceptance; anyone else is refused before the form is read, and nothing is recorded."""
    order = _shipped(more_heads, "1")
    shipment = order.shipments.get()
    client.force_login(more_heads["prod_head"])
    response = client.post(
        reverse("delivery:acceptance", args=[shipment.pk]), {"verb": "record", "accepted_by_name": "张" * 200}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "只有销售、客服或物流可以登记客户验收。" in page and "form-errors" not in page
    assert not Acceptance.objects.exists()


def test_an_acceptance_link_asked_by_finance_is_refused(client, more_heads) -> None:
    """K-3, S-1: the same people send the customer the acceptance link."""
    order = _shipped(more_heads, "1")
    client.force_login(more_heads["finance_head"])
    url = reverse("delivery:acceptance", args=[order.shipments.get().pk])
    response = client.post(url, {"verb": "link"}, follow=True)
    # A verb with nothing typed is refused with a message on the page it came from.
    assert response.redirect_chain == [(reverse("workbench:order_detail", args=[order.pk]), 302)]
    assert "只有销售、客服或物流可以发送验收链接。" in response.content.decode()
    assert not AcceptanceLink.objects.exists()
