"""G-5, G-6: partial and whole shipments; never more than what is left; the order is shipped at the end."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from oms.core.errors import FieldErrors, NotAllowed
from oms.fulfilment import actions
from oms.fulfilment.tests.fixtures import CHECKED
from oms.intake.tests.fixtures import signed_order
from oms.orders.models import CustomerStage, OrderStatus
from oms.partners.models import Carrier
from oms.quality.tests.fixtures import pass_final_inspection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _released(org):
    from conftest import make_user

    org["logistics"] = make_user("lg1", kind="logistics")
    order = actions.release_order(actor=org["head"], order=signed_order(org, quantity="10"))
    pass_final_inspection(order)  # K-2: quality releases the goods before they ship
    return order


def test_two_partial_shipments_ship_the_order(more_heads) -> None:
    org = more_heads
    order = _released(org)
    line = order.lines.get()
    carrier = Carrier.objects.create(code="L1", name="顺丰", qualification="qualified")
    actions.ship(
        **CHECKED,
        actor=org["logistics"],
        order=order,
        mode="express",
        shipped_on=date(2026, 12, 1),
        quantities={line.pk: Decimal("4")},
        carrier=carrier,
        tracking_number="SF100",
    )
    order.refresh_from_db()
    assert (order.status, actions.shipped_quantities(order)[line.pk]) == (OrderStatus.RELEASED, Decimal("4"))
    with pytest.raises(FieldErrors) as info:
        actions.ship(
            **CHECKED,
            actor=org["logistics"],
            order=order,
            mode="express",
            shipped_on=date(2026, 12, 2),
            quantities={line.pk: Decimal("7")},
            tracking_number="SF101",
        )
    assert info.value.errors == {f"lines.{line.pk}": ["第 1 行最多还能发 6。"]}
    actions.ship(
        **CHECKED,
        actor=org["logistics"],
        order=order,
        mode="freight",
        shipped_on=date(2026, 12, 3),
        quantities={line.pk: Decimal("6")},
        tracking_number="DB200",
    )
    order.refresh_from_db()
    assert (order.status, order.customer_stage, order.shipments.count()) == (
        OrderStatus.SHIPPED,
        CustomerStage.SHIPPED,
        2,
    )


def test_unqualified_carrier_is_refused(more_heads) -> None:
    """A-3, G-5: a disqualified carrier (物流服务商) cannot carry a shipment."""
    org = more_heads
    order = _released(org)
    carrier = Carrier.objects.create(code="L9", name="某物流", qualification="disqualified")
    with pytest.raises(FieldErrors) as info:
        actions.ship(
            **CHECKED,
            actor=org["logistics"],
            order=order,
            mode="freight",
            shipped_on=date(2026, 12, 1),
            quantities={order.lines.get().pk: Decimal("1")},
            carrier=carrier,
            tracking_number="X",
        )
    assert list(info.value.errors) == ["carrier"]
    assert order.shipments.count() == 0


def test_sales_cannot_record_shipments(more_heads) -> None:
    org = more_heads
    order = _released(org)
    with pytest.raises(NotAllowed):
        actions.ship(
            **CHECKED,
            actor=org["sales"],
            order=order,
            mode="pickup",
            shipped_on=date(2026, 12, 1),
            quantities={order.lines.get().pk: Decimal("1")},
        )


def test_shipment_status_through_the_api_and_page(client, more_heads) -> None:
    from django.urls import reverse

    from oms.accounts.actions import issue_api_token

    org = more_heads
    order = _released(org)
    line = order.lines.get()
    client.force_login(org["logistics"])
    client.post(
        reverse("fulfilment:execution", args=[order.pk, "ship"]),
        {
            "mode": "express",
            "tracking_number": "SF300",
            "shipped_on": "2026-12-01",
            "expected_arrival": "2026-12-03",
            "confirmed_with": "张伟",
            "quantity_checked": "on",
            f"qty-{line.pk}": "3",
        },
    )
    token = issue_api_token(actor=org["sales"], user=org["sales"], name="t")
    body = client.get(f"/api/orders/{order.pk}/shipments", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert (body["remaining"], body["shipments"][0]["tracking_number"]) == ({"1": "7.0000"}, "SF300")
    assert "SF300" in client.get(reverse("workbench:order_detail", args=[order.pk])).content.decode()


def test_shipment_needs_the_customer_confirmation_and_the_checks(more_heads) -> None:
    """K-1, K-2: delivery time and place confirmed with the customer, quantity checked."""
    from conftest import make_user
    from oms.fulfilment.models import Shipment

    org = more_heads
    order = actions.release_order(actor=org["head"], order=signed_order(org, quantity="10"))
    with pytest.raises(FieldErrors) as refused:
        actions.ship(
            actor=make_user("lg9", kind="logistics"),
            order=order,
            mode="pickup",
            shipped_on=date(2026, 12, 1),
            quantities={order.lines.get().pk: Decimal("1")},
        )
    assert refused.value.errors == {
        "confirmed_with": ["请填写与客户确认交货时间和地点的联系人。"],
        "expected_arrival": ["请填写与客户确认的预计到达日期。"],
        "checks": ["发货前须确认数量已核对。"],
    }
    assert Shipment.objects.count() == 0
