"""Browser: the management overview lists open orders at risk first; the order page shows the
customer-facing stage; an exception is raised from the order page (H-1, H-4, H-6)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.test_review import _as


def test_overview_stage_and_exception(browser: Any, server_url: str) -> None:
    page = _as(browser, server_url, "executive")
    page.goto("/tracking/overview/")
    expect(page.locator("[data-testid=overview] tbody tr").first).to_be_visible()
    page.locator("[data-testid=overview] tbody a").first.click()
    expect(page.locator("[data-testid=customer-stage]")).to_contain_text("已下单")
    page.click("[data-testid=tab-records]")  # issue 23.5: exceptions and the ledger are records
    page.fill("[data-testid=exceptions] input[name=description]", "设备故障，预计停机两天")
    page.select_option("[data-testid=exceptions] select[name=kind]", "equipment")
    page.click("[data-testid=raise-exception]")
    expect(page.locator("[data-testid=exceptions]")).to_contain_text("设备故障，预计停机两天")
    number = page.locator("h1").first.inner_text()
    page.goto("/tracking/overview/")
    expect(page.locator("[data-testid=overview] tbody tr").first).to_contain_text(number)
    expect(page.locator("[data-testid=overview] tbody tr").first).to_contain_text("异常 1")
    page.context.close()
