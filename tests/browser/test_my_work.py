"""Browser (issue 23, point 3): the start page counts what waits on me by kind, and the counts
add up to the steps of "my work", each listed once (H-5, P-3)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.test_review import _as


def test_home_counts_lead_to_my_work(browser: Any, server_url: str) -> None:
    page = _as(browser, server_url, "sales_head")
    page.goto("/")
    counts = page.locator("[data-testid=work-counts] [data-testid=count-n]")
    expect(counts.first).to_be_visible()
    total = sum(int(n) for n in counts.all_inner_texts())
    page.locator("[data-testid=work-counts] h2 a").click()
    expect(page).to_have_url(f"{server_url}/work/")
    rows = page.locator("[data-testid=my-work] tbody tr")
    expect(rows).to_have_count(total)
    titles = page.locator("[data-testid=my-work] tbody td:first-child").all_inner_texts()
    queue = page.locator("[data-testid=department-queue] tbody td:first-child").all_inner_texts()
    assert not set(titles) & set(queue)
    page.context.close()
