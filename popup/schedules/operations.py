"""Workflows on rotations and bookings. They flush; the view commits.

Every change of a booking goes through ``popup.domain.bookings.check_booking``
first (availability, duration, area, sectors, overlaps) and raises
``BookingRefused`` with the broken rules; the database's own guard against
double booking answers ``popup.geo.BookingConflict`` when two requests race.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask import url_for
from sqlalchemy import or_, select

from popup import geo
from popup.applications.queries import staff_of
from popup.auth.models import User
from popup.domain.bookings import GRAIN_DAYS, Fault, Held, ShopRules, Tenant, check_booking
from popup.extensions import db
from popup.notifications.operations import notify
from popup.offers.models import Offer, Stand
from popup.schedules import queries
from popup.schedules.models import Booking, CalendarFeed, Rotation, RotationCandidate, SwapRequest
from popup.types import utcnow

TOKEN_BYTES = 32


class BookingRefused(ValueError):
    """The change breaks rules of the rotation: ``faults`` says which (nothing was changed)."""

    def __init__(self, faults: Sequence[Fault], who: str = "") -> None:
        super().__init__(", ".join(f.code for f in faults))
        self.faults = list(faults)
        self.who = who


class Refused(ValueError):
    """A workflow step that cannot be taken; ``reason`` names why (for the message)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# -- rotations and candidates ------------------------------------------------------


def create_rotation(offer: Offer, *, by: User, **fields) -> Rotation:
    """A draft rotation of the offer's shop; without a lease given, the offer's lease (when it has one)."""
    if "lease_id" not in fields:
        lease = queries.default_lease(offer, fields.get("starts_on"), fields.get("ends_on"))
        fields["lease_id"] = lease.id if lease is not None else None
    elif fields["lease_id"] is not None:
        _check_lease(offer, fields["lease_id"])
    rotation = Rotation(offer=offer, created_by_id=by.id, status="draft", **fields)
    db.session.add(rotation)
    db.session.flush()
    return rotation


def _check_lease(offer: Offer, lease_id: int) -> None:
    if lease_id not in {lease.id for lease in queries.leases_of_unit(offer.unit_id)}:
        raise Refused("lease_not_of_unit")


def set_lease(rotation: Rotation, lease_id: int | None) -> None:
    """The shared lease the rotation belongs to: one of its unit's leases, or none."""
    if lease_id is not None:
        _check_lease(rotation.offer, lease_id)
    rotation.lease_id = lease_id
    db.session.flush()


def add_candidate(rotation: Rotation, entrepreneur: User, **fields) -> RotationCandidate:
    if any(c.entrepreneur_id == entrepreneur.id for c in rotation.candidates):
        raise Refused("already_candidate")
    candidate = RotationCandidate(rotation=rotation, entrepreneur=entrepreneur, **fields)
    db.session.add(candidate)
    db.session.flush()
    return candidate


def remove_candidate(candidate: RotationCandidate) -> None:
    db.session.delete(candidate)
    db.session.flush()


# -- the rules of one rotation -----------------------------------------------------


def shop_rules(rotation: Rotation) -> ShopRules:
    offer = rotation.offer
    return ShopRules(
        starts_on=rotation.starts_on,
        ends_on=rotation.ends_on,
        grain=rotation.grain,
        opening_days=frozenset(rotation.opening_days or range(7)),
        stand_areas={s.id: s.area_m2 for s in offer.stands},
        allowed_sectors=frozenset(offer.allowed_sectors or ()),
        excluded_sectors=frozenset(offer.excluded_sectors or ()),
        exclusive_sectors=frozenset(rotation.exclusive_sectors or ()),
    )


def tenant_of(candidate: RotationCandidate) -> Tenant:
    return Tenant(
        id=candidate.entrepreneur_id,
        sector=candidate.sector,
        area_m2=candidate.area_m2,
        min_grains=candidate.min_grains,
        max_grains=candidate.max_grains,
        windows=candidate.window_dates(),
    )


def held_around(rotation: Rotation, entrepreneur_ids: Sequence[int]) -> list[Held]:
    """The rotation's bookings, and those the entrepreneurs hold in other rotations."""
    sectors = {c.entrepreneur_id: c.sector for c in rotation.candidates}
    stmt = select(Booking).where(
        or_(Booking.rotation_id == rotation.id, Booking.entrepreneur_id.in_(list(entrepreneur_ids)))
    )
    held = []
    for b in db.session.scalars(stmt):
        here = b.rotation_id == rotation.id
        held.append(
            Held(
                id=b.id,
                stand_id=b.stand_id if here else None,
                tenant_id=b.entrepreneur_id,
                sector=sectors.get(b.entrepreneur_id) if here else None,
                start=b.starts_on,
                end=b.ends_on,
            )
        )
    return held


def candidate_of(rotation: Rotation, entrepreneur_id: int) -> RotationCandidate | None:
    return next((c for c in rotation.candidates if c.entrepreneur_id == entrepreneur_id), None)


def _check(rotation, candidate, stand_id, start, end, others, ignore=()) -> None:
    faults = check_booking(shop_rules(rotation), tenant_of(candidate), stand_id, start, end, others, ignore)
    if faults:
        raise BookingRefused(faults, who=candidate.entrepreneur.name)


# -- bookings ----------------------------------------------------------------------


def book(
    rotation: Rotation, candidate: RotationCandidate, stand_id: int, start: date, end: date, *, by: User
) -> Booking:
    """A new booking, checked against the rules; the database refuses it if another one raced it in."""
    _check(rotation, candidate, stand_id, start, end, held_around(rotation, [candidate.entrepreneur_id]))
    booking = Booking(
        rotation_id=rotation.id,
        stand_id=stand_id,
        entrepreneur_id=candidate.entrepreneur_id,
        starts_on=start,
        ends_on=end,
        created_by_id=by.id,
    )
    db.session.add(booking)
    geo.flush_bookings(db.session)
    return booking


@dataclass(frozen=True)
class PlannedBooking:
    candidate_id: int
    stand_id: int
    start: date
    end: date


def accept_plan(rotation: Rotation, planned: Sequence[PlannedBooking], *, by: User) -> list[Booking]:
    """Every booking of the plan, or none: each is checked against the others and what exists."""
    candidates = {c.id: c for c in rotation.candidates}
    if not planned:
        raise Refused("empty_plan")
    if any(p.candidate_id not in candidates for p in planned):
        raise Refused("unknown_candidate")
    others = held_around(rotation, [candidates[p.candidate_id].entrepreneur_id for p in planned])
    made = []
    for p in planned:
        candidate = candidates[p.candidate_id]
        _check(rotation, candidate, p.stand_id, p.start, p.end, others)
        others.append(Held(("new", len(made)), p.stand_id, candidate.entrepreneur_id, candidate.sector, p.start, p.end))
        made.append(
            Booking(
                rotation_id=rotation.id,
                stand_id=p.stand_id,
                entrepreneur_id=candidate.entrepreneur_id,
                starts_on=p.start,
                ends_on=p.end,
                created_by_id=by.id,
            )
        )
    db.session.add_all(made)
    rotation.status = "active"
    geo.flush_bookings(db.session)
    return made


def _candidate_for(booking: Booking) -> RotationCandidate:
    candidate = candidate_of(booking.rotation, booking.entrepreneur_id)
    if candidate is None:
        raise Refused("not_a_candidate")
    return candidate


def move_booking(booking: Booking, stand_id: int, start: date, end: date, *, by: User) -> None:
    """Another stand or other dates for the same tenant (move or resize)."""
    rotation = booking.rotation
    candidate = _candidate_for(booking)
    _check(rotation, candidate, stand_id, start, end, held_around(rotation, [booking.entrepreneur_id]), [booking.id])
    booking.stand_id, booking.starts_on, booking.ends_on = stand_id, start, end
    geo.flush_bookings(db.session)


def swap_bookings(first: Booking, second: Booking, *, by: User) -> tuple[Booking, Booking]:
    """Each tenant takes the other's stand and dates; both are checked, then both rows are replaced."""
    if first.id == second.id or first.rotation_id != second.rotation_id:
        raise Refused("bad_swap")
    if first.entrepreneur_id == second.entrepreneur_id:
        raise Refused("same_tenant")
    rotation = first.rotation
    a, b = _candidate_for(first), _candidate_for(second)
    others = held_around(rotation, [a.entrepreneur_id, b.entrepreneur_id])
    ignore = [first.id, second.id]
    for candidate, target in ((a, second), (b, first)):
        found = check_booking(
            shop_rules(rotation),
            tenant_of(candidate),
            target.stand_id,
            target.starts_on,
            target.ends_on,
            others,
            ignore,
        )
        if found:
            raise BookingRefused(found, who=candidate.entrepreneur.name)
    new = [
        Booking(
            rotation_id=rotation.id,
            stand_id=target.stand_id,
            entrepreneur_id=candidate.entrepreneur_id,
            starts_on=target.starts_on,
            ends_on=target.ends_on,
            created_by_id=by.id,
        )
        for candidate, target in ((a, second), (b, first))
    ]
    # The old rows leave first: otherwise each new one overlaps the tenant's old one.
    for old in (first, second):
        rotation.bookings.remove(old)
        db.session.delete(old)
    geo.flush_bookings(db.session)
    db.session.add_all(new)
    geo.flush_bookings(db.session)
    return new[0], new[1]


def waitlist(rotation: Rotation) -> list[RotationCandidate]:
    """The waitlist in the order it is served: priority first, then position."""
    listed = [c for c in rotation.candidates if c.waitlist_position is not None]
    return sorted(listed, key=lambda c: (-c.priority, c.waitlist_position, c.id))


def free_booking(booking: Booking, *, fill: bool, by: User) -> Booking | None:
    """Free the stand; with ``fill``, give the slot to the first eligible candidate of the waitlist.

    A candidate takes the whole slot, or its beginning when it is longer than
    they want. Returns the new booking, or None.
    """
    rotation = booking.rotation
    stand_id, start, end = booking.stand_id, booking.starts_on, booking.ends_on
    rotation.bookings.remove(booking)
    db.session.delete(booking)
    geo.flush_bookings(db.session)
    if not fill:
        return None
    rules = shop_rules(rotation)
    step = GRAIN_DAYS[rotation.grain]
    queue = waitlist(rotation)
    others = held_around(rotation, [c.entrepreneur_id for c in queue])
    for candidate in queue:
        tenant = tenant_of(candidate)
        for slot_end in (end, min(end, start + timedelta(days=step * candidate.max_grains))):
            if not check_booking(rules, tenant, stand_id, start, slot_end, others):
                filled = Booking(
                    rotation_id=rotation.id,
                    stand_id=stand_id,
                    entrepreneur_id=candidate.entrepreneur_id,
                    starts_on=start,
                    ends_on=slot_end,
                    created_by_id=by.id,
                )
                db.session.add(filled)
                candidate.waitlist_position = None
                geo.flush_bookings(db.session)
                return filled
    return None


# -- swap requests -----------------------------------------------------------------


def request_swap(booking: Booking, other: Booking, *, by: User, message: str = "") -> SwapRequest:
    if other.rotation_id != booking.rotation_id or other.id == booking.id:
        raise Refused("bad_swap")
    if other.entrepreneur_id == booking.entrepreneur_id:
        raise Refused("same_tenant")
    pending = db.session.scalar(
        select(SwapRequest).where(SwapRequest.booking_id == booking.id, SwapRequest.status == "pending")
    )
    if pending is not None:
        raise Refused("already_requested")
    request = SwapRequest(
        rotation_id=booking.rotation_id,
        booking_id=booking.id,
        other_booking_id=other.id,
        requested_by_id=by.id,
        message=message,
    )
    db.session.add(request)
    db.session.flush()
    # Staff decide; the other entrepreneur learns that their booking may change.
    params = _swap_params(booking, other, requester=by.name)
    staff_link = url_for("schedules.detail", rotation_id=booking.rotation_id, _anchor="swaps")
    for staff in staff_of(booking.rotation.offer.unit.commune):
        notify(staff, "swap_requested", params, link=staff_link)
    notify(other.entrepreneur, "swap_requested_other", params, link=url_for("schedules.my_calendar", _anchor="swaps"))
    return request


def decide_swap(request: SwapRequest, *, approve: bool, by: User) -> None:
    if request.status != "pending":
        raise Refused("already_decided")
    # Before the swap: afterwards each booking holds the other's dates.
    params = None
    if request.booking is not None and request.other_booking is not None:
        requester = request.booking.entrepreneur.name
        params = {**_swap_params(request.booking, request.other_booking, requester=requester), "approved": approve}
    if approve:
        if params is None:
            raise Refused("booking_gone")
        swap_bookings(request.booking, request.other_booking, by=by)
    request.status = "approved" if approve else "refused"
    request.decided_at = utcnow()
    request.decided_by_id = by.id
    db.session.flush()
    if params is not None:
        link = url_for("schedules.my_calendar", _anchor="swaps")
        for booking in (request.booking, request.other_booking):
            notify(booking.entrepreneur, "swap_decided", params, link=link)


def _swap_params(booking: Booking, other: Booking, *, requester: str) -> dict[str, str]:
    """What the swap notifications say: the rotation, who asked, and the two bookings (ends exclusive)."""
    return {
        "rotation": booking.rotation.title,
        "requester": requester,
        "stand": booking.stand.label,
        "starts_on": booking.starts_on.isoformat(),
        "ends_on": (booking.ends_on - timedelta(days=1)).isoformat(),
        "other": other.entrepreneur.name,
        "other_stand": other.stand.label,
        "other_starts_on": other.starts_on.isoformat(),
        "other_ends_on": (other.ends_on - timedelta(days=1)).isoformat(),
    }


# -- calendar feeds ----------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def feed_of(*, user: User | None = None, rotation: Rotation | None = None) -> CalendarFeed:
    """The feed of the user or the rotation, made on first use."""
    stmt = select(CalendarFeed).where(
        CalendarFeed.user_id == user.id if user is not None else CalendarFeed.rotation_id == rotation.id
    )
    feed = db.session.scalar(stmt)
    if feed is None:
        feed = CalendarFeed(
            token=new_token(),
            user_id=user.id if user is not None else None,
            rotation_id=rotation.id if rotation is not None else None,
        )
        db.session.add(feed)
        db.session.flush()
    return feed


def reset_feed(feed: CalendarFeed) -> CalendarFeed:
    feed.token = new_token()
    db.session.flush()
    return feed


def stand_of(rotation: Rotation, stand_id) -> Stand | None:
    return next((s for s in rotation.offer.stands if s.id == stand_id), None)
