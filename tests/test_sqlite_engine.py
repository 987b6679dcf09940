"""SQLite runs safely under several workers: WAL, foreign keys, writers queue."""

from __future__ import annotations

import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from popup import create_app, geo
from popup.communes.models import Commune
from popup.config import TestingConfig
from popup.extensions import db


@pytest.fixture(scope="module")
def file_app(tmp_path_factory):
    """An app on its own SQLite file, committing for real (no test transaction)."""
    tmp = tmp_path_factory.mktemp("sqlite-engine")
    app = create_app(TestingConfig(str(tmp), database_url=f"sqlite:///{tmp}/engine.sqlite"))
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_connections_use_wal_foreign_keys_and_a_busy_timeout(file_app):
    with file_app.app_context(), db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert conn.execute(text("SELECT spatialite_version()")).scalar()


def test_foreign_keys_are_enforced(file_app):
    insert = text(
        "INSERT INTO commercial_cores (commune_id, name, slug, area, is_demo, created_at) VALUES "
        "(999, 'x', 'x', GeomFromText('POLYGON((0 0,1 0,1 1,0 0))', 4326), 0, '2026-01-01')"
    )
    with file_app.app_context(), file_app.test_request_context(method="POST"):
        with pytest.raises(IntegrityError, match="FOREIGN KEY"):
            db.session.execute(insert)
        db.session.rollback()


def test_concurrent_read_then_write_requests_all_succeed(file_app):
    """Each worker reads, then writes: with deferred transactions most fail at once."""
    errors: list[Exception] = []
    start = threading.Barrier(8)

    def worker(n: int) -> None:
        try:
            with file_app.app_context(), file_app.test_request_context(method="POST"):
                start.wait()
                count = db.session.scalar(select(func.count(Commune.id)))
                db.session.add(Commune(name=f"C{n}-{count}", slug=f"c{n}", centre=geo.point(4.0, 50.0)))
                db.session.commit()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with file_app.app_context():
        assert db.session.scalar(select(func.count(Commune.id))) == 8


def test_reads_do_not_take_the_write_lock(file_app):
    errors: list[Exception] = []

    def write() -> None:
        try:
            with file_app.app_context(), file_app.test_request_context(method="POST"):
                db.session.add(Commune(name="Writer", slug="writer", centre=geo.point(4.0, 50.0)))
                db.session.commit()
        except Exception as exc:
            errors.append(exc)

    with file_app.app_context(), file_app.test_request_context(method="GET"):
        db.session.scalar(select(func.count(Commune.id)))  # a read transaction is open
        writer = threading.Thread(target=write)
        writer.start()
        writer.join()
        db.session.rollback()
    assert errors == []


def test_falls_back_to_pysqlite3_when_sqlite3_cannot_load_extensions(monkeypatch):
    import pysqlite3.dbapi2

    monkeypatch.setattr(geo, "stdlib_sqlite_loads_extensions", lambda: False)
    assert geo.engine_options("sqlite:///x.sqlite")["module"] is pysqlite3.dbapi2
    monkeypatch.setattr(geo, "stdlib_sqlite_loads_extensions", lambda: True)
    assert "module" not in geo.engine_options("sqlite:///x.sqlite")
    assert "module" not in geo.engine_options("postgresql+psycopg://u@h/db")
