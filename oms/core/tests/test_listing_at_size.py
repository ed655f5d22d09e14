"""Lists stay cheap at size (issue 21): counts stop at a cap, a search across a relation looks up
the related rows first, and archived orders are left out with NOT EXISTS."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from oms.customers.models import Customer
from oms.customers.tests.factories import CustomerFactory
from oms.intake import actions
from oms.intake.tests.fixtures import header, lines
from oms.orders.models import SalesOrder
from oms.orders.selectors import orders_for
from oms.web import listing
from oms.web.listing import query as list_query  # the limits live where they are read

pytestmark = pytest.mark.django_db


def test_capped_count_is_exact_below_the_cap() -> None:
    for _ in range(3):
        CustomerFactory()
    assert listing.capped_count(Customer.objects.order_by("pk"), cap=5) == (3, False)


def test_capped_count_stops_at_the_cap() -> None:
    for _ in range(7):
        CustomerFactory()
    assert listing.capped_count(Customer.objects.order_by("pk"), cap=5) == (5, True)


def test_capped_count_reaches_the_requested_page() -> None:
    for _ in range(7):
        CustomerFactory()
    assert listing.capped_count(Customer.objects.order_by("pk"), at_least=6, cap=5) == (6, True)


def test_paginator_offers_the_page_past_the_cap() -> None:
    for _ in range(7):
        CustomerFactory()
    paginator = listing.CappedPaginator(Customer.objects.order_by("pk"), 2, number=1, cap=4)
    page = paginator.get_page(1)
    assert (paginator.count_label, paginator.pages_label, page.has_next()) == ("4+", "3+", True)


def test_list_page_says_how_many_beyond_the_cap(admin_client, monkeypatch: Any) -> None:
    monkeypatch.setattr(list_query, "COUNT_CAP", 3)
    monkeypatch.setattr(list_query, "PAGE_SIZE", 2)
    for _ in range(5):
        CustomerFactory()
    content = admin_client.get(reverse("customers:customer_list")).content.decode()
    assert "共 3+ 条" in content


def test_list_page_counts_exactly_below_the_cap(admin_client) -> None:
    for _ in range(5):
        CustomerFactory()
    content = admin_client.get(reverse("customers:customer_list")).content.decode()
    assert "共 5 条" in content


def _orders(org: dict[str, Any], n: int) -> list[SalesOrder]:
    return [
        actions.create_order(
            actor=org["sales"], data=header(org), lines=lines(org), duplicate_reason=f"批量{i}"
        )
        for i in range(n)
    ]


def test_order_search_by_customer_name_finds_its_orders(client, org) -> None:
    order = _orders(org, 1)[0]
    client.force_login(org["sales"])
    content = client.get(reverse("workbench:order_list"), {"q": org["customer"].name}).content.decode()
    assert order.number in content


def test_order_search_by_pinyin_initials_finds_its_orders(client, org) -> None:
    Customer.objects.filter(pk=org["customer"].pk).update(pinyin="SHJX")
    order = _orders(org, 1)[0]
    client.force_login(org["sales"])
    content = client.get(reverse("workbench:order_list"), {"q": "shj"}).content.decode()
    assert order.number in content


def test_order_search_leaves_out_other_customers_orders(client, org) -> None:
    order = _orders(org, 1)[0]
    CustomerFactory(name="完全不同的公司")
    client.force_login(org["sales"])
    content = client.get(reverse("workbench:order_list"), {"q": "完全不同"}).content.decode()
    assert order.number not in content


def test_order_search_with_many_matching_customers_uses_a_subquery(client, org, monkeypatch: Any) -> None:
    monkeypatch.setattr(list_query, "SEARCH_IDS", 0)
    order = _orders(org, 1)[0]
    client.force_login(org["sales"])
    content = client.get(reverse("workbench:order_list"), {"q": org["customer"].name}).content.decode()
    assert order.number in content


def test_api_count_is_capped_with_a_flag(client, org, monkeypatch: Any) -> None:
    from oms.accounts.actions import issue_api_token

    monkeypatch.setattr(list_query, "COUNT_CAP", 2)
    _orders(org, 3)
    token = issue_api_token(actor="test", user=org["sales"], name="t")
    body = client.get("/api/orders/?page_size=1", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert (body["count"], body["count_capped"], len(body["items"])) == (2, True, 1)


def test_api_count_is_exact_below_the_cap(client, org) -> None:
    from oms.accounts.actions import issue_api_token

    _orders(org, 3)
    token = issue_api_token(actor="test", user=org["sales"], name="t")
    body = client.get("/api/orders/?page_size=50", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert (body["count"], body["count_capped"]) == (3, False)


def test_archived_orders_are_left_out_by_the_kept_mark(org) -> None:
    """M-3 and issue 21 (ADR 0009): the rule reads the order's kept archive mark, which the
    lists' partial indexes hold; neither the LEFT JOIN the planner misjudged nor a probe of the
    archive per row."""
    sql = str(orders_for(org["sales"]).query).upper()
    assert (
        '"ORDERS_SALESORDER"."ARCHIVED"' in sql,
        "ARCHIVE_ARCHIVERECORD" in sql,
        "LEFT OUTER JOIN" in sql,
    ) == (True, False, False)


def test_orders_list_prints_only_the_chosen_customer(client, org) -> None:
    """Issue 21: the customer filter is printed with the chosen option only; the others are
    fetched by the page."""
    CustomerFactory(code="ZZ999", name="另一家公司")
    client.force_login(org["exec"])
    content = client.get(reverse("workbench:order_list"), {"customer": org["customer"].pk}).content.decode()
    assert (f'<option value="{org["customer"].pk}" selected>' in content, "另一家公司" in content) == (
        True,
        False,
    )


def test_customer_filter_options_are_those_the_user_may_see(client, org) -> None:
    """S-1, issue 21: a salesperson is offered their own customers, not the company's."""
    CustomerFactory(code="ZZ999", name="别人的客户", owner=org["exec"])
    mine = CustomerFactory(code="ZZ998", name="我的客户", owner=org["sales"])
    client.force_login(org["sales"])
    content = client.get(reverse("workbench:order_list"), {"choices": "customer"}).content.decode()
    assert (f'value="{mine.pk}"' in content, "别人的客户" in content) == (True, False)


def test_an_unknown_filter_has_no_options(client, org) -> None:
    client.force_login(org["sales"])
    assert client.get(reverse("workbench:order_list"), {"choices": "number"}).status_code == 404
