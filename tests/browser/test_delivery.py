"""Browser: sales records the customer's acceptance of the demo order's shipment with the signed
delivery note; the order is received (K-3)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.test_review import _as


def test_acceptance_recorded_on_the_order_page(browser: Any, server_url: str) -> None:
    page = _as(browser, server_url, "sales_staff")
    page.goto("/orders/?status=shipped")
    page.locator("[data-testid=list-table] tbody a").first.click()
    expect(page.locator("[data-testid=acceptance-1]")).to_have_text("待验收")
    block = page.locator("[data-testid=delivery-1]")
    for field in ("appearance_ok", "quantity_ok", "spec_ok", "quality_ok"):
        block.locator(f"input[name={field}]").check()
    block.locator("select[name=result]").select_option("accepted")
    block.locator("input[name=accepted_by_name]").fill("张伟")
    block.locator("input[name=signed_note]").set_input_files(
        files=[{"name": "signed.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 signed note"}]
    )
    page.click("[data-testid=record-acceptance-1]")
    expect(page.locator("[data-testid=acceptance-1]")).to_contain_text("验收合格")
    expect(page.locator("[data-testid=order-status]")).to_have_text("已签收")
    page.screenshot(path="test-artifacts/acceptance.png", full_page=True)
    page.context.close()
