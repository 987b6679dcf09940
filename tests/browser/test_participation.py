"""A resident reports an empty unit by clicking on the map; the commune's staff accept the report."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import violations
from tests.browser.test_inventory import log_in, settled

pytestmark = pytest.mark.browser

ADDRESS = "Rue de la Station 99, 7860 Lessines"


@pytest.fixture
def quick_forms(live_app, monkeypatch):
    """No tiles, and no minimum fill time: Playwright types faster than any person."""
    monkeypatch.setitem(live_app.config, "TILE_URL", "")
    monkeypatch.setitem(live_app.config, "REPORT_MIN_FILL_S", 0)


def test_a_resident_reports_a_unit_on_the_map_and_staff_accept_it(page, demo_password, quick_forms):
    page.goto("/c/lessines")
    with page.expect_navigation(wait_until="load"):
        page.locator("a[href='/c/lessines/report']").first.click()
    settled(page)
    the_map = page.locator("#unit-form-map.leaflet-container")
    expect(the_map).to_be_visible()

    # sent empty: errors beside the fields, accessible
    with page.expect_navigation(wait_until="load"):
        page.locator("form.report-form [type=submit]").click()
    expect(page.locator("#address-error")).to_be_visible()
    assert violations(page) == []

    page.locator("#address").fill(ADDRESS)
    box = page.locator("#unit-form-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.85, box["y"] + box["height"] * 0.8)
    expect(page.locator("#unit-form-map .leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("#latitude")).not_to_have_value("")
    lat, lon = float(page.locator("#latitude").input_value()), float(page.locator("#longitude").input_value())
    assert lat < 50.7117 and lon > 3.8357  # south-east of the centre, as clicked
    page.locator("#email").fill("resident@example.org")
    with page.expect_navigation(wait_until="load"):
        page.locator("form.report-form [type=submit]").click()
    settled(page)
    assert page.url.endswith("/c/lessines")
    expect(page.locator(".alert-success")).to_contain_text(ADDRESS)

    log_in(page, demo_password)
    page.goto("/c/lessines/reports")
    item = page.locator("section.report-item", has_text=ADDRESS)
    expect(item).to_have_count(1)
    assert violations(page) == []
    near = item.locator("[data-near-unit]").get_attribute("data-near-unit")
    with page.expect_navigation(wait_until="load"):
        item.locator("form[action$='/accept'] [type=submit]").click()
    settled(page)
    expect(page.locator(".alert-success, .alert-info")).to_be_visible()
    expect(page.locator("section.report-item", has_text=ADDRESS)).to_have_count(0)

    if near:
        unit = page.request.get(f"/api/v1/units/{near}").json()
        assert unit["properties"]["status"] == "vacant"
    else:
        found = page.request.get("/api/v1/units?commune=lessines&status=vacant&limit=1000").json()
        [unit] = [f for f in found["features"] if f["properties"]["address"] == ADDRESS]
        assert unit["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-6)
    # the empty form sent on purpose answered 422 (and the console says so); nothing else went wrong
    assert [p for p in page.problems if "422" not in p.detail] == []
