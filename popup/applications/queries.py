"""Reading applications."""

from __future__ import annotations

from sqlalchemy import select

from popup.applications.models import Application
from popup.auth.models import User, staff_communes
from popup.communes.models import Commune
from popup.domain.applications import ACTIVE
from popup.extensions import db

ACTIVE_STATUSES = tuple(sorted(s.value for s in ACTIVE))


def active_for_call(entrepreneur_id: int, call_id: int) -> Application | None:
    return db.session.scalars(
        select(Application)
        .where(
            Application.entrepreneur_id == entrepreneur_id,
            Application.call_id == call_id,
            Application.status.in_(ACTIVE_STATUSES),
        )
        .limit(1)
    ).first()


def active_for_offer(entrepreneur_id: int, offer_id: int) -> Application | None:
    return db.session.scalars(
        select(Application)
        .where(
            Application.entrepreneur_id == entrepreneur_id,
            Application.offer_id == offer_id,
            Application.call_id.is_(None),
            Application.status.in_(ACTIVE_STATUSES),
        )
        .limit(1)
    ).first()


def applications_of(user: User) -> list[Application]:
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.entrepreneur_id == user.id)
            .order_by(Application.created_at.desc(), Application.id.desc())
        )
    )


def staff_of(commune: Commune) -> list[User]:
    """Active staff accounts of a commune (administrators are not notified of every application)."""
    return list(
        db.session.scalars(
            select(User)
            .join(staff_communes, staff_communes.c.user_id == User.id)
            .where(staff_communes.c.commune_id == commune.id, User.role == "staff", User.active.is_(True))
            .order_by(User.id)
        )
    )


def title_of(application: Application) -> str:
    """What the application is for, in words: the call's title or the offer's."""
    if application.call is not None:
        return application.call.title
    return application.offer.title
