"""Reading coach assignments and coaching notes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from popup.applications.models import Application
from popup.auth.models import User, staff_communes
from popup.calls.models import Call
from popup.coaching.models import CoachAssignment, CoachingNote
from popup.communes.models import Commune
from popup.extensions import db
from popup.offers.models import Offer
from popup.units.models import Unit

MAX_ID = 2**31 - 1  # ids beyond this cannot exist (PostgreSQL's integer refuses them)


def get_assignment(ident) -> CoachAssignment | None:
    if not isinstance(ident, int) or not 0 < ident <= MAX_ID:
        return None
    return db.session.get(CoachAssignment, ident)


def get_note(ident) -> CoachingNote | None:
    if not isinstance(ident, int) or not 0 < ident <= MAX_ID:
        return None
    return db.session.get(CoachingNote, ident)


def _current(today: date):
    return (
        CoachAssignment.since_on <= today,
        or_(CoachAssignment.until_on.is_(None), CoachAssignment.until_on > today),
    )


def assignments_of_commune(commune: Commune) -> list[CoachAssignment]:
    """Every assignment of the commune, open ones first, then the most recent."""
    return list(
        db.session.scalars(
            select(CoachAssignment)
            .options(joinedload(CoachAssignment.coach), joinedload(CoachAssignment.entrepreneur))
            .where(CoachAssignment.commune_id == commune.id)
            .order_by(CoachAssignment.until_on.is_not(None), CoachAssignment.since_on.desc(), CoachAssignment.id)
        )
    )


def current_assignments_of_coach(coach: User, today: date) -> list[CoachAssignment]:
    return list(
        db.session.scalars(
            select(CoachAssignment)
            .options(joinedload(CoachAssignment.entrepreneur), joinedload(CoachAssignment.commune))
            .where(CoachAssignment.coach_id == coach.id, *_current(today))
            .order_by(CoachAssignment.since_on, CoachAssignment.id)
        )
    )


def open_assignment(commune: Commune, entrepreneur: User) -> CoachAssignment | None:
    return db.session.scalars(
        select(CoachAssignment).where(
            CoachAssignment.commune_id == commune.id,
            CoachAssignment.entrepreneur_id == entrepreneur.id,
            CoachAssignment.until_on.is_(None),
        )
    ).first()


def notes_about(entrepreneur: User) -> list[CoachingNote]:
    """Every note about the entrepreneur, whoever the coach and the commune, latest meeting first."""
    return list(
        db.session.scalars(
            select(CoachingNote)
            .join(CoachAssignment, CoachAssignment.id == CoachingNote.assignment_id)
            .options(joinedload(CoachingNote.author), joinedload(CoachingNote.assignment))
            .where(CoachAssignment.entrepreneur_id == entrepreneur.id)
            .order_by(CoachingNote.met_on.desc(), CoachingNote.id.desc())
        )
    )


def coaches() -> list[User]:
    return list(
        db.session.scalars(select(User).where(User.role == "coach", User.active.is_(True)).order_by(User.name, User.id))
    )


def entrepreneurs_of(commune: Commune) -> list[User]:
    """Entrepreneurs the commune knows: attached to it, or who applied to its calls or offers."""
    applied = (
        select(Application.entrepreneur_id)
        .outerjoin(Call, Call.id == Application.call_id)
        .outerjoin(Offer, Offer.id == Application.offer_id)
        .outerjoin(Unit, Unit.id == Offer.unit_id)
        .where(Application.submitted_at.is_not(None), or_(Call.commune_id == commune.id, Unit.commune_id == commune.id))
    )
    attached = select(staff_communes.c.user_id).where(staff_communes.c.commune_id == commune.id)
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role == "entrepreneur",
                User.active.is_(True),
                or_(User.id.in_(applied), User.id.in_(attached)),
            )
            .order_by(User.name, User.id)
        )
    )


def applications_of(entrepreneur: User) -> list[Application]:
    """The entrepreneur's applications that left the draft stage (a draft is theirs alone)."""
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.entrepreneur_id == entrepreneur.id, Application.submitted_at.is_not(None))
            .order_by(Application.submitted_at.desc(), Application.id.desc())
        )
    )


def assignments_in_period(commune: Commune, start: date, end: date) -> list[CoachAssignment]:
    """Assignments of the commune that overlap [start, end)."""
    return list(
        db.session.scalars(
            select(CoachAssignment)
            .options(joinedload(CoachAssignment.coach), joinedload(CoachAssignment.entrepreneur))
            .where(
                CoachAssignment.commune_id == commune.id,
                CoachAssignment.since_on < end,
                or_(CoachAssignment.until_on.is_(None), CoachAssignment.until_on > start),
            )
            .order_by(CoachAssignment.since_on, CoachAssignment.id)
        )
    )


def meetings_in_period(commune: Commune, start: date, end: date) -> list[tuple[int, date]]:
    """(assignment id, meeting date) of every coaching note of the commune met in [start, end)."""
    rows = db.session.execute(
        select(CoachingNote.assignment_id, CoachingNote.met_on)
        .join(CoachAssignment, CoachAssignment.id == CoachingNote.assignment_id)
        .where(CoachAssignment.commune_id == commune.id, CoachingNote.met_on >= start, CoachingNote.met_on < end)
    )
    return [(a, on) for a, on in rows]
