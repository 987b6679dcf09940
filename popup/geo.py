"""The one place that knows SpatiaLite from PostGIS.

Everything else asks this module for engine options, geometry values and
spatial filters, and gets SQL that uses the spatial index on both engines:
SpatiaLite never consults its R*Tree on its own, so its filters look the
candidates up in the ``SpatialIndex`` virtual table explicitly; PostGIS pairs
the index-backed bounding-box test with an exact one (``ST_Intersects``).
"""

from __future__ import annotations

import math
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import has_request_context, request
from geoalchemy2.admin.dialects.sqlite import load_spatialite
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import Engine, Integer, Select, String, and_, event, func, literal, literal_column, select, table
from sqlalchemy import column as sql_column
from sqlalchemy.engine import make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.selectable import Join

SRID = 4326
METRES_PER_DEGREE_LAT = 111_320.0
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# -- engines -------------------------------------------------------------------


def backend(url_or_engine: str | Engine) -> str:
    """Return ``"sqlite"`` or ``"postgresql"``."""
    url = url_or_engine.url if isinstance(url_or_engine, Engine) else make_url(url_or_engine)
    return url.get_backend_name()


def stdlib_sqlite_loads_extensions() -> bool:
    return hasattr(sqlite3.connect(":memory:"), "enable_load_extension")


def engine_options(url: str, busy_timeout_ms: int = 5000) -> dict[str, Any]:
    """Engine options for the database at ``url``."""
    if backend(url) == "sqlite":
        options: dict[str, Any] = {"connect_args": {"timeout": busy_timeout_ms / 1000, "check_same_thread": False}}
        if not stdlib_sqlite_loads_extensions():
            # Some Python builds (pyenv's default) ship sqlite3 without extension
            # loading; pysqlite3-binary bundles a SQLite that has it.
            import pysqlite3.dbapi2

            options["module"] = pysqlite3.dbapi2
        return options
    return {"pool_pre_ping": True}


def prepare_engine(engine: Engine, spatialite_path: str, busy_timeout_ms: int = 5000) -> None:
    """Install the connection hooks an engine needs (SQLite only)."""
    if backend(engine) != "sqlite":
        return
    # GeoAlchemy2 reads the library name from the environment and raises without it.
    os.environ.setdefault("SPATIALITE_LIBRARY_PATH", spatialite_path)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy's "begin" event open transactions, not pysqlite.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()
        load_spatialite(dbapi_conn, init_mode="WGS84")

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A deferred transaction that reads then writes fails at once with
        # "database is locked" under concurrency: writers take the lock first.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _is_write_context() else "BEGIN")


def _is_write_context() -> bool:
    if has_request_context():
        return request.method not in SAFE_METHODS
    return True


# -- values --------------------------------------------------------------------


def point(lon: float, lat: float):
    """A geometry value for a WGS84 point, ready to assign to a column."""
    return from_shape(Point(lon, lat), srid=SRID)


def shape(geometry_value):
    """A shapely geometry from a column value (or None)."""
    return None if geometry_value is None else to_shape(geometry_value)


def lonlat(geometry_value) -> tuple[float, float] | None:
    if geometry_value is None:
        return None
    p = to_shape(geometry_value)
    return (p.x, p.y)


def from_geometry(geom):
    """A column value from a shapely geometry."""
    return from_shape(geom, srid=SRID)


# -- spatial filters -----------------------------------------------------------


def _envelope(dialect: str, minlon: float, minlat: float, maxlon: float, maxlat: float):
    if dialect == "sqlite":
        return func.BuildMbr(minlon, minlat, maxlon, maxlat, SRID)
    return func.ST_MakeEnvelope(minlon, minlat, maxlon, maxlat, SRID)


def _table_and_column(geom_column) -> tuple[str, str]:
    col = getattr(geom_column, "expression", geom_column)
    return col.table.name, col.name


def _spatial_index():
    return table(
        "SpatialIndex",
        sql_column("ROWID", Integer),
        sql_column("f_table_name", String),
        sql_column("f_geometry_column", String),
        sql_column("search_frame"),
    )


def _spatialite_candidates(geom_column, frame):
    table_name, column_name = _table_and_column(geom_column)
    index = _spatial_index()
    return select(index.c.ROWID).where(
        index.c.f_table_name == table_name,
        index.c.f_geometry_column == column_name,
        index.c.search_frame == frame,
    )


def in_bbox(dialect: str, id_column, geom_column, bbox: tuple[float, float, float, float]):
    """Rows whose geometry intersects the lon/lat box, through the spatial index."""
    envelope = _envelope(dialect, *bbox)
    if dialect == "sqlite":
        # SpatiaLite predicates answer 1, 0 or -1 (error): compare, never test truth.
        exact = func.ST_Intersects(geom_column, envelope) == 1
        candidates = _spatialite_candidates(geom_column, envelope)
        return and_(id_column.in_(candidates), exact)
    return func.ST_Intersects(geom_column, envelope)


def within_metres(dialect: str, id_column, geom_column, lon: float, lat: float, metres: float):
    """Rows whose geometry lies within ``metres`` of the point (geodesic)."""
    dlat = metres / METRES_PER_DEGREE_LAT
    dlon = metres / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 1e-6))
    near_box = in_bbox(dialect, id_column, geom_column, (lon - dlon, lat - dlat, lon + dlon, lat + dlat))
    centre = func.ST_GeomFromText(literal(f"POINT({lon!r} {lat!r})"), SRID)
    if dialect == "sqlite":
        exact = func.PtDistWithin(geom_column, centre, metres, 1) == 1
    else:
        geography = func.Geography
        exact = func.ST_DWithin(geography(geom_column), geography(centre), metres)
    return and_(near_box, exact)


def within_polygon(dialect: str, id_column, geom_column, polygon_expr):
    """Rows whose geometry lies inside the polygon (a column or expression)."""
    if dialect == "sqlite":
        exact = func.ST_Within(geom_column, polygon_expr) == 1
        candidates = _spatialite_candidates(geom_column, polygon_expr)
        return and_(id_column.in_(candidates), exact)
    return func.ST_Within(geom_column, polygon_expr)


class _CrossJoin(Join):
    """An inner join that SQLite may not reorder: ``CROSS JOIN … ON`` (the left side is scanned first)."""

    inherit_cache = True


@compiles(_CrossJoin, "sqlite")
def _compile_cross_join(element, compiler, **kw):
    kw["asfrom"] = True
    left = compiler.process(element.left, **kw)
    right = compiler.process(element.right, **kw)
    kw.pop("asfrom")
    return f"{left} CROSS JOIN {right} ON {compiler.process(element.onclause, **kw)}"


def join_points_in_polygons(dialect: str, stmt: Select, points, point_id, point_geom, polygon_geom, *on) -> Select:
    """Join ``points`` to a statement that selects from the polygons' table: each polygon with the points inside.

    One statement for every polygon, each looked up through the spatial index:
    on SpatiaLite the polygons come first (``CROSS JOIN``: SQLite may not
    reorder it), so that the R*Tree is searched once per polygon; left free,
    SQLite scanned the points and searched the R*Tree for every point and polygon.
    """
    if dialect == "sqlite":
        polygons = getattr(polygon_geom, "expression", polygon_geom).table
        inside = within_polygon(dialect, point_id, point_geom, polygon_geom)
        points_table = getattr(point_id, "expression", point_id).table
        return stmt.select_from(_CrossJoin(polygons, points_table, and_(inside, *on)))
    return stmt.join(points, and_(func.ST_Within(point_geom, polygon_geom), *on))


# -- GeoJSON built by the database -----------------------------------------------
#
# The API sends a FeatureCollection of points as the text one statement
# returns: no Python object, dict or JSON encoding per unit. Values come out
# as Python's json module writes them for the same rows (tests compare both):
# strings escaped by the database's JSON functions, floats in their shortest
# exact form, coordinates rounded to 7 decimals exactly as ``round(x, 7)``.


@dataclass(frozen=True)
class JsonField:
    """One property of the features: ``column`` is a label of the rows statement.

    kind: ``value`` (text, integer, NULL as is), ``float``, ``bool``, ``date``
    (the date part of a naive UTC timestamp, ``YYYY-MM-DD``) or ``flags`` (the
    names in ``flags`` whose boolean column, labelled with the name, is true,
    as a JSON array in that order).
    """

    name: str
    column: str = ""
    kind: str = "value"
    flags: tuple[str, ...] = ()


def _sqlite_orders_aggregates() -> bool:
    """Whether the SQLite the app uses accepts ORDER BY inside an aggregate (3.44+)."""
    if stdlib_sqlite_loads_extensions():
        return sqlite3.sqlite_version_info >= (3, 44)
    import pysqlite3.dbapi2

    return pysqlite3.dbapi2.sqlite_version_info >= (3, 44)


def _round7(dialect: str, x: str) -> str:
    """SQL for ``round(x, 7)`` as Python computes it, for |x| below 4e8 (coordinates).

    Python rounds the exact binary value of x (half to even on exact ties);
    the databases' own round() goes through 15 or 16 decimal digits and answers
    otherwise on values such as 3.72446815 (8 decimals ending in 5). Here x *
    1e7 is split into its double p and the exact error of that product
    (Dekker's product with Veltkamp's split: 1e7 has 24 bits), which decides
    on which side of a tie the exact value lies; n / 1e7 is then the double
    nearest to the decimal result, as Python's.
    """
    f8 = "" if dialect == "sqlite" else "::float8"
    p = f"({x} * 10000000.0{f8})"
    c = f"(134217729.0{f8} * {x})"
    hi = f"({c} - ({c} - {x}))"
    lo = f"({x} - {hi})"
    err = f"(({hi} * 10000000.0{f8} - {p}) + {lo} * 10000000.0{f8})"
    if dialect == "sqlite":
        trunc = f"CAST({p} AS INTEGER)"
        floor = f"({trunc} - ({p} < {trunc}))"
        odd = f"({floor} % 2 <> 0)"
    else:
        floor = f"floor({p})"
        odd = f"(floor({floor} / 2.0{f8}) * 2.0{f8} <> {floor})"
    frac = f"({p} - {floor})"
    up = f"({frac} > 0.5{f8} OR ({frac} = 0.5{f8} AND ({err} > 0.0{f8} OR ({err} = 0.0{f8} AND {odd}))))"
    return f"(({floor} + CASE WHEN {up} THEN 1 ELSE 0 END) / 10000000.0{f8})"


def _sqlite_float(x: str) -> str:
    """A REAL as JSON in its shortest exact form (SQLite's JSON writes 15 digits)."""
    forms = [f"printf('%!.{digits}g', {x})" for digits in (15, 16, 17)]
    return (
        f"json(CASE WHEN {x} IS NULL THEN 'null' "
        f"WHEN CAST({forms[0]} AS REAL) = {x} THEN {forms[0]} "
        f"WHEN CAST({forms[1]} AS REAL) = {x} THEN {forms[1]} ELSE {forms[2]} END)"
    )


def _pg_float(x: str) -> str:
    """A float8 as JSON as Python writes it: shortest exact digits, ``80.0`` rather than ``80``."""
    return (
        f"(CASE WHEN {x} IS NULL THEN 'null' WHEN {x} = trunc({x}) AND abs({x}) < 1e15 "
        f"THEN ({x})::text || '.0' ELSE ({x})::text END)::json"
    )


def _json_value(dialect: str, field: JsonField, alias: str) -> str:
    col = f"{alias}.{field.column}"
    if field.kind == "value":
        return col
    if field.kind == "float":
        return _sqlite_float(col) if dialect == "sqlite" else _pg_float(f"{col}::float8")
    if field.kind == "bool":
        if dialect == "sqlite":
            return f"json(CASE WHEN {col} IS NULL THEN 'null' WHEN {col} THEN 'true' ELSE 'false' END)"
        return col
    if field.kind == "date":
        return f"substr({col}, 1, 10)" if dialect == "sqlite" else f"to_char({col}, 'YYYY-MM-DD')"
    if field.kind == "flags":
        items = " || ".join(f"CASE WHEN {alias}.{flag} THEN ',\"{flag}\"' ELSE '' END" for flag in field.flags)
        array = f"'[' || substr({items}, 2) || ']'"
        return f"json({array})" if dialect == "sqlite" else f"({array})::json"
    raise ValueError(f"unknown kind {field.kind!r}")


def _json_object(dialect: str, pairs: Sequence[tuple[str, str]]) -> str:
    function = "json_object" if dialect == "sqlite" else "json_build_object"
    return f"{function}(" + ", ".join(f"'{key}', {value}" for key, value in pairs) + ")"


def point_feature_collection(
    dialect: str, rows: Select, *, id_column, fields: Sequence[JsonField], limit: int
) -> Select:
    """A statement answering one row, one column: the text of a GeoJSON FeatureCollection.

    ``rows`` selects the features' columns, labelled: ``id``, ``lon``, ``lat``
    and each field's column. The features come ordered by ``id_column``, at
    most ``limit`` of them; the collection ends with ``"truncated"`` (more rows
    matched) and ``"limit"``, as the API documents.
    """
    limit = int(limit)
    rank = func.row_number().over(order_by=id_column).label("rn")
    # Two materialised steps, so that each value is computed once per row
    # (SQLite would otherwise copy the expressions into every place they are used):
    # the rows, then their coordinates rounded.
    rows_cte = rows.add_columns(rank).order_by(id_column).limit(limit + 1).cte("s").prefix_with("MATERIALIZED")
    rounded = select(
        rows_cte,
        literal_column(_round7(dialect, "s.lon")).label("lon7"),
        literal_column(_round7(dialect, "s.lat")).label("lat7"),
    )
    a = "r"
    rounded_cte = rounded.cte(a).prefix_with("MATERIALIZED")
    array = "json_array" if dialect == "sqlite" else "json_build_array"
    as_json = _sqlite_float if dialect == "sqlite" else _pg_float
    geometry = _json_object(
        dialect, [("type", "'Point'"), ("coordinates", f"{array}({as_json(f'{a}.lon7')}, {as_json(f'{a}.lat7')})")]
    )
    properties = _json_object(dialect, [(f.name, _json_value(dialect, f, a)) for f in fields])
    feature = _json_object(
        dialect, [("type", "'Feature'"), ("id", f"{a}.id"), ("geometry", geometry), ("properties", properties)]
    )
    if dialect == "sqlite":
        order = f" ORDER BY {a}.rn" if _sqlite_orders_aggregates() else ""  # else: the rows' order
        joined = f"group_concat({feature}, ','{order}) FILTER (WHERE {a}.rn <= {limit})"
    else:
        joined = f"string_agg(({feature})::text, ',' ORDER BY {a}.rn) FILTER (WHERE {a}.rn <= {limit})"
    body = (
        f"""'{{"type":"FeatureCollection","features":[' || coalesce({joined}, '') || """
        f"""'],"truncated":' || CASE WHEN count(*) > {limit} THEN 'true' ELSE 'false' END || """
        f"""',"limit":{limit}}}'"""
    )
    return select(literal_column(body)).select_from(rounded_cte)


# -- migrations ----------------------------------------------------------------

_EXTENSION_TABLES = {"SpatialIndex", "ElementaryGeometries", "KNN", "KNN2", "spatial_ref_sys"}


def include_object(obj, name, obj_type, reflected, compare_to) -> bool:
    """Alembic filter: leave SpatiaLite's and PostGIS's own tables alone."""
    from geoalchemy2 import alembic_helpers

    if obj_type == "table" and (name in _EXTENSION_TABLES or name.startswith(("sql_statements_log", "data_licenses"))):
        return False
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)
