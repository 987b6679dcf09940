"""Reads of offers: the public list, an owner's offers, the applications to an offer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from popup.auth.models import User, staff_communes
from popup.extensions import db
from popup.labels import application_status_label
from popup.offers.models import Offer
from popup.units.models import Unit
from popup.uploads.models import Image


def _with_unit(stmt):
    return stmt.join(Unit, Unit.id == Offer.unit_id).options(
        joinedload(Offer.unit).joinedload(Unit.commune), selectinload(Offer.stands)
    )


def is_public(offer: Offer, today: date) -> bool:
    """Published, on a live approved unit, and its window not over."""
    unit = offer.unit
    return (
        offer.status == "published"
        and unit.archived_at is None
        and unit.approval == "approved"
        and (offer.available_until is None or offer.available_until > today)
    )


def public_offers(today: date) -> list[Offer]:
    """What anyone may see on /offers: the same rule as is_public, in SQL."""
    stmt = _with_unit(select(Offer)).where(
        Offer.status == "published",
        Unit.archived_at.is_(None),
        Unit.approval == "approved",
        or_(Offer.available_until.is_(None), Offer.available_until > today),
    )
    return list(db.session.scalars(stmt.order_by(Offer.published_at.desc(), Offer.id.desc())).unique())


def managed_offers(user: User) -> list[Offer]:
    """The offers of the units the user owns, and for staff those of their communes' units."""
    stmt = _with_unit(select(Offer)).where(Unit.archived_at.is_(None))
    if user.role != "admin":
        mine = [Unit.owner_id == user.id]
        if user.role == "staff":
            communes = select(staff_communes.c.commune_id).where(staff_communes.c.user_id == user.id)
            mine.append(Unit.commune_id.in_(communes))
        stmt = stmt.where(or_(*mine))
    return list(db.session.scalars(stmt.order_by(Offer.created_at.desc(), Offer.id.desc())).unique())


def unit_images(unit_id: int) -> list[Image]:
    return list(db.session.scalars(select(Image).where(Image.unit_id == unit_id).order_by(Image.position, Image.id)))


@dataclass(frozen=True)
class OfferApplication:
    id: int
    business_name: str
    sector: str | None
    status: str
    submitted_at: datetime | None

    @property
    def status_label(self) -> str:
        return application_status_label(self.status)


def applications_to(offer: Offer) -> list[OfferApplication]:
    """The applications sent to this offer (drafts are the applicant's own business)."""
    # Imported here: the applications module builds on offers, not the other way round.
    from popup.applications.models import Application, EntrepreneurProfile

    stmt = (
        select(Application, EntrepreneurProfile)
        .outerjoin(EntrepreneurProfile, EntrepreneurProfile.user_id == Application.entrepreneur_id)
        .where(Application.offer_id == offer.id, Application.status != "draft")
        .order_by(Application.submitted_at, Application.id)
    )
    rows = db.session.execute(stmt).all()
    return [
        OfferApplication(
            id=application.id,
            business_name=(profile.business_name if profile and profile.business_name else ""),
            sector=profile.sector if profile else None,
            status=application.status,
            submitted_at=application.submitted_at,
        )
        for application, profile in rows
    ]
