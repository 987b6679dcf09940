"""Bookings of a shared shop's stands: the rules one booking must keep, days present, calendars.

Plain values in, plain values out. Every period is half-open ``[start, end)``
in local dates. ``check_booking`` is what staff edits go through (a move, a
resize, a swap, a slot filled from the waitlist): it answers the broken rules
as ``Fault`` codes, which the UI words; the database's exclusion constraint
(or triggers) stays the last guard against double booking.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

GRAIN_DAYS = {"day": 1, "week": 7}


@dataclass(frozen=True)
class Fault:
    """A rule a booking breaks: a code and what the message needs."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ShopRules:
    """The rotation as its bookings see it."""

    starts_on: date
    ends_on: date  # exclusive
    grain: str  # "day" or "week"
    opening_days: frozenset[int]  # 0 = Monday
    stand_areas: dict[Hashable, float]  # stand id -> area
    allowed_sectors: frozenset[str] = frozenset()  # empty: every sector
    excluded_sectors: frozenset[str] = frozenset()
    exclusive_sectors: frozenset[str] = frozenset()  # at most one tenant of each at a time


@dataclass(frozen=True)
class Tenant:
    """What a candidate asked for, in grains of the rotation."""

    id: Hashable
    sector: str
    area_m2: float
    min_grains: int
    max_grains: int
    windows: tuple[tuple[date, date], ...]


@dataclass(frozen=True)
class Held:
    """A booking already made (in any rotation for the tenant's own ones)."""

    id: Hashable
    stand_id: Hashable | None  # None: a stand of another shop
    tenant_id: Hashable
    sector: str | None
    start: date
    end: date


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    return a_start < b_end and b_start < a_end


def merged(periods: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """Periods joined where they overlap or touch, in order."""
    out: list[tuple[date, date]] = []
    for start, end in sorted(p for p in periods if p[1] > p[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def subtract(periods: Iterable[tuple[date, date]], taken: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """What is left of ``periods`` once the ``taken`` ones are removed."""
    left = merged(periods)
    for t_start, t_end in merged(taken):
        nxt: list[tuple[date, date]] = []
        for start, end in left:
            if not overlaps(start, end, t_start, t_end):
                nxt.append((start, end))
                continue
            if start < t_start:
                nxt.append((start, t_start))
            if t_end < end:
                nxt.append((t_end, end))
        left = nxt
    return left


def check_booking(
    rules: ShopRules,
    tenant: Tenant,
    stand_id: Hashable,
    start: date,
    end: date,
    others: Sequence[Held] = (),
    ignore: Iterable[Hashable] = (),
) -> list[Fault]:
    """Every rule a booking of ``stand_id`` to ``tenant`` over [start, end) would break.

    ``others`` are the bookings of the shop and the tenant's own elsewhere;
    those whose id is in ``ignore`` do not count (the booking being moved, the
    two being swapped). An empty list: the booking keeps every rule.
    """
    if end <= start:
        return [Fault("end_not_after_start", {"start": start, "end": end})]
    faults: list[Fault] = []
    if stand_id not in rules.stand_areas:
        return [Fault("stand_not_in_shop", {"stand": stand_id})]
    if start < rules.starts_on or end > rules.ends_on:
        faults.append(Fault("outside_horizon", {"starts_on": rules.starts_on, "ends_on": rules.ends_on}))
    step = GRAIN_DAYS[rules.grain]
    days = (end - start).days
    if step > 1 and ((start - rules.starts_on).days % step or days % step):
        faults.append(Fault("not_whole_weeks", {"weekday": rules.starts_on.weekday()}))
    grains = days // step
    if not tenant.min_grains <= grains <= tenant.max_grains:
        faults.append(
            Fault(
                "duration_out_of_bounds",
                {
                    "grains": grains,
                    "min_grains": tenant.min_grains,
                    "max_grains": tenant.max_grains,
                    "grain": rules.grain,
                },
            )
        )
    if rules.grain == "day" and (
        start.weekday() not in rules.opening_days or (end - timedelta(days=1)).weekday() not in rules.opening_days
    ):
        faults.append(Fault("closed_day", {}))
    if not any(w_start <= start and end <= w_end for w_start, w_end in merged(tenant.windows)):
        faults.append(Fault("not_available", {}))
    if rules.stand_areas[stand_id] < tenant.area_m2:
        faults.append(Fault("stand_too_small", {"needed_m2": tenant.area_m2, "area_m2": rules.stand_areas[stand_id]}))
    if tenant.sector in rules.excluded_sectors or (
        rules.allowed_sectors and tenant.sector not in rules.allowed_sectors
    ):
        faults.append(Fault("sector_not_admitted", {"sector": tenant.sector}))
    skip = set(ignore)
    live = [h for h in others if h.id not in skip and overlaps(h.start, h.end, start, end)]
    taken = [h for h in live if h.stand_id == stand_id]
    if taken:
        faults.append(Fault("stand_taken", {"start": taken[0].start, "end": taken[0].end}))
    if any(h.tenant_id == tenant.id for h in live):
        faults.append(Fault("tenant_elsewhere", {}))
    if tenant.sector in rules.exclusive_sectors and any(
        h.sector == tenant.sector and h.stand_id is not None and h.tenant_id != tenant.id for h in live
    ):
        faults.append(Fault("sector_taken", {"sector": tenant.sector}))
    return faults


def days_present_by_month(bookings: Iterable[tuple[Hashable, date, date]], month: date) -> dict[Hashable, int]:
    """Days each holder has a stand in the calendar month of ``month``: bookings are (holder, start, end).

    A holder's overlapping bookings (two stands at once cannot happen, but two
    rows may touch) count each day once. Holders absent that month are left out.
    """
    first = month.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    days: dict[Hashable, set[date]] = defaultdict(set)
    for holder, start, end in bookings:
        lo, hi = max(start, first), min(end, after)
        for n in range((hi - lo).days):
            days[holder].add(lo + timedelta(days=n))
    return {holder: len(d) for holder, d in days.items() if d}


def days_present_of_tenancies(
    tenancies: Mapping[Hashable, tuple[Hashable, date, date]],
    bookings: Iterable[tuple[Hashable, date, date]],
) -> dict[Hashable, dict[tuple[int, int], int]]:
    """Days present of each tenancy of a lease, month by month, from the bookings of its rotation(s).

    ``tenancies`` maps a co-tenancy to (holder, held from, held until): the
    co-tenant's own ``[entry, exit)`` inside the lease. A tenancy counts the
    days its holder is booked inside that period, each day once
    (``days_present_by_month`` of the bookings cut to the period), so it never
    exceeds the days the stand is held. Only the months in which some tenancy
    has a booked day appear, and in those every tenancy has an entry (0 when
    it has no booking): a month the rotation does not plan is left to the
    co-tenants' dates. Answers {tenancy: {(year, month): days}}.
    """
    by_holder: dict[Hashable, list[tuple[date, date]]] = defaultdict(list)
    for holder, start, end in bookings:
        if end > start:
            by_holder[holder].append((start, end))
    cut: dict[Hashable, list[tuple[Hashable, date, date]]] = {}
    months: set[date] = set()
    for key, (holder, held_from, held_until) in tenancies.items():
        pieces = []
        for start, end in by_holder.get(holder, ()):
            lo, hi = max(start, held_from), min(end, held_until)
            if hi > lo:
                pieces.append((key, lo, hi))
                month = lo.replace(day=1)
                while month < hi:
                    months.add(month)
                    month = (month + timedelta(days=32)).replace(day=1)
        cut[key] = pieces
    result: dict[Hashable, dict[tuple[int, int], int]] = {key: {} for key in tenancies}
    for month in sorted(months):
        for key, pieces in cut.items():
            result[key][month.year, month.month] = days_present_by_month(pieces, month).get(key, 0)
    return result


# -- calendars -------------------------------------------------------------------


def parse_month(raw: str | None, today: date) -> date:
    """The first day of the month ``YYYY-MM`` names (today's when empty); ValueError when it names none."""
    if not raw:
        return today.replace(day=1)
    text = raw.strip()
    if len(text) != 7 or not text.isascii() or text[4] != "-" or not (text[:4].isdigit() and text[5:].isdigit()):
        raise ValueError("bad_month")
    year, month = int(text[:4]), int(text[5:])
    if not (1 <= month <= 12 and 1900 <= year <= 2999):
        raise ValueError("bad_month")
    return date(year, month, 1)


def parse_week(raw: str | None, today: date) -> date:
    """The Monday of the week holding the date ``YYYY-MM-DD`` (today's when empty); ValueError otherwise."""
    if not raw:
        day = today
    else:
        text = raw.strip()
        try:
            day = date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            day = None
        if day is None or not 1900 <= day.year <= 2999:
            raise ValueError("bad_week")
    return day - timedelta(days=day.weekday())


def month_weeks(first: date) -> list[list[date | None]]:
    """The month as weeks from Monday; days of the neighbouring months are None."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    return [[d if d.month == first.month else None for d in week] for week in weeks]


def shift_month(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
