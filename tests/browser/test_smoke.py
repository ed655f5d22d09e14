"""Browser smoke test: log in, switch language, create a customer (A-1), see it listed."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from oms.demo.data import DEMO_PASSWORD


def _login(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("[data-testid=current-user]")).to_be_attached()
    # The page's deferred scripts (the language switch's auto-submit among them) run before "load".
    page.wait_for_load_state("load")


def test_login_switch_language_and_create_customer(page: Any) -> None:
    _login(page, "admin")
    assert page.locator("nav[aria-label='主菜单']").get_by_text("客户", exact=True).is_visible()

    page.select_option("select[name=language]", "en")
    # The switch posts and reloads the page: wait for the English menu, not for a quiet network.
    expect(page.locator("nav[aria-label='Main menu']").get_by_text("Customers", exact=True)).to_be_visible(
        timeout=15_000
    )

    page.goto("/master/customers/new/")
    page.fill("#id_code", "C9100")
    page.fill("#id_name", "宁波海天塑机有限公司")
    page.select_option("#id_region", label="华东")
    page.fill("#id_credit_limit", "-1")
    page.fill("#id_phone", "12345")
    page.click("button[type=submit]")
    expect(page.locator("#id_credit_limit_errors")).to_contain_text("Credit limit")
    expect(page.locator("#id_phone_errors")).to_contain_text("Malformed phone number")

    page.fill("#id_credit_limit", "200000")
    page.fill("#id_phone", "0574-86012345")
    page.click("button[type=submit]")
    page.wait_for_url("**/master/customers/")
    page.fill("main input[name=q]", "nbhtsj")
    page.keyboard.press("Enter")
    rows = page.locator("[data-testid=list-table] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("C9100")


def test_auditor_verifies_the_chain_in_the_app(page: Any) -> None:
    _login(page, "auditor")
    page.goto("/audit/")
    page.click("[data-testid=verify-chain]")
    expect(page.get_by_role("alert").first).to_contain_text("审计链完整")


def test_approval_pages_work_on_a_phone(browser: Any, server_url: str) -> None:
    context = browser.new_context(
        base_url=server_url, viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN"
    )
    page = context.new_page()
    _login(page, "sales_staff")
    page.goto("/master/customers/")
    expect(page.locator("[data-testid=list-table]")).to_be_visible()
    page.click("button.navbar-toggler")
    expect(page.locator("#oms-menu").get_by_text("产品", exact=True)).to_be_visible()
    page.screenshot(path="test-artifacts/phone-menu.png")
    context.close()


# WCAG 2.1 contrast of each menu text against the colour actually painted behind it (the first
# ancestor with a non-transparent background), computed in the page.
_MENU_CONTRAST = """
() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const behind = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll('.oms-menu-title, .oms-menu-item')].map(el => {
    const a = lum(rgb(getComputedStyle(el).color).slice(0, 3)), b = lum(behind(el));
    return [el.textContent.trim(), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  });
}
"""


def test_side_menu_is_readable_on_a_desktop_screen(page: Any) -> None:
    """The side menu meets WCAG AA (4.5:1) on a wide screen, where Bootstrap's offcanvas-lg once
    made its background transparent and left light text on white (1.47:1)."""
    _login(page, "admin")
    ratios = page.evaluate(_MENU_CONTRAST)
    assert ratios, "the menu rendered no entries"
    assert [(text, round(r, 2)) for text, r in ratios if r < 4.5] == []
