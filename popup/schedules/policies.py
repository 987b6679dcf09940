"""Who may plan a shop's rotation (the staff of its unit's commune) and who sees which bookings."""

from __future__ import annotations

from flask import abort

from popup.extensions import db
from popup.offers.models import Offer
from popup.permissions import Policy, ViewArgs
from popup.schedules.models import Booking, Rotation, SwapRequest

MAX_ID = 2**31 - 1  # ids beyond this cannot exist (PostgreSQL's integer refuses them)


def get(model, ident):
    if not isinstance(ident, int) or not 0 < ident <= MAX_ID:
        return None
    return db.session.get(model, ident)


def rotation_or_404(rotation_id) -> Rotation:
    rotation = get(Rotation, rotation_id)
    if rotation is None or rotation.offer.unit.archived_at is not None:
        abort(404)
    return rotation


def booking_of(rotation: Rotation, booking_id) -> Booking:
    booking = get(Booking, booking_id)
    if booking is None or booking.rotation_id != rotation.id:
        abort(404)
    return booking


def swap_of(rotation: Rotation, swap_id) -> SwapRequest:
    swap = get(SwapRequest, swap_id)
    if swap is None or swap.rotation_id != rotation.id:
        abort(404)
    return swap


def may_plan(user, rotation: Rotation) -> bool:
    return bool(user.is_authenticated) and user.is_staff_of(rotation.offer.unit.commune)


def _staff_of_offer(user, args: ViewArgs) -> bool:
    offer = get(Offer, args.get("offer_id"))
    if offer is None or offer.unit.archived_at is not None:
        abort(404)
    return user.is_staff_of(offer.unit.commune)


def _staff_of_rotation(user, args: ViewArgs) -> bool:
    return may_plan(user, rotation_or_404(args.get("rotation_id")))


def _holder_of_booking(user, args: ViewArgs) -> bool:
    booking = get(Booking, args.get("booking_id"))
    if booking is None or booking.entrepreneur_id != user.id:
        abort(404)  # someone else's booking is not even said to exist
    return True


staff_of_offer = Policy("staff of the offer's commune", _staff_of_offer)
staff_of_rotation = Policy("staff of the commune of the rotation's shop", _staff_of_rotation)
entrepreneur = Policy("entrepreneur", lambda user, args: user.role == "entrepreneur")
holder_of_booking = Policy("the entrepreneur who holds the booking", _holder_of_booking)
