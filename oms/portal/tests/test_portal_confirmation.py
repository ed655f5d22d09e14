"""The customer portal (D-2, I-1, K-3): the customer confirms an order, asks for a change and
accepts a delivery; another company's order is 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from oms.audit.models import AuditEvent
from oms.delivery.models import Acceptance
from oms.orders.models import SalesOrder

pytestmark = pytest.mark.django_db


def _checks() -> dict[str, str]:
    return dict.fromkeys(("appearance_ok", "quantity_ok", "spec_ok", "quality_ok"), "on")


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
    # The order page has tabs (issue 23.5): the confirmation on 评审审批, the history on 记录.
    page = staff.get(f"/orders/{order.pk}/?tab=review").content.decode()
    records = staff.get(f"/orders/{order.pk}/?tab=records").content.decode()
    assert shown in page
    assert f"客户张伟（{world['own'].name}）· 客户门户" in records  # the timeline and the history
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
    assert shown in staff.get(f"/orders/{order.pk}/?tab=changes").content.decode()
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
