"""P-1, issue 22: every quality form posted with bad input is shown again with what the user typed
and the reason, and nothing is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from oms.quality import actions
from oms.quality.models import Inspection, InspectionPlan, NonConformance

pytestmark = pytest.mark.django_db
PLAN = [{"item": "外径", "method": "千分尺", "frequency": "每批 5 件"}]


def _post(client, order, verb, data):
    response = client.post(reverse("quality:quality", args=[order.pk, verb]), data)
    assert response.status_code in {400, 422}
    body = response.content.decode()
    assert 'data-testid="action-form"' in body
    return body


def test_a_plan_with_a_repeated_item_is_shown_again_as_typed(client, released) -> None:
    org, order = released
    client.force_login(org["qc"])
    typed = "硬度 | 洛氏 | 每批\n硬度 | 洛氏 | 每批"
    body = _post(client, order, "plan", {"plan": typed})
    assert typed in body and "检验项目不能重复。" in body
    assert InspectionPlan.objects.get(order=order).items == PLAN


def test_a_failed_inspection_without_notes_is_shown_again_as_typed(client, released) -> None:
    org, order = released
    client.force_login(org["qc"])
    body = _post(
        client,
        order,
        "inspect",
        {"stage": "final", "product": org["gear"].pk, "item-0": "25.07", "passed": "no", "severe": "on"},
    )
    assert 'value="25.07"' in body and 'value="no" selected' in body and 'id="severe" checked' in body
    assert 'value="final" selected' in body and "不合格时请说明情况。" in body
    assert Inspection.objects.count() == 0


def test_an_inspection_of_a_product_not_on_the_order_is_refused_as_typed(client, released) -> None:
    org, order = released
    client.force_login(org["qc"])
    body = _post(client, order, "inspect", {"stage": "final", "product": org["motor"].pk, "item-0": "24.9"})
    assert 'value="24.9"' in body and "该产品不在这个订单里。" in body
    assert Inspection.objects.count() == 0


def test_a_refused_non_conformance_step_is_shown_again_as_typed(client, released) -> None:
    """G-3: quality verifies the action production decided; production's own text is kept."""
    org, order = released
    actions.record_inspection(
        actor=org["qc"],
        order=order,
        stage="in_process",
        product_id=org["gear"].pk,
        results={"外径": "26"},
        passed=False,
        notes="超差",
        responsible=org["prod_head"],
    )
    nc = NonConformance.objects.get()
    nc = actions.decide_action(actor=org["prod_head"], nc=nc, action="返工")
    client.force_login(org["prod_head"])
    body = _post(client, order, "verify", {"nc": nc.pk, "text": "返工后我自己验证合格"})
    assert 'value="返工后我自己验证合格"' in body and f'value="{nc.pk}"' in body
    nc.refresh_from_db()
    assert (nc.status, nc.verification) == ("action_decided", "")
