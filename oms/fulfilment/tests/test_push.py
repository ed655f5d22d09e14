"""下推 (issue 23 point 6, G-5): a shipment generated from the order's open lines; the shipping
form comes filled and editable, and what is saved still goes through the `ship` action."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import make_user
from oms.fulfilment import actions
from oms.fulfilment.models import Shipment
from oms.fulfilment.tests.fixtures import CHECKED
from oms.intake.tests.fixtures import signed_order
from oms.orders.models import SalesOrder
from oms.quality.tests.fixtures import pass_final_inspection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _released(org):
    org["logistics"] = make_user("lg1", kind="logistics")
    order = actions.release_order(actor=org["head"], order=signed_order(org, quantity="10"))
    pass_final_inspection(order)
    return order


def test_push_fills_the_shipping_form_with_what_is_left(client, more_heads) -> None:
    org = more_heads
    order = _released(org)
    line = order.lines.get()
    actions.ship(
        **CHECKED,
        actor=org["logistics"],
        order=order,
        mode="express",
        shipped_on=date(2026, 12, 1),
        quantities={line.pk: Decimal("4")},
        tracking_number="SF100",
    )
    client.force_login(org["logistics"])
    content = client.get(
        reverse("workbench:order_detail", args=[order.pk]) + "?tab=execution&push=shipment"
    ).content.decode()
    assert 'data-testid="ship-prefilled"' in content
    assert f'name="qty-{line.pk}" inputmode="decimal" value="6"' in content
    assert (
        f'name="confirmed_with" placeholder="与客户确认人" aria-label="与客户确认人" value="{order.contact_name}"'
        in content
    )


def test_without_push_the_shipping_form_is_empty_and_offers_the_button(client, more_heads) -> None:
    org = more_heads
    order = _released(org)
    line = order.lines.get()
    client.force_login(org["logistics"])
    content = client.get(reverse("workbench:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="push-shipment"' in content
    assert f'name="qty-{line.pk}" inputmode="decimal" value=""' in content


def test_push_is_not_offered_to_who_cannot_ship(client, more_heads) -> None:
    org = more_heads
    order = _released(org)
    client.force_login(org["sales"])
    content = client.get(
        reverse("workbench:order_detail", args=[order.pk]) + "?tab=execution&push=shipment"
    ).content.decode()
    assert 'data-testid="push-shipment"' not in content and 'name="qty-' not in content


def test_prefilled_shipment_posted_is_linked_to_its_order(client, more_heads) -> None:
    org = more_heads
    order = _released(org)
    line = order.lines.get()
    client.force_login(org["logistics"])
    response = client.post(
        reverse("fulfilment:execution", args=[order.pk, "ship"]),
        {
            "mode": "express",
            "shipped_on": "2026-12-01",
            "expected_arrival": "2026-12-05",
            "tracking_number": "SF9",
            "quantity_checked": "on",
            "delivery_place": order.delivery_place,
            "confirmed_with": order.contact_name,
            f"qty-{line.pk}": "10",
        },
    )
    shipment = Shipment.objects.get()
    assert response.status_code == 302 and shipment.order_id == order.pk
    assert [(sl.order_line_id, sl.quantity) for sl in shipment.lines.all()] == [(line.pk, Decimal("10.0000"))]


def _reserved(org, quantity="6"):
    from oms.catalog.models import StockLevel, Warehouse

    if "wh1" not in org:
        org["wh1"] = make_user("wh1", kind="warehouse")
    level, _ = StockLevel.objects.get_or_create(
        product=org["gear"],
        warehouse=Warehouse.objects.get_or_create(code="W1", defaults={"name": "成品仓"})[0],
        defaults={"on_hand": Decimal("100")},
    )
    order = actions.release_order(actor=org["head"], order=signed_order(org, quantity=quantity))
    actions.reserve(
        actor=org["wh1"],
        order=order,
        line_id=order.lines.get().pk,
        stock_level_id=level.pk,
        quantity=Decimal(quantity),
    )
    return order


def test_picking_list_prints_the_reservations_of_several_orders(
    client, more_heads, django_assert_max_num_queries
) -> None:
    org = more_heads
    first, second = _reserved(org), _reserved(org, "3")
    client.force_login(org["wh1"])
    url = reverse("fulfilment:picking_print") + f"?order={first.pk}&order={second.pk}"
    with django_assert_max_num_queries(12):
        response = client.get(url)
    content = response.content.decode()
    assert response.status_code == 200 and content.count('data-testid="picking-order"') == 2
    assert first.number in content and second.number in content


def test_picking_list_is_offered_on_the_order_to_the_warehouse(client, more_heads) -> None:
    org = more_heads
    order = _reserved(org)
    client.force_login(org["wh1"])
    content = client.get(reverse("workbench:order_detail", args=[order.pk])).content.decode()
    assert reverse("fulfilment:picking_print") + f"?order={order.pk}" in content


def test_picking_list_refused_outside_the_warehouse(client, more_heads) -> None:
    org = more_heads
    order = _reserved(org)
    client.force_login(org["sales"])
    assert client.get(reverse("fulfilment:picking_print") + f"?order={order.pk}").status_code == 404


def test_picking_list_leaves_out_orders_outside_the_users_scope(client, more_heads) -> None:
    """S-1, G-4: an executive outside the order's scope (own orders only) opens the picking page,
    which the role may, and sees none of the reservations of an order they may not see."""
    org = more_heads
    order = _reserved(org)
    outsider = make_user("exec_own", kind="sales", role="executive", data_scope="own")
    client.force_login(outsider)
    content = client.get(reverse("fulfilment:picking")).content.decode()
    assert order.number not in content


def test_picking_print_of_the_whole_list_leaves_out_orders_outside_the_users_scope(
    client, more_heads
) -> None:
    """S-1, G-4: the printed list of everything on the picking list (no order ticked) is the
    picking list of the user's scope too."""
    org = more_heads
    order = _reserved(org)
    outsider = make_user("exec_own", kind="sales", role="executive", data_scope="own")
    client.force_login(outsider)
    response = client.get(reverse("fulfilment:picking_print"))
    assert response.status_code == 200 and order.number not in response.content.decode()


def test_picking_list_leaves_out_archived_orders(more_heads) -> None:
    """M-3, G-4: an order filed in the archive is read through the archive only, its reservations
    left off the warehouse's picking list."""
    from oms.fulfilment.selectors import picking_list

    org = more_heads
    order = _reserved(org)
    archived = SalesOrder._meta.get_field("archive_record").related_model
    before = picking_list(org["wh1"])
    archived._default_manager.create(
        order=order,
        number="A-1",
        category="closed",
        completed_on=date(2027, 3, 1),
        retention_years=3,
        retention_until=date(2030, 3, 1),
    )
    assert [r.order_id for r in before] == [order.pk] and picking_list(org["wh1"]) == []
