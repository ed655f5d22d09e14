"""The header search (issue 23 point 8, A-1, S-1): each kind found, scoped, bounded."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from conftest import make_user
from oms.contracts.models import Contract
from oms.customers.tests.factories import CustomerFactory
from oms.fulfilment.models import PurchaseOrder, Shipment
from oms.intake.tests.fixtures import order_in_review
from oms.partners.models import Supplier

pytestmark = pytest.mark.django_db


def _search(client: Any, user: Any, q: str) -> Any:
    client.force_login(user)
    return client.get(reverse("workbench:search"), {"q": q})


def _page(client: Any, user: Any, q: str) -> str:
    response = _search(client, user, q)
    assert response.status_code == 200
    return response.content.decode()


def test_an_order_number_prefix_lists_the_orders(client, org) -> None:
    order = order_in_review(org)
    page = _page(client, org["sales"], order.number[:-1])
    assert reverse("workbench:order_detail", args=[order.pk]) in page and 'data-testid="found-orders"' in page


def test_an_exact_order_number_opens_the_order(client, org) -> None:
    order = order_in_review(org)
    response = _search(client, org["sales"], order.number.lower())
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("workbench:order_detail", args=[order.pk]),
    )


def test_a_contract_number_finds_the_contract(client, org) -> None:
    order = order_in_review(org)
    Contract.objects.create(order=order, number="HT-2026-0042")
    page = _page(client, org["sales"], "ht-2026-0042")
    assert 'data-testid="found-contracts"' in page and "HT-2026-0042" in page


def test_a_purchase_order_number_finds_the_purchase_order(client, org) -> None:
    order = order_in_review(org)
    supplier = Supplier.objects.create(code="S1", name="苏州精工")
    PurchaseOrder.objects.create(order=order, number=2, supplier=supplier, created_by=org["sales"])
    page = _page(client, org["sales"], f"{order.number}-P2")
    assert 'data-testid="found-purchase-orders"' in page and "苏州精工" in page


def test_a_tracking_number_finds_the_shipment(client, org) -> None:
    order = order_in_review(org)
    shipment = Shipment.objects.create(
        order=order,
        number=1,
        mode="pickup",
        tracking_number="SF1234567890",
        shipped_on=date(2026, 12, 1),
        created_by=org["sales"],
    )
    page = _page(client, org["sales"], "sf1234567890")
    assert 'data-testid="found-shipments"' in page
    assert reverse("delivery:document", args=[shipment.pk, "note"]) in page


def test_customer_by_polyphonic_pinyin_initials_and_its_orders(client, org) -> None:
    customer = org["customer"]
    customer.name, customer.pinyin = "伺服电机厂", "CFDJC SFDJC"
    customer.save()
    order = order_in_review(org)
    page = _page(client, org["sales"], "sfdj")
    assert 'data-testid="found-customers"' in page and "伺服电机厂" in page
    assert reverse("workbench:order_detail", args=[order.pk]) in page


def test_a_salesperson_does_not_find_another_salespersons_order(client, org) -> None:
    order = order_in_review(org)
    other = make_user("sales2", kind="sales")
    page = _page(client, other, order.number[:-1])
    assert (
        reverse("workbench:order_detail", args=[order.pk]) in page,
        'data-testid="search-none"' in page,
    ) == (
        False,
        True,
    )


def test_a_salesperson_does_not_find_another_salespersons_customer(client, org) -> None:
    CustomerFactory(code="X9", name="杭州明达", pinyin="HZMD")
    other = make_user("sales2", kind="sales")
    page = _page(client, other, "HZMD")
    assert "杭州明达" not in page


def test_a_one_letter_search_asks_for_more(client, org) -> None:
    page = _page(client, org["sales"], "S")
    assert 'data-testid="search-none"' not in page and "found-orders" not in page


def test_the_search_reads_a_bounded_number_of_queries(client, org, django_assert_max_num_queries) -> None:
    orders = [order_in_review(org) for _ in range(3)]
    client.force_login(org["exec"])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("workbench:search"), {"q": orders[0].number[:6]})
    page = response.content.decode()
    assert all(reverse("workbench:order_detail", args=[o.pk]) in page for o in orders)


def test_the_header_has_the_search_box(client, org) -> None:
    client.force_login(org["sales"])
    page = client.get(reverse("workbench:work")).content.decode()
    assert 'data-testid="header-search"' in page and reverse("workbench:search") in page
