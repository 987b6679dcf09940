"""Spatial filters give the same answers on SpatiaLite and PostGIS."""

from shapely.geometry import Polygon
from sqlalchemy import select

from popup import geo
from popup.units.models import Unit

# Grand-Place of Lessines; 0.0001° of latitude is about 11 m.
LON, LAT = 3.8357, 50.7117


def _ids(db, condition):
    return set(db.session.scalars(select(Unit.id).where(condition)))


def test_bounding_box_keeps_points_inside_only(db, make_unit):
    inside = make_unit(lon=LON, lat=LAT)
    edge = make_unit(lon=LON + 0.001, lat=LAT)
    hair_outside = make_unit(lon=LON + 0.0010001, lat=LAT)
    far = make_unit(lon=3.9, lat=50.75)
    dialect = db.engine.dialect.name
    found = _ids(db, geo.in_bbox(dialect, Unit.id, Unit.location, (LON - 0.001, LAT - 0.001, LON + 0.001, LAT + 0.001)))
    assert inside.id in found and edge.id in found
    assert hair_outside.id not in found and far.id not in found


def test_distance_in_metres_is_geodesic(db, make_unit):
    near = make_unit(lon=LON, lat=LAT + 0.0002)  # ~22 m north
    beyond = make_unit(lon=LON, lat=LAT + 0.0003)  # ~33 m north
    east = make_unit(lon=LON + 0.0003, lat=LAT)  # ~21 m east (longitude degrees are shorter here)
    dialect = db.engine.dialect.name
    found = _ids(db, geo.within_metres(dialect, Unit.id, Unit.location, LON, LAT, 25))
    assert found == {near.id, east.id}
    assert beyond.id not in found


def test_points_within_a_polygon(db, make_unit, make_core):
    from popup.communes.models import CommercialCore

    core = make_core(area=geo.from_geometry(Polygon([(3.83, 50.71), (3.84, 50.71), (3.84, 50.715), (3.83, 50.715)])))
    inside = make_unit(lon=3.835, lat=50.712)
    outside = make_unit(lon=3.845, lat=50.712)
    area = select(CommercialCore.area).where(CommercialCore.id == core.id).scalar_subquery()
    found = _ids(db, geo.within_polygon(db.engine.dialect.name, Unit.id, Unit.location, area))
    assert inside.id in found and outside.id not in found


def test_geometry_round_trips_on_both_engines(db, make_unit):
    unit = make_unit(lon=3.83571, lat=50.71172)
    db.session.expire(unit)
    assert geo.lonlat(unit.location) == (3.83571, 50.71172)


def test_sqlite_filters_go_through_the_spatial_index():
    sql = str(
        select(Unit.id)
        .where(geo.in_bbox("sqlite", Unit.id, Unit.location, (3.8, 50.7, 3.9, 50.8)))
        .compile(compile_kwargs={"literal_binds": True})
    )
    assert "SpatialIndex" in sql and "f_table_name = 'units'" in sql
