"""Issue 22, point 1: the order page shows the panels the process apps registered, in process
order, and knows none of them itself; passing the check opens the review round (C-1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from oms.core import registry
from oms.intake import actions
from oms.intake.tests.fixtures import header, lines
from oms.review.models import ReviewRound
from oms.workbench import tabs

pytestmark = pytest.mark.django_db

PROCESS_ORDER = ["review", "contracts", "changes", "fulfilment", "delivery", "billing", "quality", "tracking"]


def test_every_stage_registers_its_panel_in_process_order() -> None:
    panels = sorted(registry.order_panels, key=lambda p: p.order)
    assert [p.key for p in panels] == PROCESS_ORDER
    assert [p.template for p in panels] == [f"{key}/_order_panel.html" for key in PROCESS_ORDER]


def test_the_order_page_renders_each_registered_panel_and_leaves_out_one_with_nothing_to_show(
    client: Any, org: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    order = actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    client.force_login(org["sales"])
    url = reverse("workbench:order_detail", args=[order.pk])
    shown = [p.key for t in tabs.TABS for p in client.get(f"{url}?tab={t.key}").context["panels"]]
    assert sorted(shown) == sorted(PROCESS_ORDER)
    empty = registry.OrderPanel(
        "nothing", "—", "missing/_order_panel.html", lambda request, order: None, order=1
    )
    monkeypatch.setattr(registry, "order_panels", registry.Registry("order_panels"))
    registry.order_panels.add(empty)
    bare = client.get(reverse("workbench:order_detail", args=[order.pk]))
    assert bare.status_code == 200 and bare.context["panels"] == []


def test_passing_the_check_opens_the_review_round_in_the_same_transaction(org: dict[str, Any]) -> None:
    """C-1: the round is the transition's side effect, wired in oms.wiring."""
    order = actions.submit_order(
        actor=org["sales"], order=actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    )
    actions.pass_check(actor=org["head"], order=order)
    assert ReviewRound.objects.filter(order=order).count() == 1
