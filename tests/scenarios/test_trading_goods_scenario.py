"""Scenario (flows, point 1): a company that sells stock items as trading goods exempts them from
the final inspection (policy `shipping.stock_items_without_final_inspection`, K-2, G-3). Two orders
walked from release to shipment under that policy, each hand-off announced to the next actor (T-1):

1. trading goods only: the warehouse staff are handed the order at release (G-4), production's
   milestones ask quality for nothing (G-3), packing hands it to logistics (G-5), it ships (G-6);
2. a stock item with a made-to-order product: the warehouse prepares the stock item at once, the
   other line still needs its final inspection (K-2 kept): refused as logistics until it passes,
   which hands the warehouse the rest (G-4), and then it ships."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from oms.catalog.models import Product, StockLevel, Warehouse
from oms.engine.workflow import TransitionBlocked
from oms.fulfilment import actions as fulfilment
from oms.intake.tests.fixtures import confirmed_order, lines, set_policy
from oms.orders.models import OrderStatus
from oms.quality.tests.fixtures import pass_final_inspection
from oms.tracking.tests import handoff_walk as walk
from oms.tracking.tests.handoff_walk import finished, waiting

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def org(more_heads: dict[str, Any]) -> dict[str, Any]:
    org = walk.people(more_heads)
    set_policy(org, shipping__stock_items_without_final_inspection=True)
    return org


def _released(org: dict[str, Any], **overrides: Any) -> Any:
    order = confirmed_order(org, quantity="10", **overrides)
    walk.sign(org, walk.review(org, walk.contract_of(org, order)))
    return walk.release(org, order)


def _pack(org: dict[str, Any], order: Any, line: Any) -> None:
    """G-4: reserved, picked, second-checked by another member, packed."""
    level = StockLevel.objects.create(
        product=line.product,
        warehouse=Warehouse.objects.get_or_create(code="W1", defaults={"name": "成品仓"})[0],
        on_hand=line.quantity,
    )
    res = fulfilment.reserve(
        actor=org["wh1"], order=order, line_id=line.pk, stock_level_id=level.pk, quantity=line.quantity
    )
    res = fulfilment.pick(actor=org["wh1"], reservation=res)
    res = fulfilment.second_check(actor=org["wh2"], reservation=res, counted=line.quantity)
    fulfilment.pack(actor=org["wh1"], reservation=res, packing="纸箱")


def _ship(org: dict[str, Any], order: Any, line: Any) -> Any:
    return fulfilment.ship(
        actor=org["lg"],
        order=order,
        mode="pickup",
        shipped_on=date(2026, 12, 7),
        quantities={line.pk: line.quantity},
        confirmed_with="张伟",
        expected_arrival=date(2026, 12, 8),
        quantity_checked=True,
    )


def test_trading_goods_go_from_release_to_shipment_without_a_final_inspection(org: dict[str, Any]) -> None:
    """F-1 → G-4 → G-5 → G-6 with K-2's exemption: nobody waits on an inspection nobody does."""
    order = _released(org)
    line = order.lines.get()
    # G-4, T-1: every warehouse member is handed the order at release, and told.
    for person in (org["wh1"], org["wh2"]):
        waiting(person, "warehouse.prepare", order)
    # G-2, G-3: production completes; quality is not asked for an inspection.
    walk.produce(org, order)
    finished("production.milestone", order)
    assert not order.work_items.filter(kind="quality.final").exists()
    # G-4 → G-5: packed goods are logistics' step.
    _pack(org, order, line)
    finished("warehouse.prepare", order)
    waiting(org["lg"], "logistics.ship", order)
    # G-6, K-2: it ships, released by no inspection.
    order.refresh_from_db()
    shipment = _ship(org, order, line)
    assert shipment.released_by.count() == 0
    finished("logistics.ship", order)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED


def test_a_made_to_order_line_still_waits_on_its_final_inspection(org: dict[str, Any]) -> None:
    """K-2, G-3 kept; G-4, G-6, T-1: the stock item is prepared and ships first; the other line is
    refused until its final inspection passed, which hands the warehouse the rest."""
    Product.objects.filter(pk=org["motor"].pk).update(is_stock_item=False)
    order = _released(org, order_lines=lines(org))
    gear, motor = order.lines.order_by("line_no")
    waiting(org["wh1"], "warehouse.prepare", order)
    walk.produce(org, order)
    waiting(org["qc"], "quality.final", order)
    # The stock item: packed, handed to logistics, shipped (a partial shipment, G-6).
    _pack(org, order, gear)
    waiting(org["lg"], "logistics.ship", order)
    order.refresh_from_db()
    _ship(org, order, gear)
    # K-2: the motor is refused as logistics, nothing shipped.
    with pytest.raises(TransitionBlocked) as refused:
        _ship(org, order, motor)
    assert refused.value.reasons == ["第 2 行（电机）还没有成品检验记录，不能发货。"]
    assert order.shipments.count() == 1
    # G-3 → G-4: the passed inspection hands the warehouse the rest, announced.
    org["motor"].refresh_from_db()
    (passed,) = pass_final_inspection(order, products=[org["motor"]])
    finished("quality.final", order)
    item = waiting(org["wh2"], "warehouse.prepare", order)
    assert item.title == f"订单 {order.number} 成品检验合格，请配货、复核、包装"
    _pack(org, order, motor)
    order.refresh_from_db()
    second = _ship(org, order, motor)
    assert list(second.released_by.all()) == [passed]
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
