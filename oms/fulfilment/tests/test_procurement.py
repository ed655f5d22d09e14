"""G-1: purchase orders to qualified suppliers only; incoming inspection; rejects returned or exchanged;
the purchase order stays open until the accepted quantity is complete."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from oms.core.errors import FieldErrors
from oms.fulfilment import actions
from oms.fulfilment.models import POStatus
from oms.intake.tests.fixtures import signed_order
from oms.partners.models import Supplier

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def released(more_heads):
    from conftest import make_user

    org = more_heads
    org["buyer"] = make_user("buyer1", kind="procurement")
    org["qc"] = make_user("qc1", kind="quality")
    return org, actions.release_order(actor=org["head"], order=signed_order(org))


def test_shortage_is_what_stock_does_not_cover(released) -> None:
    """A-5, G-1: the shortage to buy is the order's need less the stock levels of the product."""
    _org, order = released
    assert [(p.code, q) for p, q in actions.shortages(order)] == [("P1", Decimal("2"))]


def test_unqualified_supplier_is_refused(released) -> None:
    """A-3, G-1: a supplier not qualified (考察中) cannot receive a purchase order; the error names the supplier field."""
    org, order = released
    supplier = Supplier.objects.create(code="S9", name="考察中供应商", qualification="probation")
    with pytest.raises(FieldErrors) as info:
        actions.create_purchase_order(
            actor=org["buyer"],
            order=order,
            supplier=supplier,
            lines=[(org["gear"], Decimal("2"), date(2026, 12, 10))],
        )
    assert list(info.value.errors) == ["supplier"]
    assert order.purchase_orders.count() == 0


def test_incoming_inspections_with_rejects_keep_the_po_open_until_complete(released) -> None:
    org, order = released
    supplier = Supplier.objects.create(code="S1", name="宁波精工", qualification="qualified")
    po = actions.create_purchase_order(
        actor=org["buyer"],
        order=order,
        supplier=supplier,
        lines=[(org["gear"], Decimal("10"), date(2026, 12, 10))],
    )
    line = po.lines.get()
    with pytest.raises(FieldErrors) as info:
        actions.receive_goods(
            actor=org["qc"],
            line=line,
            received_on=date(2026, 12, 9),
            received=Decimal("10"),
            accepted=Decimal("8"),
        )
    assert list(info.value.errors) == ["disposition"]
    actions.receive_goods(
        actor=org["qc"],
        line=line,
        received_on=date(2026, 12, 9),
        received=Decimal("10"),
        accepted=Decimal("8"),
        disposition="exchange",
    )
    po.refresh_from_db()
    assert po.status == POStatus.OPEN
    actions.receive_goods(
        actor=org["qc"],
        line=line,
        received_on=date(2026, 12, 12),
        received=Decimal("2"),
        accepted=Decimal("2"),
    )
    po.refresh_from_db()
    assert po.status == POStatus.CLOSED


def test_procurement_through_the_order_page(client, released) -> None:
    from django.urls import reverse

    org, order = released
    supplier = Supplier.objects.create(code="S1", name="宁波精工", qualification="qualified")
    client.force_login(org["buyer"])
    assert (
        'data-testid="shortages"'
        in client.get(reverse("workbench:order_detail", args=[order.pk])).content.decode()
    )
    client.post(
        reverse("fulfilment:execution", args=[order.pk, "purchase"]),
        {"supplier": supplier.pk, "product": org["gear"].pk, "quantity": "2", "promised_date": "2026-12-10"},
    )
    line = order.purchase_orders.get().lines.get()
    client.force_login(org["qc"])
    client.post(
        reverse("fulfilment:execution", args=[order.pk, "receive"]),
        {"line": line.pk, "received_on": "2026-12-09", "received": "2", "accepted": "2"},
    )
    assert order.purchase_orders.get().status == POStatus.CLOSED
