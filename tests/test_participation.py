"""Residents report empty units without an account; the commune's staff accept or refuse the reports."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image as PILImage
from shapely.geometry import MultiPolygon, Polygon
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from popup import geo
from popup.participation.forms import fill_token
from popup.participation.models import VacancyReport
from popup.units.models import Unit
from popup.uploads.models import Image
from tests.conftest import page_text
from tests.unit.test_uploads import image_bytes

LAT, LON = 50.7117, 3.8357  # Lessines' centre, inside the test boundary
METRE_LAT = 1 / 111_320  # degrees of latitude in a metre
XSS = "<img src=x onerror=alert(1)>"


def english(client):
    client.post("/language", data={"lang": "en"})


def report_data(**overrides) -> dict:
    data = {
        "address": "Rue de Grammont 8, 7860 Lessines",
        "latitude": str(LAT),
        "longitude": str(LON),
        "description": "Volets fermés depuis mars.",
        "email": "",
        "website": "",
        "started": fill_token(time.time() - 60),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post_report(client, slug="lessines", photo: bytes | None = None, filename="facade.jpg", **overrides):
    data = report_data(**overrides)
    if photo is None:
        return client.post(f"/c/{slug}/report", data=data)
    data["photo"] = FileStorage(io.BytesIO(photo), filename=filename, content_type="image/jpeg")
    boundary, body = encode_multipart(data)
    return client.post(f"/c/{slug}/report", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def reports(db) -> list[VacancyReport]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(VacancyReport).order_by(VacancyReport.id)))


def units(db) -> list[Unit]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Unit).order_by(Unit.id)))


@pytest.fixture
def ath(make_commune):
    return make_commune(
        name="Ath",
        slug="ath",
        centre=geo.point(3.7786, 50.6298),
        boundary=geo.from_geometry(
            MultiPolygon([Polygon([(3.70, 50.58), (3.86, 50.58), (3.86, 50.65), (3.70, 50.65)])])
        ),
    )


@pytest.fixture
def staff(make_user, commune):
    return make_user(role="staff", name="Catherine Delhaye", communes=[commune])


@pytest.fixture
def as_staff(client, auth, staff):
    auth.login(staff.email)
    english(client)
    return client


# -- a resident reports --------------------------------------------------------


def test_a_resident_reports_an_empty_unit_without_an_account(client, db, commune):
    english(client)
    page = client.get("/c/lessines/report")
    assert page.status_code == 200
    assert 'name="started"' in page.text and 'name="website"' in page.text
    assert 'id="unit-form-map"' in page.text  # the click-to-place map beside the inputs
    response = post_report(client, email="Resident@Example.org", address=XSS)
    assert response.status_code == 302
    assert response.headers["Location"] == "/c/lessines"
    [report] = reports(db)
    assert report.status == "pending" and report.commune_id == commune.id
    assert report.contact_email == "resident@example.org"
    assert report.language == "en"
    assert geo.lonlat(report.location) == pytest.approx((LON, LAT))
    home = client.get("/c/lessines")
    assert "Thank you! The commune's staff will check your report" in page_text(home)
    assert XSS not in home.text


def test_the_honeypot_field_refuses_the_report(client, db, commune):
    english(client)
    response = post_report(client, website="http://spam.example")
    assert response.status_code == 422
    assert "looks automatic and was not saved" in page_text(response)
    assert "spam.example" not in response.text  # emptied, so that a person can send the form again
    assert reports(db) == []


def test_a_form_sent_too_fast_or_with_a_forged_timestamp_is_refused(client, db, commune):
    english(client)
    response = post_report(client, started=fill_token())
    assert response.status_code == 422
    assert "as robots do" in page_text(response)
    for forged in ("", "12345", fill_token(time.time() - 60) + "x", fill_token(time.time() - 3 * 24 * 3600)):
        response = post_report(client, started=forged)
        assert response.status_code == 422, forged
        assert "too old or was changed" in page_text(response)
    assert reports(db) == []
    # the page hands out a fresh timestamp so that a person can send it again
    assert 'name="started"' in response.text


def test_reports_are_rate_limited_per_address_with_a_translated_page(app, client, db, commune):
    app.config["REPORT_RATE_LIMIT"] = "2 per hour"
    try:
        assert post_report(client).status_code == 302
        assert post_report(client, website="bot").status_code == 422  # refused attempts count too
        response = post_report(client)
        assert response.status_code == 429
        assert "Trop de tentatives" in page_text(response)
        assert client.get("/c/lessines/report").status_code == 200  # reading the form is not limited
    finally:
        app.config["REPORT_RATE_LIMIT"] = "10 per hour"
    assert len(reports(db)) == 1


def test_a_point_outside_the_commune_is_refused_with_a_clear_message(client, db, commune, ath):
    english(client)
    response = post_report(client, latitude="50.62", longitude="3.78")  # in Ath
    assert response.status_code == 422
    text = page_text(response)
    assert "This point lies outside the commune of Lessines" in text
    assert 'aria-describedby="latitude-error' in response.text
    assert reports(db) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"address": "  "}, "Give the address of the empty unit."),
        ({"latitude": "", "longitude": ""}, "Click on the map to place the unit"),
        ({"latitude": "north"}, "Give the latitude as a number"),
        ({"latitude": "nan"}, "Give the latitude as a number"),
        ({"longitude": "200"}, "A longitude lies between -180 and 180."),
        ({"email": "not-an-email"}, "Give a valid email address, or leave it empty."),
        ({"description": "x" * 501}, "Keep it under 500 characters."),
        ({"address": "y" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_bad_input_gets_a_message_and_saves_nothing(client, db, commune, overrides, message):
    english(client)
    response = post_report(client, **overrides)
    assert response.status_code == 422
    assert message in page_text(response)
    assert reports(db) == []


def test_unknown_commune_has_no_report_form(client):
    assert client.get("/c/nowhere/report").status_code == 404
    assert client.post("/c/nowhere/report", data=report_data()).status_code == 404


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"%PDF-1.4 not a photo", "This file is not an image."),
        (image_bytes("JPEG")[:200], "The image is damaged or incomplete."),
        (b"", "The file is empty."),
    ],
)
def test_a_bad_photo_is_refused_and_nothing_is_saved(client, db, commune, raw, message):
    english(client)
    response = post_report(client, photo=raw)
    assert response.status_code == 422
    assert message in page_text(response)
    assert reports(db) == []


def test_a_photo_is_re_encoded_without_its_location(client, db, commune):
    response = post_report(client, photo=image_bytes("JPEG", exif_gps=True))
    assert response.status_code == 302
    [report] = reports(db)
    assert report.photo_content_type == "image/jpeg"
    with PILImage.open(io.BytesIO(report.photo_data)) as stored:
        assert 0x8825 not in stored.getexif()


# -- near-duplicates -----------------------------------------------------------


def test_reports_within_25_m_of_each_other_are_merged(client, db, commune, as_staff):
    assert post_report(client, email="a@example.org").status_code == 302
    assert post_report(client, latitude=str(LAT + 15 * METRE_LAT), email="b@example.org").status_code == 302
    assert post_report(client, latitude=str(LAT + 100 * METRE_LAT)).status_code == 302  # another unit
    first, second, third = reports(db)
    assert second.merged_into_id == first.id and third.merged_into_id is None
    page = client.get("/c/lessines/reports")
    assert page.status_code == 200
    assert page.text.count('class="card mb-4 report-item"') == 2
    assert f'data-report-id="{first.id}"' in page.text and f'data-report-id="{second.id}"' not in page.text
    assert 'data-report-count="2"' in page.text and "2 residents reported it" in page_text(page)
    assert "2 residents left an email address" in page_text(page)


def test_a_report_near_a_known_unit_is_shown_so_and_accepting_updates_that_unit(
    client, db, commune, make_unit, staff, as_staff
):
    unit = make_unit(address="Rue de la Loi 4, 7860 Lessines", status="occupied")
    response = post_report(client, latitude=str(LAT + 10 * METRE_LAT), photo=image_bytes("PNG"), filename="f.png")
    assert response.status_code == 302
    [report] = reports(db)
    page = page_text(client.get("/c/lessines/reports"))
    assert "Near unit Rue de la Loi 4, 7860 Lessines (10 m)" in page
    assert "Accepting updates this unit instead of creating a new one." in page
    response = client.post(f"/c/lessines/reports/{report.id}/accept")
    assert response.status_code == 302
    assert [u.id for u in units(db)] == [unit.id]  # no new unit
    db.session.refresh(unit)
    assert unit.status == "vacant"
    change = unit.history[-1]
    assert (change.from_status, change.to_status, change.changed_by_id) == ("occupied", "vacant", staff.id)
    assert f"report no. {report.id}" in change.reason
    [photo] = db.session.scalars(db.select(Image).where(Image.unit_id == unit.id)).all()
    assert photo.content_type == "image/png"
    [report] = reports(db)
    assert (report.status, report.unit_id, report.decided_by_id) == ("accepted", unit.id, staff.id)
    assert "is now recorded as vacant" in page_text(client.get("/c/lessines/reports"))


def test_accepting_a_report_far_from_any_unit_creates_a_vacant_unit(client, db, commune, make_unit, staff, as_staff):
    far = make_unit(address="Far away 1", lat=LAT + 200 * METRE_LAT)
    post_report(client, email="a@example.org", photo=image_bytes("JPEG"))
    post_report(client, latitude=str(LAT + 5 * METRE_LAT), photo=image_bytes("JPEG"))
    first, second = reports(db)
    assert "None within 25 m" in page_text(client.get("/c/lessines/reports"))
    assert client.post(f"/c/lessines/reports/{first.id}/accept").status_code == 302
    new = [u for u in units(db) if u.id != far.id]
    assert len(new) == 1
    unit = new[0]
    assert (unit.status, unit.address, unit.approval, unit.commune_id) == (
        "vacant",
        "Rue de Grammont 8, 7860 Lessines",
        "approved",
        commune.id,
    )
    assert [(c.from_status, c.to_status) for c in unit.history] == [(None, "vacant")]
    assert len(db.session.scalars(db.select(Image).where(Image.unit_id == unit.id)).all()) == 2
    first, second = reports(db)
    assert first.status == second.status == "accepted"
    assert first.contact_email == "" and first.photo_data is None  # nothing personal kept
    # deciding again changes nothing
    response = client.post(f"/c/lessines/reports/{first.id}/accept", follow_redirects=True)
    assert "already decided" in page_text(response)
    assert len(units(db)) == 2
    assert client.post(f"/c/lessines/reports/{second.id}/accept").status_code == 302
    assert len(units(db)) == 2


def test_refusing_a_report_needs_a_reason_and_emails_the_residents(app, client, db, commune, as_staff, smtp):
    resident = app.test_client()
    assert post_report(resident, email="resident@example.org").status_code == 302
    english(resident)  # the second resident reads English
    post_report(resident, latitude=str(LAT + 3 * METRE_LAT), email="other@example.org")
    post_report(resident, latitude=str(LAT + 4 * METRE_LAT))  # no email
    assert [r.language for r in reports(db)] == ["fr", "en", "en"]
    first = reports(db)[0]
    response = client.post(f"/c/lessines/reports/{first.id}/reject", data={f"reject-{first.id}-reason": "  "})
    assert response.status_code == 422
    assert "Say why the report is refused." in page_text(response)
    assert all(r.status == "pending" for r in reports(db))
    assert smtp == []
    response = client.post(
        f"/c/lessines/reports/{first.id}/reject", data={f"reject-{first.id}-reason": "C'est une habitation."}
    )
    assert response.status_code == 302
    assert all(r.status == "rejected" and r.reason == "C'est une habitation." for r in reports(db))
    assert all(r.contact_email == "" for r in reports(db))
    assert sorted(m["To"] for m in smtp) == ["other@example.org", "resident@example.org"]
    assert all("C'est une habitation." in m.get_payload(decode=True).decode() for m in smtp)
    assert units(db) == []
    assert "No report awaits a decision." in page_text(client.get("/c/lessines/reports"))


def test_a_refusal_stands_when_the_mail_server_is_down(app, client, db, commune, as_staff):
    post_report(client, email="resident@example.org")
    [report] = reports(db)
    app.config["MAIL_PORT"], old = 1, app.config["MAIL_PORT"]
    try:
        response = client.post(
            f"/c/lessines/reports/{report.id}/reject",
            data={f"reject-{report.id}-reason": "Doublon."},
            follow_redirects=True,
        )
    finally:
        app.config["MAIL_PORT"] = old
    assert "could not be sent" in page_text(response)
    assert reports(db)[0].status == "rejected"


# -- who moderates -------------------------------------------------------------


def test_only_the_communes_staff_moderate_its_reports(client, auth, db, commune, ath, make_user):
    post_report(client, photo=image_bytes("JPEG"))
    [report] = reports(db)
    paths = [
        ("get", "/c/lessines/reports"),
        ("get", f"/c/lessines/reports/{report.id}/photo"),
        ("post", f"/c/lessines/reports/{report.id}/accept"),
        ("post", f"/c/lessines/reports/{report.id}/reject"),
    ]
    for method, path in paths:
        response = getattr(client, method)(path, data={f"reject-{report.id}-reason": "x"})
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    for user in (make_user(role="owner"), make_user(role="entrepreneur"), make_user(role="staff", communes=[ath])):
        auth.login(user.email)
        for method, path in paths:
            assert getattr(client, method)(path, data={f"reject-{report.id}-reason": "x"}).status_code == 403, path
        auth.logout()
    assert reports(db)[0].status == "pending" and units(db) == []


def test_staff_see_the_photo_privately_and_other_communes_reports_do_not_exist(
    client, auth, db, commune, ath, make_user
):
    post_report(client, photo=image_bytes("JPEG"))
    post_report(client, slug="ath", latitude="50.62", longitude="3.78")
    lessines_report, ath_report = reports(db)
    auth.login(make_user(role="staff", communes=[commune]).email)
    photo = client.get(f"/c/lessines/reports/{lessines_report.id}/photo")
    assert photo.status_code == 200 and photo.headers["Content-Type"] == "image/jpeg"
    assert "private" in photo.headers["Cache-Control"]
    for path in (
        f"/c/lessines/reports/{ath_report.id}/photo",
        f"/c/lessines/reports/{ath_report.id}/accept",
        "/c/lessines/reports/99999999/accept",
    ):
        method = client.get if path.endswith("photo") else client.post
        assert method(path).status_code == 404, path
    assert client.get(f"/c/lessines/reports/{lessines_report.id}/photo").status_code == 200
    assert reports(db)[1].status == "pending"


def test_the_commune_page_links_the_report_and_wishes_pages(client, auth, commune, staff):
    page = client.get("/c/lessines")
    assert "/c/lessines/report" in page.text and "/c/lessines/wishes" in page.text
    assert "/c/lessines/open-data" in page.text
    assert "/c/lessines/reports" not in page.text  # the queue only for its staff
    assert "/c/lessines/report" in client.get("/c/lessines/map").text
    auth.login(staff.email)
    assert "/c/lessines/reports" in client.get("/c/lessines").text
