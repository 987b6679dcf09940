"""Twenty staff members book the same stand at the same moment: exactly one wins, on both databases.

A real server (werkzeug, threaded) serves its own app on its own database,
with CSRF on as in production; twenty threads wait at a barrier, then post
conflicting bookings over separate connections. Exactly one answer is a
redirect (the booking is made), the nineteen others are HTTP 409 with a
message, and the database holds exactly one booking.

The rows must be committed for the server's connections to see them, so this
test does not use the rolled-back ``app`` fixture: SQLite gets a fresh file,
PostgreSQL a database of its own, dropped afterwards.
"""

from __future__ import annotations

import html
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import date

import psycopg
import pytest
from flask_migrate import upgrade
from psycopg import sql
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from popup import create_app
from popup.config import TestingConfig
from popup.extensions import db
from tests.conftest import PASSWORD, _postgis_ready, pg_url

THREADS = 20
MONDAY = date(2027, 1, 4)


def _conninfo(url: str, dbname: str) -> dict:
    u = make_url(url)
    return {
        "host": u.host or "127.0.0.1",
        "port": u.port or 5432,
        "user": u.username or "postgres",
        "password": u.password,
        "dbname": dbname,
    }


@pytest.fixture(params=["sqlite", "postgis"])
def race_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'race.sqlite'}"
        return
    base = pg_url()
    why = _postgis_ready(base)
    if why:
        pytest.skip(why)
    name = f"{make_url(base).database}_race_{uuid.uuid4().hex[:8]}"
    admin = _conninfo(base, make_url(base).database)
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        with psycopg.connect(**_conninfo(base, name), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")
            conn.execute("CREATE EXTENSION btree_gist")
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def race_app(race_url, tmp_path):
    config = TestingConfig(str(tmp_path / "instance"), database_url=race_url)  # CSRF on
    # SQLite writers queue for the lock one after the other (BEGIN IMMEDIATE); twenty of them
    # on a loaded two-core machine can wait longer than the default 5 s.
    config.SQLITE_BUSY_TIMEOUT_MS = 60_000
    app = create_app(config)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def served(race_app):
    server = make_server("127.0.0.1", 0, race_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def _seed(app) -> dict:
    from popup import geo
    from popup.auth.operations import create_user
    from popup.communes.models import Commune
    from popup.offers.models import Offer, Stand
    from popup.schedules.models import Rotation, RotationCandidate
    from popup.units.operations import create_unit

    with app.app_context():
        commune = Commune(name="Lessines", slug="lessines", centre=geo.point(3.8357, 50.7117))
        db.session.add(commune)
        db.session.flush()
        staff = create_user(
            role="staff", email="staff@example.org", name="Staff", password=PASSWORD, communes=[commune]
        )
        unit = create_unit(commune=commune, address="Grand-Place 1, 7860 Lessines", location=geo.point(3.8357, 50.7117))
        offer = Offer(unit=unit, title="Boutique partagée", available_from=MONDAY, status="published")
        offer.stands = [Stand(label="Vitrine", area_m2=15, position=1)]
        rotation = Rotation(
            offer=offer, title="Printemps", starts_on=MONDAY, ends_on=date(2027, 3, 29), grain="week", opening_days=[5]
        )
        db.session.add(rotation)
        candidates = []
        for n in range(THREADS):
            person = create_user(
                role="entrepreneur", email=f"e{n}@example.org", name=f"Entrepreneur {n}", password=PASSWORD
            )
            candidate = RotationCandidate(
                rotation=rotation,
                entrepreneur=person,
                sector="crafts",
                area_m2=10,
                min_grains=1,
                max_grains=12,
                windows=[["2027-01-04", "2027-03-29"]],
            )
            db.session.add(candidate)
            candidates.append(candidate)
        db.session.commit()
        return {
            "staff": staff.email,
            "rotation": rotation.id,
            "stand": offer.stands[0].id,
            "candidates": [c.id for c in candidates],
        }


class Browser:
    """One logged-in session (cookies kept by hand), redirects not followed."""

    def __init__(self, base: str) -> None:
        self.base, self.cookies = base, {}

    def _open(self, path: str, data: dict | None = None) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)  # noqa: S310  (our own http server)
        req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(req, timeout=60) as response:
                status, text, headers = response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            status, text, headers = error.code, error.read().decode(), error.headers
        for cookie in headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return status, text, dict(headers)

    def get(self, path):
        return self._open(path)

    def post(self, path, data):
        return self._open(path, data)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_twenty_conflicting_bookings_at_once_make_exactly_one(race_app, served):
    seeded = _seed(race_app)
    browser = Browser(served)
    _, login_page, _ = browser.get("/login")
    status, _, _ = browser.post(
        "/login", {"email": seeded["staff"], "password": PASSWORD, "csrf_token": _token(login_page)}
    )
    assert status == 302
    _, page, _ = browser.get(f"/rotations/{seeded['rotation']}")
    token = _token(page)
    path = f"/rotations/{seeded['rotation']}/bookings"
    barrier = threading.Barrier(THREADS)
    answers: list[tuple[int, str]] = [None] * THREADS

    def book(n: int) -> None:
        mine = Browser(served)
        mine.cookies = dict(browser.cookies)
        form = {
            "csrf_token": token,
            "candidate": seeded["candidates"][n],
            "stand": seeded["stand"],
            "starts_on": "2027-01-11",
            "ends_on": "2027-01-25",
        }
        barrier.wait()
        status, text, _ = mine.post(path, form)
        answers[n] = (status, text)

    threads = [threading.Thread(target=book, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [302] + [409] * (THREADS - 1), statuses
    for status, text in answers:
        if status == 409:
            alert = html.unescape(text.split('id="schedule-errors"', 1)[1].split("</div>", 1)[0])
            # French by default: "already booked" by the check, or "a moment ago" from the database guard.
            assert re.search(r"déjà réservé|vient d.être réservé", alert), alert
            assert re.search(r"Nothing was saved|Rien n'a été enregistré", alert), alert

    from popup.schedules.models import Booking

    with race_app.app_context():
        rows = db.session.execute(select(Booking.stand_id, Booking.starts_on, Booking.ends_on)).all()
        assert rows == [(seeded["stand"], date(2027, 1, 11), date(2027, 1, 25))]
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 1
