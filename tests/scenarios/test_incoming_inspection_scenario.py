"""Scenario (flows, point 3): material bought for an order arrives twice and is inspected once each
time (G-1, G-3). Procurement buys from a qualified supplier (G-1); the first delivery, received
through the order page by quality, has rejects returned; the second completes the purchase order.
Each delivery's inspection is one record: procurement's panel names quality's record, quality's
panel and its periodic statistics count it (G-3), and quality's own form offers no second
incoming inspection of the same goods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from conftest import make_user
from oms.fulfilment import actions as fulfilment
from oms.fulfilment.models import IncomingInspection, POStatus
from oms.intake.tests.fixtures import signed_order
from oms.partners.models import Supplier
from oms.quality import actions as quality
from oms.quality.models import Inspection
from oms.quality.tests.fixtures import PLAN

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _page(client: Any, person: Any, order: Any) -> str:
    client.force_login(person)
    return client.get(reverse("workbench:order_detail", args=[order.pk])).content.decode()


def test_each_delivery_is_inspected_once_and_seen_by_procurement_and_quality(
    client: Any, more_heads: dict[str, Any]
) -> None:
    org = more_heads
    buyer, qc = make_user("buyer1", kind="procurement"), make_user("qc1", kind="quality")
    order = fulfilment.release_order(actor=org["head"], order=signed_order(org))
    quality.set_plan(actor=qc, order=order, items=PLAN)
    # G-1: procurement orders 10 gears from a qualified supplier, through the page.
    supplier = Supplier.objects.create(code="S1", name="宁波精工", qualification="qualified")
    client.force_login(buyer)
    client.post(
        reverse("fulfilment:execution", args=[order.pk, "purchase"]),
        {"supplier": supplier.pk, "product": org["gear"].pk, "quantity": "10", "promised_date": "2026-12-10"},
    )
    line = order.purchase_orders.get().lines.get()
    # G-1: the first delivery: 6 arrive, 2 rejected and returned; quality receives it on the page.
    client.force_login(qc)
    client.post(
        reverse("fulfilment:execution", args=[order.pk, "receive"]),
        {
            "line": line.pk,
            "received_on": "2026-12-08",
            "received": "6",
            "accepted": "4",
            "disposition": "return",
            "notes": "2 件毛刺",
        },
    )
    first = IncomingInspection.objects.get()
    record = Inspection.objects.get()
    assert (first.inspection, record.stage, record.passed) == (record, "incoming", False)
    # Procurement's panel names quality's record; quality's panel shows the same one.
    assert f'<span data-testid="incoming-inspection">检验记录 #{record.pk}</span>' in _page(
        client, buyer, order
    )
    assert "来料检验 · 齿轮箱 · " in _page(client, qc, order)
    shown = _page(client, qc, order)
    # (each pair: PostgreSQL's jsonb keeps the keys in its own order)
    assert all(pair in shown for pair in ("到货=6 ", "合格=4 ", "不合格=2 ", "处理=退货 "))
    # G-1, G-3: quality's own form offers no incoming stage, so the goods are not recorded twice.
    assert '<option value="incoming"' not in _page(client, qc, order)
    response = client.post(
        reverse("quality:quality", args=[order.pk, "inspect"]),
        {"stage": "incoming", "product": org["gear"].pk, "item-0": "良好", "passed": "yes"},
    )
    assert response.status_code in {400, 422}
    assert Inspection.objects.count() == 1
    # G-1: the second delivery completes the accepted quantity: the purchase order closes.
    fulfilment.receive_goods(
        actor=buyer,
        line=line,
        received_on=date(2026, 12, 9),
        received=Decimal("6"),
        accepted=Decimal("6"),
    )
    assert order.purchase_orders.get().status == POStatus.CLOSED
    assert IncomingInspection.objects.filter(inspection__isnull=True).count() == 0
    # G-3: the period's statistics count both inspections of the gear, one failed.
    (row,) = quality.statistics(year=record.inspected_at.year)
    assert (row["product__code"], row["total"], row["failed"]) == ("P1", 2, 1)
