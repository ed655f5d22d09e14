"""G-3: inspection plan, inspections against it, non-conformance to closure, severe → hold → resume."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.core.errors import ActionError, FieldErrors
from oms.engine.workflow import TransitionBlocked
from oms.fulfilment import actions as fulfilment
from oms.orders.models import OrderStatus
from oms.quality import actions
from oms.quality.models import NCStatus

pytestmark = pytest.mark.django_db
PLAN = [
    {"item": "外径", "method": "千分尺", "frequency": "每批 5 件"},
    {"item": "硬度", "method": "洛氏", "frequency": "每批 2 件"},
]


def test_inspection_needs_every_item_of_the_plan(released) -> None:
    org, order = released
    with pytest.raises(FieldErrors) as info:
        actions.record_inspection(
            actor=org["qc"],
            order=order,
            stage="in_process",
            product_id=org["gear"].pk,
            results={"外径": "25.01"},
            passed=True,
        )
    assert info.value.errors == {"results": ["缺少检验计划要求的项目：硬度"]}
    assert order.inspections.count() == 0


def test_severe_failure_holds_the_order_until_the_notice_is_closed(released) -> None:
    org, order = released
    actions.record_inspection(
        actor=org["qc"],
        order=order,
        stage="in_process",
        product_id=org["gear"].pk,
        results={"外径": "25.30", "硬度": "HRC 38"},
        passed=False,
        severe=True,
        notes="外径超差 0.3mm",
    )
    order.refresh_from_db()
    nc = order.non_conformances.get()
    assert (order.status, nc.responsible, nc.status) == (
        OrderStatus.ON_HOLD,
        org["prod_head"],
        NCStatus.OPENED,
    )
    with pytest.raises(ActionError, match="暂停生产"):
        fulfilment.report_progress(
            actor=org["prod"],
            order=order,
            milestone=order.milestones.first(),
            progress=10,
            quantity_done=Decimal("0"),
        )
    with pytest.raises(TransitionBlocked) as info:
        actions.resume(actor=org["qc"], order=order)
    assert info.value.reasons == ["仍有未关闭的严重不合格品通知单，不能恢复生产。"]
    nc = actions.decide_action(actor=org["prod_head"], nc=nc, action="返工并调整刀具")
    nc = actions.verify(actor=org["qc"], nc=nc, verification="返工后复检合格")
    nc = actions.close(actor=org["qc"], nc=nc)
    order = actions.resume(actor=org["qc"], order=order, reason="不合格已关闭")
    assert (nc.status, order.status) == (NCStatus.CLOSED, OrderStatus.IN_PRODUCTION)


def test_a_pass_is_the_inspection_report_and_counts_in_the_statistics(released) -> None:
    org, order = released
    actions.record_inspection(
        actor=org["qc"],
        order=order,
        stage="final",
        product_id=org["gear"].pk,
        results={"外径": "25.00", "硬度": "HRC 42"},
        passed=True,
    )
    actions.record_inspection(
        actor=org["qc"],
        order=order,
        stage="final",
        product_id=org["gear"].pk,
        results={"外径": "25.40", "硬度": "HRC 42"},
        passed=False,
        notes="外径超差",
    )
    from django.utils import timezone

    stats = actions.statistics(year=timezone.now().year)
    assert [(r["product__code"], r["total"], r["failed"]) for r in stats] == [("P1", 2, 1)]
    assert order.non_conformances.get().severe is False
    order.refresh_from_db()
    assert order.status == OrderStatus.RELEASED


def test_quality_through_the_order_page(client, released, django_assert_max_num_queries) -> None:
    from django.urls import reverse

    org, order = released
    client.force_login(org["qc"])
    client.post(
        reverse("quality:quality", args=[order.pk, "inspect"]),
        {
            "stage": "final",
            "product": org["gear"].pk,
            "item-0": "25.0",
            "item-1": "HRC 40",
            "passed": "no",
            "severe": "on",
            "notes": "裂纹",
        },
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.ON_HOLD
    nc = order.non_conformances.get()
    client.force_login(org["prod_head"])
    client.post(reverse("quality:quality", args=[order.pk, "decide"]), {"nc": nc.pk, "text": "报废重做"})
    client.force_login(org["qc"])
    client.post(reverse("quality:quality", args=[order.pk, "verify"]), {"nc": nc.pk, "text": "重做件合格"})
    client.post(reverse("quality:quality", args=[order.pk, "close"]), {"nc": nc.pk})
    with django_assert_max_num_queries(60):
        page = client.get(reverse("workbench:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="resume"' in page
    client.post(reverse("quality:quality", args=[order.pk, "resume"]))
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PRODUCTION
    assert client.get(reverse("quality:statistics")).status_code == 200
