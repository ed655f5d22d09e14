"""Browser: sales asks for more of a confirmed order; production, procurement and finance approve,
the executive approves; the order has a new version and the difference shows it (I-1..I-4)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.test_review import _as


def test_change_request_reviewed_approved_and_version_difference(browser: Any, server_url: str) -> None:
    sales = _as(browser, server_url, "sales_staff")
    sales.goto("/orders/?q=北京中科仪器")
    sales.locator("[data-testid=list-table] tbody a").first.click()
    sales.click("[data-testid=tab-changes]")  # issue 23.5: the order's changes have their tab
    expect(sales.locator("[data-testid=changes-panel]")).to_contain_text("部门评审中")
    sales.click("[data-testid=request-change]")
    sales.select_option("#source", "department")
    sales.fill("#reason", "客户追加 4 台")
    sales.fill("#impact", "生产与采购增加")
    sales.fill("[data-testid=qty-0]", "12")
    sales.click("[data-testid=submit-change]")
    expect(sales.locator("[data-testid=change-status]")).to_have_text("部门评审中")
    expect(sales.locator("[data-testid=change-summary]")).to_contain_text("12")
    expect(sales.locator("[data-testid=change-tasks]")).to_contain_text("生产部")
    request_url = sales.url

    for username in ("production_head", "procurement_head", "finance_head", "executive"):
        page = _as(browser, server_url, username)
        page.goto(request_url)
        page.check("#verdict-approve")
        page.click("[data-testid=submit-opinion]")
        expect(page.locator(".alert-success")).to_be_visible()
        page.context.close()

    sales.goto(request_url)
    expect(sales.locator("[data-testid=change-status]")).to_have_text("已批准")
    expect(sales.locator("[data-testid=agreement]")).to_contain_text("BX")
    sales.click("text=版本比较")
    expect(sales.locator("[data-testid=version-diff]")).to_contain_text("修改")
    expect(sales.locator("[data-testid=version-diff]")).to_contain_text("12")
    sales.screenshot(path="test-artifacts/change-version-diff.png", full_page=True)
    sales.context.close()
