"""Browser: a contract for the demo's confirmed order is generated, reviewed on the five points,
and its signed copy uploaded; a drawing is distributed and signed for (E-1..E-3, M-4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.test_review import _as


def test_contract_generated_reviewed_and_signed(browser: Any, server_url: str, tmp_path: Path) -> None:
    """E-1, E-2, E-3: through the pages, a contract is generated, reviewed, and its signed copy attached."""
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(b"%PDF-1.4 signed and sealed")
    sales = _as(browser, server_url, "sales_staff")
    sales.goto("/orders/?q=C0006&status=confirmed")
    sales.locator("[data-testid=list-table] tbody a").first.click()
    sales.click("[data-testid=documents-link]")
    sales.click("[data-testid=generate-contract]")
    expect(sales.locator("[data-testid=contract]")).to_contain_text("拟定中")
    expect(sales.locator("[data-testid=release-block]")).to_contain_text("合同尚未签订")
    documents_url = sales.url
    with sales.expect_download() as pdf:
        sales.click("[data-testid=contract-pdf]")
    assert pdf.value.suggested_filename.endswith("-v1.pdf")

    head = _as(browser, server_url, "sales_head")
    head.goto(documents_url)
    for key in ("capacity", "process", "quantity", "price", "delivery"):
        head.check(f"#ok_{key}")
    head.click("[data-testid=contract-review] button")
    expect(head.locator("[data-testid=contract]")).to_contain_text("已评审")
    head.context.close()

    sales.reload()
    sales.set_input_files("input[name=scan]", str(scan))
    sales.click("[data-testid=sign]")
    expect(sales.locator("[data-testid=contract]")).to_contain_text("已签订")
    expect(sales.locator("[data-testid=documents]")).to_contain_text("签字盖章")
    sales.screenshot(path="test-artifacts/contract-signed.png", full_page=True)
    sales.context.close()


def test_release_and_first_production_report(browser: Any, server_url: str) -> None:
    """F-1, G-2: the signed order is released by the sales head; production's first report puts
    it in production, which the customer-facing stage shows (H-1)."""
    head = _as(browser, server_url, "sales_head")
    head.goto("/orders/?q=C0006&status=confirmed")
    head.locator("[data-testid=list-table] tbody a").first.click()
    head.click("[data-testid=release]")
    expect(head.locator("[data-testid=order-status]")).to_have_text("已下达")
    expect(head.locator("[data-testid=execution]")).to_contain_text("生产计划")
    order_url = head.url
    head.context.close()

    production = _as(browser, server_url, "production_staff")
    production.goto(order_url)
    production.fill("[data-testid=milestones] tr:first-child input[name=progress]", "40")
    production.fill("[data-testid=milestones] tr:first-child input[name=quantity_done]", "8")
    production.click("[data-testid=report-1]")
    expect(production.locator("[data-testid=order-status]")).to_have_text("生产中")
    expect(production.locator("[data-testid=customer-stage] .text-bg-success")).to_have_count(3)
    production.context.close()
