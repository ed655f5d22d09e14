"""Issue 23.11: every page meets WCAG 2.1 AA contrast (4.5:1, 3:1 for large text), measured in the
browser on the colours actually painted: each text against the layers behind it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_smoke import _login

CONTRAST = (Path(__file__).parent / "contrast.js").read_text(encoding="utf-8")

# The pages an office spends its day on, in both languages' shared layout.
STAFF_PAGES = (
    "/",
    "/work/",
    "/orders/",
    "/orders/new/",
    "/master/customers/",
    "/master/products/",
    "/changes/",
    "/receivables/",
    "/analytics/",
    "/notifications/",
    "/audit/",
    "/archive/",
    "/complaints/",
    "/inquiries/",
    "/system/",
)


def _low_contrast(page: Any, path: str) -> list[Any]:
    page.goto(path)
    page.wait_for_load_state("load")
    return [[path, *row] for row in page.evaluate(CONTRAST)]


def test_the_office_pages_meet_aa_contrast(page: Any) -> None:
    _login(page, "admin")
    found = [row for path in STAFF_PAGES for row in _low_contrast(page, path)]
    page.goto("/orders/")
    first_order = page.locator("[data-testid=list-table] tbody tr a").first.get_attribute("href")
    found += _low_contrast(page, first_order)
    assert found == []


def test_the_login_page_meets_aa_contrast(page: Any) -> None:
    assert _low_contrast(page, "/accounts/login/") == []


def test_the_customer_portal_meets_aa_contrast(page: Any) -> None:
    _login(page, "customer")
    assert _low_contrast(page, "/portal/") == []


@pytest.mark.parametrize("path", ["/work/", "/orders/"])
def test_pages_on_a_phone_meet_aa_contrast(browser: Any, server_url: str, path: str) -> None:
    context = browser.new_context(
        base_url=server_url, viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN"
    )
    phone = context.new_page()
    _login(phone, "sales_head")
    found = _low_contrast(phone, path)
    context.close()
    assert found == []
