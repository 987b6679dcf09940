"""The vacancy map shell, drawn with Folium.

Folium draws the base layer, the commercial cores and the layer control; the
units are not in the page. A small element of our own starts the browser-side
loader (static/js/unit-map.js), which fetches /api/v1/units for the visible box
and builds markers and popups with DOM text nodes, so no user-typed string is
ever handed to Folium or to innerHTML. (Folium's own GeoJson(url) would fetch
the URL on the server while rendering.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import folium
from branca.element import CssLink, JavascriptLink, MacroElement
from jinja2 import Template

# Vacancy rate classes of the cores: upper bound (exclusive) and fill colour,
# a sequential orange scale that stays readable for colour-blind users.
# Exact bounds: a rate of exactly 10 % falls in the same band whether it comes
# as the exact Fraction of the figures (tables) or as a float (the map's fill).
RATE_CLASSES: tuple[tuple[Fraction | float, str], ...] = (
    (Fraction(1, 10), "#fdd0a2"),
    (Fraction(2, 10), "#fdae6b"),
    (Fraction(3, 10), "#f16913"),
    (float("inf"), "#a63603"),
)
NO_RATE_COLOUR = "#d9d9d9"


def rate_class(rate: Fraction | float | None) -> str:
    """The class of a vacancy rate: "0".."3" (CSS .rate-class-N), or "none"."""
    if rate is None:
        return "none"
    # A float as written (0.3, not 0.29999…), so that it falls where the exact figure does.
    exact = Fraction(repr(rate)) if isinstance(rate, float) else Fraction(rate)
    return str(next(i for i, (bound, _colour) in enumerate(RATE_CLASSES) if exact < bound))


def rate_colour(rate: Fraction | float | None) -> str:
    klass = rate_class(rate)
    return NO_RATE_COLOUR if klass == "none" else RATE_CLASSES[int(klass)][1]


@dataclass(frozen=True)
class CoreShape:
    id: int
    geometry: dict[str, Any]  # GeoJSON Polygon
    rate: float | None


@dataclass(frozen=True)
class MapParts:
    """What the page template places: asset links, inline head blocks, the map's div, its script.

    ``head`` holds Folium's inline ``<style>``/``<script>`` blocks for this map
    (without a nonce: the template adds the request's, see popup.security).
    """

    links: list[str]
    head: str
    html: str
    script: str
    map_id: str


_INLINE_BLOCK = re.compile(r"<(style|script)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def _inline_head(figure, map_id: str) -> str:
    """Folium's inline head blocks that concern this map.

    Folium writes a full-page document: its styles for ``html, body`` and a
    ``#map`` filling the window would break our page, so only the styles naming
    this map and the inline scripts (Leaflet's global switches) are kept.
    """
    blocks = []
    for child in figure.header._children.values():
        if isinstance(child, JavascriptLink | CssLink):
            continue
        for match in _INLINE_BLOCK.finditer(child.render()):
            if match.group(1).lower() == "style" and f"#{map_id}" not in match.group(0):
                continue
            blocks.append(match.group(0))
    return "\n".join(blocks)


class UnitLoader(MacroElement):
    """Starts popup's browser-side unit layer on this map; fetches nothing itself."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            window.popupMap.start(
                {{ this._parent.get_name() }},
                {{ this.cores.get_name() if this.cores else "null" }},
                {{ this.control.get_name() }},
                {{ this.config | tojson }}
            );
        {% endmacro %}
        """
    )

    def __init__(self, config: dict[str, Any], cores, control) -> None:
        super().__init__()
        self._name = "UnitLoader"
        self.config = config
        self.cores = cores
        self.control = control


def vacancy_map(
    *,
    centre: tuple[float, float],
    zoom: int,
    cores: list[CoreShape],
    tile_url: str,
    tile_attribution: str,
    labels: dict[str, str],
    assets: dict[str, str],
    config: dict[str, Any],
) -> MapParts:
    """Build the map shell. ``centre`` is (lon, lat); ``assets`` maps names to local URLs."""
    lon, lat = centre
    m = folium.Map(
        location=(lat, lon),
        zoom_start=zoom,
        tiles=None,
        control_scale=True,
        width="100%",
        height="100%",
        maxZoom=19,  # a map option: clustering needs it even without a tile layer
    )
    # Per map, never on the class: mutating Folium's class lists leaks into every later map.
    m.default_js = [("leaflet", assets["leaflet_js"])]
    m.default_css = [("leaflet_css", assets["leaflet_css"])]
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=tile_attribution, name=labels["base_layer"], max_zoom=19).add_to(m)
    cores_layer = None
    if cores:
        collection = {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "id": c.id, "geometry": c.geometry, "properties": {"id": c.id, "rate": c.rate}}
                for c in cores
            ],
        }
        cores_layer = folium.GeoJson(
            collection,
            name=labels["cores"],
            style_function=lambda feature: {
                "fillColor": rate_colour(feature["properties"]["rate"]),
                "color": "#7f2704",
                "weight": 2,
                "fillOpacity": 0.35,
            },
        )
        cores_layer.add_to(m)
    control = folium.LayerControl(collapsed=False)
    control.add_to(m)
    UnitLoader(config, cores_layer, control).add_to(m)

    figure = m.get_root()
    figure.render()
    links = [
        child.render() for child in figure.header._children.values() if isinstance(child, JavascriptLink | CssLink)
    ]
    return MapParts(
        links=links,
        head=_inline_head(figure, m.get_name()),
        html=figure.html.render(),
        script=figure.script.render(),
        map_id=m.get_name(),
    )
