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
from typing import Any

from flask import has_request_context, request
from geoalchemy2.admin.dialects.sqlite import load_spatialite
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import Engine, Integer, String, and_, event, func, literal, select, table
from sqlalchemy import column as sql_column
from sqlalchemy.engine import make_url

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


def _spatialite_candidates(geom_column, frame):
    table_name, column_name = _table_and_column(geom_column)
    index = table(
        "SpatialIndex",
        sql_column("ROWID", Integer),
        sql_column("f_table_name", String),
        sql_column("f_geometry_column", String),
        sql_column("search_frame"),
    )
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
    return func.ST_Within(geom_column, polygon_expr)


# -- migrations ----------------------------------------------------------------

_EXTENSION_TABLES = {"SpatialIndex", "ElementaryGeometries", "KNN", "KNN2", "spatial_ref_sys"}


def include_object(obj, name, obj_type, reflected, compare_to) -> bool:
    """Alembic filter: leave SpatiaLite's and PostGIS's own tables alone."""
    from geoalchemy2 import alembic_helpers

    if obj_type == "table" and (name in _EXTENSION_TABLES or name.startswith(("sql_statements_log", "data_licenses"))):
        return False
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)


# -- maintenance -----------------------------------------------------------------


def delete_all_rows(session, table_obj) -> None:
    """Empty a table, append-only ones included (restore --force).

    The audit log's triggers refuse DELETE. PostgreSQL's TRUNCATE does not fire
    row triggers; SQLite has no TRUNCATE, so its BEFORE DELETE triggers are
    set aside for the statement and put back as they were, in the same
    transaction.
    """
    from sqlalchemy import delete, text

    name = table_obj.name
    if session.get_bind().dialect.name == "postgresql":
        guarded = session.execute(
            text("SELECT 1 FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass) AND NOT tgisinternal"), {"t": name}
        ).first()
        session.execute(text(f'TRUNCATE TABLE "{name}"') if guarded else delete(table_obj))
        return
    triggers = session.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"), {"t": name}
    ).all()
    guarding = [(n, sql) for n, sql in triggers if "BEFORE DELETE" in sql.upper()]
    for trigger, _sql in guarding:
        session.execute(text(f'DROP TRIGGER "{trigger}"'))
    session.execute(delete(table_obj))
    for _trigger, sql in guarding:
        session.execute(text(sql))


# -- double bookings -----------------------------------------------------------

# What each database says when a booking would overlap another: PostgreSQL names
# the exclusion constraint (SQLSTATE 23P01), SQLite the trigger's RAISE message.
_OVERLAP_CONSTRAINTS = {"ex_bookings_stand": "stand", "ex_bookings_entrepreneur": "entrepreneur"}
_OVERLAP_MESSAGES = {"booking_overlap_stand": "stand", "booking_overlap_entrepreneur": "entrepreneur"}
EXCLUSION_VIOLATION = "23P01"


class BookingConflict(Exception):
    """The database refused a booking that overlaps another: ``kind`` is "stand" or "entrepreneur"."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"booking overlaps another one for the same {kind}")
        self.kind = kind


def booking_conflict(exc: BaseException) -> BookingConflict | None:
    """The BookingConflict an IntegrityError stands for, or None when it is about something else."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) == EXCLUSION_VIOLATION:
        name = getattr(getattr(orig, "diag", None), "constraint_name", None)
        return BookingConflict(_OVERLAP_CONSTRAINTS.get(name, "stand"))
    message = str(orig)
    for marker, kind in _OVERLAP_MESSAGES.items():
        if marker in message:
            return BookingConflict(kind)
    return None


def flush_bookings(session) -> None:
    """Flush, turning the database's refusal of an overlapping booking into BookingConflict.

    The session's transaction is unusable afterwards: the caller rolls back.
    """
    from sqlalchemy.exc import IntegrityError

    try:
        session.flush()
    except IntegrityError as exc:
        conflict = booking_conflict(exc)
        if conflict is None:
            raise
        raise conflict from exc
