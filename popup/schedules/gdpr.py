"""Rotations: the user's bookings, candidacies, swap requests and calendar feed.

Bookings stay (the shop's history and the rent split by days present) and
point to the anonymised account; the user's own words in swap requests are
emptied and their private calendar address is deleted.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update

from popup import gdpr
from popup.extensions import db
from popup.schedules.models import Booking, CalendarFeed, RotationCandidate, SwapRequest


def export(user) -> dict:
    bookings = db.session.scalars(select(Booking).where(Booking.entrepreneur_id == user.id).order_by(Booking.id)).all()
    candidacies = db.session.scalars(
        select(RotationCandidate).where(RotationCandidate.entrepreneur_id == user.id).order_by(RotationCandidate.id)
    ).all()
    swaps = db.session.scalars(
        select(SwapRequest).where(SwapRequest.requested_by_id == user.id).order_by(SwapRequest.id)
    ).all()
    return {
        "bookings": [gdpr.row(b, "rotation_id", "stand_id", "starts_on", "ends_on") for b in bookings],
        "candidacies": [gdpr.row(c, "rotation_id", "sector") for c in candidacies],
        "swap_requests": [gdpr.row(s, "rotation_id", "status", "message", "created_at") for s in swaps],
    }


def erase(user) -> None:
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    db.session.execute(
        update(SwapRequest)
        .where(SwapRequest.requested_by_id == user.id)
        .values(message="")
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


gdpr.register(
    "schedules",
    export,
    erase,
    tables=("rotations", "rotation_candidates", "bookings", "swap_requests", "calendar_feeds"),
)
