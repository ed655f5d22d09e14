"""Q-1 in a real browser: the dashboard draws its charts (a canvas in each panel with data)
without console errors; O-1: the KPI page opens a figure's records."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.test_smoke import _login


def test_the_dashboard_draws_its_charts(page: Any) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{m.text} {m.location}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    _login(page, "executive")
    page.goto("/analytics/dashboard/")
    for code in ("region", "abc", "sales", "team", "trend"):
        expect(page.locator(f"[data-chart={code}] canvas")).to_have_count(1)
    box = page.locator("[data-chart=region] canvas").bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 200
    page.locator("[data-testid=panel-abc] summary").click()
    expect(page.locator("[data-testid=panel-abc] table")).to_contain_text("A")
    assert errors == []


def test_a_kpi_figure_opens_its_records(page: Any) -> None:
    _login(page, "executive")
    page.goto("/analytics/kpis/?by=company")
    page.locator("[data-testid=kpi-confirmation_accuracy] tbody a").first.click()
    expect(page.locator("[data-testid=drill-row]").first).to_be_visible()
