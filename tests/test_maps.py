"""The map pages: a light Folium shell, units fetched by the browser, nothing unsafe."""

import re

import pytest

from tests.conftest import page_text

PAYLOAD = "<img src=x onerror=alert(1)></script><script>alert(2)</script>${alert(3)}`"


def test_commune_map_is_a_shell_without_units(client, make_unit, make_core):
    make_core()
    unit = make_unit(address="Rue Unique 1, 7860 Lessines")
    response = client.get("/c/lessines/map")
    assert response.status_code == 200
    html = page_text(response)
    assert "Rue Unique 1" not in html, "units come from the API, not the page"
    assert "window.popupMap.start(" in html
    assert '"api": "/api/v1/units"' in html
    assert "/vendor/leaflet/leaflet.js" in html
    assert unit.id  # the unit exists; the page just does not carry it


def test_map_assets_are_local(client, make_core):
    make_core()
    html = client.get("/c/lessines/map").get_data(as_text=True)
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "#")), url
    assert "cdn" not in html.lower()


def test_map_page_stays_small_whatever_the_number_of_units(client, make_unit, make_core):
    make_core()
    small = len(client.get("/c/lessines/map").data)
    for i in range(300):
        make_unit(lon=3.8357 + i * 1e-5)
    big = len(client.get("/c/lessines/map").data)
    assert big - small < 100  # only the figures in the cores table grow by a few digits
    assert big < 100_000


def test_core_names_cannot_break_out_of_the_script(client, make_core):
    make_core(name=PAYLOAD)
    html = client.get("/c/lessines/map").get_data(as_text=True)
    script = html[html.index("window.popupMap.start(") :]
    script = script[: script.index("</script>")]
    assert "<img" not in script and "<script>" not in script
    assert "\\u003cimg" in script  # the name travels as escaped JSON text
    # In the table and the filter the name is escaped HTML text.
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_unknown_commune_map_is_404(client):
    assert client.get("/c/atlantis/map").status_code == 404


def test_bad_filters_in_the_address_show_a_message(client, make_core):
    make_core()
    response = client.get("/c/lessines/map?status=bogus&area_min=abc")
    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)


def test_filters_are_kept_in_the_form(client, make_core):
    core = make_core()
    html = client.get(f"/c/lessines/map?status=vacant,popup&area_min=20&core={core.id}&features=has_water").text
    assert re.search(r'value="vacant" id="status-vacant" checked', html)
    assert re.search(r'value="popup" id="status-popup" checked', html)
    assert not re.search(r'value="occupied" id="status-occupied" checked', html)
    assert 'name="area_min" id="area_min" value="20"' in html
    assert f'<option value="{core.id}" selected' in html
    assert re.search(r'value="has_water" id="feature-has_water" checked', html)


@pytest.mark.parametrize("path", ["/map", "/c/lessines/map"])
def test_tiles_come_from_the_settings(app, client, make_core, path):
    make_core()
    old = app.config["TILE_URL"]
    app.config["TILE_URL"] = "https://tiles.example.test/{z}/{x}/{y}.png"
    try:
        assert "tiles.example.test" in client.get(path).get_data(as_text=True)
    finally:
        app.config["TILE_URL"] = old
    app.config["TILE_URL"] = ""
    try:
        assert "L.tileLayer" not in client.get(path).get_data(as_text=True)
    finally:
        app.config["TILE_URL"] = old


def test_overview_map_with_several_communes(client, make_commune):
    make_commune()
    from popup import geo

    make_commune(name="Ath", slug="ath", centre=geo.point(3.7767, 50.6298))
    response = client.get("/map")
    assert response.status_code == 200
    assert '"apiParams": {}' in response.get_data(as_text=True)


def test_core_colours_agree_between_folium_and_the_legend():
    from pathlib import Path

    from popup.maps.folium_map import RATE_CLASSES

    css = (Path(__file__).parent.parent / "static" / "css" / "popup.css").read_text()
    for index, (_bound, colour) in enumerate(RATE_CLASSES):
        assert f".rate-class-{index} {{ background: {colour}; }}" in css
