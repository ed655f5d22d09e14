"""Browser: the header search ('/' focuses it) and the batch approval page (issue 23 points 8, 9)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.test_smoke import _login


def test_slash_focuses_the_header_search_and_finds_a_customer_by_pinyin(page: Any) -> None:
    _login(page, "sales_staff")
    page.goto("/work/")
    page.keyboard.press("/")
    box = page.locator("[data-search-box]")
    expect(box).to_be_focused()
    page.keyboard.type("SHHX")
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid=found-customers]")).to_contain_text("上海恒信机械有限公司")
    page.screenshot(path="test-artifacts/header-search.png", full_page=True)
    page.locator("[data-testid=found-customer-orders] a").first.click()
    expect(page.locator("[data-testid=order-status]")).to_be_visible()


def test_a_reviewer_approves_ticked_tasks_at_once(browser: Any, server_url: str) -> None:
    head = browser.new_context(base_url=server_url, locale="zh-CN").new_page()
    head.set_default_timeout(15_000)
    _login(head, "sales_head")
    # An order waiting for the check goes to review: every board department gets a task.
    head.goto("/orders/?status=pending_check")
    head.locator("[data-testid=list-table] tbody a").first.click()
    head.fill("#id_reason", "资料齐全")
    head.click("[data-testid=do-pass_check]")
    expect(head.locator("[data-testid=order-status]")).to_have_text("评审中")
    head.context.close()

    page = browser.new_context(base_url=server_url, locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    _login(page, "production_head")
    page.goto("/review/batch/")
    rows = page.locator("[data-testid=batch-row]")
    expect(rows.first).to_be_visible()
    count = rows.count()
    page.locator("[data-check-all]").check()
    expect(page.locator("input[name=items]:checked")).to_have_count(count)
    page.fill("#batch-reason", "产能可满足")
    page.click("[data-testid=batch-approve]")
    expect(page.locator(".alert-success")).to_contain_text(f"已处理 {count} 项")
    expect(page.locator("[data-testid=batch-empty]")).to_be_visible()
    page.screenshot(path="test-artifacts/batch-approval.png", full_page=True)
