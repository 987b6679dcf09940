"""The staff inventory in a real browser: place a unit on the map, save it; no WCAG violation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import violations

pytestmark = pytest.mark.browser

STAFF_EMAIL = "staff@demo.popup.example"
LESSINES_CENTRE = (50.7117, 3.8357)  # lat, lon: where the form's map opens
# The marker's tip (the middle of its bottom edge) is the unit's position.
MARKER_IN_THE_MIDDLE = """() => {
    const marker = document.querySelector('#unit-form-map .leaflet-marker-icon').getBoundingClientRect();
    const map = document.getElementById('unit-form-map').getBoundingClientRect();
    return Math.abs(marker.left + marker.width / 2 - (map.left + map.width / 2)) < 3
        && Math.abs(marker.bottom - (map.top + map.height / 2)) < 3;
}"""


@pytest.fixture
def no_tiles(live_app, monkeypatch):
    """The map must work without a base layer: the browser tests reach no tile server."""
    monkeypatch.setitem(live_app.config, "TILE_URL", "")


def settled(page):
    """Let the page finish loading, favicon included, before leaving it (a user does not click within milliseconds)."""
    page.wait_for_load_state("networkidle")
    return page


def log_in(page, password):
    page.goto("/login")
    page.locator("#email").fill(STAFF_EMAIL)
    page.locator("#password").fill(password)
    with settled(page).expect_navigation(wait_until="load"):
        page.locator("form:has(#password) [type=submit]").click()
    settled(page)


def test_inventory_pages_have_no_wcag_violation(page, demo_password, no_tiles):
    log_in(page, demo_password)
    page.goto("/units")
    expect(page.locator("table.inventory-table tbody tr").first).to_be_visible()
    assert violations(page) == []
    page.goto("/units?area_min=abc")  # a filter error beside its field
    expect(page.locator("#filter-area_min-error")).to_be_visible()
    assert violations(page) == []
    page.goto("/units/new")
    expect(page.locator("#unit-form-map.leaflet-container")).to_be_visible()
    assert violations(page) == []
    page.goto("/units/1")
    expect(page.locator("#staff-title")).to_be_visible()
    assert violations(page) == []


def test_staff_place_a_new_unit_on_the_map_and_save_it(page, demo_password, no_tiles):
    log_in(page, demo_password)
    page.goto("/units/new")
    latitude, longitude = page.locator("#latitude"), page.locator("#longitude")
    expect(latitude).to_have_value("")
    the_map = page.locator("#unit-form-map")
    expect(the_map).to_have_class(re.compile(r"\bleaflet-container\b"))

    # A click places the marker and fills both inputs.
    box = the_map.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.45)
    marker = page.locator("#unit-form-map .leaflet-marker-icon")
    expect(marker).to_have_count(1)
    expect(latitude).not_to_have_value("")
    expect(longitude).not_to_have_value("")
    lat, lon = float(latitude.input_value()), float(longitude.input_value())
    assert lat == pytest.approx(LESSINES_CENTRE[0], abs=0.01)
    assert lon == pytest.approx(LESSINES_CENTRE[1], abs=0.01)
    assert lat > LESSINES_CENTRE[0] and lon > LESSINES_CENTRE[1]  # north-east of the centre, as clicked

    # Dragging the marker moves the unit.
    handle = marker.bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] - 4)
    page.mouse.down()
    page.mouse.move(handle["x"] - 60, handle["y"] + 40, steps=8)
    page.mouse.up()
    expect(longitude).not_to_have_value(f"{lon:.6f}")
    dragged_lat, dragged_lon = float(latitude.input_value()), float(longitude.input_value())
    assert dragged_lon < lon and dragged_lat < lat

    # Typing moves the marker there, and the map follows it: it ends up in the middle of the map.
    latitude.fill(f"{LESSINES_CENTRE[0] + 0.0004:.6f}")
    longitude.fill(f"{LESSINES_CENTRE[1]:.6f}")
    page.wait_for_function(MARKER_IN_THE_MIDDLE)

    page.locator("#address").fill("Rue du Navigateur 7, 7860 Lessines")
    page.locator("#floor_area_m2").fill("72")
    page.locator("#frontage_m").fill("5.5")
    page.locator("#asking_rent").fill("875,50")
    page.locator("#reason").fill("Unit found during the browser walk")
    page.locator("#has_shop_window").check()
    with settled(page).expect_navigation(wait_until="load") as navigation:
        page.locator("#submit").click()
    assert navigation.value.ok
    expect(page).to_have_url(re.compile(r"/units/\d+$"))
    expect(page.locator("h1")).to_have_text("Rue du Navigateur 7, 7860 Lessines")
    expect(page.locator("main")).to_contain_text("Unit found during the browser walk")  # the staff-only history
    expect(page.locator("main")).to_contain_text("875,50")

    # Leave the demo data as it was for the other browser tests: archive the unit (after confirming).
    page.once("dialog", lambda dialog: dialog.accept())
    with settled(page).expect_navigation(wait_until="load"):
        page.locator("form[action$='/archive'] [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/units$"))
    expect(page.locator("main .alert")).to_contain_text("Rue du Navigateur 7")
    expect(page.locator("table.inventory-table")).not_to_contain_text("Rue du Navigateur 7")
    settled(page)
    assert page.problems == []
