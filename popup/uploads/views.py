from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from popup.extensions import db
from popup.owners.policies import manager_of_unit, viewer_of_image
from popup.permissions import policy
from popup.units.policies import live_unit
from popup.uploads import operations
from popup.uploads.forms import AltTextForm, PhotoForm
from popup.uploads.models import Image
from popup.uploads.processing import MAX_IMAGE_BYTES, UploadError

INVALID = 422
PUBLIC_CACHE = "public, max-age=31536000, immutable"  # the token changes with the content: cache for good
PRIVATE_CACHE = "private, no-store"


def upload_message(code: str) -> str:
    """Why a file was refused, in the user's language (codes: popup.uploads.processing)."""
    messages = {
        "empty": _("The file is empty. Choose a photo."),
        "too_large": _("The photo is larger than 5 MB. Send a smaller one."),
        "not_image": _("This file is not an image. Send a JPEG, PNG or WebP photo."),
        "format": _("This image format is not accepted. Send a JPEG, PNG or WebP photo."),
        "broken": _("The image is damaged or incomplete. Send it again, or another one."),
        "bomb": _("The image has far too many pixels. Send a photo of at most 40 megapixels."),
    }
    return messages.get(code, _("This file cannot be used as a photo."))


def _render(unit, form: PhotoForm, status: int = 200, alt_forms: dict | None = None):
    photos = operations.unit_photos(unit.id)
    alt_forms = alt_forms or {}
    for photo in photos:
        alt_forms.setdefault(
            photo.id, AltTextForm(formdata=None, prefix=f"alt-{photo.id}", data={"alt_text": photo.alt_text})
        )
    return (
        render_template(
            "uploads/photos.html",
            unit=unit,
            photos=photos,
            form=form,
            alt_forms=alt_forms,
            max_photos=operations.MAX_PHOTOS_PER_UNIT,
        ),
        status,
    )


@policy(manager_of_unit)
def unit_photos(unit_id: int):
    unit = live_unit(unit_id)
    form = PhotoForm()
    if not form.is_submitted():
        return _render(unit, form)
    if form.validate():
        raw = form.photo.data.stream.read(MAX_IMAGE_BYTES + 1)
        try:
            operations.add_unit_photo(unit, raw, alt_text=form.alt_text.data, by=current_user._get_current_object())
        except operations.TooManyPhotos:
            form.photo.errors.append(
                _(
                    "A unit has at most %(max)d photos. Delete one before adding another.",
                    max=operations.MAX_PHOTOS_PER_UNIT,
                )
            )
        except UploadError as refused:
            form.photo.errors.append(upload_message(refused.code))
        else:
            db.session.commit()
            flash(_("Photo added."), "success")
            return redirect(url_for("uploads.unit_photos", unit_id=unit.id))
    db.session.rollback()
    return _render(unit, form, INVALID)


def _photo_of(unit, image_id: int) -> Image:
    image = db.session.get(Image, image_id)
    if image is None or image.unit_id != unit.id:
        abort(404)
    return image


@policy(manager_of_unit)
def update_alt_text(unit_id: int, image_id: int):
    unit = live_unit(unit_id)
    image = _photo_of(unit, image_id)
    form = AltTextForm(prefix=f"alt-{image.id}")
    if not form.validate_on_submit():
        return _render(unit, PhotoForm(formdata=None), INVALID, alt_forms={image.id: form})
    operations.set_alt_text(image, form.alt_text.data)
    db.session.commit()
    flash(_("Description saved."), "success")
    return redirect(url_for("uploads.unit_photos", unit_id=unit.id))


@policy(manager_of_unit)
def delete_photo(unit_id: int, image_id: int):
    unit = live_unit(unit_id)
    operations.delete_photo(_photo_of(unit, image_id))
    db.session.commit()
    flash(_("Photo deleted."), "success")
    return redirect(url_for("uploads.unit_photos", unit_id=unit.id))


@policy(viewer_of_image)
def image(token: str, ext: str):
    found = operations.image_by_token(token, ext)
    unit = live_unit(found.unit_id)
    response = make_response(found.data)
    response.headers["Content-Type"] = found.content_type
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = PUBLIC_CACHE if unit.approval == "approved" else PRIVATE_CACHE
    return response


def image_url(image: Image) -> str:
    """Where a stored image is served (template helper)."""
    return url_for("uploads.image", token=image.token, ext=operations.extension_of(image))
