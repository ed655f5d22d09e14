"""Browser: the department head approves a query request for an archived order, then the
requester reads the order in the archive (M-2, M-3)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.test_review import _as


def test_approve_a_query_request_then_read_the_archived_order(browser: Any, server_url: str) -> None:
    page = _as(browser, server_url, "production_head")
    page.goto("/archive/requests/")
    page.locator("table tbody a").first.click()
    page.fill("#decision-note", "同意，仅用于备料计划")
    page.click("[data-testid=approve_access]")
    expect(page.locator("[data-testid=request-status]")).to_contain_text("已批准")
    page.context.close()

    page = _as(browser, server_url, "production_staff")
    page.goto("/archive/")
    page.locator("table tbody a").first.click()
    expect(page.locator("[data-testid=section-lines]")).to_contain_text("不锈钢法兰")
    expect(page.locator("[data-testid=packet]")).to_be_visible()
    page.context.close()
