"""G-4, K-2, G-3, T-1 (flows, point 1): goods the policy ships without a final inspection (stock
items, `shipping.stock_items_without_final_inspection`) are handed to the warehouse staff at
release, announced; quality is asked for a final inspection only when some line needs one; a line
that needs one still ships only after it passed. One rule per test."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from oms.accounts.actions import issue_api_token
from oms.audit.models import AuditEvent
from oms.catalog.models import Product, StockLevel, Warehouse
from oms.fulfilment.models import Shipment
from oms.intake.tests.fixtures import confirmed_order, lines, set_policy
from oms.notifications.models import Notification
from oms.orders.models import SalesOrder
from oms.quality.release import final_inspection_needs, ships_without_final_inspection
from oms.tracking.models import WorkItem
from oms.tracking.tests import handoff_walk as walk
from oms.tracking.tests.handoff_walk import waiting

pytestmark = pytest.mark.django_db
EXEMPT = {"shipping__stock_items_without_final_inspection": True}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def org(more_heads: dict[str, Any]) -> dict[str, Any]:
    return walk.people(more_heads)


def _signed(org: dict[str, Any], **overrides: Any) -> SalesOrder:
    order = confirmed_order(org, quantity="10", **overrides)
    walk.sign(org, walk.review(org, walk.contract_of(org, order)))
    return order


def _mixed(org: dict[str, Any]) -> SalesOrder:
    """Gear (a stock item) and motor (made to order: not a stock item)."""
    Product.objects.filter(pk=org["motor"].pk).update(is_stock_item=False)
    return _signed(org, order_lines=lines(org))


def test_a_stock_item_ships_without_inspection_only_when_the_policy_exempts_it(org: dict[str, Any]) -> None:
    """K-2, G-3: by default (policy off) every product needs a final inspection."""
    order = _signed(org)
    assert ships_without_final_inspection(order, org["gear"]) is False
    assert final_inspection_needs(order) == (True, False)


def test_a_product_that_is_not_a_stock_item_always_needs_a_final_inspection(org: dict[str, Any]) -> None:
    """K-2, G-3: the exemption covers stock items (trading goods) only."""
    set_policy(org, **EXEMPT)
    order = _mixed(org)
    org["motor"].refresh_from_db()
    assert ships_without_final_inspection(order, org["gear"]) is True
    assert ships_without_final_inspection(order, org["motor"]) is False
    assert final_inspection_needs(order) == (True, True)


def test_release_hands_exempt_goods_to_every_warehouse_member_announced(org: dict[str, Any]) -> None:
    """G-4, T-1: with nothing to inspect the warehouse staff see the order from its release and
    are told, in the inbox, once each."""
    set_policy(org, **EXEMPT)
    order = walk.release(org, _signed(org))
    for person in (org["wh1"], org["wh2"]):
        item = waiting(person, "warehouse.prepare", order)
    assert item.title == f"订单 {order.number} 的库存品无需成品检验，请配货、复核、包装"


def test_release_without_the_exemption_opens_no_warehouse_step(org: dict[str, Any]) -> None:
    """G-3, K-2: goods that need a final inspection wait on it; the warehouse is not asked yet."""
    order = walk.release(org, _signed(org))
    assert not WorkItem.objects.filter(order=order, kind="warehouse.prepare").exists()


def test_finished_production_asks_no_inspection_nobody_must_do(org: dict[str, Any]) -> None:
    """G-3, T-1: when no line needs a final inspection, quality is not handed a step that would
    stay open for ever."""
    set_policy(org, **EXEMPT)
    order = walk.release(org, _signed(org))
    walk.produce(org, order)
    assert not WorkItem.objects.filter(order=order, kind="quality.final").exists()


def test_a_mixed_order_waits_on_quality_for_its_other_lines(org: dict[str, Any]) -> None:
    """G-3: the lines that need a final inspection still hand it to quality once produced."""
    set_policy(org, **EXEMPT)
    order = walk.release(org, _mixed(org))
    walk.produce(org, order)
    waiting(org["qc"], "quality.final", order)
    waiting(org["wh1"], "warehouse.prepare", order)


def test_packed_exempt_goods_hand_on_to_logistics(org: dict[str, Any]) -> None:
    """G-4, G-5: the warehouse's step ends when the goods are packed; logistics is told."""
    set_policy(org, **EXEMPT)
    order = walk.release(org, _signed(org))
    walk.pack(org, order)
    waiting(org["lg"], "logistics.ship", order)
    walk.finished("warehouse.prepare", order)


def _snapshot(order: SalesOrder) -> tuple[Any, ...]:
    order.refresh_from_db()
    stock = tuple(StockLevel.objects.values_list("on_hand", "reserved").order_by("pk"))
    return (order.status, order.version, Shipment.objects.count(), AuditEvent.objects.count(), stock)


def test_a_line_that_needs_inspection_is_refused_on_page_and_api_as_logistics(
    client: Any, org: dict[str, Any]
) -> None:
    """K-2, G-3 (kept control): on a mixed order the exemption never releases the motor line, which
    needs a final inspection not yet passed; the page and the API refuse it with the reason and
    nothing changes."""
    set_policy(org, **EXEMPT)
    order = walk.release(org, _mixed(org))
    motor = order.lines.get(product=org["motor"])
    StockLevel.objects.create(
        product=org["motor"],
        warehouse=Warehouse.objects.create(code="W1", name="成品仓"),
        on_hand=Decimal("9"),
    )
    token = issue_api_token(actor=org["lg"], user=org["lg"], name="t")
    before = _snapshot(order)
    client.force_login(org["lg"])
    form = {"mode": "pickup", "shipped_on": "2026-12-07", "expected_arrival": "2026-12-08"}
    page = client.post(
        reverse("fulfilment:execution", args=[order.pk, "ship"]),
        {**form, "confirmed_with": "张伟", "quantity_checked": "on", f"qty-{motor.pk}": "4"},
        follow=True,
    )
    reason = "第 2 行（电机）还没有成品检验记录，不能发货。"
    assert [str(m) for m in page.context["messages"]] == [f"无法执行“登记发货”：{reason}"]
    assert _snapshot(order) == before
    response = client.post(
        f"/api/orders/{order.pk}/shipments",
        {**form, "confirmed_with": "张伟", "quantity_checked": True, "lines": {"2": "4"}},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert (response.status_code, response.json()["fields"]) == (422, {"__all__": [reason]})
    assert _snapshot(order) == before


def test_the_release_hand_off_costs_no_query_without_the_exemption(
    org: dict[str, Any], django_assert_num_queries: Any
) -> None:
    """Issue 21: the policy decides before any read: no exemption, no look at the products."""
    order = _signed(org)
    order.policy()  # the pinned policy, cached per version
    with django_assert_num_queries(0):
        assert final_inspection_needs(order) == (True, False)


def test_the_exempt_hand_off_tells_each_warehouse_member_once(org: dict[str, Any]) -> None:
    """T-1: one message per member, however many steps the release opens at once."""
    set_policy(org, **EXEMPT)
    order = walk.release(org, _signed(org))
    titles = list(Notification.objects.filter(recipient=org["wh1"]).values_list("title", flat=True))
    assert titles == [f"订单 {order.number} 的库存品无需成品检验，请配货、复核、包装"]
