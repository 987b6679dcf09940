"""Backup and restore of the whole database, portable between SQLite and PostgreSQL.

An archive is a zip:

- ``manifest.json``: format, the Alembic revision of the schema, when, from which
  engine, and the tables in foreign-key order with their row counts;
- ``tables/NNN-<table>.jsonl``: one JSON object per row, columns by name;
  dates and timestamps in ISO 8601 (UTC), geometries as EWKT
  (``SRID=4326;POINT(...)``), JSON columns as JSON;
- ``files/<table>/<n>-<column>``: binary values (photos, documents, import
  files), referenced from their row as ``{"$file": path}``.

Every table of the models' metadata is saved, so a new module's tables are
included without any list to update. Restore refuses an archive made at another
schema revision and a database that already holds data (unless ``force``: then
it empties it first), inserts in foreign-key order in one transaction, and
moves PostgreSQL's sequences past the restored ids.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from geoalchemy2 import Geometry, WKTElement
from geoalchemy2.shape import to_shape
from sqlalchemy import Date, DateTime, LargeBinary, Table, func, insert, select, text
from sqlalchemy.types import TypeDecorator

from popup import geo
from popup.extensions import db
from popup.types import utcnow

FORMAT = 1
BATCH = 500


class BackupError(RuntimeError):
    """The archive cannot be restored here; the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    revision: str
    tables: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# Not data: a stamp that the map cache compares (popup/maps/versions.py); the
# restore's own commit renews it, so that no worker serves a map from before.
NOT_BACKED_UP = frozenset({"data_versions"})


def tables() -> list[Table]:
    """Every table of the models, parents before children."""
    from popup import models  # noqa: F401  (complete metadata)

    return [table for table in db.metadata.sorted_tables if table.name not in NOT_BACKED_UP]


def current_revision() -> str | None:
    """The Alembic revision of the database, None when it has no schema yet."""
    from alembic.migration import MigrationContext

    return MigrationContext.configure(db.session.connection()).get_current_revision()


def _kind(column) -> str:
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, Geometry):
        return "geometry"
    if isinstance(column_type, LargeBinary):
        return "binary"
    if isinstance(column_type, DateTime):
        return "datetime"
    if isinstance(column_type, Date):
        return "date"
    return "plain"


def _ordered(table: Table):
    key = list(table.primary_key.columns) or list(table.columns)
    return select(table).order_by(*key)


def _rows(table: Table) -> Iterator[dict[str, Any]]:
    result = db.session.execute(_ordered(table).execution_options(yield_per=BATCH))
    for row in result.mappings():
        yield dict(row)


def _ewkt(value) -> str | None:
    if value is None:
        return None
    return f"SRID={geo.SRID};{to_shape(value).wkt}"


# -- backup --------------------------------------------------------------------------


def backup(path: str | Path) -> Summary:
    """Write the whole database to the archive at ``path``."""
    revision = current_revision()
    if revision is None:
        raise BackupError("This database has no schema (run `flask --app app db upgrade` first).")
    counts: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = []
        for index, table in enumerate(tables()):
            kinds = {c.name: _kind(c) for c in table.columns}
            name = f"tables/{index:03d}-{table.name}.jsonl"
            n = 0
            # Rows go to a spooled file while their binary values go into the zip (one open entry at a time).
            with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as out:
                for row in _rows(table):
                    n += 1
                    encoded = {}
                    for column, value in row.items():
                        kind = kinds[column]
                        if value is None:
                            encoded[column] = None
                        elif kind == "geometry":
                            encoded[column] = _ewkt(value)
                        elif kind == "binary":
                            file_path = f"files/{table.name}/{n}-{column}"
                            archive.writestr(file_path, bytes(value))
                            encoded[column] = {"$file": file_path}
                        elif kind in ("datetime", "date"):
                            encoded[column] = value.isoformat()
                        else:
                            encoded[column] = value
                    out.write(json.dumps(encoded, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
                out.seek(0)
                with archive.open(name, "w") as entry:
                    shutil.copyfileobj(out, entry)
            counts[table.name] = n
            entries.append({"name": table.name, "file": name, "rows": n})
        manifest = {
            "format": FORMAT,
            "alembic_revision": revision,
            "created_at": utcnow().isoformat(),
            "engine": db.engine.dialect.name,
            "tables": entries,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return Summary(revision, counts)


# -- restore -------------------------------------------------------------------------


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError) as exc:
        raise BackupError("This file is not a popup backup (no readable manifest.json).") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r} (this version reads format {FORMAT}).")
    return manifest


def is_empty() -> bool:
    return all(db.session.scalar(select(func.count()).select_from(table)) == 0 for table in tables())


def _decode(kind: str, value: Any, archive: zipfile.ZipFile) -> Any:
    if value is None:
        return None
    if kind == "geometry":
        return WKTElement(value, extended=True)
    if kind == "binary":
        return archive.read(value["$file"])
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    return value


def restore(path: str | Path, *, force: bool = False) -> Summary:
    """Load the archive at ``path`` into this database, in one transaction (the caller commits).

    The database must be at the archive's schema revision (an empty database
    without schema is upgraded to the current head first, which must match).
    """
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BackupError(f"Cannot read {path}: {exc}") from exc
    with archive:
        manifest = read_manifest(archive)
        wanted = manifest["alembic_revision"]
        revision = current_revision()
        if revision is None:
            from flask_migrate import upgrade

            db.session.rollback()
            upgrade()
            revision = current_revision()
        if revision != wanted:
            raise BackupError(
                f"This backup was made with schema revision {wanted}; this database is at revision {revision}. "
                f"Restore it into a database at revision {wanted} (`flask --app app db upgrade {wanted}` on an "
                "empty database, with the version of popup that made it), then upgrade."
            )
        known = {table.name: table for table in tables()}
        unknown = [entry["name"] for entry in manifest["tables"] if entry["name"] not in known]
        if unknown:
            raise BackupError(f"The backup holds tables this version does not know: {', '.join(unknown)}.")
        if not is_empty():
            if not force:
                raise BackupError(
                    "This database already holds data: restoring would mix two databases. "
                    "Use --force to erase everything in it first."
                )
            for table in reversed(tables()):
                geo.delete_all_rows(db.session, table)
        counts: dict[str, int] = {}
        for entry in manifest["tables"]:
            table = known[entry["name"]]
            kinds = {c.name: _kind(c) for c in table.columns}
            counts[table.name] = _load_table(archive, entry["file"], table, kinds)
            if counts[table.name] != entry["rows"]:
                raise BackupError(f"{table.name}: {counts[table.name]} rows read, the manifest says {entry['rows']}.")
        db.session.flush()
        reset_sequences()
    return Summary(wanted, counts)


def _load_table(archive: zipfile.ZipFile, name: str, table: Table, kinds: dict[str, str]) -> int:
    batch: list[dict[str, Any]] = []
    n = 0
    with archive.open(name) as lines:
        for line in lines:
            if not line.strip():
                continue
            raw = json.loads(line)
            row = {}
            for column, value in raw.items():
                if column not in kinds:
                    raise BackupError(f"{table.name}.{column}: no such column in this schema.")
                row[column] = _decode(kinds[column], value, archive)
            batch.append(row)
            n += 1
            if len(batch) >= BATCH:
                db.session.execute(insert(table), batch)
                batch = []
    if batch:
        db.session.execute(insert(table), batch)
    return n


def reset_sequences() -> None:
    """PostgreSQL: move every serial id sequence past the largest restored id (SQLite needs nothing)."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement or pk[0].type.python_type is not int:
            continue
        sequence = db.session.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name})
        if sequence is None:
            continue
        largest = func.max(pk[0])
        db.session.execute(select(func.setval(sequence, func.coalesce(largest, 1), largest.is_not(None))))


# -- comparison ----------------------------------------------------------------------


def canonical_dump() -> dict[str, list[list[Any]]]:
    """Every table's rows in key order with engine-neutral values (geometries as WKT, blobs as SHA-256)."""
    dump: dict[str, list[list[Any]]] = {}
    for table in tables():
        kinds = {c.name: _kind(c) for c in table.columns}
        names = sorted(kinds)
        rows = []
        for row in _rows(table):
            values = []
            for name in names:
                value, kind = row[name], kinds[name]
                if value is None:
                    values.append(None)
                elif kind == "geometry":
                    values.append(_ewkt(value))
                elif kind == "binary":
                    values.append(hashlib.sha256(bytes(value)).hexdigest())
                elif kind in ("datetime", "date"):
                    values.append(value.isoformat())
                else:
                    values.append(value)
            rows.append(values)
        dump[table.name] = rows
    return dump
