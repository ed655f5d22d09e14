"""Issue 23 point 7 (B-3): what the order form fills in from a picked customer or product, and a
new order copied from an earlier one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from conftest import make_user
from oms.customers.models import Contact
from oms.intake import actions
from oms.intake.tests.fixtures import header, lines
from oms.orders.models import OrderLine, OrderStatus, SalesOrder

pytestmark = pytest.mark.django_db


def _customer_with_invoice_details(org: dict[str, Any]) -> Any:
    customer = org["customer"]
    customer.address = "上海市浦东新区张江路 1 号"
    customer.payment_terms = "monthly"
    customer.invoice_title = "上海恒信机械有限公司"
    customer.tax_number = "91310115MA1H7ABCDE"
    customer.bank_name = "工商银行张江支行"
    customer.bank_account = "1001234567890123456"
    customer.invoice_address = "上海市浦东新区张江路 1 号"
    customer.invoice_phone = "021-58001234"
    customer.save()
    Contact.objects.create(customer=customer, name="李四", phone="13900000001")
    Contact.objects.create(customer=customer, name="张伟", phone="13812345678", is_primary=True)
    return customer


def test_customer_defaults_fill_contact_terms_place_and_invoice_details(client, org) -> None:
    customer = _customer_with_invoice_details(org)
    client.force_login(org["sales"])
    response = client.get(reverse("workbench:fill_customer", args=[customer.pk]))
    assert response.json() == {
        "contact_name": "张伟",
        "contact_phone": "13812345678",
        "payment_terms": "monthly",
        "delivery_place": "上海市浦东新区张江路 1 号",
        "invoice_requirements": "上海恒信机械有限公司；91310115MA1H7ABCDE；工商银行张江支行 1001234567890123456；"
        "上海市浦东新区张江路 1 号 021-58001234",
    }


def test_customer_defaults_outside_the_data_scope_are_not_found(client, org) -> None:
    """S-1: a salesperson with the own scope cannot read a colleague's customer's defaults."""
    customer = _customer_with_invoice_details(org)
    client.force_login(make_user("sales2", kind="sales"))
    assert client.get(reverse("workbench:fill_customer", args=[customer.pk])).status_code == 404


def test_customer_defaults_refused_to_who_does_not_enter_orders(client, org) -> None:
    client.force_login(org["prod"])
    assert client.get(reverse("workbench:fill_customer", args=[org["customer"].pk])).status_code == 404


def _placed_order(org: dict[str, Any], price: str, day: int) -> SalesOrder:
    order = actions.create_order(
        actor=org["sales"],
        data=header(org, order_date=header(org)["order_date"].replace(day=day)),
        lines=[{"product": org["gear"].pk, "quantity": "2", "unit_price": price}],
        duplicate_reason="测试",
    )
    SalesOrder.objects.filter(pk=order.pk).update(status=OrderStatus.CONFIRMED)
    return order


def test_product_defaults_give_list_price_and_last_prices_to_this_customer(client, org) -> None:
    older = _placed_order(org, "950", 10)
    newer = _placed_order(org, "980", 20)
    client.force_login(org["sales"])
    url = reverse("workbench:fill_product", args=[org["gear"].pk])
    with_customer = f"{url}?customer={org['customer'].pk}"
    data = client.get(with_customer).json()
    assert data == {
        "spec": "GB-200",
        "unit": "台",
        "unit_price": "1000",
        "last_prices": [
            {"order": newer.number, "date": "2026-11-20", "unit_price": "980", "quantity": "2"},
            {"order": older.number, "date": "2026-11-10", "unit_price": "950", "quantity": "2"},
        ],
    }


def test_last_prices_leave_out_drafts_and_are_at_most_five(client, org) -> None:
    for day in range(1, 8):
        _placed_order(org, str(900 + day), day)
    actions.create_order(actor=org["sales"], data=header(org), lines=lines(org), duplicate_reason="测试")
    client.force_login(org["sales"])
    url = reverse("workbench:fill_product", args=[org["gear"].pk]) + f"?customer={org['customer'].pk}"
    prices = [p["unit_price"] for p in client.get(url).json()["last_prices"]]
    assert prices == ["907", "906", "905", "904", "903"]


def test_product_defaults_read_in_bounded_queries(client, org, django_assert_max_num_queries) -> None:
    for day in range(1, 8):
        _placed_order(org, "950", day)
    client.force_login(org["sales"])
    url = reverse("workbench:fill_product", args=[org["gear"].pk]) + f"?customer={org['customer'].pk}"
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_last_prices_of_another_salespersons_customer_are_not_shown(client, org) -> None:
    _placed_order(org, "950", 10)
    client.force_login(make_user("sales2", kind="sales"))
    url = reverse("workbench:fill_product", args=[org["gear"].pk]) + f"?customer={org['customer'].pk}"
    assert client.get(url).json()["last_prices"] == []


def test_copy_from_an_earlier_order_prefills_the_form(client, org) -> None:
    source = _placed_order(org, "950", 10)
    client.force_login(org["sales"])
    content = client.get(reverse("workbench:order_create") + f"?copy={source.pk}").content.decode()
    assert 'data-testid="copied-from"' in content and source.number in content
    assert 'name="lines-0-unit_price" value="950"' in content
    assert 'name="contact_name" value="张伟"' in content


def test_copy_by_number_of_an_order_out_of_scope_copies_nothing(client, org) -> None:
    source = _placed_order(org, "950", 10)
    client.force_login(make_user("sales2", kind="sales"))
    content = client.get(reverse("workbench:order_create") + f"?copy_number={source.number}").content.decode()
    assert 'data-testid="copied-from"' not in content
    assert 'name="lines-0-unit_price" value=""' in content


def test_copied_form_saved_creates_a_draft_with_the_same_lines(client, org) -> None:
    source = _placed_order(org, "950", 10)
    client.force_login(org["sales"])
    post = {
        **{k: str(getattr(source, k)) for k in ("contact_name", "contact_phone", "channel", "order_class")},
        "customer": source.customer_id,
        "order_date": "2026-11-23",
        "delivery_date": "2027-01-20",
        "delivery_place": source.delivery_place,
        "payment_terms": source.payment_terms,
        "duplicate_reason": "再次订货",
        "lines-0-product": org["gear"].pk,
        "lines-0-quantity": "2",
        "lines-0-unit": "台",
        "lines-0-unit_price": "950",
    }
    response = client.post(reverse("workbench:order_create") + f"?copy={source.pk}", post)
    copy = SalesOrder.objects.exclude(pk=source.pk).get()
    assert response.status_code == 302 and copy.status == OrderStatus.DRAFT
    assert [(ln.product_id, ln.quantity, ln.unit_price) for ln in OrderLine.objects.filter(order=copy)] == [
        (org["gear"].pk, Decimal("2.0000"), Decimal("950.0000"))
    ]
