"""P-1, issue 22: every release and execution form posted with bad input is shown again with what
the user typed and the reason, and nothing is saved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from conftest import make_user
from oms.catalog.models import StockLevel, Warehouse
from oms.fulfilment import actions
from oms.fulfilment.models import (
    IncomingInspection,
    Prepayment,
    ProgressReport,
    PurchaseOrder,
    Reservation,
    ReservationStatus,
    Shipment,
)
from oms.intake.tests.fixtures import signed_order
from oms.partners.models import Supplier
from oms.quality.tests.fixtures import pass_final_inspection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def released(more_heads) -> dict[str, Any]:
    org = more_heads
    for name, kind in [("wh1", "warehouse"), ("wh2", "warehouse"), ("lg1", "logistics")]:
        org[name] = make_user(name, kind=kind)
    org["buyer"] = make_user("buyer1", kind="procurement")
    org["qc"] = make_user("qc1", kind="quality")
    org["order"] = actions.release_order(actor=org["head"], order=signed_order(org, quantity="6"))
    pass_final_inspection(org["order"])
    org["line"] = org["order"].lines.get()
    org["level"] = StockLevel.objects.create(
        product=org["gear"],
        warehouse=Warehouse.objects.create(code="W1", name="成品仓"),
        on_hand=Decimal("10"),
    )
    return org


def _reservation(org: dict[str, Any], *, checked: bool) -> Reservation:
    res = actions.reserve(
        actor=org["wh1"],
        order=org["order"],
        line_id=org["line"].pk,
        stock_level_id=org["level"].pk,
        quantity=Decimal("6"),
    )
    res = actions.pick(actor=org["wh1"], reservation=res)
    if checked:
        res = actions.second_check(actor=org["wh2"], reservation=res, counted=Decimal("6"))
    return res


def _purchase_line(org: dict[str, Any]) -> Any:
    supplier = Supplier.objects.create(code="S1", name="宁波精工", qualification="qualified")
    po = actions.create_purchase_order(
        actor=org["buyer"],
        order=org["order"],
        supplier=supplier,
        lines=[(org["gear"], Decimal("10"), date(2026, 12, 10))],
    )
    return po.lines.get()


# verb → (who posts, the bad input given the org, what must be shown again, what must stay as it is)
CASES: dict[
    str, tuple[str, Callable[[dict[str, Any]], dict[str, Any]], list[str], Callable[[dict[str, Any]], Any]]
] = {
    "prepayment": (
        "finance",
        lambda org: {"amount": "abc", "received_on": "2026-12-01", "reference": "HK-77"},
        ['value="abc"', 'value="2026-12-01"', 'value="HK-77"', "金额：请输入数字。"],
        lambda org: Prepayment.objects.count(),
    ),
    "complete": (
        "warehouse_head",
        lambda org: {"task": 0, "note": "已排产到第三周"},
        ['value="已排产到第三周"'],
        lambda org: sorted(org["order"].department_tasks.values_list("status", flat=True)),
    ),
    "progress": (
        "prod",
        lambda org: {
            "milestone": org["order"].milestones.first().pk,
            "progress": "七成",
            "quantity_done": "3",
            "material_issued": "领料 5 件",
        },
        ['value="七成"', 'value="领料 5 件"', "完成百分比应在 0 到 100 之间。"],
        lambda org: ProgressReport.objects.count(),
    ),
    "ship": (
        "lg1",
        lambda org: {
            "mode": "express",
            "tracking_number": "SF999",
            "shipped_on": "2026-12-01",
            "expected_arrival": "2026-12-03",
            "confirmed_with": "李雷",
            "delivery_place": "苏州工业园区",
            "quantity_checked": "on",
            f"qty-{org['line'].pk}": "99",
        },
        [
            'value="SF999"',
            'value="李雷"',
            'value="苏州工业园区"',
            'value="99"',
            'value="express" selected',
            "第 1 行最多还能发 6。",
        ],
        lambda org: Shipment.objects.count(),
    ),
    "purchase": (
        "buyer",
        lambda org: {"product": org["gear"].pk, "quantity": "1e40", "promised_date": "2026-12-24"},
        ['value="1e40"', 'value="2026-12-24"'],
        lambda org: PurchaseOrder.objects.count(),
    ),
    "receive": (
        "qc",
        lambda org: {
            "line": _purchase_line(org).pk,
            "received_on": "2026-12-09",
            "received": "7.5",
            "accepted": "9",
            "notes": "外箱破损",
        },
        ['value="7.5"', 'value="9"', 'value="2026-12-09"', "合格数量应在 0 与到货数量之间。"],
        lambda org: IncomingInspection.objects.count(),
    ),
    "reserve": (
        "wh1",
        lambda org: {"line": org["line"].pk, "stock_level": org["level"].pk, "quantity": "6件"},
        ['value="6件"', "数量：请输入数字。"],
        lambda org: Reservation.objects.count(),
    ),
    "check": (
        "wh2",
        lambda org: {"reservation": _reservation(org, checked=False).pk, "counted": "5"},
        ['value="5"', "复核数量 5 与预留数量 6 不符。"],
        lambda org: list(Reservation.objects.values_list("status", "checked_by")),
    ),
    "pack": (
        "wh1",
        lambda org: {"reservation": _reservation(org, checked=True).pk, "packing": "木" * 201},
        ['value="' + "木" * 201 + '"'],
        lambda org: list(Reservation.objects.values_list("status", "packing")),
    ),
}


@pytest.mark.parametrize("verb", sorted(CASES))
def test_bad_input_is_shown_again_as_typed_and_nothing_is_saved(client, released, verb) -> None:
    who, data, shown, state = CASES[verb]
    org = released
    posted = data(org)
    before = state(org)
    client.force_login(org[who])
    response = client.post(reverse("fulfilment:execution", args=[org["order"].pk, verb]), posted)
    body = response.content.decode()
    assert response.status_code in {400, 422}
    assert 'data-testid="action-form"' in body
    assert [s for s in shown if s not in body] == []
    assert state(org) == before


def test_a_good_shipment_posted_as_typed_goes_through(client, released) -> None:
    """The same form with good input ships and goes back to the order."""
    org = released
    client.force_login(org["lg1"])
    response = client.post(
        reverse("fulfilment:execution", args=[org["order"].pk, "ship"]),
        {
            "mode": "express",
            "tracking_number": "SF999",
            "shipped_on": "2026-12-01",
            "expected_arrival": "2026-12-03",
            "confirmed_with": "李雷",
            "quantity_checked": "on",
            f"qty-{org['line'].pk}": "２",  # full-width digits are what some people type
        },
    )
    assert response.status_code == 302
    assert Shipment.objects.get().lines.get().quantity == Decimal("2")
    assert Reservation.objects.filter(status=ReservationStatus.SHIPPED).count() == 0


def test_the_api_refuses_what_the_page_refuses_naming_the_line_by_its_number(client, released) -> None:
    """G-6, issue 22: the shipments API parses its payload with the page's form: more than is left
    of a line is refused under `lines.<line number>`, with the page's message; nothing is saved."""
    from oms.accounts.actions import issue_api_token

    org = released
    token = issue_api_token(actor=org["lg1"], user=org["lg1"], name="t")
    response = client.post(
        reverse("api:record_shipment", args=[org["order"].pk]),
        {
            "mode": "pickup",
            "shipped_on": "2026-12-01",
            "expected_arrival": "2026-12-03",
            "confirmed_with": "张伟",
            "quantity_checked": True,
            "lines": {"1": "99"},
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert (response.status_code, response.json()["fields"]) == (422, {"lines.1": ["第 1 行最多还能发 6。"]})
    assert Shipment.objects.count() == 0
