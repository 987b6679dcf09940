"""Reads of rotations and bookings: lists, calendars, feeds, days present."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from popup.auth.models import User, staff_communes
from popup.domain.bookings import days_present_by_month
from popup.extensions import db
from popup.leases.models import Lease
from popup.offers.models import Offer, Stand
from popup.schedules.models import Booking, CalendarFeed, Rotation, SwapRequest
from popup.units.models import Unit

MAX_TOKEN = 64


def _in_communes_of(user: User, stmt):
    stmt = stmt.join(Unit, Unit.id == Offer.unit_id).where(Unit.archived_at.is_(None))
    if user.role != "admin":
        communes = select(staff_communes.c.commune_id).where(staff_communes.c.user_id == user.id)
        stmt = stmt.where(Unit.commune_id.in_(communes))
    return stmt


def rotations_for(user: User) -> list[Rotation]:
    stmt = _in_communes_of(user, select(Rotation).join(Offer, Offer.id == Rotation.offer_id))
    return list(db.session.scalars(stmt.order_by(Rotation.starts_on.desc(), Rotation.id.desc())))


def offers_to_plan(user: User) -> list[Offer]:
    """Offers with stands in the user's communes: each may get a rotation."""
    stmt = _in_communes_of(user, select(Offer)).where(Offer.id.in_(select(Stand.offer_id)))
    return list(db.session.scalars(stmt.order_by(Offer.title, Offer.id)))


def entrepreneur_choices(offer: Offer) -> list[tuple[int, str]]:
    """Those who applied to the offer first, then every other active entrepreneur."""
    from popup.applications.models import Application

    applied = select(Application.entrepreneur_id).where(Application.offer_id == offer.id, Application.status != "draft")
    first = list(db.session.scalars(select(User).where(User.id.in_(applied)).order_by(User.name, User.id)))
    rest = db.session.scalars(
        select(User)
        .where(User.role == "entrepreneur", User.active.is_(True), User.id.not_in(applied))
        .order_by(User.name, User.id)
    )
    return [(u.id, u.name) for u in first] + [(u.id, u.name) for u in rest]


def applicant_ids(offer: Offer) -> set[int]:
    from popup.applications.models import Application

    return set(
        db.session.scalars(
            select(Application.entrepreneur_id).where(Application.offer_id == offer.id, Application.status != "draft")
        )
    )


def bookings_of_user(user_id: int, start: date | None = None, end: date | None = None) -> list[Booking]:
    stmt = (
        select(Booking)
        .where(Booking.entrepreneur_id == user_id)
        .options(joinedload(Booking.stand), joinedload(Booking.rotation).joinedload(Rotation.offer))
    )
    if start is not None and end is not None:
        stmt = stmt.where(Booking.starts_on < end, Booking.ends_on > start)
    return list(db.session.scalars(stmt.order_by(Booking.starts_on, Booking.id)).unique())


def bookings_of_rotation(rotation: Rotation, start: date | None = None, end: date | None = None) -> list[Booking]:
    stmt = (
        select(Booking)
        .where(Booking.rotation_id == rotation.id)
        .options(joinedload(Booking.stand), joinedload(Booking.entrepreneur))
    )
    if start is not None and end is not None:
        stmt = stmt.where(Booking.starts_on < end, Booking.ends_on > start)
    return list(db.session.scalars(stmt.order_by(Booking.starts_on, Booking.stand_id)).unique())


def swap_requests(rotation: Rotation, pending_only: bool = False) -> list[SwapRequest]:
    stmt = select(SwapRequest).where(SwapRequest.rotation_id == rotation.id)
    if pending_only:
        stmt = stmt.where(SwapRequest.status == "pending")
    return list(db.session.scalars(stmt.order_by(SwapRequest.created_at.desc(), SwapRequest.id.desc())))


def swap_requests_of(user: User) -> list[SwapRequest]:
    stmt = select(SwapRequest).where(SwapRequest.requested_by_id == user.id)
    return list(db.session.scalars(stmt.order_by(SwapRequest.created_at.desc(), SwapRequest.id.desc())))


def feed_by_token(token) -> CalendarFeed | None:
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN:
        return None
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))


def existing_feed(*, user: User | None = None, rotation: Rotation | None = None) -> CalendarFeed | None:
    if user is not None:
        return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.rotation_id == rotation.id))


def presence_days(rotation_or_offer: Rotation | Offer, month: date) -> dict[int, int]:
    """Days each entrepreneur holds a stand of the shop in the month of ``month``: {user id: days}.

    For the rent split of a lease by days present. Given an offer, every
    rotation of it counts.
    """
    first = month.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    stmt = select(Booking.entrepreneur_id, Booking.starts_on, Booking.ends_on).where(
        Booking.starts_on < after, Booking.ends_on > first
    )
    if isinstance(rotation_or_offer, Rotation):
        stmt = stmt.where(Booking.rotation_id == rotation_or_offer.id)
    else:
        stmt = stmt.join(Rotation, Rotation.id == Booking.rotation_id).where(Rotation.offer_id == rotation_or_offer.id)
    return days_present_by_month(db.session.execute(stmt), first)


def users_named(ids) -> dict[int, str]:
    ids = list(ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))))


def bookings_of_lease(lease_id: int) -> list[tuple[int, date, date]]:
    """(entrepreneur id, start, end) of every booking of the rotations of a lease: its days present."""
    stmt = (
        select(Booking.entrepreneur_id, Booking.starts_on, Booking.ends_on)
        .join(Rotation, Rotation.id == Booking.rotation_id)
        .where(Rotation.lease_id == lease_id)
        .order_by(Booking.starts_on, Booking.id)
    )
    return [(holder, start, end) for holder, start, end in db.session.execute(stmt)]


def rotations_of_lease(lease_id: int) -> list[Rotation]:
    stmt = select(Rotation).where(Rotation.lease_id == lease_id).order_by(Rotation.starts_on, Rotation.id)
    return list(db.session.scalars(stmt))


CLOSED_LEASES = ("ended", "terminated")


def leases_of_unit(unit_id: int) -> list[Lease]:
    """The leases a rotation of a shop on this unit may belong to, the latest first."""
    stmt = select(Lease).where(Lease.unit_id == unit_id).order_by(Lease.starts_on.desc(), Lease.id.desc())
    return list(db.session.scalars(stmt))


def default_lease(offer: Offer, starts_on: date | None = None, ends_on: date | None = None) -> Lease | None:
    """The offer's own lease a new rotation belongs to: one still open, overlapping the rotation when it can,
    signed or running before a draft, the oldest first."""
    leases = [
        lease
        for lease in db.session.scalars(select(Lease).where(Lease.offer_id == offer.id).order_by(Lease.id))
        if lease.status not in CLOSED_LEASES
    ]

    def rank(lease: Lease) -> tuple[bool, bool, int]:
        overlaps = starts_on is None or ends_on is None or (lease.starts_on < ends_on and starts_on < lease.ends_on)
        return (not overlaps, lease.status == "draft", lease.id)

    return min(leases, key=rank, default=None)
