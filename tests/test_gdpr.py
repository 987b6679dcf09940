"""GDPR: a user downloads all their data and erases their account; every table is accounted for."""

from __future__ import annotations

import io
import json
import secrets
import zipfile

import pytest
from PIL import Image as PILImage
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, select

from popup import gdpr
from popup.applications.models import Application, ApplicationEvent, EntrepreneurProfile, Score
from popup.auth.models import User
from popup.calls.models import call_jurors
from popup.extensions import db as _db
from popup.notifications.models import Notification
from popup.notifications.operations import notify
from popup.offers.models import Offer
from popup.units.models import Unit
from popup.uploads.models import Document, Image
from tests.conftest import PASSWORD, page_text
from tests.test_applications import make_application, make_call, make_offer, make_profile

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# Tables pointing at users.id that no section erases: histories kept as they are. Their
# rows point at the user row, which erasure anonymises, so they keep no identity.
KEPT_ANONYMISED_VIA_USER_ROW = {
    "unit_status_changes": "who recorded a unit's status change: the dated vacancy history",
    "calls": "which staff member created a call: programme records",
    "import_mappings": "who last saved a commune's import mapping",
}


def tables_pointing_at_users(metadata) -> set[str]:
    return {
        table.name
        for table in metadata.tables.values()
        if any(fk.column.table.name == "users" and fk.column.name == "id" for fk in table.foreign_keys)
    }


def uncovered(metadata) -> set[str]:
    return tables_pointing_at_users(metadata) - gdpr.covered_tables() - set(KEPT_ANONYMISED_VIA_USER_ROW)


def test_every_table_pointing_at_users_has_an_eraser_or_is_a_kept_history(app):
    assert tables_pointing_at_users(_db.metadata) >= {"applications", "notifications", "documents", "offers"}
    missing = uncovered(_db.metadata)
    assert not missing, f"register a popup.gdpr section (exporter and eraser) for: {sorted(missing)}"
    # The kept list holds no stale name.
    assert set(KEPT_ANONYMISED_VIA_USER_ROW) <= tables_pointing_at_users(_db.metadata)


def test_a_new_table_pointing_at_users_fails_until_registered(app):
    metadata = MetaData()
    for table in _db.metadata.tables.values():
        table.to_metadata(metadata)
    Table(
        "leases_tenants", metadata, Column("id", Integer, primary_key=True), Column("user_id", ForeignKey("users.id"))
    )
    assert uncovered(metadata) == {"leases_tenants"}
    gdpr.register("test-leases", lambda user: [], lambda user: None, tables=("leases_tenants",))
    try:
        assert uncovered(metadata) == set()
    finally:
        gdpr._sections.pop("test-leases")


def test_the_existing_modules_are_registered(app):
    names = {section.name for section in gdpr.sections()}
    assert names >= {"account", "profile", "applications", "offers", "units", "uploads", "notifications", "jury"}
    assert gdpr.sections()[-1].name == "account"  # the account is anonymised after everything else


# -- fixtures ---------------------------------------------------------------------


def png_bytes(colour=(200, 120, 40)) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (8, 6), colour).save(out, "PNG")
    return out.getvalue()


def add_image(db, *, data, uploaded_by, unit=None, profile_user=None) -> Image:
    image = Image(
        token=secrets.token_hex(16),
        unit_id=unit.id if unit else None,
        profile_user_id=profile_user.id if profile_user else None,
        content_type="image/png",
        data=data,
        width=8,
        height=6,
        size_bytes=len(data),
        uploaded_by_id=uploaded_by.id,
    )
    db.session.add(image)
    db.session.flush()
    return image


@pytest.fixture
def julie(db, make_user, commune):
    """An entrepreneur with a profile, a vitrine photo, a business plan, an application and notifications."""
    user = make_user(role="entrepreneur", name="Julie Carlier", email="julie@example.org", language="nl")
    make_profile(db, user, business_name="Le Fournil de Julie", public_description="Pain au levain")
    add_image(db, data=png_bytes(), uploaded_by=user, profile_user=user)
    db.session.add(
        Document(token=secrets.token_hex(16), user_id=user.id, filename="plan.pdf", data=PDF, size_bytes=len(PDF))
    )
    call = make_call(db, commune)
    application = make_application(db, user, call=call, status="submitted", motivation="Mon rêve: une boulangerie.")
    notify(user, "application_status", {"title": call.title, "status": "submitted"}, link="/my/applications")
    db.session.flush()
    user.test_call, user.test_application = call, application
    return user


def download(client) -> zipfile.ZipFile:
    response = client.get("/account/data.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    return zipfile.ZipFile(io.BytesIO(response.data))


def section(archive, name):
    return json.loads(archive.read(f"{name}.json"))


# -- export -------------------------------------------------------------------------


def test_an_entrepreneur_downloads_all_their_data_and_files(client, auth, db, julie, make_user):
    other = make_user(role="entrepreneur", name="Marc Autre")
    make_application(db, other, call=julie.test_call, motivation="Texte de Marc")
    auth.login(julie.email)
    page = client.get("/account/data")
    assert page.status_code == 200 and "/account/data.zip" in page.text
    assert "/account/data" in client.get("/account").text

    archive = download(client)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["user_id"] == julie.id
    assert section(archive, "account")["email"] == "julie@example.org"
    assert section(archive, "account")["name"] == "Julie Carlier"
    assert section(archive, "profile")["business_name"] == "Le Fournil de Julie"
    (application,) = section(archive, "applications")
    assert application["motivation"] == "Mon rêve: une boulangerie."
    assert application["call"] == julie.test_call.title
    assert [event["to_status"] for event in application["history"]] == ["submitted"]
    assert section(archive, "notifications")[0]["kind"] == "application_status"
    uploads = section(archive, "uploads")
    (document,) = uploads["documents"]
    assert archive.read(f"files/uploads/{document['file']}") == PDF
    (image,) = uploads["images"]
    assert archive.read(f"files/uploads/{image['file']}") == png_bytes()
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Texte de Marc" not in everything and b"Marc Autre" not in everything


def test_an_owner_downloads_their_units_offers_and_photos(client, auth, db, make_user, make_unit):
    owner = make_user(role="owner")
    unit = make_unit(owner=owner, address="Rue de Grammont 3, 7860 Lessines")
    make_offer(db, unit, owner, title="Cellule partagée")
    add_image(db, data=png_bytes((1, 2, 3)), uploaded_by=owner, unit=unit)
    make_unit(address="Rue d'un autre 1, 7860 Lessines")
    auth.login(owner.email)
    archive = download(client)
    assert [u["address"] for u in section(archive, "units")["units"]] == ["Rue de Grammont 3, 7860 Lessines"]
    assert [o["title"] for o in section(archive, "offers")] == ["Cellule partagée"]
    (image,) = section(archive, "uploads")["images"]
    assert archive.read(f"files/uploads/{image['file']}") == png_bytes((1, 2, 3))


def test_the_data_pages_need_a_login(client):
    for path in ("/account/data", "/account/data.zip", "/account/erase"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# -- erasure ------------------------------------------------------------------------


def erase(client, password=PASSWORD, confirm=True):
    data = {"password": password}
    if confirm:
        data["confirm"] = "y"
    return client.post("/account/erase", data=data)


def test_erasure_needs_the_password_and_the_confirmation(client, auth, db, julie):
    auth.login(julie.email)
    assert client.get("/account/erase").status_code == 200
    response = erase(client, password="not my password")
    assert response.status_code == 401
    response = erase(client, confirm=False)
    assert response.status_code == 422
    assert "aria-describedby" in page_text(response) or "invalid-feedback" in page_text(response)
    db.session.expire_all()
    assert db.session.get(User, julie.id).email == "julie@example.org"
    assert client.get("/account").status_code == 200  # still logged in


def test_erasure_deletes_or_anonymises_and_keeps_the_records(client, auth, db, julie, make_user, commune):
    staff = make_user(role="staff", communes=[commune])
    notify(staff, "application_submitted", {"title": "Appel", "applicant": "Julie Carlier (Le Fournil de Julie)"})
    julie.test_call.jurors.append(staff)
    criterion = julie.test_call.criteria[0]
    db.session.add(
        Score(
            application_id=julie.test_application.id,
            criterion_id=criterion.id,
            juror_id=staff.id,
            score=4,
            comment="Julie a un bon dossier",
        )
    )
    db.session.flush()
    application_id = julie.test_application.id

    auth.login(julie.email, remember=True)
    response = erase(client)
    assert response.status_code == 302
    db.session.expire_all()

    user = db.session.get(User, julie.id)
    assert user.email == f"erased-{julie.id}@erased.invalid"
    assert "Julie" not in user.name and not user.active
    assert db.session.get(EntrepreneurProfile, julie.id) is None
    assert db.session.scalars(select(Document).filter_by(user_id=julie.id)).all() == []
    assert db.session.scalars(select(Image).filter_by(profile_user_id=julie.id)).all() == []
    assert db.session.scalars(select(Notification).filter_by(user_id=julie.id)).all() == []
    # The application and its history stay, without the person's words, pointing at the anonymised row.
    application = db.session.get(Application, application_id)
    assert application.entrepreneur_id == julie.id and application.status == "submitted"
    assert application.motivation == ""
    assert len(application.events) == 1
    (score,) = db.session.scalars(select(Score).filter_by(application_id=application_id)).all()
    assert score.score == 4 and score.comment == ""
    # Other people's notifications no longer name her.
    (note,) = db.session.scalars(select(Notification).filter_by(user_id=staff.id)).all()
    assert "Julie" not in json.dumps(note.params)

    # Logged out everywhere, and the old password opens nothing.
    assert client.get("/account").status_code == 302
    assert auth.login("julie@example.org").status_code == 401
    assert auth.login(user.email).status_code == 401
    # The address is free again.
    response = client.post(
        "/register",
        data={
            "name": "Julie",
            "email": "julie@example.org",
            "password": "another long pass",
            "confirm": "another long pass",
            "role": "entrepreneur",
            "language": "fr",
        },
    )
    assert response.status_code == 302


def test_an_old_session_cookie_dies_with_the_account(app, db, julie):
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        assert client.post("/login", data={"email": julie.email, "password": PASSWORD}).status_code == 302
    assert erase(first).status_code == 302
    assert second.get("/account").status_code == 302


def test_an_erased_owner_leaves_units_without_owner_and_offers_closed(client, auth, db, make_user, make_unit):
    owner = make_user(role="owner")
    unit = make_unit(owner=owner)
    published = make_offer(db, unit, owner, status="published")
    photo = add_image(db, data=png_bytes(), uploaded_by=owner, unit=unit)
    auth.login(owner.email)
    assert erase(client).status_code == 302
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).owner_id is None
    offer = db.session.get(Offer, published.id)
    assert offer.status == "closed" and offer.owner_id == owner.id
    assert db.session.get(Image, photo.id) is not None  # a photo of premises, not of a person


def test_an_erased_juror_leaves_the_juries(client, auth, db, make_user, commune, julie):
    juror = make_user(role="coach")
    julie.test_call.jurors.append(juror)
    db.session.flush()
    auth.login(juror.email)
    assert erase(client).status_code == 302
    assert db.session.execute(select(call_jurors).filter_by(user_id=juror.id)).all() == []


def test_the_only_administrator_cannot_erase_their_account(client, auth, db, make_user):
    admin = make_user(role="admin")
    auth.login(admin.email)
    assert erase(client).status_code == 409
    db.session.expire_all()
    assert db.session.get(User, admin.id).active
    make_user(role="admin")
    assert erase(client).status_code == 302


def test_erasure_needs_the_csrf_token(client, auth, db, julie, csrf):
    page = client.get("/login").text
    from tests.conftest import csrf_token_from

    client.post("/login", data={"email": julie.email, "password": PASSWORD, "csrf_token": csrf_token_from(page)})
    assert client.post("/account/erase", data={"password": PASSWORD, "confirm": "y"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, julie.id).active
    assert db.session.scalars(select(ApplicationEvent)).all()
