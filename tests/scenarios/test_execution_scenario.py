"""Scenario: release → purchase → incoming inspection → production milestones → in-process failure
(severe → hold → resolved → resume) → final inspection → allocation → two partial shipments →
shipped (D-4, F-1, F-2, G-1..G-6, H-1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from conftest import make_user
from oms.audit.verify import verify_chain
from oms.catalog.models import StockLevel, Warehouse
from oms.fulfilment import actions as fulfilment
from oms.intake.tests.fixtures import signed_order
from oms.orders.models import CustomerStage, OrderStatus
from oms.partners.models import Carrier, Supplier
from oms.quality import actions as quality

pytestmark = pytest.mark.django_db
# K-1, K-2: what every shipment in these tests confirms.
CHECKED = {
    "confirmed_with": "张伟",
    "expected_arrival": date(2027, 1, 15),
    "quantity_checked": True,
}
PLAN = [{"item": "外径", "method": "千分尺", "frequency": "每批 5 件"}]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_order_from_release_to_shipped(more_heads) -> None:
    org = more_heads
    buyer, qc, wh1, wh2, lg = (
        make_user(n, kind=k)
        for n, k in (
            ("buyer", "procurement"),
            ("qc", "quality"),
            ("wh1", "warehouse"),
            ("wh2", "warehouse"),
            ("lg", "logistics"),
        )
    )
    level = StockLevel.objects.create(
        product=org["gear"],
        warehouse=Warehouse.objects.create(code="W1", name="成品仓"),
        on_hand=Decimal("0"),
    )
    order = signed_order(org, quantity="10")

    # F-1, F-2: release creates the departments' work and the production milestones.
    order = fulfilment.release_order(actor=org["head"], order=order)
    assert order.department_tasks.count() == 6 and order.milestones.count() == 5

    # G-1: stock covers nothing: purchase from a qualified supplier; incoming inspection with an exchange.
    assert [(p.code, q) for p, q in fulfilment.shortages(order)] == [("P1", Decimal("10"))]
    supplier = Supplier.objects.create(code="S1", name="宁波精工", qualification="qualified")
    po = fulfilment.create_purchase_order(
        actor=buyer, order=order, supplier=supplier, lines=[(org["gear"], Decimal("10"), date(2026, 12, 5))]
    )
    line = po.lines.get()
    fulfilment.receive_goods(
        actor=qc,
        line=line,
        received_on=date(2026, 12, 5),
        received=Decimal("10"),
        accepted=Decimal("9"),
        disposition="exchange",
    )
    fulfilment.receive_goods(
        actor=qc, line=line, received_on=date(2026, 12, 8), received=Decimal("1"), accepted=Decimal("1")
    )
    po.refresh_from_db()
    assert po.status == "closed"

    # G-2: production reports milestones; in production from the first report.
    quality.set_plan(actor=qc, order=order, items=PLAN)
    first, second = order.milestones.order_by("seq")[:2]
    fulfilment.report_progress(
        actor=org["prod"],
        order=order,
        milestone=first,
        progress=100,
        quantity_done=Decimal("10"),
        material_issued="钢材",
    )
    order.refresh_from_db()
    assert (order.status, order.customer_stage) == (OrderStatus.IN_PRODUCTION, CustomerStage.IN_PRODUCTION)

    # G-3: a severe in-process failure holds the order until the notice is closed.
    quality.record_inspection(
        actor=qc,
        order=order,
        stage="in_process",
        product_id=org["gear"].pk,
        results={"外径": "25.3"},
        passed=False,
        severe=True,
        notes="外径超差",
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.ON_HOLD
    nc = order.non_conformances.get()
    nc = quality.decide_action(actor=org["prod_head"], nc=nc, action="返工")
    nc = quality.verify(actor=qc, nc=nc, verification="复检合格")
    quality.close(actor=qc, nc=nc)
    order = quality.resume(actor=qc, order=order)
    fulfilment.report_progress(
        actor=org["prod"], order=order, milestone=second, progress=100, quantity_done=Decimal("10")
    )
    final = quality.record_inspection(
        actor=qc, order=order, stage="final", product_id=org["gear"].pk, results={"外径": "25.0"}, passed=True
    )

    # G-4: finished goods into stock, reserved, picked, second-checked, packed.
    level.on_hand = Decimal("10")
    level.save()
    res = fulfilment.reserve(
        actor=wh1, order=order, line_id=order.lines.get().pk, stock_level_id=level.pk, quantity=Decimal("10")
    )
    res = fulfilment.pick(actor=wh1, reservation=res)
    res = fulfilment.second_check(actor=wh2, reservation=res, counted=Decimal("10"))
    fulfilment.pack(actor=wh1, reservation=res, packing="木箱 2 件")

    # G-5, G-6: two partial shipments; shipped at the second.
    carrier = Carrier.objects.create(code="L1", name="德邦物流", qualification="qualified")
    line_id = order.lines.get().pk
    fulfilment.ship(
        **CHECKED,
        actor=lg,
        order=order,
        mode="freight",
        shipped_on=date(2026, 12, 20),
        quantities={line_id: Decimal("4")},
        carrier=carrier,
        tracking_number="DB001",
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PRODUCTION
    fulfilment.ship(
        **CHECKED,
        actor=lg,
        order=order,
        mode="freight",
        shipped_on=date(2026, 12, 22),
        quantities={line_id: Decimal("6")},
        carrier=carrier,
        tracking_number="DB002",
    )
    order.refresh_from_db()
    level.refresh_from_db()
    # K-2: both shipments name the final inspection that released them.
    assert [list(s.released_by.all()) for s in order.shipments.order_by("number")] == [[final], [final]]
    assert (order.status, order.customer_stage, level.on_hand, level.reserved) == (
        OrderStatus.SHIPPED,
        CustomerStage.SHIPPED,
        Decimal("0"),
        Decimal("0"),
    )
    assert verify_chain().ok
