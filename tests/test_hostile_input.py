"""P-1: odd and hostile input gets a clear refusal naming the field, never a server error.

Every list route of the URL configuration and every list endpoint of the OpenAPI document is fed
hostile query strings as a logged-in administrator (who sees everything): pages past 2^63,
negative and non-numeric pages, every declared filter set to text, to huge numbers, to NUL, to
very long strings, impossible years and dates. Nothing may answer 5xx. Run it on PostgreSQL too
(NUL characters fail only there):
`OMS_DATABASE_URL=postgres://… OMS_TEST_DATABASE_NAME=test_oms_<name> pytest tests/test_hostile_input.py`.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import get_resolver, resolve

from oms.accounts.models import User
from oms.customers.tests.factories import CustomerFactory
from tests.test_anonymous_access import _routes

pytestmark = pytest.mark.django_db

HOSTILE = [
    "99999999999999999999",  # past 2^63
    "-1",
    "abc",
    "\x00",
    "x" * 5000,
    "99999",
    "2026-13-45",
]
# Parameters the pages read besides their list filters (year, month, versions, periods, …).
COMMON = [
    "page",
    "q",
    "sort",
    "year",
    "month",
    "date_from",
    "date_to",
    "a",
    "b",
    "version",
    "department",
    "grade",
    "by",
    "key",
    "kpi",
    "kind",
    "stage",
    "overdue",
    "customer",
    "status",
]
# Routes that are not pages to list: they log out, switch language, or are the API (tested below).
NOT_LISTS = ("accounts/logout/", "i18n/setlang/", "api/", "health/")

LIST_ROUTES = sorted(
    r
    for r in _routes(get_resolver().url_patterns)
    if "<" not in r and not r.startswith("admin/") and not r.startswith(NOT_LISTS)
)


def _declared(path: str) -> list[str]:
    """The filters a master-data list declares (its ListSpec), besides the common ones."""
    spec = getattr(resolve(path).func, "view_initkwargs", {}).get("spec")
    if spec is None:
        return []
    return [*spec.filters, *spec.flag_filters]


def _no_server_error(client: Client, path: str, query: dict[str, str]) -> int:
    response = client.get(path, query)
    assert response.status_code < 500, (path, query, response.status_code)
    return response.status_code


@pytest.fixture
def admin(client: Client, admin_user: User) -> Client:
    CustomerFactory()  # a row to list, so that filters and sorting run over data
    client.force_login(admin_user)
    return client


def test_the_list_routes_are_found() -> None:
    assert len(LIST_ROUTES) > 40
    assert "orders/" in LIST_ROUTES and "master/customers/" in LIST_ROUTES


@pytest.mark.parametrize("route", LIST_ROUTES)
def test_hostile_query_strings_on_a_list_page_never_give_5xx(admin: Client, route: str) -> None:
    """P-1: each hostile value in every parameter the page reads answers 2xx/3xx/4xx. All
    parameters are sent at once first; a refusal (400) is then retried one parameter at a time,
    so that the first refused parameter cannot hide a crash in another."""
    path = "/" + route
    names = list(dict.fromkeys([*COMMON, *_declared(path)]))
    for value in HOSTILE:
        if _no_server_error(admin, path, dict.fromkeys(names, value)) == 400:
            for name in names:
                _no_server_error(admin, path, {name: value})


def _api_list_operations(client: Client) -> list[tuple[str, list[str]]]:
    document = client.get("/api/openapi.json").json()
    found = []
    for path, operations in document["paths"].items():
        operation = operations.get("get")
        if operation is None or "{" in path:
            continue
        names = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
        found.append((path, names))
    return found


def test_hostile_query_strings_on_every_api_list_endpoint_never_give_5xx(admin: Client) -> None:
    """P-1: every query parameter the OpenAPI document declares for a list endpoint, set to each
    hostile value one at a time, is answered with a typed 4xx or a result, never 5xx."""
    operations = _api_list_operations(admin)
    assert len(operations) > 10
    for path, names in operations:
        for name in [*names, "page", "page_size"]:
            for value in HOSTILE:
                _no_server_error(admin, path, {name: value})


def test_a_page_past_2_63_on_the_orders_list_is_400_naming_the_parameter(admin: Client) -> None:
    response = admin.get("/orders/", {"page": "99999999999999999999"})
    assert response.status_code == 400
    assert "参数“page”有误：必须在 1 到 1000000 之间。" in response.content.decode()


def test_a_customer_filter_that_is_not_an_id_is_400_naming_it(admin: Client) -> None:
    response = admin.get("/orders/", {"customer": "abc"})
    assert response.status_code == 400
    assert "参数“customer”有误：必须是整数。" in response.content.decode()


def test_an_impossible_year_is_400_naming_it(admin: Client) -> None:
    response = admin.get("/quality/statistics/", {"year": "99999"})
    assert (
        response.status_code,
        "参数“year”有误：必须在 1900 到 2999 之间。" in response.content.decode(),
    ) == (
        400,
        True,
    )


def test_an_api_page_past_2_63_is_422_naming_page(admin: Client) -> None:
    response = admin.get("/api/orders/", {"page": "99999999999999999999"})
    assert (response.status_code, list(response.json()["fields"])) == (422, ["page"])


def test_a_nul_character_in_a_query_string_is_400_naming_it(admin: Client) -> None:
    response = admin.get("/master/customers/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert "输入中含有不允许的空字符（NUL）：q" in response.content.decode()


def test_a_nul_character_in_a_json_body_is_400_naming_the_field_and_saves_nothing(
    admin: Client,
) -> None:
    customer = CustomerFactory()
    response = admin.patch(
        f"/api/customers/{customer.pk}",
        json.dumps({"version": customer.version, "name": "恒信\x00机械"}),
        content_type="application/json",
    )
    assert (response.status_code, list(response.json()["fields"])) == (400, ["name"])
    customer.refresh_from_db()
    assert "\x00" not in customer.name and customer.version == 1


def test_a_nul_character_in_a_form_post_is_400_naming_the_field(admin: Client) -> None:
    response = admin.post("/master/customers/new/", {"code": "C9", "name": "恒信\x00"})
    assert response.status_code == 400
    assert re.search(r"空字符（NUL）：[^<]*name", response.content.decode())


def test_a_master_data_patch_with_a_null_name_is_422_naming_it(admin: Client) -> None:
    """P-1: `"name": null` is refused on the field, the record unchanged (it was a 500)."""
    customer = CustomerFactory()
    response = admin.patch(
        f"/api/customers/{customer.pk}",
        json.dumps({"version": customer.version, "name": None}),
        content_type="application/json",
    )
    assert (response.status_code, list(response.json()["fields"])) == (422, ["name"])
    customer.refresh_from_db()
    assert customer.version == 1 and customer.name
