"""Reading polygons from GeoJSON (RFC 7946), with reasons a person can act on."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from shapely.geometry import Polygon
from shapely.validation import explain_validity


class GeometryError(ValueError):
    """The GeoJSON cannot give a usable polygon. ``code`` names the reason."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class NamedPolygon:
    name: str | None
    polygon: Polygon


NAME_KEYS = ("name", "nom", "naam", "title", "titre")


def _position(value: Any) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) < 2:
        raise GeometryError("bad_position")
    lon, lat = value[0], value[1]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (lon, lat)):
        raise GeometryError("bad_position")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise GeometryError("out_of_range")
    return (float(lon), float(lat))


def polygon_from_coordinates(coordinates: Any) -> Polygon:
    """A valid shapely polygon from GeoJSON Polygon coordinates (holes allowed)."""
    if not isinstance(coordinates, list) or not coordinates:
        raise GeometryError("not_polygon")
    rings = []
    for ring in coordinates:
        if not isinstance(ring, list):
            raise GeometryError("not_polygon")
        points = [_position(p) for p in ring]
        if len(points) >= 3 and points[0] != points[-1]:
            points.append(points[0])  # tolerate an unclosed ring, as drawing tools send
        if len(set(points)) < 3:
            raise GeometryError("too_few_points")
        rings.append(points)
    polygon = Polygon(rings[0], rings[1:])
    if not polygon.is_valid:
        raise GeometryError("invalid", explain_validity(polygon))
    if polygon.area == 0:
        raise GeometryError("too_few_points")
    return polygon


def polygons_from_geojson(data: Any) -> list[NamedPolygon]:
    """Every polygon in a Polygon, single-part MultiPolygon, Feature or FeatureCollection."""
    if not isinstance(data, dict):
        raise GeometryError("not_geojson")
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or not features:
            raise GeometryError("empty")
        found = [p for feature in features for p in polygons_from_geojson(feature)]
        return found
    if kind == "Feature":
        props = data.get("properties") or {}
        name = next((str(props[k]).strip() for k in NAME_KEYS if isinstance(props, dict) and props.get(k)), None)
        return [NamedPolygon(name, p.polygon) for p in polygons_from_geojson(data.get("geometry"))]
    if kind == "Polygon":
        return [NamedPolygon(None, polygon_from_coordinates(data.get("coordinates")))]
    if kind == "MultiPolygon":
        parts = data.get("coordinates")
        if isinstance(parts, list) and len(parts) == 1:
            return [NamedPolygon(None, polygon_from_coordinates(parts[0]))]
        raise GeometryError("multipolygon")
    raise GeometryError("not_polygon", str(kind))
