"""The rotation as the planner sees it: plain values from the rows, and the plan back as bookings to accept."""

from __future__ import annotations

from popup.domain import rotation as planner
from popup.domain.bookings import subtract
from popup.domain.vocabulary import SECTORS
from popup.schedules.models import Booking, Rotation
from popup.schedules.operations import PlannedBooking, held_around


def problem_of(rotation: Rotation) -> planner.Problem:
    """Candidates without a booking in the rotation are planned around the bookings it has.

    A candidate's bookings in other rotations are taken out of their
    availability: nobody holds two stands at once.
    """
    offer = rotation.offer
    limits = []
    banned = set(offer.excluded_sectors or ())
    if offer.allowed_sectors:
        banned |= set(SECTORS) - set(offer.allowed_sectors)
    if banned:
        limits.append(planner.SectorLimit(frozenset(banned), 0))
    limits += [planner.SectorLimit(frozenset({s}), 1) for s in rotation.exclusive_sectors or ()]
    shop = planner.Shop(
        id=rotation.id,
        stands=tuple(planner.Stand(s.id, s.area_m2) for s in offer.stands),
        opening_days=frozenset(rotation.opening_days or range(7)),
        sector_limits=tuple(limits),
    )
    booked = {b.entrepreneur_id for b in rotation.bookings}
    by_user = {c.entrepreneur_id: c for c in rotation.candidates}
    elsewhere: dict[int, list] = {}
    for held in held_around(rotation, list(by_user)):
        if held.stand_id is None:
            elsewhere.setdefault(held.tenant_id, []).append((held.start, held.end))
    candidates = tuple(
        planner.Candidate(
            id=c.id,
            sector=c.sector,
            area_m2=c.area_m2,
            min_grains=c.min_grains,
            max_grains=c.max_grains,
            windows=tuple(
                planner.Period(a, b) for a, b in subtract(c.window_dates(), elsewhere.get(c.entrepreneur_id, []))
            ),
            priority=c.priority,
            must_plan=c.required,
        )
        for c in rotation.candidates
        if c.entrepreneur_id not in booked
    )
    fixed = tuple(_fixed(rotation, b, by_user) for b in rotation.bookings)
    return planner.Problem(
        planner.Horizon(rotation.starts_on, rotation.ends_on, rotation.grain), (shop,), candidates, fixed
    )


def _fixed(rotation: Rotation, booking: Booking, by_user) -> planner.FixedBooking:
    candidate = by_user.get(booking.entrepreneur_id)
    return planner.FixedBooking(
        holder_id=candidate.id if candidate is not None else f"user-{booking.entrepreneur_id}",
        shop_id=rotation.id,
        stand_id=booking.stand_id,
        sector=candidate.sector if candidate is not None else "other",
        start=booking.starts_on,
        end=booking.ends_on,
    )


def run(rotation: Rotation, *, time_limit_s: float, num_workers: int = 8) -> planner.Plan | planner.Infeasible:
    """Plan the rotation (raises planner.RotationError for data that cannot be planned)."""
    return planner.plan_rotation(problem_of(rotation), time_limit_s=time_limit_s, num_workers=num_workers)


def planned_bookings(plan: planner.Plan) -> list[PlannedBooking]:
    return [PlannedBooking(int(b.candidate_id), int(b.stand_id), b.start, b.end) for b in plan.bookings]
