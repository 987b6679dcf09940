"""The one place that knows SpatiaLite from PostGIS.

Everything else asks this module for engine options, geometry values and
spatial filters, and gets SQL that uses the spatial index on both engines:
SpatiaLite never consults its R*Tree on its own, so its filters look the
candidates up in the ``SpatialIndex`` virtual table explicitly; PostGIS pairs
the index-backed bounding-box test with an exact one (``ST_Intersects``).
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
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


def refresh_statistics(connection, tables: Sequence[str] = ("units",)) -> None:
    """Let the query planner see the tables as they are now, after a bulk load.

    Without statistics SQLite prefers any equality index (``approval = ?``) to
    the partial index of the commercial stock, and scans every unit for the
    figures per commune; PostgreSQL's autovacuum would get there, later.
    """
    for name in tables:
        if not re.fullmatch(r"[a-z_]+", name):
            raise ValueError(f"not a table name: {name!r}")
        connection.exec_driver_sql(f"ANALYZE {name}")


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
# returns: no Python object, dict or JSON encoding per unit. Each feature's
# text is written once, when its row is written (StoredFeature's triggers),
# and the query only joins texts. Values come out as Python's json module
# writes them for the same rows (tests compare both): strings escaped by the
# database's JSON functions, floats in their shortest exact form, coordinates
# rounded to 7 decimals exactly as ``round(x, 7)``.


@dataclass(frozen=True)
class JsonField:
    """One property of the features: ``column`` is a label of the rows statement.

    kind: ``text`` (escaped by the database's JSON code), ``int``, ``float``,
    ``bool``, ``code`` (text that never needs escaping, such as a status a CHECK
    constraint keeps to plain words), ``date`` (the date part of a naive UTC
    timestamp, ``YYYY-MM-DD``), ``prefixed`` (``prefix`` then the integer
    column, as a string: a URL) or ``flags`` (the names in ``flags`` whose
    boolean column, labelled with the name, is true, as a JSON array in that
    order). NULL is ``null`` for all but flags.
    """

    name: str
    column: str = ""
    kind: str = "text"
    flags: tuple[str, ...] = ()
    prefix: str = ""


@functools.cache
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

    def floor(v: str) -> str:
        if dialect == "sqlite":  # no floor() without the math functions: truncate, then step down below zero
            return f"(CAST({v} AS INTEGER) - ({v} < CAST({v} AS INTEGER)))"
        return f"floor({v})"

    p = f"({x} * 10000000.0{f8})"
    low = floor(p)
    c = f"(134217729.0{f8} * {x})"
    hi = f"({c} - ({c} - {x}))"
    lo = f"({x} - {hi})"
    err = f"(({hi} * 10000000.0{f8} - {p}) + {lo} * 10000000.0{f8})"
    odd = f"({low} % 2 <> 0)" if dialect == "sqlite" else f"(floor({low} / 2.0{f8}) * 2.0{f8} <> {low})"
    # Away from a tie (the usual case) p + 0.5 is exact and its floor is the answer;
    # on a tie of p, the exact error of the product decides, then evenness.
    up = f"({err} > 0.0{f8} OR ({err} = 0.0{f8} AND {odd}))"
    tie = f"({low} + CASE WHEN {up} THEN 1 ELSE 0 END)"
    n = f"CASE WHEN {p} - {low} <> 0.5{f8} THEN {floor(f'({p} + 0.5{f8})')} ELSE {tie} END"
    return f"(({n}) / 10000000.0{f8})"


def _float_text(dialect: str, x: str) -> str:
    """SQL for a float as JSON text, as Python writes it: shortest exact digits, ``80.0`` rather than ``80``."""
    if dialect == "sqlite":
        # SQLite writes a REAL with 15 significant digits (json_quote): exact for
        # most values, all rounded coordinates among them; others need 16 or 17.
        forms = [f"printf('%!.{digits}g', {x})" for digits in (15, 16, 17)]
        return (
            f"CASE WHEN {x} IS NULL OR CAST({forms[0]} AS REAL) = {x} THEN json_quote({x}) "
            f"WHEN CAST({forms[1]} AS REAL) = {x} THEN {forms[1]} ELSE {forms[2]} END"
        )
    # PostgreSQL writes the shortest exact digits (extra_float_digits at its default, 1).
    return (
        f"CASE WHEN {x} IS NULL THEN 'null' WHEN {x} = trunc({x}) AND abs({x}) < 1e15::float8 "
        f"THEN ({x})::text || '.0' ELSE ({x})::text END"
    )


def _value_text(dialect: str, x: str) -> str:
    """SQL for a text value (or NULL) as JSON text, escaped by the database's JSON code.

    PostgreSQL's to_json() looks its argument's type up on every call (2 to 4
    µs): it is kept for text that may need escaping.
    """
    return f"json_quote({x})" if dialect == "sqlite" else f"coalesce(to_json({x})::text, 'null')"


def _int_text(dialect: str, x: str) -> str:
    return f"json_quote({x})" if dialect == "sqlite" else f"coalesce(({x})::text, 'null')"


def _plain_string(dialect: str, x: str) -> str:
    """A string that needs no escaping (digits, plain words) as JSON text."""
    return f"json_quote({x})" if dialect == "sqlite" else f"""coalesce('"' || ({x}) || '"', 'null')"""


def _json_text(dialect: str, field: JsonField, alias: str, sources: dict[str, str] | None = None) -> str:
    """SQL of the field's JSON text over the row ``alias``; ``sources`` gives SQL for columns not in the row."""
    col = (sources or {}).get(field.column) or f"{alias}.{field.column}"
    if field.kind == "text":
        return _value_text(dialect, col)
    if field.kind == "int":
        return _int_text(dialect, col)
    if field.kind == "code":
        return _plain_string(dialect, col)
    if field.kind == "prefixed":
        escaped = json.dumps(field.prefix)[1:-1].replace("'", "''")  # JSON text, then in a SQL literal
        return f"""coalesce('"{escaped}' || CAST({col} AS TEXT) || '"', 'null')"""
    if field.kind == "float":
        return _float_text(dialect, col if dialect == "sqlite" else f"{col}::float8")
    if field.kind == "bool":
        return f"CASE WHEN {col} IS NULL THEN 'null' WHEN {col} THEN 'true' ELSE 'false' END"
    if field.kind == "date":
        day = f"substr({col}, 1, 10)" if dialect == "sqlite" else f"to_char({col}, 'YYYY-MM-DD')"
        return _plain_string(dialect, day)
    if field.kind == "flags":
        for flag in field.flags:
            _check_name(flag)
        items = " || ".join(f"CASE WHEN {alias}.{flag} THEN ',\"{flag}\"' ELSE '' END" for flag in field.flags)
        return f"'[' || substr({items}, 2) || ']'"
    raise ValueError(f"unknown kind {field.kind!r}")


def _check_name(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"not a plain name: {name!r}")
    return name


def _concat(dialect: str, pieces: Sequence[tuple[bool, str]]) -> str:
    """SQL joining text pieces in one call: (True, literal text) or (False, SQL of a non-NULL text).

    On SQLite a chain of ``||`` copies the growing string at every step, which
    cost more than the rest for 30-odd pieces a row: printf builds it once.
    """
    values = [sql for is_text, sql in pieces if not is_text]
    if dialect == "sqlite":
        fmt = "".join(text.replace("%", "%%") if is_text else "%s" for is_text, text in pieces)
        return "printf(" + ", ".join(["'" + fmt.replace("'", "''") + "'", *values]) + ")"
    # PostgreSQL's concat() looks up the output function of every argument on every row: || is 10 times faster.
    args = ["'" + sql.replace("'", "''") + "'" if is_text else f"({sql})" for is_text, sql in pieces]
    return "(" + " || ".join(args) + ")"


def _feature_head_pieces(
    dialect: str, fields: Sequence[JsonField], alias: str, lon: str, lat: str, sources: dict[str, str]
) -> list[tuple[bool, str]]:
    """Pieces of a point feature's JSON text up to its last stored property (no closing braces)."""

    def coordinate(x: str) -> str:
        # Rounded to 7 decimals, a coordinate needs at most 15 digits: SQLite's own are exact.
        return _value_text(dialect, x) if dialect == "sqlite" else _float_text(dialect, x)

    if not fields:
        raise ValueError("a stored feature keeps at least one property")
    pieces: list[tuple[bool, str]] = [
        (True, '{"type":"Feature","id":'),
        (False, _int_text(dialect, f"{alias}.id")),
        (True, ',"geometry":{"type":"Point","coordinates":['),
        (False, coordinate(_round7(dialect, lon))),
        (True, ","),
        (False, coordinate(_round7(dialect, lat))),
        (True, "]},"),
    ]
    for i, field in enumerate(fields):
        pieces.append((True, ('"properties":{' if i == 0 else ",") + f'"{_check_name(field.name)}":'))
        pieces.append((False, _json_text(dialect, field, alias, sources)))
    return pieces


@dataclass(frozen=True)
class Lookup:
    """A stored property read from another table: ``table.column`` of the row whose id is in ``key``."""

    name: str
    table: str
    column: str
    key: str

    def sql(self, alias: str) -> str:
        t, c, k = (_check_name(x) for x in (self.table, self.column, self.key))
        return f"(SELECT {t}.{c} FROM {t} WHERE {t}.id = {alias}.{k})"  # noqa: S608 (checked names)


@dataclass(frozen=True)
class StoredFeature:
    """A point feature's JSON text kept in a column of its own row, up to its last stored property.

    The API then only joins stored texts, adding the properties that depend
    on the request (see stored_feature_collection): writing every value as
    JSON in the query cost as much as the query itself (bench/RESULTS.md).
    Triggers keep the text true whichever code writes (ORM, bulk updates,
    imports, restores): on every INSERT and every UPDATE of a column it reads,
    and on an UPDATE of a looked-up column in the other table (``lookups``:
    such a field names the lookup as its column). PostgreSQL sets the text
    before the row is written, SQLite updates the row just written.
    ``create_sql`` replaces the triggers and ``refresh_sql`` rewrites every
    row: a migration runs both whenever the fields change.
    """

    table: str
    column: str
    geometry: str
    fields: tuple[JsonField, ...]
    lookups: tuple[Lookup, ...] = ()

    def watched(self) -> tuple[str, ...]:
        """The columns of the row the text is made of: an UPDATE of any of them rewrites it."""
        looked_up = {lookup.name: lookup.key for lookup in self.lookups}
        names = [self.geometry]
        for field in self.fields:
            if field.kind == "flags":
                names.extend(field.flags)
            else:
                names.append(looked_up.get(field.column, field.column))
        return tuple(_check_name(n) for n in dict.fromkeys(names))

    def text_sql(self, dialect: str, alias: str, computed: str = "") -> str:
        """SQL of the text over the row ``alias`` (a table name or ``NEW``).

        With ``computed``, the coordinates and the looked-up values are read
        from ``{computed}.lon``, ``.lat`` and ``.<lookup name>``, computed once
        (``computed_sql``): the rounding reads each coordinate a dozen times.
        """
        if computed:
            lon, lat = f"{computed}.lon", f"{computed}.lat"
            sources = {lookup.name: f"{computed}.{_check_name(lookup.name)}" for lookup in self.lookups}
        else:
            geom = f"{alias}.{_check_name(self.geometry)}"
            lon, lat = f"ST_X({geom})", f"ST_Y({geom})"
            sources = {lookup.name: lookup.sql(alias) for lookup in self.lookups}
        pieces = _feature_head_pieces(dialect, self.fields, alias, lon, lat, sources)
        return _concat(dialect, pieces)

    def computed_sql(self, alias: str) -> list[tuple[str, str]]:
        """(name, SQL) of the values text_sql(computed=...) reads, over the row ``alias``."""
        geom = f"{alias}.{_check_name(self.geometry)}"
        values = [("lon", f"ST_X({geom})"), ("lat", f"ST_Y({geom})")]
        return values + [(_check_name(lookup.name), lookup.sql(alias)) for lookup in self.lookups]

    def _names(self) -> tuple[str, str]:
        return _check_name(self.table), _check_name(self.column)

    def create_sql(self, dialect: str) -> list[str]:
        table_name, column = self._names()
        watched = ", ".join(self.watched())
        statements = self.drop_sql(dialect)
        if dialect == "sqlite":
            # The row's values from NEW; coordinates and lookups once, in a one-row subquery.
            once = ", ".join(f"{sql} AS {name}" for name, sql in self.computed_sql("NEW"))
            text_sql = self.text_sql(dialect, "NEW", computed="c")
            text_sql = f"(SELECT {text_sql} FROM (SELECT {once}) AS c)"  # noqa: S608 (checked names)
            refresh = f"UPDATE {table_name} SET {column} = {text_sql} WHERE id = NEW.id;"  # noqa: S608 (checked names)
            statements += [
                f"CREATE TRIGGER {table_name}_{column}_insert AFTER INSERT ON {table_name} "
                f"FOR EACH ROW BEGIN {refresh} END",
                f"CREATE TRIGGER {table_name}_{column}_update AFTER UPDATE OF {watched} ON {table_name} "
                f"FOR EACH ROW BEGIN {refresh} END",
            ]
        else:
            # Coordinates and lookups once, into a record; the text is then a
            # simple expression, which PL/pgSQL evaluates without the executor.
            once = ", ".join(f"{sql} AS {name}" for name, sql in self.computed_sql("NEW"))
            statements += [
                f"CREATE FUNCTION {table_name}_{column}() RETURNS trigger LANGUAGE plpgsql AS $body$ "
                f"DECLARE c record; BEGIN SELECT {once} INTO c; "
                f"NEW.{column} := {self.text_sql(dialect, 'NEW', computed='c')}; RETURN NEW; END $body$",
                f"CREATE TRIGGER {table_name}_{column} BEFORE INSERT OR UPDATE OF {watched} ON {table_name} "
                f"FOR EACH ROW EXECUTE FUNCTION {table_name}_{column}()",
            ]
        for lookup in self.lookups:
            other, looked, key = (_check_name(x) for x in (lookup.table, lookup.column, lookup.key))
            name = f"{table_name}_{column}_{other}"
            # Setting the key to itself fires the row's own trigger, which reads the new value.
            touch = f"UPDATE {table_name} SET {key} = {key} WHERE {key} = NEW.id;"  # noqa: S608 (checked names)
            if dialect == "sqlite":
                statements.append(
                    f"CREATE TRIGGER {name} AFTER UPDATE OF {looked} ON {other} FOR EACH ROW "
                    f"WHEN OLD.{looked} IS NOT NEW.{looked} BEGIN {touch} END"
                )
            else:
                statements += [
                    f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$ "
                    f"BEGIN {touch} RETURN NULL; END $body$",
                    f"CREATE TRIGGER {name} AFTER UPDATE OF {looked} ON {other} FOR EACH ROW "
                    f"WHEN (OLD.{looked} IS DISTINCT FROM NEW.{looked}) EXECUTE FUNCTION {name}()",
                ]
        return statements

    def drop_sql(self, dialect: str) -> list[str]:
        table_name, column = self._names()
        others = [_check_name(lookup.table) for lookup in self.lookups]
        if dialect == "sqlite":
            names = [f"{table_name}_{column}_{event}" for event in ("insert", "update")]
            names += [f"{table_name}_{column}_{other}" for other in others]
            return [f"DROP TRIGGER IF EXISTS {name}" for name in names]
        statements = [
            f"DROP TRIGGER IF EXISTS {table_name}_{column} ON {table_name}",
            f"DROP FUNCTION IF EXISTS {table_name}_{column}()",
        ]
        for other in others:
            statements += [
                f"DROP TRIGGER IF EXISTS {table_name}_{column}_{other} ON {other}",
                f"DROP FUNCTION IF EXISTS {table_name}_{column}_{other}()",
            ]
        return statements

    def refresh_sql(self, dialect: str) -> str:
        """Rewrite the text of every row (after create_sql: the triggers do not fire for it)."""
        table_name, column = self._names()
        return f"UPDATE {table_name} SET {column} = {self.text_sql(dialect, table_name)}"  # noqa: S608 (checked names)


def stored_feature_collection(
    dialect: str, rows: Select, *, id_column, tail: Sequence[JsonField], limit: int
) -> Select:
    """A statement answering one row, one column: the text of a GeoJSON FeatureCollection.

    ``rows`` selects, labelled, ``id``, ``head`` (a StoredFeature's text) and
    the columns of the ``tail`` fields, the properties written at query time
    after the stored ones. The features come ordered by ``id_column``, at most
    ``limit`` of them; the collection ends with ``"truncated"`` (more rows
    matched) and ``"limit"``, as the API documents.
    """
    limit = int(limit)
    rank = func.row_number().over(order_by=id_column).label("rn")
    # A subquery with a LIMIT: neither database merges it into the aggregate around it.
    inner = rows.add_columns(rank).order_by(id_column).limit(limit + 1).subquery("r")
    return select(literal_column(_collection_sql(dialect, tuple(tail), limit))).select_from(inner)


@functools.lru_cache(maxsize=64)
def _collection_sql(dialect: str, tail: tuple[JsonField, ...], limit: int) -> str:
    """The SQL of the collection's text over the subquery ``r`` (the same for every request)."""
    a = "r"
    pieces: list[tuple[bool, str]] = [(False, f"{a}.head")]
    for field in tail:
        pieces.append((True, f',"{_check_name(field.name)}":'))
        pieces.append((False, _json_text(dialect, field, a)))
    pieces.append((True, "}}"))
    feature = _concat(dialect, pieces)
    if dialect == "sqlite":
        order = f" ORDER BY {a}.rn" if _sqlite_orders_aggregates() else ""  # else: the rows' order
        joined = f"group_concat({feature}, ','{order}) FILTER (WHERE {a}.rn <= {limit})"
    else:
        joined = f"string_agg({feature}, ',' ORDER BY {a}.rn) FILTER (WHERE {a}.rn <= {limit})"
    return (
        f"""'{{"type":"FeatureCollection","features":[' || coalesce({joined}, '') || """
        f"""'],"truncated":' || CASE WHEN count(*) > {limit} THEN 'true' ELSE 'false' END || """
        f"""',"limit":{limit}}}'"""
    )


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
            # A trigger that fires on DELETE (tgtype bit 3): the append-only guard.
            text(
                "SELECT 1 FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass) AND NOT tgisinternal "
                "AND (tgtype & 8) <> 0"
            ),
            {"t": name},
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
