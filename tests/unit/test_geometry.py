import pytest

from popup.domain.geometry import GeometryError, polygons_from_geojson

SQUARE = [[3.83, 50.71], [3.84, 50.71], [3.84, 50.72], [3.83, 50.72], [3.83, 50.71]]


def test_polygon_feature_and_collection():
    assert polygons_from_geojson({"type": "Polygon", "coordinates": [SQUARE]})[0].name is None
    feature = {
        "type": "Feature",
        "properties": {"nom": "Centre"},
        "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
    }
    (named,) = polygons_from_geojson(feature)
    assert named.name == "Centre"
    assert named.polygon.area > 0
    collection = {"type": "FeatureCollection", "features": [feature, {**feature, "properties": {"naam": "Markt"}}]}
    assert [p.name for p in polygons_from_geojson(collection)] == ["Centre", "Markt"]


def test_an_unclosed_ring_is_closed():
    (p,) = polygons_from_geojson({"type": "Polygon", "coordinates": [SQUARE[:-1]]})
    coords = list(p.polygon.exterior.coords)
    assert coords[0] == coords[-1]
    assert len(coords) == len(SQUARE)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ([], "not_geojson"),
        ({"type": "Point", "coordinates": [3, 50]}, "not_polygon"),
        ({"type": "Polygon", "coordinates": [[[3, 50], [3, 51], [3, 50]]]}, "too_few_points"),
        ({"type": "Polygon", "coordinates": [[[3, 50], ["a", 51], [4, 51], [3, 50]]]}, "bad_position"),
        ({"type": "Polygon", "coordinates": [[[3, 95], [4, 50], [4, 51], [3, 95]]]}, "out_of_range"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "invalid"),  # bow-tie
        ({"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE]]}, "multipolygon"),
        ({"type": "FeatureCollection", "features": []}, "empty"),
        ({"type": "Polygon", "coordinates": [[[3, 50], [True, 51], [4, 51], [3, 50]]]}, "bad_position"),
    ],
)
def test_unusable_geometries_say_why(data, code):
    with pytest.raises(GeometryError) as raised:
        polygons_from_geojson(data)
    assert raised.value.code == code
