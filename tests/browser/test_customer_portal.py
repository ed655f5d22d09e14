"""Browser (B-8, H-1, D-2, K-3): a customer's contact logs in to the portal, sees only their
company's orders (another customer's order number is a 404), confirms the order waiting for
them and accepts a shipment; on a phone the same pages work."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.test_review import _as


def _other_customer_order(browser: Any, server_url: str) -> str:
    """An order number of another customer, as sales sees it."""
    sales = _as(browser, server_url, "sales_staff")
    sales.goto("/orders/?q=C0002")
    number = sales.locator("[data-testid=list-table] tbody tr td a").first.inner_text().strip()
    sales.context.close()
    return number


def test_customer_confirms_an_order_and_accepts_a_delivery(browser: Any, server_url: str) -> None:
    foreign = _other_customer_order(browser, server_url)
    page = _as(browser, server_url, "customer")
    expect(page).to_have_url(f"{server_url}/portal/")
    expect(page.locator("h1")).to_have_text("上海恒信机械有限公司 的订单")
    rows = page.locator("[data-testid=portal-orders] tbody tr")
    expect(rows.first).to_be_visible()
    assert foreign not in page.locator("[data-testid=portal-orders]").inner_text()
    # Neither another customer's order nor the staff side is there for a customer.
    assert page.goto(f"/portal/orders/{foreign}/").status == 404  # type: ignore[union-attr]
    assert page.goto("/orders/").status == 404  # type: ignore[union-attr]

    # D-2: the order waiting for the customer's confirmation.
    page.goto("/portal/")
    expect(page.locator("[data-testid=count-confirm]")).to_have_text("1")
    page.select_option("#stage", "to_confirm")
    page.wait_for_url("**stage=to_confirm**")  # the filter submits itself; click on its result
    page.locator("[data-testid=portal-orders] tbody a").first.click()
    expect(page.locator("[data-testid=portal-stage]")).to_have_text("待您确认")
    page.click("[data-testid=portal-confirm]")
    expect(page.locator(".alert-success")).to_have_text("订单已确认，谢谢！")
    expect(page.locator("[data-testid=portal-stage]")).to_have_text("已审核")
    expect(page.locator("[data-testid=portal-confirm]")).to_have_count(0)

    # K-3: a shipment to accept; a refused submission first, then the full check.
    page.goto("/portal/?stage=shipped")
    page.locator("[data-testid=portal-orders] tbody a").last.click()
    page.click("[data-testid=portal-accept-1]")
    page.select_option("select[name=result]", "accepted")
    page.click("[data-testid=portal-submit-acceptance]")
    expect(page.locator("[data-testid=form-errors]")).to_contain_text("外观、数量、规格、质量都合格")
    for field in ("appearance_ok", "quantity_ok", "spec_ok", "quality_ok"):
        page.check(f"input[name={field}]")
    page.select_option("select[name=result]", "accepted")
    page.click("[data-testid=portal-submit-acceptance]")
    expect(page.locator(".alert-success")).to_have_text("已提交验收结论，谢谢！")
    expect(page.locator("[data-testid=portal-stage]")).to_have_text("已签收")
    expect(page.locator("[data-testid=portal-shipments]")).to_contain_text("验收合格")
    page.screenshot(path="test-artifacts/portal-order.png", full_page=True)
    page.context.close()


_WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 392).slice(0, 8)
  .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""


def test_portal_works_on_a_phone(browser: Any, server_url: str) -> None:
    context = browser.new_context(base_url=server_url, locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.fill("#id_username", "customer")
    page.fill("#id_password", "Demo@2026oms")
    page.click("button[type=submit]")
    expect(page.locator("[data-testid=portal-orders]")).to_be_visible()
    page.click(".navbar-toggler")
    page.click("[data-testid=portal-new-order]")
    expect(page.locator("[data-testid=portal-place-order]")).to_be_visible()
    # Measured once the page and its stylesheets have loaded (a loaded machine was seen measuring
    # earlier); the message names what sticks out, if anything does.
    page.wait_for_load_state("load")
    try:
        page.wait_for_function("document.documentElement.scrollWidth <= 390", timeout=10_000)
    except Exception:  # the assertion below reports what is too wide
        pass
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, (width, page.evaluate(_WIDER_THAN_THE_SCREEN))
    page.screenshot(path="test-artifacts/portal-phone.png", full_page=True)
    context.close()
