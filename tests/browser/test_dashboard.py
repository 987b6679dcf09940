"""The staff dashboard in a real browser: charts drawn, tables present, CSV, keyboard use."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

STAFF_EMAIL = "staff@demo.popup.example"


def log_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    with page.expect_navigation(wait_until="load"):
        page.locator("form").last.get_by_role("button").click()


def test_staff_open_the_dashboard_and_see_charts_with_their_tables(page, demo_password):
    log_in(page, STAFF_EMAIL, demo_password)
    page.goto("/c/lessines")
    with page.expect_navigation(wait_until="load"):
        page.locator('main a[href="/c/lessines/dashboard"]').click()
    assert page.url.endswith("/c/lessines/dashboard")
    expect(page.locator("h1")).to_contain_text("Lessines")
    for key in ("status", "monthly"):
        chart = page.locator(f'svg[data-chart="{key}"]')
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box["width"] > 300 and box["height"] > 100
        assert chart.get_attribute("role") == "img"
        title = page.locator(f"#chart-{key}-title")
        assert title.count() == 1 and title.text_content()
        expect(page.locator(f'table[data-table="{key}"] caption')).to_have_count(1)
    # the monthly line is drawn through twelve months of the demo history
    points = page.locator('svg[data-chart="monthly"] circle.chart-point')
    expect(points).to_have_count(12)
    rows = page.locator('table[data-table="monthly"] tbody tr')
    expect(rows).to_have_count(12)
    # the bars are blue, not the browser's default black
    fill = page.locator('svg[data-chart="status"] rect.chart-bar').first.evaluate("e => getComputedStyle(e).fill")
    assert fill == "rgb(0, 114, 178)"
    assert page.problems == []


def test_the_csv_beside_a_chart_downloads(page, demo_password):
    log_in(page, STAFF_EMAIL, demo_password)
    page.goto("/c/lessines/dashboard")
    link = page.locator('#figure-monthly a[href*="monthly.csv"]')
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    body = Path(path).read_text(encoding="utf-8-sig")
    lines = body.strip().splitlines()
    assert len(lines) == 13 and lines[0].count(";") == 4
    assert download.value.suggested_filename.startswith("lessines-monthly-")


def test_the_period_is_chosen_with_the_keyboard_and_a_bad_one_is_explained(page, demo_password):
    log_in(page, STAFF_EMAIL, demo_password)
    page.goto("/c/lessines/dashboard")
    page.locator("#period-from").fill("2026-03")
    page.locator("#period-to").fill("2026-01")
    page.locator("#period-core").focus()
    page.keyboard.press("Tab")
    expect(page.locator(".dashboard-filters button[type=submit]")).to_be_focused()
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    error = page.locator("#period-to-error")
    expect(error).to_be_visible()
    expect(page.locator("#period-to")).to_have_attribute("aria-invalid", "true")
    # a good period: three months in the table
    page.locator("#period-from").fill("2026-01")
    page.locator("#period-to").fill("2026-03")
    with page.expect_navigation(wait_until="load"):
        page.locator("#period-to").press("Enter")
    expect(page.locator('table[data-table="monthly"] tbody tr')).to_have_count(3)
    expect(page.locator("#period-to-error")).to_have_count(0)


def test_a_core_narrows_the_dashboard(page, demo_password):
    log_in(page, STAFF_EMAIL, demo_password)
    page.goto("/c/lessines/dashboard")
    whole = int(page.locator('[data-figure="stock-now"]').text_content())
    page.locator("#period-core").select_option(label="Deux-Acren (place du village)")
    with page.expect_navigation(wait_until="load"):
        page.locator(".dashboard-filters button[type=submit]").click()
    core = int(page.locator('[data-figure="stock-now"]').text_content())
    assert 0 < core < whole
    expect(page.locator(".lead")).to_contain_text("Deux-Acren")
