"""The entrepreneur's profile, vitrine and business plan: what is saved, what is refused, who sees what."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image as PILImage
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from popup.applications.models import EntrepreneurProfile
from popup.uploads.models import Document, Image
from popup.uploads.processing import MAX_PDF_BYTES
from tests.conftest import page_text
from tests.test_applications import (
    PDF,
    XSS,
    count,
    english,
    main_of,
    make_application,
    make_call,
    make_offer,
    make_profile,
)


def profile_form(**overrides) -> dict:
    data = {
        "business_name": "Le Fournil de Julie",
        "concept": "Pain au levain.",
        "sector": "food_fresh",
        "area_min_m2": "15",
        "area_max_m2": "40,5",
        "budget": "450,50",
        "wanted_start_on": "2026-09-01",
        "test_months": "6",
        "opening_days": ["1", "5", "5"],
        "public_name": "Le Fournil",
        "public_description": "Du pain comme avant.",
        "links": "https://fournil.example.org\n\nhttp://instagram.com/fournil\n",
        "photo_alt": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def png_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", size, (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def profile_of(db, user) -> EntrepreneurProfile | None:
    db.session.expire_all()
    return db.session.get(EntrepreneurProfile, user.id)


@pytest.fixture
def julie(make_user):
    return make_user(role="entrepreneur", name="Julie Carlier", email="julie@example.org")


@pytest.fixture
def marc(db, make_user):
    user = make_user(role="entrepreneur", name="Marc Dupont", email="marc@example.org")
    make_profile(db, user, business_name="Atelier Marc", concept="Secret concept", public_name="Atelier")
    return user


def upload(client, path, raw: bytes, name: str, field="file", **data):
    # Encoded in memory: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart(MultiDict([*_items(data), (field, FileStorage(io.BytesIO(raw), name))]))
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _items(data: dict):
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            yield key, item


# -- the profile ---------------------------------------------------------------------------------


def test_an_entrepreneur_saves_the_profile(client, auth, db, julie, make_core, make_commune):
    core = make_core()
    other = make_core(commune=make_commune(name="Ath", slug="ath"), name="Centre d'Ath", slug="centre")
    auth.login(julie.email)
    page = client.get("/my/profile")
    assert page.status_code == 200
    text = page_text(page)
    assert "Lessines" in text and "Ath" in text  # cores grouped by commune
    response = client.post("/my/profile", data=profile_form(preferred_cores=[str(core.id), str(other.id)]))
    assert response.status_code == 302
    profile = profile_of(db, julie)
    assert profile.business_name == "Le Fournil de Julie" and profile.sector == "food_fresh"
    assert (profile.area_min_m2, profile.area_max_m2) == (15, 40.5)
    assert profile.budget_cents == 45050
    assert profile.wanted_start_on == date(2026, 9, 1) and profile.test_months == 6
    assert profile.opening_days == [1, 5]
    assert sorted(profile.preferred_core_ids) == sorted([core.id, other.id])
    assert profile.links == ["https://fournil.example.org", "http://instagram.com/fournil"]
    # the form shows back what was saved
    html = client.get("/my/profile").text
    assert 'value="450,50"' in html and 'value="2026-09-01"' in html
    assert f'value="{core.id}" checked' in html and 'id="opening_days-5" value="5" checked' in html


def test_unticking_every_box_clears_the_lists(client, auth, db, julie, make_core):
    core = make_core()
    make_profile(db, julie, preferred_core_ids=[core.id], opening_days=[0, 1])
    auth.login(julie.email)
    data = profile_form()
    del data["opening_days"]
    assert client.post("/my/profile", data=data).status_code == 302
    profile = profile_of(db, julie)
    assert profile.opening_days == [] and profile.preferred_core_ids == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("test_months", "13", "Give the test duration in whole months, from 1 to 12."),
        ("test_months", "0", "Give the test duration in whole months, from 1 to 12."),
        ("test_months", "six", "Give the test duration in whole months, from 1 to 12."),
        ("budget", "beaucoup", "Give an amount in euros"),
        ("budget", "-5", "Give an amount in euros"),
        ("area_max_m2", "10", "The largest area is smaller than the smallest."),
        ("area_min_m2", "-3", "Give an area above 0"),
        ("area_min_m2", "nan", "Give an area in square metres"),
        ("sector", "weapons", "Choose a sector from the list."),
        ("wanted_start_on", "31/02/2026", "Give a date such as"),
        ("opening_days", ["7"], "Choose among the days of the week."),
        ("opening_days", ["x"], "Choose among the days of the week."),
        ("preferred_cores", ["424242"], "Choose among the commercial cores shown."),
        ("links", "javascript:alert(1)", "Each link must be a web address"),
        ("links", "ftp://files.example.org", "Each link must be a web address"),
        ("links", "\n".join(f"https://e{i}.example.org" for i in range(6)), "Give at most 5 links."),
        ("public_description", "x" * 2001, "Keep the public description under 2,000 characters."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_changes(client, auth, db, julie, field, value, message):
    make_profile(db, julie, business_name="Avant", test_months=3)
    auth.login(julie.email)
    english(client)
    response = client.post("/my/profile", data=profile_form(business_name="Après", **{field: value}))
    assert response.status_code == 422
    text = main_of(response)
    assert message in text and "Nothing was saved." in text
    assert f'id="{field}-error"' in response.text
    profile = profile_of(db, julie)
    assert (profile.business_name, profile.test_months) == ("Avant", 3)


def test_other_roles_have_no_profile(client, auth, make_user, commune):
    for role in ("owner", "staff", "coach", "admin"):
        auth.login(make_user(role=role, communes=[commune] if role == "staff" else []).email)
        assert client.get("/my/profile").status_code == 403
        assert client.post("/my/profile", data=profile_form()).status_code == 403
        assert client.get("/my/profile/documents").status_code == 403
        auth.logout()
    assert client.get("/my/profile").status_code == 302  # anonymous: to the login page


# -- the vitrine -----------------------------------------------------------------------------------


def test_the_vitrine_photo_is_re_encoded_and_shown_on_the_public_page(client, auth, db, julie):
    auth.login(julie.email)
    response = upload(
        client, "/my/profile", png_bytes(), "me.png", field="photo", **profile_form(photo_alt="Ma vitrine")
    )
    assert response.status_code == 302
    (photo,) = db.session.scalars(select(Image).filter_by(profile_user_id=julie.id)).all()
    assert (photo.content_type, photo.width, photo.height, photo.alt_text) == ("image/png", 40, 30, "Ma vitrine")
    assert photo.unit_id is None
    # a second photo replaces the first
    upload(client, "/my/profile", png_bytes((20, 20)), "b.png", field="photo", **profile_form())
    db.session.expire_all()
    assert [i.width for i in db.session.scalars(select(Image).filter_by(profile_user_id=julie.id))] == [20]
    auth.logout()
    page = client.get(f"/entrepreneurs/{julie.id}")
    assert page.status_code == 200
    assert f'src="/entrepreneurs/{julie.id}/photo"' in page.text
    served = client.get(f"/entrepreneurs/{julie.id}/photo")
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert PILImage.open(io.BytesIO(served.data)).size == (20, 20)


def test_removing_the_photo(client, auth, db, julie):
    auth.login(julie.email)
    upload(client, "/my/profile", png_bytes(), "me.png", field="photo", **profile_form())
    assert client.post("/my/profile", data=profile_form(remove_photo="y")).status_code == 302
    assert count(db, Image) == 0


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "This file is not an image."),
        (png_bytes()[:60], "This image is damaged or incomplete."),
        (b"GIF89a" + b"\x00" * 40, "This file is not an image."),
    ],
)
def test_a_photo_that_is_not_one_is_refused(client, auth, db, julie, raw, message):
    make_profile(db, julie, business_name="Avant")
    auth.login(julie.email)
    english(client)
    response = upload(client, "/my/profile", raw, "photo.jpg", field="photo", **profile_form(business_name="Après"))
    assert response.status_code == 422
    assert message in main_of(response)
    assert count(db, Image) == 0
    assert profile_of(db, julie).business_name == "Avant"


def test_the_vitrine_shows_only_public_fields(client, db, marc):
    profile = db.session.get(EntrepreneurProfile, marc.id)
    profile.public_description = XSS
    profile.links = ["https://atelier.example.org"]
    profile.budget_cents = 123456
    db.session.flush()
    page = client.get(f"/entrepreneurs/{marc.id}")
    assert page.status_code == 200
    text = main_of(page)
    assert "Atelier" in text and "https://atelier.example.org" in text
    assert "Atelier Marc" not in text and "Secret concept" not in text and "1 234" not in text
    assert "marc@example.org" not in page.text and "Marc Dupont" not in text
    assert XSS not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert 'rel="nofollow noopener noreferrer ugc"' in page.text


def test_no_vitrine_without_a_public_name(client, auth, db, julie, make_user):
    make_profile(db, julie, public_name="")
    db.session.add(
        Image(
            token="p" * 40,
            profile_user_id=julie.id,
            content_type="image/png",
            data=png_bytes(),
            width=40,
            height=30,
            size_bytes=10,
        )
    )
    db.session.flush()
    owner = make_user(role="owner")
    for path in (f"/entrepreneurs/{julie.id}", f"/entrepreneurs/{julie.id}/photo", f"/entrepreneurs/{owner.id}"):
        assert client.get(path).status_code == 404
    for path in ("/entrepreneurs/424242", "/entrepreneurs/99999999999"):
        assert client.get(path).status_code == 404
    auth.login(julie.email)
    assert client.get(f"/entrepreneurs/{julie.id}/photo").status_code == 200  # its entrepreneur previews it


# -- the business plan --------------------------------------------------------------------------


def test_a_business_plan_is_stored_and_downloaded_safely(client, auth, db, julie):
    auth.login(julie.email)
    response = upload(client, "/my/profile/documents", PDF, "Plan d'affaires été.pdf")
    assert response.status_code == 302
    (document,) = db.session.scalars(select(Document).filter_by(user_id=julie.id)).all()
    assert document.kind == "business_plan" and document.size_bytes == len(PDF)
    assert len(document.token) >= 40 and document.filename == "Plan_daffaires_ete.pdf"
    token = document.token
    download = client.get(f"/documents/{token}")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Cache-Control"] == "no-store"
    # a new plan replaces the old one
    upload(client, "/my/profile/documents", PDF, "v2.pdf")
    db.session.expire_all()
    assert [d.filename for d in db.session.scalars(select(Document).filter_by(user_id=julie.id))] == ["v2.pdf"]
    assert client.get(f"/documents/{token}").status_code == 404


def test_a_post_without_a_file_asks_for_one(client, auth, db, julie):
    auth.login(julie.email)
    english(client)
    response = client.post("/my/profile/documents", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a PDF file." in main_of(response)
    assert count(db, Document) == 0


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"<html><body>Business plan</body></html>", "This file is not a PDF, whatever its name says."),
        (PDF[:-8], "This PDF is damaged or incomplete"),
        (b"%PDF-1.4\n" + b"0" * MAX_PDF_BYTES + b"\n%%EOF\n", "The file is larger than 10 MB."),
        (b"", "The file is empty."),
    ],
)
def test_what_is_not_a_whole_pdf_of_10_mb_at_most_is_refused(client, auth, db, julie, raw, message):
    db.session.add(Document(token="k" * 40, user_id=julie.id, filename="old.pdf", data=PDF, size_bytes=len(PDF)))
    db.session.flush()
    auth.login(julie.email)
    english(client)
    response = upload(client, "/my/profile/documents", raw, "plan.pdf")
    assert response.status_code == 422
    assert message in main_of(response)
    db.session.expire_all()
    assert [d.filename for d in db.session.scalars(select(Document))] == ["old.pdf"]  # the old plan stays


def test_entrepreneur_a_cannot_reach_bs_profile_or_documents(client, auth, db, julie, marc):
    make_profile(db, julie, business_name="Le Fournil")
    document = Document(token="m" * 40, user_id=marc.id, filename="marc.pdf", data=PDF, size_bytes=len(PDF))
    db.session.add(document)
    db.session.flush()
    auth.login(julie.email)
    assert client.get(f"/documents/{document.token}").status_code == 404
    assert client.post(f"/my/profile/documents/{document.token}/delete").status_code == 404
    assert count(db, Document) == 1
    # her own pages never show his things
    for path in ("/my/profile", "/my/profile/documents"):
        html = client.get(path).text
        assert "Atelier Marc" not in html and "marc.pdf" not in html and document.token not in html
    client.post("/my/profile", data=profile_form())
    assert profile_of(db, marc).business_name == "Atelier Marc"


def test_who_may_read_a_business_plan(client, auth, db, make_user, make_commune, make_unit, commune, marc):
    document = Document(token="d" * 40, user_id=marc.id, filename="marc.pdf", data=PDF, size_bytes=len(PDF))
    db.session.add(document)
    owner, juror = make_user(role="owner"), make_user(role="coach")
    call = make_call(db, commune)
    call.jurors.append(juror)
    make_application(db, marc, call=call, status="submitted")
    make_application(db, marc, offer=make_offer(db, make_unit(owner=owner), owner), status="submitted")
    allowed = {
        "staff of the commune": make_user(role="staff", communes=[commune]),
        "the call's juror": juror,
        "the offer's owner": owner,
        "an admin": make_user(role="admin"),
    }
    refused = {
        "staff of another commune": make_user(role="staff", communes=[make_commune(name="Ath", slug="ath")]),
        "another owner": make_user(role="owner"),
        "a coach who is not a juror": make_user(role="coach"),
    }
    for name, user in {**allowed, **refused}.items():
        auth.login(user.email)
        expected = 200 if name in allowed else 404
        assert client.get(f"/documents/{document.token}").status_code == expected, name
        auth.logout()
    assert client.get(f"/documents/{document.token}").status_code == 302  # anonymous: log in first
    auth.login(marc.email)
    assert client.get("/documents/" + "x" * 200).status_code == 404


def test_deleting_my_business_plan(client, auth, db, julie):
    db.session.add(Document(token="j" * 40, user_id=julie.id, filename="plan.pdf", data=PDF, size_bytes=len(PDF)))
    db.session.flush()
    auth.login(julie.email)
    assert client.post(f"/my/profile/documents/{'j' * 40}/delete").status_code == 302
    assert count(db, Document) == 0


def test_concept_comes_out_escaped_on_the_profile_form(client, auth, db, julie):
    make_profile(db, julie, concept=XSS, public_description=XSS)
    auth.login(julie.email)
    html = client.get("/my/profile").text
    assert XSS not in html and html.count("&lt;img src=x onerror=alert(1)&gt;") == 2
