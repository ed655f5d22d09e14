"""Browser: sales enters an order with three lines in the line editor and submits it (B-3, B-6)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.test_smoke import _login


def _pick(page: Any, container: Any, query: str, expect_text: str) -> None:
    search = container.locator("input[type=search]")
    search.fill(query)
    option = container.locator("[data-pick-id]").filter(has_text=expect_text).first
    expect(option).to_be_visible()
    option.click()


def test_enter_an_order_with_three_lines_and_submit(page: Any) -> None:
    _login(page, "sales_staff")
    page.goto("/orders/new/")
    _pick(page, page.locator("[data-picker]").first, "SHHX", "上海恒信")
    # The pick fills the customer's contact and phone when its answer arrives: typed before that,
    # a field could be filled between Playwright's select-all and its typing (the two run together).
    expect(page.locator("#id_contact_phone")).to_have_value(re.compile(r"^1391234\d{4}$"))
    page.fill("#id_contact_name", "张伟")
    page.fill("#id_contact_phone", "13912345670")
    page.fill("#id_delivery_date", "2027-03-31")
    page.fill("#id_delivery_place", "上海市浦东新区张江路 1 号")
    page.select_option("#id_payment_terms", "monthly")
    page.select_option("#id_channel", "email")
    page.check("#id_needs_special_packaging")

    for i, (code, qty) in enumerate([("P1001", "2"), ("P1002", "4"), ("P1003", "10")]):
        if i:
            page.click("[data-add-line]")
        row = page.locator("tr[data-line]").nth(i)
        _pick(page, row, code, code)
        row.locator("[data-qty]").fill(qty)
    expect(page.locator("tr[data-line]")).to_have_count(3)
    # 2 × 12800 + 4 × 2350 + 10 × 186 = 36 860.00, computed in the page as the user types.
    expect(page.locator("[data-testid=order-total]")).to_have_text("36,860.00")

    page.click("button[value=submit]")
    expect(page.locator("[data-testid=order-status]")).to_have_text("待初审")
    expect(page.locator("[data-testid=special-requirements]")).to_be_visible()
    expect(page.locator("[data-testid=deadlines]")).to_contain_text("初审订单")
    page.click("[data-testid=tab-lines]")  # issue 23.5: the lines have their tab
    expect(page.locator("[data-testid=order-lines]")).to_contain_text("36,860.00")


def test_version_difference_is_shown(page: Any) -> None:
    """I-4: the demo order sent back for information has a version; the page lists and compares them."""
    _login(page, "sales_staff")
    page.goto("/orders/?status=needs_info")
    page.locator("[data-testid=list-table] tbody a").first.click()
    page.click("[data-testid=versions-link]")
    expect(page.locator("h1")).to_contain_text("SO")
    expect(page.locator("table").first).to_contain_text("v1")
