"""Who holds a stand now and next, and the days a pop-up shop opens. Pure; periods are half-open ``[start, end)``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, TypeVar

T = TypeVar("T")

FEED_WEEKS = 8


@dataclass(frozen=True)
class Span(Generic[T]):
    """Something (a booking, a co-tenancy) holding a stand over ``[start, end)``."""

    item: T
    start: date
    end: date


def now_and_next(spans: Iterable[Span[T]], today: date) -> tuple[Span[T] | None, Span[T] | None]:
    """The span that holds the stand today, and the first one to start after today (None when there is none)."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    now = next((s for s in ordered if s.start <= today < s.end), None)
    later = next((s for s in ordered if s.start > today and s is not now), None)
    return now, later


def opening_dates(weekdays: Sequence[int], start: date, end: date) -> list[date]:
    """The days in ``[start, end)`` that fall on one of ``weekdays`` (0 = Monday)."""
    days = set(weekdays)
    if not days or end <= start:
        return []
    return [start + timedelta(n) for n in range((end - start).days) if (start + timedelta(n)).weekday() in days]


def feed_window(today: date, weeks: int = FEED_WEEKS) -> tuple[date, date]:
    """The feed's horizon: from today for ``weeks`` weeks."""
    return today, today + timedelta(weeks=weeks)


def overlaps(start: date, end: date, window: tuple[date, date]) -> bool:
    return start < window[1] and end > window[0]
