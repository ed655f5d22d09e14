"""Delivery notes printed several at once (issue 23 point 9, K-2, S-1)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from conftest import make_user
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


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


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


def test_two_notes_print_as_one_pdf(client, org) -> None:
    one, two = _shipment(org), _shipment(org)
    client.force_login(org["sales"])
    single = client.get(reverse("delivery:document", args=[one.pk, "note"]), {"format": "pdf"})
    both = client.get(reverse("delivery:notes"), {"format": "pdf", "shipment": [one.pk, two.pk]})
    assert (both["Content-Type"], both.content[:4]) == ("application/pdf", b"%PDF")
    assert (_pages(single.content) >= 1, _pages(both.content)) == (True, 2 * _pages(single.content))


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
