"""The map pages: a light Folium shell, units fetched by the browser, nothing unsafe."""

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
from shapely.geometry import Polygon

from popup import geo
from popup.config import Config
from popup.domain.vocabulary import UNIT_STATUSES
from popup.maps.folium_map import rate_class, rate_colour
from tests.conftest import page_text

STATIC = Path(__file__).resolve().parent.parent / "static"

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
    for street in range(12):
        make_unit(address=f"Rue numéro {street} 1, 7860 Lessines")
    small = len(client.get("/c/lessines/map").data)
    for i in range(300):
        make_unit(lon=3.8357 + i * 1e-5, address=f"Rue numéro {i % 40} {i + 2}, 7860 Lessines")
    html = client.get("/c/lessines/map").get_data(as_text=True)
    # Only figures grow by a few digits: the map lists the 10 streets with the most vacant units, then a link.
    assert len(html.encode()) - small < 200
    assert len(html.encode()) < 100_000
    streets = html.split('data-figures="streets"')[1].split("</table>")[0]
    assert streets.count('<th scope="row">') == 10
    assert "30 autres rues sur la page de la commune" in html


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


# -- palette and legend ------------------------------------------------------------


def _shape_of_marker(tag: str, points: str) -> str:
    """What a marker's SVG draws: "circle", "square" or "N-gon"."""
    return {"circle": "circle", "rect": "square"}.get(tag) or f"{len(points.split())}-gon"


def _shape_of_swatch(rule: str) -> str:
    """What a legend swatch's CSS draws: "circle", "square" or "N-gon"."""
    clip = re.search(r"clip-path:\s*polygon\(([^)]*)\)", rule)
    if clip:
        return f"{clip.group(1).count(',') + 1}-gon"
    return "circle" if re.search(r"border-radius:\s*50%", rule) else "square"


def marker_styles() -> dict[str, tuple[str, str]]:
    """Colour and shape of each status's marker, as static/js/unit-map.js draws it."""
    js = (STATIC / "js" / "unit-map.js").read_text()
    colours = re.search(r"var COLOURS = \{(.*?)\};", js, re.DOTALL).group(1)
    shapes = re.search(r"var SHAPES = \{(.*?)\};", js, re.DOTALL).group(1)
    colour = {status: hex_.lower() for status, hex_ in re.findall(r'(\w+): "(#[0-9a-fA-F]{6})"', colours)}
    shape = {
        status: _shape_of_marker(tag, points)
        for status, tag, points in re.findall(r"""(\w+): '<(\w+)(?: points="([^"]*)")?""", shapes)
    }
    return {status: (colour.get(status), shape.get(status)) for status in colour.keys() | shape.keys()}


def legend_styles() -> dict[str, tuple[str, str]]:
    """Colour and shape of each status's swatch in the legend, as static/css/popup.css draws it."""
    css = (STATIC / "css" / "popup.css").read_text()
    styles = {}
    for status, rule in re.findall(r"\.shape-(\w+) \{([^}]*)\}", css):
        background = re.search(r"background:\s*(#[0-9a-fA-F]{6})", rule)
        styles[status] = (background.group(1).lower() if background else None, _shape_of_swatch(rule))
    return styles


def test_each_status_has_its_own_colour_and_shape_the_same_on_the_markers_and_in_the_legend():
    markers, legend = marker_styles(), legend_styles()
    assert set(markers) == set(UNIT_STATUSES)
    assert legend == markers  # a reader finds on the map the swatch the legend shows
    colours = [colour for colour, _shape in markers.values()]
    shapes = [shape for _colour, shape in markers.values()]
    # Told apart by colour, and by shape alone for a reader who does not see the colours.
    assert len(set(colours)) == len(UNIT_STATUSES), colours
    assert len(set(shapes)) == len(UNIT_STATUSES), shapes


def test_the_legend_names_each_status_next_to_its_shape(client, make_core):
    make_core()
    html = page_text(client.get("/c/lessines/map"))
    legend = html[html.index('id="legend-title"') :]
    entries = re.findall(r'<span class="legend-shape shape-(\w+)" aria-hidden="true"></span> ([^<]+?)</li>', legend)
    assert entries == [
        ("vacant", "Vide"),
        ("under_works", "En travaux"),
        ("popup", "Boutique pop-up"),
        ("occupied", "Occupée"),
        ("unavailable", "Retirée du marché"),
    ]


@pytest.mark.parametrize(
    ("rate", "band", "colour"),
    [
        (None, "none", "#d9d9d9"),  # no unit in the commercial stock: no rate
        (0.0, "0", "#fdd0a2"),
        (0.0999, "0", "#fdd0a2"),
        (0.1, "1", "#fdae6b"),  # a bound opens the next band, as the legend reads "10 % to 20 %"
        (0.1999, "1", "#fdae6b"),
        (0.2, "2", "#f16913"),
        (0.2999, "2", "#f16913"),
        (0.3, "3", "#a63603"),
        (1.0, "3", "#a63603"),
        # the exact figures of the tables fall where their floats do
        (Fraction(1, 10), "1", "#fdae6b"),
        (Fraction(1, 5), "2", "#f16913"),
        (Fraction(3, 10), "3", "#a63603"),
        (float(Fraction(3, 10)), "3", "#a63603"),
        (Fraction(299, 1000), "2", "#f16913"),
    ],
)
def test_each_vacancy_rate_falls_in_its_band(rate, band, colour):
    assert rate_class(rate) == band
    assert rate_colour(rate) == colour


def test_the_legend_of_the_cores_gives_each_band_its_bounds(client, make_core):
    make_core()
    html = page_text(client.get("/c/lessines/map"))
    bands = re.findall(
        r'<span class="legend-swatch rate-class-(\d)" aria-hidden="true"></span>\s*([^<]+?)\s*</li>', html
    )
    assert [(band, " ".join(text.split())) for band, text in bands] == [
        ("0", "0 % à 10 %"),
        ("1", "10 % à 20 %"),
        ("2", "20 % à 30 %"),
        ("3", "30 % et plus"),
    ]


def core_fill_colours(html: str) -> dict[int, str]:
    """The fill colour of each core's polygon, read from the style function Folium writes for the cores' layer."""
    styler = re.search(r"_styler\(feature\) \{\s*switch\(feature\.id\) \{(.*?)default:\s*return (\{.*?\});", html, re.S)
    assert styler, "the map has no style function for its cores"
    cases, default = styler.groups()
    colours = {core_id: json.loads(default)["fillColor"] for core_id in _core_ids(html)}
    for ids, style in re.findall(r"((?:case [^:]+: )+)\s*return (\{.*?\});", cases):
        for core_id in re.findall(r"case ([^:]+):", ids):
            colours[json.loads(core_id)] = json.loads(style)["fillColor"]
    return colours


def _core_ids(html: str) -> list[int]:
    return [int(core_id) for core_id in re.findall(r'<option value="(\d+)"', html)]


def square(lon: float, lat: float, side: float = 0.002):
    return geo.from_geometry(Polygon([(lon, lat), (lon + side, lat), (lon + side, lat + side), (lon, lat + side)]))


# Cores, the statuses of the units inside them, and the band their vacancy rate falls in.
CORES_BY_BAND = {
    "Calme": (["occupied"] * 3, "0", "#fdd0a2"),  # 0 %
    "Dix": (["vacant"] + ["occupied"] * 9, "1", "#fdae6b"),  # 10 %: a bound
    "Vingt": (["vacant"] + ["occupied"] * 4, "2", "#f16913"),  # 20 %: a bound
    "Trente": (["vacant"] * 3 + ["occupied"] * 7, "3", "#a63603"),  # 30 %: a bound
    "Désert": ([], "none", "#d9d9d9"),  # no unit, no rate
}


@pytest.fixture
def cores_by_band(make_core, make_unit):
    """The cores of CORES_BY_BAND, by name, each holding its units."""
    cores = {}
    for n, (name, (statuses, _band, _colour)) in enumerate(CORES_BY_BAND.items()):
        lon, lat = 3.80 + n * 0.01, 50.70
        cores[name] = make_core(name=name, slug=f"core-{n}", area=square(lon, lat))
        for i, status in enumerate(statuses):
            make_unit(lon=lon + 0.0001 + i * 0.0001, lat=lat + 0.001, status=status)
    return cores


def test_each_core_is_filled_with_the_colour_of_its_vacancy_band(client, cores_by_band):
    fills = core_fill_colours(client.get("/c/lessines/map").get_data(as_text=True))
    assert {name: fills[core.id] for name, core in cores_by_band.items()} == {
        name: colour for name, (_statuses, _band, colour) in CORES_BY_BAND.items()
    }


def test_the_table_of_the_cores_shows_each_core_with_the_swatch_of_its_band(client, cores_by_band):
    html = client.get("/c/lessines/map").get_data(as_text=True)
    rows = re.findall(r'<span class="legend-swatch rate-class-(\w+)" aria-hidden="true"></span> (\w+)</th>', html)
    shown = {name: band for band, name in rows}
    assert shown == {name: band for name, (_statuses, band, _colour) in CORES_BY_BAND.items()}


# -- tiles -------------------------------------------------------------------------


def tile_layer(html: str) -> tuple[str, dict]:
    """The URL and the options of the map's base layer, as Folium writes them."""
    found = re.search(r'L\.tileLayer\(\s*("(?:[^"\\]|\\.)*"),\s*\{(.*?)\}\s*\);', html, re.S)
    assert found, "the map has no tile layer"
    options = dict(re.findall(r'"(\w+)": ("(?:[^"\\]|\\.)*")', found.group(2)))
    return json.loads(found.group(1)), {name: json.loads(value) for name, value in options.items()}


@pytest.mark.parametrize("path", ["/map", "/c/lessines/map"])
def test_by_default_the_map_shows_openstreetmap_tiles_and_credits_them(
    app, client, make_core, monkeypatch, tmp_path, path
):
    for name in ("TILE_URL", "TILE_ATTRIBUTION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    defaults = Config(str(tmp_path))
    assert defaults.TILE_URL == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert defaults.TILE_ATTRIBUTION == '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
    make_core()
    monkeypatch.setitem(app.config, "TILE_URL", defaults.TILE_URL)
    monkeypatch.setitem(app.config, "TILE_ATTRIBUTION", defaults.TILE_ATTRIBUTION)
    url, options = tile_layer(client.get(path).get_data(as_text=True))
    assert url == defaults.TILE_URL
    assert options["attribution"] == defaults.TILE_ATTRIBUTION
