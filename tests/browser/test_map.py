"""The vacancy map in Chromium: units load for the view, filters apply in place, text stays text."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from shapely.geometry import Polygon

from popup import geo
from popup.communes.models import CommercialCore, Commune
from popup.extensions import db
from popup.units.operations import create_unit

pytestmark = pytest.mark.browser

PAYLOADS = ["<img src=x onerror=alert(1)>", "${alert(2)}", "`alert(3)`", "</script><script>alert(4)</script>"]


@pytest.fixture(scope="module")
def hostile_commune(live_app):
    """A commune whose every free-text field carries a payload."""
    with live_app.app_context():
        commune = Commune(name="Xssville", slug="xssville", centre=geo.point(4.0, 50.5))
        db.session.add(commune)
        db.session.flush()
        db.session.add(
            CommercialCore(
                commune=commune,
                name=" ".join(PAYLOADS),
                slug="core",
                area=geo.from_geometry(Polygon([(3.99, 50.49), (4.01, 50.49), (4.01, 50.51), (3.99, 50.51)])),
            )
        )
        for i, payload in enumerate(PAYLOADS):
            create_unit(
                commune=commune,
                address=f"{payload} {i}",
                public_description=payload,
                activity=payload,
                location=geo.point(4.0 + i * 0.0004, 50.5),
                status="vacant" if i % 2 else "occupied",
                floor_area_m2=50 + i * 50,
                asking_rent_cents=100_000,
            )
        db.session.commit()
    return "xssville"


def test_units_load_and_payloads_stay_text(page, hostile_commune):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"/c/{hostile_commune}/map")
    expect(page.locator("#map-status")).to_contain_text("4")
    items = page.locator("#unit-list li a")
    expect(items).to_have_count(4)
    assert items.first.text_content() == f"{PAYLOADS[0]} 0"
    # open a marker popup: zoom in until the cluster splits, then click a marker
    marker = page.locator(".leaflet-marker-icon.unit-marker").first
    for _ in range(4):
        if marker.is_visible():
            break
        page.locator(".leaflet-control-zoom-in").click()
        page.wait_for_timeout(400)
    marker.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    assert any(p in popup.inner_text() for p in PAYLOADS)
    # hover a core: its tooltip shows the payload as text
    assert dialogs == []
    assert page.locator("img[src='x']").count() == 0
    assert page.problems == []


def test_filters_update_the_map_without_reloading(page, hostile_commune):
    page.goto(f"/c/{hostile_commune}/map")
    expect(page.locator("#unit-list li a")).to_have_count(4)
    page.evaluate("window.__marker = 'still the same page'")
    page.locator("#status-vacant").check()
    expect(page.locator("#unit-list li a")).to_have_count(2)
    page.locator("#area_min").fill("120")
    page.locator("#area_min").dispatch_event("change")
    expect(page.locator("#unit-list li a")).to_have_count(1)
    assert page.evaluate("window.__marker") == "still the same page"
    assert "status=vacant" in page.url and "area_min=120" in page.url
    # the filters survive a reload through the address
    page.reload()
    expect(page.locator("#status-vacant")).to_be_checked()
    expect(page.locator("#unit-list li a")).to_have_count(1)


def test_a_bad_filter_says_so(page, hostile_commune):
    page.goto(f"/c/{hostile_commune}/map")
    expect(page.locator("#unit-list li a")).to_have_count(4)
    page.locator("#rent_min").fill("lots")
    page.locator("#rent_min").dispatch_event("change")
    expect(page.locator("#map-status")).to_contain_text("euro")


def test_map_page_has_no_failed_request(page):
    page.goto("/c/lessines/map")
    expect(page.locator("#unit-list li").first).to_be_visible()
    assert page.problems == []
