"""Browser: sales records the customer's acceptance of the demo order's shipment with the signed
delivery note (K-3); sales prepares the settlement statement, finance approves it and records
the invoice at a VAT rate — amount excluding tax, tax and 价税合计 (issue 23.2) — and the receipt
(L-1..L-4), and opens the customer's statement of account; the order closes (M-1). One flow, as
the demo has only two shipped orders and the customer portal's test takes the other."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from playwright.sync_api import expect

from oms.core.money import format_amount
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

    page.click("[data-testid=tab-billing]")  # issue 23.5: settlement has its tab
    page.locator("input[name=reconciled_with]").fill("张伟")
    page.click("[data-testid=prepare-statement]")
    expect(page.locator("[data-testid=statement-status-1]")).to_have_text("待财务审核")
    order_url = page.url
    page.context.close()

    finance = _as(browser, server_url, "finance_head")
    finance.goto(order_url)
    finance.click("[data-testid=approve-statement]")
    expect(finance.locator("[data-testid=statement-status-1]")).to_have_text("已审核")
    total = finance.locator("[data-testid=statement-1] strong + span").inner_text().split()[-1]
    amount = Decimal(total.replace(",", ""))
    net = (amount / Decimal("1.09")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    finance.locator("input[name=number]").fill("BT0001")
    finance.locator("input[name=amount]").fill(str(amount))
    finance.locator("select[name=tax_rate]").select_option("9")
    finance.click("[data-testid=record-invoice]")
    expect(finance.locator("[data-testid=invoice-BT0001] [data-testid=invoice-tax]")).to_have_text(
        f"价税合计 {format_amount(amount)}（不含税金额 {format_amount(net)}，税率 9%，"
        f"税额 {format_amount(amount - net)}）"
    )
    finance.screenshot(path="test-artifacts/invoice-tax.png", full_page=True)
    finance.goto("/receivables/")
    expect(finance.locator("[data-testid=receivables]")).to_contain_text(total)
    # Issue 21: the payment's customer is searched; on focus the picker offers those owing.
    finance.locator("[data-testid=receipt-customer]").click()
    finance.locator("[data-picker] .picker-options button").first.click()
    finance.locator("input[name=amount]").fill(str(amount))
    finance.locator("input[name=reference]").fill("BANK-1")
    finance.click("[data-testid=record-receipt]")
    expect(finance.locator(".alert-success")).to_be_visible()
    _statement_of_account(finance)
    finance.goto(order_url)
    finance.click("[data-testid=close-order]")
    # M-2: closing files the order; its page now leads to the archive record.
    expect(finance.locator("[data-testid=archive-status]")).to_have_text("在档")
    finance.screenshot(path="test-artifacts/closed.png", full_page=True)
    finance.context.close()


def _statement_of_account(finance: Any) -> None:
    """The customer's statement of account (往来对账单, issue 23.2) lists the invoice and the payment."""
    finance.click("text=往来对账单")
    # Issue 21: the customer is searched; on focus the picker offers those with invoices.
    finance.locator("[data-testid=account-customer]").click()
    finance.locator("[data-picker] .picker-options button").first.click()
    finance.click("[data-testid=account-show]")
    lines = finance.locator("[data-testid=account-lines]")
    expect(lines).to_contain_text("BT0001")
    expect(lines).to_contain_text("期初余额")
    expect(lines).to_contain_text("BANK-1")
    finance.screenshot(path="test-artifacts/statement-of-account.png", full_page=True)
