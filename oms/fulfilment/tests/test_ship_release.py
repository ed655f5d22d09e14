"""K-2, G-3 (002 七1): goods ship only when quality has released them: the latest final inspection
of every shipped line passed and no non-conformance on those lines is open. The shipment names the
releasing inspection; there is no tick box to claim it. Tried through the page and the API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from conftest import make_user
from oms.accounts.actions import issue_api_token
from oms.audit.models import AuditEvent
from oms.catalog.models import StockLevel, Warehouse
from oms.engine.workflow import TransitionBlocked
from oms.fulfilment import actions
from oms.fulfilment.models import Shipment
from oms.intake.tests.fixtures import lines, set_policy, signed_order
from oms.orders.models import OrderStatus
from oms.quality import actions as quality
from oms.quality.models import Inspection
from oms.quality.tests.fixtures import PLAN, inspector, pass_final_inspection

pytestmark = pytest.mark.django_db
SHIP_FORM = {
    "mode": "pickup",
    "shipped_on": "2026-12-01",
    "expected_arrival": "2026-12-03",
    "confirmed_with": "张伟",
    "quantity_checked": "on",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _released(org: dict[str, Any], **overrides: Any) -> Any:
    org["logistics"] = make_user("lg1", kind="logistics")
    order = actions.release_order(actor=org["head"], order=signed_order(org, **overrides))
    quality.set_plan(actor=inspector(), order=order, items=PLAN)
    return order


def _fail_final(order: Any, product: Any) -> Inspection:
    return quality.record_inspection(
        actor=inspector(),
        order=order,
        stage="final",
        product_id=product.pk,
        results={"外观": "划伤"},
        passed=False,
        notes="外观划伤 3 件",
    )


def _snapshot(order: Any) -> tuple[Any, ...]:
    order.refresh_from_db()
    stock = tuple(StockLevel.objects.values_list("on_hand", "reserved").order_by("pk"))
    return (order.status, order.version, Shipment.objects.count(), AuditEvent.objects.count(), stock)


def _api(client: Any, token: str, order: Any, payload: dict[str, Any]) -> Any:
    return client.post(
        f"/api/orders/{order.pk}/shipments",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


API_SHIPMENT = {
    "mode": "pickup",
    "shipped_on": "2026-12-01",
    "expected_arrival": "2026-12-03",
    "confirmed_with": "张伟",
    "quantity_checked": True,
}


def test_failed_final_inspection_with_open_notice_cannot_ship_by_page_or_api(client, more_heads) -> None:
    """K-2, G-3: a failed final inspection with its non-conformance open refuses the shipment on the
    page and over the API, each reason named; no shipment, status, version, audit or stock change."""
    org = more_heads
    order = _released(org)
    StockLevel.objects.create(
        product=org["gear"],
        warehouse=Warehouse.objects.create(code="W1", name="成品仓"),
        on_hand=Decimal("5"),
    )
    failed = _fail_final(order, org["gear"])
    nc = failed.non_conformances.get()
    line = order.lines.get()
    token = issue_api_token(actor=org["logistics"], user=org["logistics"], name="t")
    before = _snapshot(order)
    client.force_login(org["logistics"])
    page = client.post(
        reverse("fulfilment:execution", args=[order.pk, "ship"]),
        {**SHIP_FORM, f"qty-{line.pk}": "2"},
        follow=True,
    )
    expected = [
        f"第 1 行（齿轮箱）最近一次成品检验（#{failed.pk}）不合格，须处理后重新检验合格才能发货。",
        f"第 1 行（齿轮箱）的不合格品通知单 #{nc.pk} 尚未关闭，不能发货。",
    ]
    assert [str(m) for m in page.context["messages"]] == ["无法执行“登记发货”：" + "；".join(expected)]
    assert _snapshot(order) == before
    response = _api(client, token, order, {**API_SHIPMENT, "lines": {"1": "2"}})
    assert (response.status_code, response.json()["code"], response.json()["fields"]) == (
        422,
        "blocked",
        {"__all__": expected},
    )
    assert _snapshot(order) == before


def test_shipping_form_shows_why_goods_cannot_ship_and_no_quality_tick_box(client, more_heads) -> None:
    """K-2: the form offers no "quality checked" box; it lists the reasons the lines are held."""
    org = more_heads
    order = _released(org)
    client.force_login(org["logistics"])
    html = client.get(reverse("workbench:order_detail", args=[order.pk])).content.decode()
    assert 'name="quality_checked"' not in html
    assert "第 1 行（齿轮箱）还没有成品检验记录，不能发货。" in html


def test_passed_final_inspection_ships_and_the_shipment_names_it(client, more_heads) -> None:
    """K-2: with the final inspection passed the API records the shipment, which names it."""
    org = more_heads
    order = _released(org)
    (passed,) = pass_final_inspection(order)
    client.force_login(org["logistics"])
    html = client.get(reverse("workbench:order_detail", args=[order.pk])).content.decode()
    assert f"成品检验 #{passed.pk}" in html
    token = issue_api_token(actor=org["logistics"], user=org["logistics"], name="t")
    response = _api(client, token, order, {**API_SHIPMENT, "lines": {"1": "2"}})
    assert (response.status_code, response.json()["shipments"][0]["released_by"]) == (201, [passed.pk])
    shipment = order.shipments.get()
    assert list(shipment.released_by.all()) == [passed]
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED


def test_an_inspection_passed_for_other_lines_does_not_release_these(more_heads) -> None:
    """K-2: the gear line's passed final inspection does not release the motor line."""
    org = more_heads
    order = _released(org, order_lines=lines(org))
    gear_line, motor_line = order.lines.order_by("line_no")
    (gear_ok,) = pass_final_inspection(order, products=[org["gear"]])
    with pytest.raises(TransitionBlocked) as refused:
        actions.ship(
            actor=org["logistics"],
            order=order,
            mode="pickup",
            shipped_on=date(2026, 12, 1),
            quantities={motor_line.pk: Decimal("4")},
            confirmed_with="张伟",
            expected_arrival=date(2026, 12, 3),
            quantity_checked=True,
        )
    assert refused.value.reasons == ["第 2 行（电机）还没有成品检验记录，不能发货。"]
    assert Shipment.objects.count() == 0
    shipment = actions.ship(
        actor=org["logistics"],
        order=order,
        mode="pickup",
        shipped_on=date(2026, 12, 1),
        quantities={gear_line.pk: Decimal("2")},
        confirmed_with="张伟",
        expected_arrival=date(2026, 12, 3),
        quantity_checked=True,
    )
    assert list(shipment.released_by.all()) == [gear_ok]


def test_closed_notice_and_passed_reinspection_release_the_goods(more_heads) -> None:
    """G-3, K-2: once the notice is closed and the re-inspection passed, the goods ship, released by
    the re-inspection (not the failed one)."""
    org = more_heads
    order = _released(org)
    nc = _fail_final(order, org["gear"]).non_conformances.get()
    nc = quality.decide_action(actor=org["prod_head"], nc=nc, action="返修抛光")
    nc = quality.verify(actor=inspector(), nc=nc, verification="返修后外观合格")
    (reinspection,) = pass_final_inspection(order)
    ship = {
        "actor": org["logistics"],
        "order": order,
        "mode": "pickup",
        "shipped_on": date(2026, 12, 1),
        "quantities": {order.lines.get().pk: Decimal("2")},
        "confirmed_with": "张伟",
        "expected_arrival": date(2026, 12, 3),
        "quantity_checked": True,
    }
    with pytest.raises(TransitionBlocked) as refused:
        actions.ship(**ship)  # verified is not closed
    assert refused.value.reasons == [f"第 1 行（齿轮箱）的不合格品通知单 #{nc.pk} 尚未关闭，不能发货。"]
    quality.close(actor=inspector(), nc=nc)
    shipment = actions.ship(**ship)
    assert list(shipment.released_by.all()) == [reinspection]


def test_policy_may_let_stock_items_ship_without_final_inspection(more_heads) -> None:
    """K-2: with `shipping.stock_items_without_final_inspection` on (default off) a stock item ships
    without a final inspection; the shipment then names none."""
    org = more_heads
    set_policy(org, shipping__stock_items_without_final_inspection=True)
    order = _released(org)
    shipment = actions.ship(
        actor=org["logistics"],
        order=order,
        mode="pickup",
        shipped_on=date(2026, 12, 1),
        quantities={order.lines.get().pk: Decimal("2")},
        confirmed_with="张伟",
        expected_arrival=date(2026, 12, 3),
        quantity_checked=True,
    )
    assert shipment.released_by.count() == 0
