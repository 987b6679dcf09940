"""Saving profiles, vitrine photos and business plans. They flush; the view commits."""

from __future__ import annotations

import secrets

from werkzeug.utils import secure_filename

from popup.applications.models import EntrepreneurProfile
from popup.auth.models import User
from popup.extensions import db
from popup.profiles import queries
from popup.uploads.models import Document, Image
from popup.uploads.processing import ProcessedImage, check_pdf

PROFILE_FIELDS = frozenset(
    {
        "business_name",
        "concept",
        "sector",
        "area_min_m2",
        "area_max_m2",
        "budget_cents",
        "wanted_start_on",
        "test_months",
        "preferred_core_ids",
        "opening_days",
        "public_name",
        "public_description",
        "links",
    }
)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def save_profile(user: User, **fields) -> EntrepreneurProfile:
    """Create or update the entrepreneur's profile."""
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise ValueError(f"not a profile field: {sorted(unknown)}")
    profile = queries.profile_of(user.id)
    if profile is None:
        profile = EntrepreneurProfile(user=user)
        db.session.add(profile)
    for name, value in fields.items():
        setattr(profile, name, list(value) if isinstance(value, list | tuple) else value)
    db.session.flush()
    return profile


def set_photo(profile: EntrepreneurProfile, image: ProcessedImage, *, alt_text: str, by: User) -> Image:
    """The vitrine's photo (one per profile: a new one replaces the old)."""
    remove_photo(profile)
    photo = Image(
        token=new_token(),
        profile_user_id=profile.user_id,
        content_type=image.content_type,
        data=image.data,
        width=image.width,
        height=image.height,
        size_bytes=len(image.data),
        alt_text=alt_text,
        uploaded_by_id=by.id,
    )
    db.session.add(photo)
    db.session.flush()
    return photo


def set_photo_alt(profile: EntrepreneurProfile, alt_text: str) -> None:
    photo = queries.vitrine_photo(profile.user_id)
    if photo is not None:
        photo.alt_text = alt_text
        db.session.flush()


def remove_photo(profile: EntrepreneurProfile) -> bool:
    photo = queries.vitrine_photo(profile.user_id)
    if photo is None:
        return False
    db.session.delete(photo)
    db.session.flush()
    return True


def _filename(name: str | None) -> str:
    cleaned = secure_filename(name or "")[:180]
    if not cleaned.lower().endswith(".pdf"):
        cleaned = (cleaned or "business-plan") + ".pdf"
    return cleaned


def replace_business_plan(user: User, raw: bytes, filename: str | None) -> Document:
    """Store a checked PDF as the user's business plan; the previous one is deleted.

    Raises UploadError (``empty``, ``too_large``, ``not_pdf``, ``broken``) and changes nothing then.
    """
    check_pdf(raw)
    for old in db.session.scalars(db.select(Document).filter_by(user_id=user.id, kind="business_plan")):
        db.session.delete(old)
    document = Document(
        token=new_token(),
        user_id=user.id,
        kind="business_plan",
        filename=_filename(filename),
        content_type="application/pdf",
        data=raw,
        size_bytes=len(raw),
    )
    db.session.add(document)
    db.session.flush()
    return document


def delete_document(document: Document) -> None:
    db.session.delete(document)
    db.session.flush()
