"""A demo rotation for the Lessines seed: on the first shared shop (an offer with stands), if there is one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from popup.auth.models import User
from popup.communes.models import Commune
from popup.extensions import db
from popup.offers.models import Offer, Stand
from popup.schedules.models import Booking, Rotation, RotationCandidate
from popup.units.models import Unit

WEEKS = 24
STAY_WEEKS = 4
SECTORS = ("food_fresh", "crafts", "fashion", "second_hand", "culture")


def seed_rotation(commune: Commune) -> Rotation | None:
    """Create the demo rotation once: every demo entrepreneur a candidate, the first ones booked in turn."""
    offer = db.session.scalar(
        select(Offer)
        .join(Unit, Unit.id == Offer.unit_id)
        .where(Unit.commune_id == commune.id, Offer.id.in_(select(Stand.offer_id)))
        .order_by(Offer.id)
    )
    if offer is None or db.session.scalar(select(Rotation.id).where(Rotation.offer_id == offer.id)) is not None:
        return None
    monday = offer.available_from - timedelta(days=offer.available_from.weekday())
    if monday < offer.available_from:
        monday += timedelta(weeks=1)
    end = monday + timedelta(weeks=WEEKS)
    rotation = Rotation(
        offer=offer,
        title=offer.title,
        starts_on=monday,
        ends_on=end,
        grain="week",
        opening_days=list(offer.opening_days or [2, 4, 5]),
        status="active",
    )
    db.session.add(rotation)
    people = db.session.scalars(
        select(User).where(User.role == "entrepreneur", User.is_demo.is_(True)).order_by(User.id)
    ).all()
    stands = list(offer.stands)
    for n, person in enumerate(people):
        rotation.candidates.append(
            RotationCandidate(
                entrepreneur=person,
                sector=SECTORS[n % len(SECTORS)],
                area_m2=min(s.area_m2 for s in stands),
                min_grains=2,
                max_grains=8,
                windows=[[monday.isoformat(), end.isoformat()]],
                priority=len(people) - n,
                waitlist_position=n + 1 if n >= 2 * len(stands) else None,
            )
        )
        if n < 2 * len(stands):
            start = monday + timedelta(weeks=STAY_WEEKS * (n // len(stands)))
            rotation.bookings.append(
                Booking(
                    stand_id=stands[n % len(stands)].id,
                    entrepreneur_id=person.id,
                    starts_on=start,
                    ends_on=start + timedelta(weeks=STAY_WEEKS),
                )
            )
    db.session.flush()
    return rotation
