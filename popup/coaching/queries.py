"""Reading coach assignments and coaching notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from popup.applications.models import Application
from popup.auth.models import User, staff_communes
from popup.calls.models import Call
from popup.coaching.models import CoachAssignment, CoachingNote
from popup.communes.models import Commune
from popup.extensions import db
from popup.leases.models import Lease, LeaseTenant
from popup.offers.models import Offer
from popup.schedules.models import Booking, Rotation
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


def coached_entrepreneur_ids(coach: User, commune_id: int, today: date) -> set[int]:
    """The entrepreneurs the coach follows today in the commune."""
    return set(
        db.session.scalars(
            select(CoachAssignment.entrepreneur_id).where(
                CoachAssignment.coach_id == coach.id, CoachAssignment.commune_id == commune_id, *_current(today)
            )
        )
    )


# -- the entrepreneur's lease shares and schedule, read only, for the coach's view ---------------------


@dataclass(frozen=True)
class LeaseShare:
    tenant: LeaseTenant
    start: date
    end: date  # exclusive
    months: list[date]  # first days of the months with a statement line for the share

    @property
    def lease(self) -> Lease:
        return self.tenant.lease

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month < end:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def lease_shares_of(entrepreneur: User, commune: Commune) -> list[LeaseShare]:
    """The entrepreneur's co-tenancies in the commune's signed leases (drafts are not theirs yet), latest first."""
    tenants = db.session.scalars(
        select(LeaseTenant)
        .join(Lease, Lease.id == LeaseTenant.lease_id)
        .options(joinedload(LeaseTenant.lease).joinedload(Lease.unit), joinedload(LeaseTenant.stand))
        .where(
            LeaseTenant.entrepreneur_id == entrepreneur.id,
            Lease.commune_id == commune.id,
            Lease.status != "draft",
        )
        .order_by(LeaseTenant.entry_on.desc(), LeaseTenant.id.desc())
    ).all()
    shares = []
    for tenant in tenants:
        end = min(tenant.exit_on or tenant.lease.effective_end, tenant.lease.effective_end)
        start = max(tenant.entry_on, tenant.lease.starts_on)
        if end > start:
            shares.append(LeaseShare(tenant, start, end, _months(start, end)))
    return shares


def bookings_of(entrepreneur: User, commune: Commune) -> list[Booking]:
    """The entrepreneur's bookings in the commune's shared shops, in date order."""
    return list(
        db.session.scalars(
            select(Booking)
            .join(Rotation, Rotation.id == Booking.rotation_id)
            .join(Offer, Offer.id == Rotation.offer_id)
            .join(Unit, Unit.id == Offer.unit_id)
            .options(joinedload(Booking.stand), joinedload(Booking.rotation).joinedload(Rotation.offer))
            .where(Booking.entrepreneur_id == entrepreneur.id, Unit.commune_id == commune.id)
            .order_by(Booking.starts_on, Booking.id)
        )
    )
