"""Browser: the demo order in review goes through every department's review, the sales head's
approval and the salesperson's record of the customer's confirmation (C-1, C-5, D-1, D-2)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from oms.demo.data import DEMO_PASSWORD

BOARD = [
    "sales_head",
    "production_head",
    "technical_head",
    "quality_head",
    "finance_head",
    "procurement_head",
]


def _as(browser: Any, server_url: str, username: str) -> Any:
    context = browser.new_context(
        base_url=server_url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("[data-testid=current-user]")).to_be_attached()
    return page


def test_review_approval_and_confirmation_by_several_users(browser: Any, server_url: str) -> None:
    number = ""
    for username in BOARD:
        page = _as(browser, server_url, username)
        page.goto("/review/tasks/")
        row = page.locator("[data-testid=review-tasks] tbody tr", has_text="待评审").first
        link = row.locator("a").first
        number = number or link.inner_text()
        assert link.inner_text() == number
        link.click()
        page.check("#verdict-approve")
        page.fill("#comment", f"{username} 同意")
        page.click("[data-testid=submit-opinion]")
        expect(page.locator("[data-testid=order-status]")).to_be_visible()
        page.context.close()

    head = _as(browser, server_url, "sales_head")
    head.goto("/orders/?q=" + number)
    head.locator("[data-testid=list-table] a", has_text=number).click()
    expect(head.locator("[data-testid=order-status]")).to_have_text("审批中")
    head.click("[data-testid=approve-step]")
    expect(head.locator("[data-testid=order-status]")).to_have_text("待客户确认")
    head.screenshot(path="test-artifacts/review-approved.png", full_page=True)
    order_url = head.url
    head.context.close()

    sales = _as(browser, server_url, "sales_staff")
    sales.goto(order_url)
    sales.fill("#confirmed_by_name", "王强（客户采购）")
    sales.click("[data-testid=record-confirmation]")
    expect(sales.locator("[data-testid=order-status]")).to_have_text("已确认")
    expect(sales.locator("[data-testid=confirmed]")).to_contain_text("王强（客户采购）")
    expect(sales.locator("[data-testid=review-rounds]")).to_contain_text("通过")
    sales.context.close()
