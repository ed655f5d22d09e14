"""Browser (issue 23 point 2): finance records an invoice at a VAT rate and sees the amount
excluding tax, the tax and 价税合计; records the customer's payment; then opens the customer's
statement of account."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from playwright.sync_api import expect

from oms.core.money import format_amount
from tests.browser.test_review import _as


def _accepted_and_settled(browser: Any, server_url: str) -> str:
    """Sales records the acceptance of a shipped demo order (not the one the delivery test
    takes) and prepares its statement; the order page's address."""
    page = _as(browser, server_url, "sales_staff")
    page.goto("/orders/?status=shipped")
    page.locator("[data-testid=list-table] tbody a").last.click()
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
    page.locator("input[name=reconciled_with]").fill("张伟")
    page.click("[data-testid=prepare-statement]")
    expect(page.locator("[data-testid=statement-status-1]")).to_have_text("待财务审核")
    url = page.url
    page.context.close()
    return url


def test_invoice_with_a_tax_rate_and_the_statement_of_account(browser: Any, server_url: str) -> None:
    order_url = _accepted_and_settled(browser, server_url)
    finance = _as(browser, server_url, "finance_head")
    finance.goto(order_url)
    finance.click("[data-testid=approve-statement]")
    expect(finance.locator("[data-testid=statement-status-1]")).to_have_text("已审核")
    total_text = finance.locator("[data-testid=statement-1] strong + span").inner_text().split()[-1]
    total = Decimal(total_text.replace(",", ""))
    net = (total / Decimal("1.09")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    finance.locator("input[name=number]").fill("BT-TAX-9")
    finance.locator("input[name=amount]").fill(str(total))
    finance.locator("select[name=tax_rate]").select_option("9")
    finance.click("[data-testid=record-invoice]")
    invoice = finance.locator("[data-testid=invoice-BT-TAX-9] [data-testid=invoice-tax]")
    expect(invoice).to_have_text(
        f"价税合计 {format_amount(total)}（不含税金额 {format_amount(net)}，税率 9%，"
        f"税额 {format_amount(total - net)}）"
    )
    finance.screenshot(path="test-artifacts/invoice-tax.png", full_page=True)

    # Paid in full, so that the customer owes nothing when the delivery test records its payment.
    finance.goto("/receivables/")
    finance.locator("input[name=amount]").fill(str(total))
    finance.locator("input[name=reference]").fill("BANK-TAX-9")
    finance.click("[data-testid=record-receipt]")
    expect(finance.locator(".alert-success")).to_contain_text("已登记并核销")
    finance.click("text=往来对账单")
    finance.locator("[data-testid=account-customer]").select_option(index=1)
    finance.click("[data-testid=account-show]")
    lines = finance.locator("[data-testid=account-lines]")
    expect(lines).to_contain_text("BT-TAX-9")
    expect(lines).to_contain_text("期初余额")
    expect(lines).to_contain_text("BANK-TAX-9")
    expect(finance.locator("[data-testid=account-closing]")).to_contain_text(format_amount(total))
    finance.screenshot(path="test-artifacts/statement-of-account.png", full_page=True)
    finance.context.close()
