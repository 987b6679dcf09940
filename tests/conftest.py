"""Fixtures: one app per database backend, each test in a rolled-back transaction.

Every test that asks for ``app`` (or anything built on it) runs twice: on
SQLite + SpatiaLite and on PostgreSQL + PostGIS. The schema is built once per
backend by the migrations themselves (``flask db upgrade``).
"""

from __future__ import annotations

import contextvars
import html
import os
import re
import socket
import subprocess
import sys
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import scoped_session, sessionmaker

from popup import create_app
from popup.config import TestingConfig, normalise_database_url
from popup.extensions import db as _db
from popup.extensions import limiter

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/popup_test"
IN_CI = os.environ.get("CI", "").lower() == "true"

# Property tests check behaviour, not speed: on a shared, loaded machine a slow
# example is no failure (speed is measured in bench/, never in tests).
hypothesis_settings.register_profile("popup", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("popup")


def pytest_configure(config):
    _compile_translations()


def _compile_translations() -> None:
    # The .mo files are build products; compile them so that `pytest` alone works.
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "compile", "-d", str(ROOT / "popup" / "translations")],
        check=True,
        capture_output=True,
    )


# -- skipped tests fail the run in CI ------------------------------------------

_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if IN_CI and _skipped and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if IN_CI and _skipped:
        terminalreporter.write_line(
            f"CI=true: {len(_skipped)} skipped test(s) count as failures (PostGIS or Chromium missing?)", red=True
        )


# -- databases -----------------------------------------------------------------


def pg_url() -> str:
    return normalise_database_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG_URL))


def _postgis_ready(url: str) -> str | None:
    """None when the database answers and has PostGIS, else why not."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            has = conn.execute(text("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'")).scalar()
            if not has:
                return "PostGIS is not installed in the test database (run scripts/test-services.sh)"
            has = conn.execute(text("SELECT count(*) FROM pg_extension WHERE extname = 'btree_gist'")).scalar()
            if not has:
                return "btree_gist is not installed in the test database (run scripts/pg_prepare.py create URL)"
    except OperationalError as exc:
        return f"PostgreSQL unreachable at {url}: {exc.orig}"
    finally:
        engine.dispose()
    return None


def _reset_postgres(url: str) -> None:
    """Drop our tables (PostGIS's own stay) so that the migrations run from scratch."""
    engine = create_engine(url)
    with engine.begin() as conn:
        names = conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('spatial_ref_sys')")
        ).scalars()
        for name in list(names):
            conn.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgis"])
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory) -> str:
    if backend == "sqlite":
        return "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "popup-test.sqlite")
    url = pg_url()
    why = _postgis_ready(url)
    if why:
        pytest.skip(why)
    _reset_postgres(url)
    return url


class IsolatedClient(FlaskClient):
    """A test client whose requests never reuse the test's own app context.

    Flask reuses an app context that is already pushed (the one the factories
    use), which would share ``g`` and the database session between requests.
    Running each request in an empty contextvars.Context gives it its own, as
    in production.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    config = TestingConfig(str(tmp_path_factory.mktemp("instance")), database_url=database_url)
    config.WTF_CSRF_ENABLED = False
    application = create_app(config)
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def _isolated(request):
    """Run each database test inside a transaction that is rolled back after it."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        # A plain SQLAlchemy session: Flask-SQLAlchemy's own would pick the engine
        # over the connection and escape the transaction.
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        _db.session = scoped_session(factory, scopefunc=_app_ctx_id)
        limiter.reset()
        try:
            yield
        finally:
            _db.session.remove()
            _db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def db(app):
    with app.app_context():
        yield _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def csrf(app):
    """Turn CSRF protection on for this test (it is off for the others)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def page_text(response) -> str:
    """The page as a user reads it: HTML entities decoded (Jinja escapes ' as &#39;)."""
    return html.unescape(response.get_data(as_text=True))


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


# -- email ----------------------------------------------------------------------


@pytest.fixture
def smtp(app):
    """A real SMTP server on localhost that keeps what it receives."""
    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

        def prepare_message(self, session, envelope):
            return message_from_bytes(envelope.content)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    old = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "127.0.0.1", port
    yield received
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = old
    controller.stop()


# -- factories -----------------------------------------------------------------

PASSWORD = "correct horse battery"


@pytest.fixture
def make_commune(db):
    from shapely.geometry import MultiPolygon, Polygon

    from popup import geo
    from popup.communes.models import Commune

    def make(**kw):
        kw.setdefault("name", "Lessines")
        kw.setdefault("slug", "lessines")
        kw.setdefault("centre", geo.point(3.8357, 50.7117))
        kw.setdefault(
            "boundary",
            geo.from_geometry(MultiPolygon([Polygon([(3.75, 50.66), (3.93, 50.66), (3.93, 50.76), (3.75, 50.76)])])),
        )
        commune = Commune(**kw)
        db.session.add(commune)
        db.session.flush()
        return commune

    return make


@pytest.fixture
def commune(make_commune):
    return make_commune()


@pytest.fixture
def make_core(db, commune):
    from shapely.geometry import Polygon

    from popup import geo
    from popup.communes.models import CommercialCore

    def make(**kw):
        kw.setdefault("commune", commune)
        kw.setdefault("name", "Centre")
        kw.setdefault("slug", "centre")
        kw.setdefault(
            "area", geo.from_geometry(Polygon([(3.830, 50.708), (3.841, 50.708), (3.841, 50.715), (3.830, 50.715)]))
        )
        core = CommercialCore(**kw)
        db.session.add(core)
        db.session.flush()
        return core

    return make


@pytest.fixture
def make_user(db):
    from popup.auth import operations

    counter = iter(range(1, 10_000))

    def make(role="owner", password=PASSWORD, **kw):
        n = next(counter)
        kw.setdefault("email", f"{role}{n}@example.org")
        kw.setdefault("name", f"{role.title()} {n}")
        return operations.create_user(role=role, password=password, **kw)

    return make


@pytest.fixture
def make_unit(db, commune):
    from popup import geo
    from popup.units.operations import create_unit

    counter = iter(range(1, 100_000))

    def make(lon=3.8357, lat=50.7117, **kw):
        n = next(counter)
        kw.setdefault("commune", commune)
        kw.setdefault("address", f"Grand-Place {n}, 7860 Lessines")
        kw.setdefault("location", geo.point(lon, lat))
        return create_unit(**kw)

    return make


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, email, password=PASSWORD, remember=False, follow=False):
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self.client.post("/login", data=data, follow_redirects=follow)

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def make_offer(db, make_unit):
    """An offer of a unit with stands (areas in m²): a shared shop."""
    from datetime import date

    from popup.offers.models import Offer, Stand

    def make(areas=(15, 15, 20), unit=None, **kw):
        kw.setdefault("title", "Boutique partagée de la Grand-Place")
        kw.setdefault("available_from", date(2027, 1, 4))
        kw.setdefault("status", "published")
        offer = Offer(unit=unit or make_unit(floor_area_m2=80), **kw)
        offer.stands = [Stand(label=f"Stand {n}", area_m2=a, position=n) for n, a in enumerate(areas, start=1)]
        db.session.add(offer)
        db.session.flush()
        return offer

    return make
