"""Reading profiles, their photo and their documents."""

from __future__ import annotations

from sqlalchemy import select

from popup.applications.models import EntrepreneurProfile
from popup.auth.models import User
from popup.communes.models import CommercialCore, Commune
from popup.extensions import db
from popup.uploads.models import Document, Image


def profile_of(user_id: int) -> EntrepreneurProfile | None:
    return db.session.get(EntrepreneurProfile, user_id)


def public_profile(user_id: int) -> EntrepreneurProfile | None:
    """The profile of an entrepreneur whose vitrine is public (a public name is set)."""
    profile = profile_of(user_id) if 0 < user_id <= 2**31 - 1 else None
    if profile is None or not profile.public_name or profile.user.role != "entrepreneur" or not profile.user.active:
        return None
    return profile


def cores_by_commune() -> list[tuple[Commune, list[CommercialCore]]]:
    """Every commercial core, grouped by commune (communes without cores are left out)."""
    cores = db.session.scalars(
        select(CommercialCore).join(Commune).order_by(Commune.name, CommercialCore.name, CommercialCore.id)
    ).all()
    grouped: dict[int, tuple[Commune, list[CommercialCore]]] = {}
    for core in cores:
        grouped.setdefault(core.commune_id, (core.commune, []))[1].append(core)
    return list(grouped.values())


def cores_named(ids) -> list[CommercialCore]:
    ids = [i for i in ids or [] if isinstance(i, int)]
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(CommercialCore)
            .join(Commune)
            .where(CommercialCore.id.in_(ids))
            .order_by(Commune.name, CommercialCore.name)
        )
    )


def vitrine_photo(user_id: int) -> Image | None:
    return db.session.scalars(
        select(Image).where(Image.profile_user_id == user_id).order_by(Image.position, Image.id).limit(1)
    ).first()


def business_plan(user_id: int) -> Document | None:
    return db.session.scalars(
        select(Document)
        .where(Document.user_id == user_id, Document.kind == "business_plan")
        .order_by(Document.created_at.desc(), Document.id.desc())
        .limit(1)
    ).first()


def documents_of(user: User) -> list[Document]:
    return list(
        db.session.scalars(select(Document).where(Document.user_id == user.id).order_by(Document.created_at.desc()))
    )
