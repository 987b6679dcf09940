"""The vacancy map in Chromium: units load for the view, filters apply in place, text stays text."""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect
from shapely.geometry import Polygon

from popup import geo
from popup.communes.models import CommercialCore, Commune
from popup.extensions import db
from popup.units.operations import create_unit

pytestmark = pytest.mark.browser

PAYLOADS = ["<img src=x onerror=alert(1)>", "${alert(2)}", "`alert(3)`", "</script><script>alert(4)</script>"]

# The units the map draws: single markers plus the number each cluster stands for.
UNITS_DRAWN = """() => {
    const pane = document.querySelector(".leaflet-marker-pane");
    let drawn = pane.querySelectorAll(".unit-marker").length;
    for (const cluster of pane.querySelectorAll(".marker-cluster")) drawn += Number(cluster.textContent);
    return drawn;
}"""
UNITS_LISTED = """() => [...document.querySelectorAll("#unit-list li a")].map((a) => a.textContent).sort()"""


def is_units_request(response) -> bool:
    return "/api/v1/units?" in response.url


def expect_on_map(page, addresses):
    """Wait until the map draws exactly these units and lists them under it (in any order)."""
    expected = sorted(addresses)
    try:
        page.wait_for_function(
            f"(expected) => JSON.stringify(({UNITS_LISTED})()) === JSON.stringify(expected)"
            f" && ({UNITS_DRAWN})() === expected.length",
            arg=expected,
        )
    except PlaywrightTimeoutError:
        listed, drawn = page.evaluate(UNITS_LISTED), page.evaluate(UNITS_DRAWN)
        pytest.fail(f"the map draws {drawn} units and lists {listed}, not {expected}")


def zoom_in_until_visible(page, marker, steps=4):
    """Zoom in, one step at a time and waiting for each view's units, until the marker stands alone."""
    for _ in range(steps):
        if marker.is_visible():
            return
        with page.expect_response(is_units_request) as answer:
            page.locator(".leaflet-control-zoom-in").click()
        answer.value.finished()
        page.wait_for_timeout(400)  # the clusters split with an animation
    expect(marker).to_be_visible()


def enter(page, selector, value):
    page.locator(selector).fill(value)
    page.locator(selector).dispatch_event("change")


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
    zoom_in_until_visible(page, marker)
    marker.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    assert any(p in popup.inner_text() for p in PAYLOADS)
    # hover a core away from the units (they sit in a row across the middle): its tooltip shows the payload as text
    box = page.locator(".folium-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.85)
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_be_visible()
    assert tooltip.locator("strong").inner_text() == " ".join(PAYLOADS)
    expect(tooltip).to_contain_text("Taux de vacance : 50 % (2/4)")  # 2 of its 4 units are vacant
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


# -- a quarter of two commercial cores ----------------------------------------------

HIGH_STREET = [f"Rue Haute {n}" for n in range(1, 11)]  # in the western core, side by side
LOW_STREET = [f"Rue Basse {n}" for n in range(1, 5)]  # in the eastern core


@dataclass(frozen=True)
class Quarter:
    slug: str
    cores: dict[str, int]  # name: id
    units: dict[str, int]  # address: id


def _square(west, south, east, north):
    return geo.from_geometry(Polygon([(west, south), (east, south), (east, north), (west, north)]))


@pytest.fixture(scope="module")
def quarter(live_app):
    """A commune with two cores: ten units close together in the west, four more spread out in the east.

    At the map's first zoom each group is one cluster (the groups lie more than
    the clusters' 80 pixels apart); from zoom 18 every unit stands alone.
    """
    with live_app.app_context():
        commune = Commune(name="Quartier-Test", slug="quartier-test", centre=geo.point(4.2001, 50.6))
        db.session.add(commune)
        db.session.flush()
        cores = {
            "Ville haute": CommercialCore(
                commune=commune, name="Ville haute", slug="haute", area=_square(4.1970, 50.5995, 4.1995, 50.6005)
            ),
            "Ville basse": CommercialCore(
                commune=commune, name="Ville basse", slug="basse", area=_square(4.2005, 50.5995, 4.2025, 50.6005)
            ),
        }
        db.session.add_all(cores.values())
        # address, longitude, status, monthly rent in euros, features
        specs = [
            (address, 4.1978 + n * 0.00012, "vacant" if n < 2 else "occupied", 600, ("has_kitchen",) if n == 0 else ())
            for n, address in enumerate(HIGH_STREET)
        ] + [
            ("Rue Basse 1", 4.2010, "vacant", 700, ()),
            ("Rue Basse 2", 4.2013, "vacant", 900, ("has_kitchen",)),
            ("Rue Basse 3", 4.2016, "occupied", 1100, ("has_kitchen", "has_water")),
            ("Rue Basse 4", 4.2019, "under_works", 1300, ("has_water",)),
        ]
        units = {
            address: create_unit(
                commune=commune,
                address=address,
                location=geo.point(lon, 50.6),
                status=status,
                floor_area_m2=60,
                asking_rent_cents=rent * 100,
                **dict.fromkeys(features, True),
            )
            for address, lon, status, rent, features in specs
        }
        db.session.commit()
        return Quarter(
            slug=commune.slug,
            cores={name: core.id for name, core in cores.items()},
            units={address: unit.id for address, unit in units.items()},
        )


def test_units_close_together_gather_in_a_cluster_that_opens_on_click(page, quarter):
    page.goto(f"/c/{quarter.slug}/map")
    expect_on_map(page, HIGH_STREET + LOW_STREET)
    high_street = page.locator(".marker-cluster").filter(has_text=re.compile(r"^\s*10\s*$"))
    expect(high_street).to_be_visible()
    expect(page.locator(".leaflet-marker-pane .unit-marker")).to_have_count(0)  # no unit stands alone yet
    high_street.click()  # the map zooms in until the cluster splits
    for address in HIGH_STREET:
        expect(page.locator(f'.unit-marker[title="{address}"]')).to_be_visible()
    expect(high_street).to_have_count(0)
    assert page.problems == []


def test_the_layer_control_shows_and_hides_the_cores_and_the_units(page, quarter):
    page.goto(f"/c/{quarter.slug}/map")
    expect_on_map(page, HIGH_STREET + LOW_STREET)
    control = page.locator(".leaflet-control-layers")
    expect(control.locator(".leaflet-control-layers-overlays label")).to_have_text(["Noyaux commerciaux", "Cellules"])
    cores, units = control.get_by_label("Noyaux commerciaux"), control.get_by_label("Cellules")
    polygons = page.locator(".leaflet-overlay-pane path")
    expect(polygons).to_have_count(2)
    cores.uncheck()
    expect(polygons).to_have_count(0)
    expect(page.locator(".marker-cluster")).to_have_count(2)  # the units stay
    cores.check()
    expect(polygons).to_have_count(2)
    units.uncheck()
    expect(page.locator(".leaflet-marker-pane > *")).to_have_count(0)
    expect(polygons).to_have_count(2)  # the cores stay
    units.check()
    expect(page.locator(".marker-cluster")).to_have_count(2)


def test_a_unit_popup_links_to_the_unit_page(page, quarter):
    address = "Rue Basse 3"
    unit_page = f"/units/{quarter.units[address]}"
    page.goto(f"/c/{quarter.slug}/map")
    expect_on_map(page, HIGH_STREET + LOW_STREET)
    marker = page.locator(f'.unit-marker[title="{address}"]')
    zoom_in_until_visible(page, marker)
    marker.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(address)
    links = popup.get_by_role("link")
    expect(links).to_have_count(2)  # the address, and "see the unit"
    assert links.evaluate_all("(links) => links.map((a) => a.getAttribute('href'))") == [unit_page, unit_page]
    popup.get_by_role("link", name="Voir la cellule").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(unit_page)}$"))
    expect(page.locator("h1")).to_have_text(address)
    assert page.problems == []


def test_core_feature_and_rent_filters_update_the_map_without_reloading(page, quarter):
    page.goto(f"/c/{quarter.slug}/map")
    expect_on_map(page, HIGH_STREET + LOW_STREET)
    page.evaluate("window.__marker = 'still the same page'")
    page.locator("#feature-has_kitchen").check()
    expect_on_map(page, ["Rue Haute 1", "Rue Basse 2", "Rue Basse 3"])
    page.locator("#core").select_option(label="Ville basse")
    expect_on_map(page, ["Rue Basse 2", "Rue Basse 3"])
    enter(page, "#rent_min", "1100")  # the bounds are included
    expect_on_map(page, ["Rue Basse 3"])
    enter(page, "#rent_min", "")
    enter(page, "#rent_max", "900")
    expect_on_map(page, ["Rue Basse 2"])
    assert page.evaluate("window.__marker") == "still the same page"
    core = quarter.cores["Ville basse"]
    assert all(f in page.url for f in ("features=has_kitchen", f"core={core}", "rent_max=900"))
    assert "rent_min" not in page.url
    # the filters survive a reload through the address
    page.reload()
    expect(page.locator("#core")).to_have_value(str(core))
    expect_on_map(page, ["Rue Basse 2"])


@contextmanager
def tiles_from(app, url, attribution):
    """Serve the map with these tile settings for the time of the block."""
    old = app.config["TILE_URL"], app.config["TILE_ATTRIBUTION"]
    app.config["TILE_URL"], app.config["TILE_ATTRIBUTION"] = url, attribution
    try:
        yield
    finally:
        app.config["TILE_URL"], app.config["TILE_ATTRIBUTION"] = old


def _blank_tile() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (256, 256), "#eeeeee").save(image, "PNG")
    return image.getvalue()


def test_the_map_credits_its_tiles_as_the_settings_say(page, live_app, quarter):
    attribution = 'Fonds de carte © <a href="https://tiles.example.test/credits">Cartes d\'essai</a>'
    tile = _blank_tile()
    # The tiles' host answers here, from the test: no external request leaves the machine.
    page.route(
        "https://tiles.example.test/**", lambda route: route.fulfill(status=200, content_type="image/png", body=tile)
    )
    with tiles_from(live_app, "https://tiles.example.test/{z}/{x}/{y}.png", attribution):
        page.goto(f"/c/{quarter.slug}/map")
        expect(page.locator(".leaflet-tile-loaded").first).to_be_visible()
    credits = page.locator(".leaflet-control-attribution")
    expect(credits).to_contain_text("Fonds de carte © Cartes d'essai")
    link = credits.get_by_role("link", name="Cartes d'essai")
    expect(link).to_have_attribute("href", "https://tiles.example.test/credits")
    assert page.problems == []
