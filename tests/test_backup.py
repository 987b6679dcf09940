"""Backup and restore: a full demo database round-trips, on each engine and from SQLite to PostGIS.

These tests commit for real, so they build their own databases (SQLite files,
PostGIS databases next to the test database), dropped afterwards. They do not use
the rolled-back ``app`` fixture.
"""

from __future__ import annotations

import io
import json
import secrets
import uuid
import zipfile
from datetime import date, timedelta

import pytest
from PIL import Image as PILImage
from sqlalchemy import create_engine, func, make_url, select, text

from popup import backup, create_app
from popup.config import TestingConfig
from popup.extensions import db as _db
from tests.conftest import _postgis_ready, pg_url

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class Databases:
    """Makes empty databases of either engine and drops them afterwards.

    PostgreSQL: a database of its own next to the test database, with PostGIS
    (the test user creates databases and extensions, as scripts/test.sh needs).
    """

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.apps = []
        self.created = []

    def new(self, engine: str):
        name = f"db_{uuid.uuid4().hex[:10]}"
        instance = self.tmp_path / name
        if engine == "sqlite":
            config = TestingConfig(str(instance), database_url=f"sqlite:///{self.tmp_path / name}.sqlite")
        else:
            url = make_url(pg_url())
            why = _postgis_ready(url.render_as_string(hide_password=False))
            if why:
                pytest.skip(why)
            name = f"{url.database}_{name}"
            admin = create_engine(url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            self.created.append(name)
            target = url.set(database=name).render_as_string(hide_password=False)
            postgis = create_engine(target)
            with postgis.begin() as conn:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist"))  # no double booking
            postgis.dispose()
            config = TestingConfig(str(instance), database_url=target)
        app = create_app(config)
        self.apps.append(app)
        return app

    def close(self):
        for app in self.apps:
            with app.app_context():
                _db.session.remove()
                _db.engine.dispose()
        if self.created:
            admin = create_engine(make_url(pg_url()), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                for name in self.created:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture
def databases(tmp_path):
    made = Databases(tmp_path)
    yield made
    made.close()


def run(app, *args):
    return app.test_cli_runner().invoke(args=["popup", *args])


def png(colour) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (6, 4), colour).save(out, "PNG")
    return out.getvalue()


def populate(app) -> None:
    """The Lessines demo (``popup seed-demo``) plus a row in every table: offers, calls, applications, files ..."""
    from flask_migrate import upgrade

    from popup.applications.models import Application, ApplicationEvent, EntrepreneurProfile, Score
    from popup.auth.models import User
    from popup.calls.models import Call, Criterion
    from popup.imports.models import ImportMapping, ImportUpload
    from popup.notifications.operations import notify
    from popup.offers.models import Offer, Stand
    from popup.types import utcnow
    from popup.units.models import Unit
    from popup.uploads.models import Document, Image

    with app.app_context():
        upgrade()
    result = run(app, "seed-demo")
    assert result.exit_code == 0, result.output
    with app.app_context():
        session = _db.session
        users = {u.role: u for u in session.scalars(select(User).order_by(User.id))}
        staff, owner, entrepreneur = users["staff"], users["owner"], users["entrepreneur"]
        unit = session.scalars(select(Unit).where(Unit.owner_id.is_not(None)).order_by(Unit.id)).first() or session.get(
            Unit, 1
        )
        commune = unit.commune
        offer = Offer(
            unit=unit,
            owner=owner,
            title="Cellule partagée « été »",
            status="published",
            available_from=date(2026, 9, 1),
            available_until=date(2027, 3, 1),
            rent_cents=85050,
            allowed_sectors=["food", "crafts"],
            opening_days=[2, 3, 4],
            conditions="Pas d'alcool.\nFermé le lundi.",
        )
        offer.stands = [Stand(label="A", area_m2=12.5), Stand(label="B", area_m2=7.25, position=1)]
        call = Call(commune=commune, title="Appel 2026", status="open", deadline_at=utcnow() + timedelta(days=9))
        call.criteria = [Criterion(name="Concept", weight=3), Criterion(name="Faisabilité", weight=1, position=1)]
        call.offers = [offer]
        call.jurors = [staff]
        session.add_all([offer, call])
        if session.get(EntrepreneurProfile, entrepreneur.id) is None:  # the demo may have made it
            session.add(
                EntrepreneurProfile(user_id=entrepreneur.id, business_name="Le Fournil", links=["https://x.be"])
            )
        session.flush()
        application = Application(
            entrepreneur=entrepreneur, call=call, status="submitted", motivation="Ça me tient à cœur"
        )
        application.events.append(ApplicationEvent(from_status=None, to_status="submitted", by=entrepreneur))
        session.add(application)
        session.flush()
        session.add(Score(application_id=application.id, criterion_id=call.criteria[0].id, juror_id=staff.id, score=4))
        for kw, colour in (({"unit_id": unit.id}, (255, 0, 0)), ({"profile_user_id": entrepreneur.id}, (0, 0, 255))):
            data = png(colour)
            session.add(
                Image(
                    token=secrets.token_hex(8),
                    content_type="image/png",
                    data=data,
                    width=6,
                    height=4,
                    size_bytes=len(data),
                    uploaded_by_id=owner.id,
                    alt_text="Vitrine",
                    **kw,
                )
            )
        session.add(
            Document(
                token=secrets.token_hex(8), user_id=entrepreneur.id, filename="plan.pdf", data=PDF, size_bytes=len(PDF)
            )
        )
        session.add(ImportMapping(commune_id=commune.id, columns={"address": "Adresse"}, updated_by_id=staff.id))
        session.add(ImportUpload(commune_id=commune.id, user_id=staff.id, filename="u.csv", content=b"a;b\n1;2\n"))
        notify(staff, "application_submitted", {"title": call.title, "applicant": entrepreneur.name}, link="/x")
        _populate_participation(session, commune, unit, entrepreneur)
        _populate_matching_and_schedules(session, call, application, offer, staff, entrepreneur)
        session.commit()


def _populate_matching_and_schedules(session, call, application, offer, staff, entrepreneur) -> None:
    from popup.matching.models import MatchProposal, MatchRejection
    from popup.schedules.models import Booking, CalendarFeed, Rotation, SwapRequest

    session.flush()
    stand_a, stand_b = offer.stands
    session.add(MatchProposal(call=call, application=application, stand=stand_a, proposed_by=staff))
    session.add(MatchRejection(call_id=call.id, application_id=application.id, stand_id=stand_b.id, by_id=staff.id))
    rotation = Rotation(offer_id=offer.id, title="Été", starts_on=date(2026, 9, 1), ends_on=date(2026, 12, 1))
    session.add(rotation)
    session.flush()
    first = Booking(
        rotation_id=rotation.id,
        stand_id=stand_a.id,
        entrepreneur_id=entrepreneur.id,
        starts_on=date(2026, 9, 1),
        ends_on=date(2026, 9, 15),
    )
    second = Booking(
        rotation_id=rotation.id,
        stand_id=stand_b.id,
        entrepreneur_id=staff.id,
        starts_on=date(2026, 9, 15),
        ends_on=date(2026, 9, 29),
    )
    session.add_all([first, second])
    session.flush()
    session.add(
        SwapRequest(
            rotation_id=rotation.id,
            booking_id=first.id,
            other_booking_id=second.id,
            requested_by_id=entrepreneur.id,
            message="Échange ?",
        )
    )
    session.add(CalendarFeed(token=secrets.token_hex(16), user_id=entrepreneur.id))


def _populate_participation(session, commune, unit, entrepreneur) -> None:
    from popup import geo
    from popup.participation.models import VacancyReport, Wish

    session.add(
        VacancyReport(
            commune_id=commune.id,
            address="Rue d'Ath 12, 7860 Lessines",
            location=geo.point(3.836, 50.712),
            contact_email="riverain@example.org",
            photo_data=png((0, 255, 0)),
            photo_content_type="image/png",
        )
    )
    session.add(Wish(unit_id=unit.id, voter_key=f"user:{entrepreneur.id}", user_id=entrepreneur.id, sector="food"))


def dump(app):
    with app.app_context():
        try:
            return backup.canonical_dump()
        finally:
            _db.session.remove()


def assert_identical(source, target):
    for table, rows in source.items():
        assert target[table] == rows, table
    assert set(source) == set(target)


ENGINES = ["sqlite", "postgis"]


@pytest.mark.parametrize("engine", ENGINES)
def test_every_table_is_saved(databases, engine, tmp_path):
    source = databases.new(engine)
    populate(source)
    contents = dump(source)
    empty = [table for table, rows in contents.items() if not rows]
    assert empty == [], "populate() should put a row in every table, so the round trip checks them all"
    archive_path = tmp_path / "b.zip"
    result = run(source, "backup", str(archive_path))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(archive_path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        order = [t["name"] for t in manifest["tables"]]
        assert order.index("communes") < order.index("units") < order.index("offers")  # parents first
        assert {t["name"] for t in manifest["tables"]} == set(contents)
        with source.app_context():
            assert manifest["alembic_revision"] == backup.current_revision()
        files = [n for n in archive.namelist() if n.startswith("files/")]
        assert {n.split("/")[1] for n in files} == {"images", "documents", "import_uploads", "vacancy_reports"}
        assert PDF in [archive.read(n) for n in files]
        communes = archive.read(next(n for n in archive.namelist() if n.endswith("-communes.jsonl"))).decode()
        assert '"centre":"SRID=4326;POINT (3.8357 50.7117)"' in communes


@pytest.mark.parametrize(
    ("source_engine", "target_engine"), [("sqlite", "sqlite"), ("postgis", "postgis"), ("sqlite", "postgis")]
)
def test_a_demo_database_round_trips(databases, tmp_path, source_engine, target_engine):
    source = databases.new(source_engine)
    populate(source)
    archive_path = tmp_path / "demo.zip"
    assert run(source, "backup", str(archive_path)).exit_code == 0

    target = databases.new(target_engine)  # empty, without schema: restore builds it
    result = run(target, "restore", str(archive_path))
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    assert_identical(dump(source), dump(target))

    # The restored database works: new rows get fresh ids (PostgreSQL sequences moved on).
    with target.app_context():
        from popup.auth import operations
        from popup.auth.models import User

        before = _db.session.scalar(select(func.max(User.id)))
        user = operations.create_user(email="new@example.org", name="New", password="long enough pw", role="owner")
        _db.session.commit()
        assert user.id > before
        _db.session.remove()


def rewrite_manifest(path, **changes):
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(contents["manifest.json"])
    manifest.update(changes)
    contents["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


@pytest.mark.parametrize("engine", ENGINES)
def test_restore_refuses_another_schema_revision_and_a_database_with_data(databases, engine, tmp_path):
    source = databases.new(engine)
    populate(source)
    archive_path = tmp_path / "b.zip"
    assert run(source, "backup", str(archive_path)).exit_code == 0
    original = dump(source)

    # Into a database that holds data: refused, nothing changes; with --force, replaced.
    other = databases.new(engine)
    with other.app_context():
        from flask_migrate import upgrade

        upgrade()
    assert run(other, "seed-demo").exit_code == 0
    before = dump(other)
    result = run(other, "restore", str(archive_path))
    assert result.exit_code != 0
    assert "already holds data" in result.output and "--force" in result.output
    assert dump(other) == before
    result = run(other, "restore", "--force", str(archive_path))
    assert result.exit_code == 0, result.output
    assert_identical(original, dump(other))

    # An archive from another schema revision: refused with both revisions named.
    old = tmp_path / "old.zip"
    old.write_bytes(archive_path.read_bytes())
    rewrite_manifest(old, alembic_revision="0123456789ab")
    target = databases.new(engine)
    result = run(target, "restore", "--force", str(old))
    assert result.exit_code != 0
    assert "0123456789ab" in result.output and "revision" in result.output
    with target.app_context():
        assert backup.is_empty()
        _db.session.remove()


def test_restore_refuses_what_is_not_a_backup(databases, tmp_path):
    target = databases.new("sqlite")
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip at all")
    result = run(target, "restore", str(junk))
    assert result.exit_code != 0 and "Cannot read" in result.output
    with zipfile.ZipFile(tmp_path / "empty.zip", "w") as archive:
        archive.writestr("hello.txt", "hi")
    result = run(target, "restore", str(tmp_path / "empty.zip"))
    assert result.exit_code != 0 and "not a popup backup" in result.output
