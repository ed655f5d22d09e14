"""M-3: every page of an archived order's objects leads to the archive record; the project's
error pages speak the user's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from oms.archive.middleware import ORDER_PAGES, archive_record_for
from oms.intake import actions as intake
from oms.intake.tests.fixtures import header

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored() -> Any:
    """A request in English leaves English active in the thread; later tests expect Chinese."""
    before = translation.get_language()
    yield
    translation.activate(before)


# Pages taking an object's id whose object belongs to no order or outlives it (master data, the
# archive itself, complaints and surveys, which read archived orders on purpose, supervision).
NOT_ORDER_PAGES = {
    "accounts:end_session",
    "accounts:department_edit",
    "accounts:user_edit",
    "accounts:user_password",
    "customers:customer_edit",
    "customers:contact_edit",
    "customers:contact_portal",
    "catalog:product_edit",
    "catalog:warehouse_edit",
    "catalog:stock_edit",
    "partners:supplier_edit",
    "partners:carrier_edit",
    "intake:import_preview",
    "intake:inquiry_detail",
    "workbench:inquiry_convert",
    "notifications:channel_edit",
    "billing:reminder",
    "feedback:complaint",
    "feedback:complaint_step",
    "feedback:complaint_action",
    "feedback:survey",
    "feedback:survey_do",
    "feedback:invitation",
    "feedback:action",
    "feedback:question_edit",
    "archive:detail",
    "archive:packet",
    "archive:download",
    "archive:request_access",
    "archive:disposal",
    "archive:request",
    "supervision:check",
    "supervision:check_do",
    "supervision:finding",
    "supervision:report",
    "portal:document",
    "portal:survey",
    "core:download_status",  # a generated file (issue 24.2), no order's
    "core:download_file",
    "workbench:fill_customer",  # a customer's or product's entry defaults (issue 23.7), no order's
    "workbench:fill_product",
}


def _pages(resolver: Any, namespace: str | None = None, prefix: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            found += _pages(p, p.namespace or namespace, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            found.append((f"{namespace}:{p.name}" if namespace else p.name, prefix + str(p.pattern)))
    return found


def test_every_page_of_an_object_is_either_an_order_page_or_named_as_not_one() -> None:
    """M-3: a new page of an order's object cannot be forgotten: it joins ORDER_PAGES (its archived
    links lead to the archive) or is named here as belonging to no order."""
    with_id = {name for name, pattern in _pages(get_resolver()) if "<int:pk>" in pattern}
    assert with_id - set(ORDER_PAGES) - NOT_ORDER_PAGES == set()
    assert set(ORDER_PAGES) - with_id == set()


def test_an_open_orders_page_is_not_redirected(org) -> None:
    """M-3: only a filed order leads to the archive."""
    order = intake.create_order(
        actor=org["sales"],
        data=header(org),
        lines=[{"product": org["gear"].pk, "quantity": "2", "unit_price": "1000"}],
        duplicate_reason="test",
    )
    assert archive_record_for("workbench:order_detail", order.pk) is None
    intake.cancel_draft(actor=org["sales"], order=order, reason="作废")
    assert archive_record_for("workbench:order_detail", order.pk) == order.archive_record.pk


@pytest.mark.parametrize(("language", "text"), [("zh-hans", "页面不存在"), ("en", "Page not found")])
def test_the_404_page_speaks_the_users_language(client, org, language, text) -> None:
    """The project's 404 page is the normal layout in the user's language, not "Not Found"."""
    client.force_login(org["sales"])
    client.cookies["django_language"] = language
    response = client.get("/orders/999999/")
    body = response.content.decode()
    assert (response.status_code, text in body, 'data-testid="not-found"' in body) == (404, True, True)


def test_the_403_page_speaks_the_users_language(client, org) -> None:
    """A refused download answers with the normal layout in the user's language."""
    order = intake.cancel_draft(
        actor=org["sales"],
        order=intake.create_order(
            actor=org["sales"],
            data=header(org),
            lines=[{"product": org["gear"].pk, "quantity": "2", "unit_price": "1000"}],
            duplicate_reason="test",
        ),
        reason="作废",
    )
    client.force_login(org["prod"])
    client.cookies["django_language"] = "en"
    response = client.get(f"/archive/{order.archive_record.pk}/packet/")
    body = response.content.decode()
    assert (response.status_code, "Access denied" in body, 'data-testid="forbidden"' in body) == (
        403,
        True,
        True,
    )
