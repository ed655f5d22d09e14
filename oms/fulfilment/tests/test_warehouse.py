"""G-4: reservation under row locks, picking, second check by another person, packing, dispatch."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections

from oms.catalog.models import StockLevel, Warehouse
from oms.core.errors import FieldErrors
from oms.engine.workflow import PermissionDenied
from oms.fulfilment import actions
from oms.fulfilment.models import ReservationStatus
from oms.fulfilment.tests.fixtures import CHECKED
from oms.intake.tests.fixtures import signed_order
from oms.quality.tests.fixtures import pass_final_inspection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _setup(org, on_hand="10"):
    from conftest import make_user

    org["wh1"] = make_user("wh1", kind="warehouse")
    org["wh2"] = make_user("wh2", kind="warehouse")
    org["logistics"] = make_user("lg1", kind="logistics")
    level = StockLevel.objects.create(
        product=org["gear"],
        warehouse=Warehouse.objects.create(code="W1", name="成品仓"),
        on_hand=Decimal(on_hand),
    )
    order = actions.release_order(actor=org["head"], order=signed_order(org, quantity="6"))
    pass_final_inspection(order)  # K-2: quality releases the goods before they ship
    return order, order.lines.get(), level


def test_reserve_pick_check_pack_and_ship_takes_stock_out(more_heads) -> None:
    """A-5, G-4: allocation reserves the product's stock level in its warehouse; shipping takes it out of stock on hand."""
    org = more_heads
    order, line, level = _setup(org)
    res = actions.reserve(
        actor=org["wh1"], order=order, line_id=line.pk, stock_level_id=level.pk, quantity=Decimal("6")
    )
    level.refresh_from_db()
    assert (level.reserved, level.available) == (Decimal("6"), Decimal("4"))
    res = actions.pick(actor=org["wh1"], reservation=res)
    with pytest.raises(PermissionDenied):
        actions.second_check(actor=org["wh1"], reservation=res, counted=Decimal("6"))
    with pytest.raises(FieldErrors):
        actions.second_check(actor=org["wh2"], reservation=res, counted=Decimal("5"))
    res = actions.second_check(actor=org["wh2"], reservation=res, counted=Decimal("6"))
    res = actions.pack(actor=org["wh1"], reservation=res, packing="木箱 2 件")
    actions.ship(
        **CHECKED,
        actor=org["logistics"],
        order=order,
        mode="freight",
        shipped_on=date(2026, 12, 1),
        quantities={line.pk: Decimal("6")},
        tracking_number="DB1",
    )
    level.refresh_from_db()
    res.refresh_from_db()
    assert (level.on_hand, level.reserved, res.status) == (
        Decimal("4"),
        Decimal("0"),
        ReservationStatus.SHIPPED,
    )


def test_cannot_reserve_more_than_available_or_needed(more_heads) -> None:
    """A-5, G-4: allocation cannot take more than the stock level has available, nor more than the line still needs."""
    org = more_heads
    order, line, level = _setup(org, on_hand="5")
    with pytest.raises(FieldErrors) as info:
        actions.reserve(
            actor=org["wh1"], order=order, line_id=line.pk, stock_level_id=level.pk, quantity=Decimal("6")
        )
    assert info.value.errors == {"quantity": ["库存不足：可用 5。"]}
    level.on_hand = Decimal("20")
    level.save()
    with pytest.raises(FieldErrors) as info:
        actions.reserve(
            actor=org["wh1"], order=order, line_id=line.pk, stock_level_id=level.pk, quantity=Decimal("7")
        )
    assert info.value.errors == {"quantity": ["超过订单需要：最多还需 6。"]}
    level.refresh_from_db()
    assert level.reserved == Decimal("0")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL; CI runs this on PostgreSQL"
)
def test_two_orders_never_reserve_the_same_stock(more_heads) -> None:
    """A-5, G-4: two orders allocating one stock level at once never reserve the same units."""
    org = more_heads
    from conftest import make_user

    make_user("wh1", kind="warehouse")
    wh = make_user("wh9", kind="warehouse")
    level = StockLevel.objects.create(
        product=org["gear"],
        warehouse=Warehouse.objects.create(code="W1", name="成品仓"),
        on_hand=Decimal("10"),
    )
    orders = [
        actions.release_order(actor=org["head"], order=signed_order(org, quantity="6")) for _ in range(2)
    ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take(order) -> None:
        try:
            barrier.wait(timeout=30)
            actions.reserve(
                actor=wh,
                order=order,
                line_id=order.lines.get().pk,
                stock_level_id=level.pk,
                quantity=Decimal("6"),
            )
            outcomes.append("ok")
        except FieldErrors:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(o,)) for o in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    level.refresh_from_db()
    assert sorted(outcomes) == ["ok", "refused"]
    assert level.reserved == Decimal("6")


def test_warehouse_steps_through_the_order_page_and_picking_list(
    client, more_heads, django_assert_max_num_queries
) -> None:
    from django.urls import reverse

    org = more_heads
    order, line, level = _setup(org)
    client.force_login(org["wh1"])
    url = reverse("fulfilment:execution", args=[order.pk, "reserve"])
    client.post(url, {"line": line.pk, "stock_level": level.pk, "quantity": "6"})
    res = order.reservations.get()
    with django_assert_max_num_queries(12):
        picking = client.get(reverse("fulfilment:picking"))
    assert order.number in picking.content.decode()
    client.post(reverse("fulfilment:execution", args=[order.pk, "pick"]), {"reservation": res.pk})
    client.force_login(org["wh2"])
    client.post(
        reverse("fulfilment:execution", args=[order.pk, "check"]), {"reservation": res.pk, "counted": "6"}
    )
    client.post(
        reverse("fulfilment:execution", args=[order.pk, "pack"]),
        {"reservation": res.pk, "packing": "纸箱 6 件"},
    )
    res.refresh_from_db()
    assert (res.status, res.checked_by, res.packing) == (ReservationStatus.PACKED, org["wh2"], "纸箱 6 件")
    assert (
        'data-testid="reservations"'
        in client.get(reverse("workbench:order_detail", args=[order.pk])).content.decode()
    )


@pytest.mark.parametrize(
    ("counted", "message"),
    [("", "请填写复核数量。"), ("0", "复核数量 0 与预留数量 6 不符。")],
)
def test_second_check_on_the_page_names_what_was_counted(client, more_heads, counted, message) -> None:
    """G-4: an empty count asks for the count; a count of 0 is a count and is shown as typed
    (it once became -1 in the message). Nothing changes either way."""
    from django.urls import reverse

    org = more_heads
    order, line, level = _setup(org)
    res = actions.reserve(
        actor=org["wh1"], order=order, line_id=line.pk, stock_level_id=level.pk, quantity=Decimal("6")
    )
    res = actions.pick(actor=org["wh1"], reservation=res)
    client.force_login(org["wh2"])
    response = client.post(
        reverse("fulfilment:execution", args=[order.pk, "check"]),
        {"reservation": res.pk, "counted": counted},
        follow=True,
    )
    res.refresh_from_db()
    assert message in response.content.decode()
    assert (res.status, res.checked_by) == (ReservationStatus.PICKED, None)
