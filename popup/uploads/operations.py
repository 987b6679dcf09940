"""Photos of units: checked by content, re-encoded, kept in the database. They flush; the view commits."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select

from popup.auth.models import User
from popup.extensions import db
from popup.units.models import Unit
from popup.uploads.models import Image
from popup.uploads.processing import process_image

MAX_PHOTOS_PER_UNIT = 10
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


class TooManyPhotos(ValueError):
    """The unit already has MAX_PHOTOS_PER_UNIT photos."""


def extension_of(image: Image) -> str:
    return EXTENSIONS.get(image.content_type, "bin")


def photo_count(unit_id: int) -> int:
    return db.session.scalar(select(func.count(Image.id)).where(Image.unit_id == unit_id)) or 0


def unit_photos(unit_id: int) -> list[Image]:
    return list(db.session.scalars(select(Image).where(Image.unit_id == unit_id).order_by(Image.position, Image.id)))


def image_by_token(token, ext) -> Image | None:
    """The image a URL names, if its extension matches what it is."""
    if not isinstance(token, str) or not 16 <= len(token) <= 64:
        return None
    image = db.session.scalar(select(Image).where(Image.token == token))
    if image is None or extension_of(image) != ext:
        return None
    return image


def add_unit_photo(unit: Unit, raw: bytes, *, alt_text: str, by: User | None) -> Image:
    """Check, re-encode and store one photo of the unit under a random token.

    Raises popup.uploads.processing.UploadError for a refused file and
    TooManyPhotos when the unit is full.
    """
    # Lock the unit (BEGIN IMMEDIATE does it on SQLite) so two uploads at once cannot pass the limit together.
    db.session.execute(select(Unit.id).where(Unit.id == unit.id).with_for_update())
    if photo_count(unit.id) >= MAX_PHOTOS_PER_UNIT:
        raise TooManyPhotos(unit.id)
    processed = process_image(raw)
    last = db.session.scalar(select(func.max(Image.position)).where(Image.unit_id == unit.id))
    image = Image(
        unit_id=unit.id,
        token=secrets.token_urlsafe(24),
        content_type=processed.content_type,
        data=processed.data,
        width=processed.width,
        height=processed.height,
        size_bytes=len(processed.data),
        position=(last or 0) + 1,
        alt_text=alt_text,
        uploaded_by_id=by.id if by is not None else None,
    )
    db.session.add(image)
    db.session.flush()
    return image


def set_alt_text(image: Image, alt_text: str) -> None:
    image.alt_text = alt_text
    db.session.flush()


def delete_photo(image: Image) -> None:
    db.session.delete(image)
    db.session.flush()
