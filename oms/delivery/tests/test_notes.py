"""Delivery notes printed several at once (issue 23 point 9, K-2, S-1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from conftest import make_user
from oms.core import printing
from oms.delivery import views
from oms.fulfilment.models import Shipment, ShipmentLine
from oms.intake.tests.fixtures import order_in_review

pytestmark = pytest.mark.django_db


def _shipment(org: dict[str, Any], number: int = 1) -> Shipment:
    order = order_in_review(org)
    shipment = Shipment.objects.create(
        order=order, number=number, mode="pickup", shipped_on=date(2026, 12, 1), created_by=org["sales"]
    )
    ShipmentLine.objects.create(shipment=shipment, order_line=order.lines.get(), quantity=Decimal("1"))
    return shipment


def test_the_page_lists_the_users_shipments(client, org) -> None:
    mine = _shipment(org)
    client.force_login(org["sales"])
    response = client.get(reverse("delivery:notes"))
    assert [s.pk for s in response.context["shipments"]] == [mine.pk]


def test_another_salesperson_sees_none_of_them(client, org) -> None:
    _shipment(org)
    client.force_login(make_user("sales2", kind="sales"))
    response = client.get(reverse("delivery:notes"))
    assert response.context["shipments"] == []


def test_two_notes_print_as_one_pdf(client, org, monkeypatch) -> None:
    one, two = _shipment(org), _shipment(org)
    printed: list[int] = []

    def spy(template: str, contexts: list[dict[str, Any]], **kwargs: Any) -> bytes:
        printed.extend(c["shipment"].pk for c in contexts)
        return printing.pdf_of_many(template, contexts, **kwargs)

    monkeypatch.setattr(views, "pdf_of_many", spy)
    client.force_login(org["sales"])
    single = client.get(reverse("delivery:document", args=[one.pk, "note"]), {"format": "pdf"})
    both = client.get(reverse("delivery:notes"), {"format": "pdf", "shipment": [one.pk, two.pk]})
    assert (both["Content-Type"], both.content[:4], sorted(printed)) == (
        "application/pdf",
        b"%PDF",
        [one.pk, two.pk],
    )
    assert len(both.content) > len(single.content)


def test_a_shipment_out_of_scope_is_not_printed(client, org) -> None:
    shipment = _shipment(org)
    client.force_login(make_user("sales2", kind="sales"))
    response = client.get(reverse("delivery:notes"), {"format": "pdf", "shipment": [shipment.pk]})
    assert response.status_code == 404


def test_the_list_is_a_bounded_number_of_queries(client, org, django_assert_max_num_queries) -> None:
    for _ in range(3):
        _shipment(org)
    client.force_login(org["sales"])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("delivery:notes"))
    assert len(response.context["shipments"]) == 3
