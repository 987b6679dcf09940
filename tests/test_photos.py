"""Photos of units: judged by content, re-encoded without EXIF, served safely to whoever may see the unit."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image as PILImage
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from popup.uploads.models import Image
from popup.uploads.operations import MAX_PHOTOS_PER_UNIT
from popup.uploads.processing import MAX_IMAGE_BYTES
from tests.conftest import page_text
from tests.unit.test_uploads import image_bytes

XSS = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
GPS = 0x8825
MAKE = 0x010F


def english(client):
    client.post("/language", data={"lang": "en"})


def images(db, unit=None) -> list[Image]:
    db.session.expire_all()
    stmt = db.select(Image).order_by(Image.id)
    if unit is not None:
        stmt = stmt.where(Image.unit_id == unit.id)
    return list(db.session.scalars(stmt))


def bomb_png() -> bytes:
    """A tiny PNG that claims to be 20000 x 20000 pixels."""
    out = io.BytesIO()
    PILImage.new("1", (20000, 20000)).save(out, "PNG", optimize=True)
    return out.getvalue()


def upload(client, unit, raw: bytes, filename="photo.jpg", mimetype="image/jpeg", alt="Vitrine vue de la rue"):
    # Encoded in memory: the test client would spool a large body to a temporary file it never closes.
    photo = FileStorage(io.BytesIO(raw), filename=filename, content_type=mimetype)
    boundary, body = encode_multipart({"photo": photo, "alt_text": alt})
    return client.post(f"/units/{unit.id}/photos", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def served_url(image: Image) -> str:
    ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}[image.content_type]
    return f"/images/{image.token}.{ext}"


@pytest.fixture
def owner_a(make_user):
    return make_user(role="owner", name="Alice Owner", email="alice@example.org")


@pytest.fixture
def owner_b(make_user):
    return make_user(role="owner", name="Bob Owner")


@pytest.fixture
def staff(make_user, commune):
    return make_user(role="staff", communes=[commune])


@pytest.fixture
def unit_a(make_unit, owner_a):
    return make_unit(address="Grand-Place 7, 7860 Lessines", owner=owner_a)


@pytest.fixture
def pending_a(make_unit, owner_a):
    return make_unit(
        address="Rue des Moulins 3, 7860 Lessines", owner=owner_a, approval="pending", proposed_by_id=owner_a.id
    )


@pytest.fixture
def as_owner_a(client, auth, owner_a):
    auth.login(owner_a.email)
    english(client)
    return client


@pytest.fixture
def add_photo(db):
    """A photo stored directly (as the upload would), for tests about who sees it."""
    from popup.uploads.operations import add_unit_photo

    def add(unit, alt_text="Une photo", fmt="JPEG"):
        return add_unit_photo(unit, image_bytes(fmt), alt_text=alt_text, by=None)

    return add


# -- what is accepted ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "filename", "content_type"),
    [("JPEG", "facade.jpg", "image/jpeg"), ("PNG", "facade.png", "image/png"), ("WEBP", "facade.webp", "image/webp")],
)
def test_jpeg_png_and_webp_photos_are_accepted_and_served(as_owner_a, db, unit_a, fmt, filename, content_type):
    response = upload(as_owner_a, unit_a, image_bytes(fmt), filename=filename, mimetype="application/octet-stream")
    assert response.status_code == 302
    (image,) = images(db, unit_a)
    assert image.content_type == content_type
    assert (image.width, image.height) == (64, 48)
    assert image.alt_text == "Vitrine vue de la rue"
    assert len(image.token) >= 32 and filename not in image.token
    served = as_owner_a.get(served_url(image))
    assert served.status_code == 200
    assert served.headers["Content-Type"] == content_type
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"] == "inline"
    assert "max-age=31536000" in served.headers["Cache-Control"]  # an approved unit's photo is public
    assert PILImage.open(io.BytesIO(served.data)).format == fmt


def test_exif_and_its_gps_position_are_gone_from_the_served_photo(as_owner_a, db, unit_a):
    raw = image_bytes("JPEG", exif_gps=True)
    assert PILImage.open(io.BytesIO(raw)).getexif().get(GPS)
    assert upload(as_owner_a, unit_a, raw).status_code == 302
    (image,) = images(db, unit_a)
    served = as_owner_a.get(served_url(image)).data
    exif = PILImage.open(io.BytesIO(served)).getexif()
    assert not exif.get(GPS) and not exif.get(MAKE)
    assert b"PhoneMaker" not in served


# -- what is refused ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "filename", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "photo.jpg", "This file is not an image."),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "photo.png", "not an image"),
        (b"<?php system($_GET['c']); ?>", "photo.webp", "This file is not an image."),
        (image_bytes("JPEG", size=(400, 400))[:1500], "photo.jpg", "The image is damaged or incomplete."),
        (bomb_png(), "photo.png", "The image has far too many pixels."),
        (image_bytes("GIF"), "photo.gif", "This image format is not accepted."),
        (b"", "photo.jpg", "The file is empty. Choose a photo."),
        (b"x" * (MAX_IMAGE_BYTES + 1), "photo.jpg", "The photo is larger than 5 MB."),
    ],
    ids=["html", "svg", "php", "truncated", "bomb", "gif", "empty", "too-large"],
)
def test_files_that_are_not_usable_photos_are_refused_with_a_clear_message(
    as_owner_a, db, unit_a, raw, filename, message
):
    response = upload(as_owner_a, unit_a, raw, filename=filename, mimetype="image/jpeg")
    assert response.status_code == 422
    assert message in page_text(response)
    assert 'id="photo-error"' in response.text
    assert images(db) == []


def test_a_photo_needs_a_description(as_owner_a, db, unit_a):
    response = upload(as_owner_a, unit_a, image_bytes("JPEG"), alt="  ")
    assert response.status_code == 422
    assert "Describe the photo in a few words" in page_text(response)
    assert images(db) == []


def test_an_eleventh_photo_is_refused(as_owner_a, db, unit_a, add_photo):
    for n in range(MAX_PHOTOS_PER_UNIT):
        add_photo(unit_a, alt_text=f"Photo {n}")
    page = as_owner_a.get(f"/units/{unit_a.id}/photos")
    assert "This unit has the most photos allowed." in page_text(page)
    response = upload(as_owner_a, unit_a, image_bytes("PNG"))
    assert response.status_code == 422
    assert "A unit has at most 10 photos. Delete one before adding another." in page_text(response)
    assert len(images(db, unit_a)) == MAX_PHOTOS_PER_UNIT


# -- managing photos ------------------------------------------------------------------


def test_the_owner_changes_the_description_and_deletes_a_photo(as_owner_a, db, unit_a, add_photo):
    first, second = add_photo(unit_a, alt_text="Avant"), add_photo(unit_a)
    response = as_owner_a.post(
        f"/units/{unit_a.id}/photos/{first.id}/alt", data={f"alt-{first.id}-alt_text": "Façade rénovée"}
    )
    assert response.status_code == 302
    response = as_owner_a.post(f"/units/{unit_a.id}/photos/{first.id}/alt", data={f"alt-{first.id}-alt_text": ""})
    assert response.status_code == 422
    assert images(db, unit_a)[0].alt_text == "Façade rénovée"
    assert as_owner_a.post(f"/units/{unit_a.id}/photos/{second.id}/delete").status_code == 302
    assert [i.id for i in images(db)] == [first.id]
    assert as_owner_a.get(f"/units/{unit_a.id}/photos/{first.id}/delete").status_code == 405


def test_staff_of_the_commune_manage_the_photos(client, auth, db, staff, unit_a):
    auth.login(staff.email)
    assert client.get(f"/units/{unit_a.id}/photos").status_code == 200
    assert upload(client, unit_a, image_bytes("PNG")).status_code == 302
    assert len(images(db, unit_a)) == 1


def test_a_photo_of_another_unit_cannot_be_reached_through_yours(as_owner_a, db, make_unit, owner_b, unit_a, add_photo):
    theirs = add_photo(make_unit(owner=owner_b))
    assert as_owner_a.post(f"/units/{unit_a.id}/photos/{theirs.id}/delete").status_code == 404
    assert as_owner_a.post(f"/units/{unit_a.id}/photos/{theirs.id}/alt", data={"alt_text": "x"}).status_code == 404
    assert len(images(db)) == 1


def test_owner_b_can_do_nothing_with_owner_as_photos(client, auth, db, owner_b, unit_a, pending_a, add_photo):
    photos = {unit.id: add_photo(unit, alt_text="Photo d'Alice") for unit in (unit_a, pending_a)}
    auth.login(owner_b.email)
    for unit in (unit_a, pending_a):
        photo = photos[unit.id]
        assert client.get(f"/units/{unit.id}/photos").status_code == 404
        assert upload(client, unit, image_bytes("JPEG")).status_code == 404
        assert client.post(f"/units/{unit.id}/photos/{photo.id}/delete").status_code == 404
        response = client.post(f"/units/{unit.id}/photos/{photo.id}/alt", data={f"alt-{photo.id}-alt_text": "Hacked"})
        assert response.status_code == 404
    expected = [(unit_a.id, "Photo d'Alice"), (pending_a.id, "Photo d'Alice")]
    assert [(i.unit_id, i.alt_text) for i in images(db)] == expected
    assert client.get("/units/987654/photos").status_code == 404


@pytest.mark.parametrize("role", ["entrepreneur", "coach"])
def test_other_roles_cannot_manage_photos(client, auth, make_user, unit_a, role):
    auth.login(make_user(role=role).email)
    assert client.get(f"/units/{unit_a.id}/photos").status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, db, unit_a, add_photo):
    photo = add_photo(unit_a)
    response = client.get(f"/units/{unit_a.id}/photos")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert client.post(f"/units/{unit_a.id}/photos/{photo.id}/delete").status_code == 302
    assert len(images(db)) == 1


# -- who sees a photo ---------------------------------------------------------------------


def test_a_pending_units_photos_are_private(client, auth, db, owner_a, owner_b, staff, pending_a, add_photo):
    url = served_url(add_photo(pending_a))
    assert client.get(url).status_code == 404
    auth.login(owner_b.email)
    assert client.get(url).status_code == 404
    auth.logout()
    for user in (owner_a, staff):
        auth.login(user.email)
        served = client.get(url)
        assert served.status_code == 200
        assert served.headers["Cache-Control"] == "private, no-store"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        auth.logout()


def test_an_approved_units_photos_are_public(client, unit_a, add_photo):
    photo = add_photo(unit_a, fmt="PNG")
    served = client.get(served_url(photo))
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["Cache-Control"].startswith("public")


def test_unknown_or_mismatched_image_addresses_are_not_found(client, unit_a, add_photo):
    photo = add_photo(unit_a)  # a JPEG
    assert client.get(f"/images/{photo.token}.png").status_code == 404
    assert client.get(f"/images/{photo.token}.html").status_code == 404
    assert client.get("/images/" + "A" * 32 + ".jpg").status_code == 404
    assert client.get("/images/x.jpg").status_code == 404


def test_the_unit_page_shows_the_photos_with_their_descriptions(client, auth, owner_a, unit_a, add_photo):
    photo = add_photo(unit_a, alt_text="Vitrine sur la Grand-Place")
    page = client.get(f"/units/{unit_a.id}")
    assert re.search(rf'<img src="{re.escape(served_url(photo))}" alt="Vitrine sur la Grand-Place"', page.text)
    assert f"/units/{unit_a.id}/photos" not in page.text  # the public gets no management link
    auth.login(owner_a.email)
    assert f'href="/units/{unit_a.id}/photos"' in client.get(f"/units/{unit_a.id}").text


def test_xss_in_a_photo_description_comes_out_escaped(as_owner_a, db, unit_a):
    assert upload(as_owner_a, unit_a, image_bytes("JPEG"), alt=XSS).status_code == 302
    for page in (as_owner_a.get(f"/units/{unit_a.id}/photos"), as_owner_a.get(f"/units/{unit_a.id}")):
        assert page.status_code == 200
        assert XSS not in page.text
        assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
