"""The entrepreneur's profile and vitrine: exported, deleted on erasure (its photos go with it)."""

from __future__ import annotations

from sqlalchemy import delete

from popup import gdpr
from popup.applications.models import EntrepreneurProfile
from popup.extensions import db

FIELDS = (
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
    "updated_at",
)


def export(user) -> dict | None:
    profile = db.session.get(EntrepreneurProfile, user.id)
    return None if profile is None else gdpr.row(profile, *FIELDS)


def erase(user) -> None:
    db.session.execute(delete(EntrepreneurProfile).where(EntrepreneurProfile.user_id == user.id))
    db.session.flush()


gdpr.register("profile", export, erase, tables=("entrepreneur_profiles",))
