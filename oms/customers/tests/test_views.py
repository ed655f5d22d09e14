"""Master-data pages: list, search by pinyin, export, create with clear field errors (A-1, S-1)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from oms.customers.models import Customer
from oms.customers.tests.factories import CustomerFactory, RegionFactory

pytestmark = pytest.mark.django_db


def test_list_makes_a_bounded_number_of_queries(admin_client, django_assert_max_num_queries) -> None:
    for _ in range(30):
        CustomerFactory()
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("customers:customer_list"))
    assert response.status_code == 200
    assert response.content.count(b"/edit/") == 25


def test_search_by_pinyin_initials(admin_client) -> None:
    CustomerFactory(code="C1", name="上海恒信机械", pinyin="SHHXJX")
    CustomerFactory(code="C2", name="杭州明达电子", pinyin="HZMDDZ")
    response = admin_client.get(reverse("customers:customer_list"), {"q": "hzmd"})
    assert b"C2" in response.content and b">C1<" not in response.content


def test_export_contains_only_visible_columns(client, production_staff) -> None:
    """S-1: production does not see credit limits or phone numbers, in exports either."""
    CustomerFactory(owner=production_staff, credit_limit=123456)
    client.force_login(production_staff)
    response = client.get(reverse("customers:customer_list"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert "信用额度" not in header and "电话" not in header and "客户代码" in header
    assert sheet.max_row == 2


def test_create_form_shows_the_field_error_and_saves_nothing(admin_client) -> None:
    region = RegionFactory()
    response = admin_client.post(
        reverse("customers:customer_create"),
        {
            "code": "C1",
            "name": "甲",
            "region": region.pk,
            "grade": "A",
            "credit_limit": "-5",
            "credit_rating": "A",
            "payment_terms": "monthly",
            "phone": "abc",
        },
    )
    assert response.status_code == 400
    assert "信用额度：".encode() in response.content and "电话：".encode() in response.content
    assert Customer.objects.count() == 0


def test_create_form_saves_through_the_action(admin_client) -> None:
    region = RegionFactory()
    response = admin_client.post(
        reverse("customers:customer_create"),
        {
            "code": "C1",
            "name": "甲公司",
            "region": region.pk,
            "grade": "A",
            "credit_limit": "5000",
            "credit_rating": "A",
            "payment_terms": "monthly",
            "statement_day": "25",
            "due_day": "10",
            "phone": "021-12345678",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert Customer.objects.get().pinyin == "JGS JGC"


def test_stale_edit_form_is_refused(admin_client) -> None:
    customer = CustomerFactory(name="甲")
    url = reverse("customers:customer_edit", args=[customer.pk])
    form = {
        "code": customer.code,
        "name": "乙",
        "region": customer.region_id,
        "grade": "A",
        "credit_limit": "1",
        "credit_rating": "A",
        "payment_terms": "monthly",
        "statement_day": "25",
        "due_day": "10",
        "version": 0,
    }
    response = admin_client.post(url, form)
    customer.refresh_from_db()
    assert (response.status_code, customer.name) == (409, "甲")


def test_staff_cannot_open_the_create_form(client, sales_staff) -> None:
    client.force_login(sales_staff)
    assert client.get(reverse("customers:customer_create")).status_code == 404


def test_picker_finds_by_pinyin(admin_client) -> None:
    CustomerFactory(code="C7", name="苏州捷成", pinyin="SZJC")
    response = admin_client.get(reverse("customers:customer_picker"), {"q": "szj"})
    assert b'data-pick-label="C7' in response.content
