"""Vacancy over time, computed from the dated status history of each unit.

Pure: plain dates and status codes in, figures out. The rate of a month is
taken from the stock as it stands at the end of that month (the status in
force on its last day; for the current month, today), so a change dated on
the first day of a month counts for that month and not for the one before.

A unit exists from the date of its first history entry (units created in the
middle of a period join the stock then) until it is archived (from the day
of archiving on it is out of every count).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from popup.domain.vacancy import VacancyFigures, vacancy_figures

MAX_MONTHS: Final = 120  # ten years: a longer chart is unreadable and the query heavy


@dataclass(frozen=True)
class Timeline:
    """The history of one unit: (date of change, new status) in any order."""

    unit_id: int
    changes: Sequence[tuple[date, str]]
    archived_on: date | None = None

    def status_on(self, day: date) -> str | None:
        """The status in force at the end of ``day``; None when the unit does not exist then."""
        if self.archived_on is not None and self.archived_on <= day:
            return None
        status = None
        for on, new in sorted(self.changes):
            if on > day:
                break
            status = new
        return status


@dataclass(frozen=True)
class MonthFigures:
    month: date  # first day of the month
    counts: dict[str, int]
    figures: VacancyFigures


@dataclass(frozen=True)
class Spell:
    """A stretch of vacancy of one unit: [start, end), end None while it goes on."""

    unit_id: int
    start: date
    end: date | None

    def days(self, until: date) -> int:
        """Its length in days, counted up to ``until`` at most."""
        stop = until if self.end is None else min(self.end, until)
        return max((stop - self.start).days, 0)


@dataclass(frozen=True)
class DurationFigures:
    spells: int
    ongoing: int
    average_days: float | None
    longest_days: int | None


class PeriodError(ValueError):
    """A period that cannot be used; ``code`` says why (for the message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class MonthPeriod:
    """Whole months from ``first`` to ``last`` included (both first days of their month)."""

    first: date
    last: date

    @property
    def start(self) -> date:
        return self.first

    @property
    def end(self) -> date:
        """The day after the period (half-open end)."""
        return next_month(self.last)

    def months(self) -> list[date]:
        return months_between(self.first, self.last)


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every first-of-month from ``first``'s month to ``last``'s, included."""
    months, current, stop = [], month_of(first), month_of(last)
    while current <= stop:
        months.append(current)
        current = next_month(current)
    return months


def parse_month(raw: str | None) -> date | None:
    """ "2026-03" → date(2026, 3, 1); None for anything else."""
    raw = (raw or "").strip()
    if len(raw) != 7 or raw[4] != "-" or not (raw[:4].isdigit() and raw[5:].isdigit()) or not raw.isascii():
        return None
    year, month = int(raw[:4]), int(raw[5:])
    if not (1900 <= year <= 9999 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def default_period(today: date, months: int = 12) -> MonthPeriod:
    """The last ``months`` months, the current one included."""
    last = month_of(today)
    return MonthPeriod(add_months(last, -(months - 1)), last)


def parse_period(first_raw: str | None, last_raw: str | None, today: date) -> MonthPeriod:
    """Read a period from two "YYYY-MM" texts; blank ones take the default (last 12 months).

    Raises PeriodError: ``bad_from``/``bad_to`` (unreadable), ``inverted`` (from after to),
    ``future`` (starts after the current month), ``too_long`` (more than MAX_MONTHS).
    """
    default = default_period(today)
    first = default.first if not (first_raw or "").strip() else parse_month(first_raw)
    if first is None:
        raise PeriodError("bad_from")
    last = default.last if not (last_raw or "").strip() else parse_month(last_raw)
    if last is None:
        raise PeriodError("bad_to")
    if first > last:
        raise PeriodError("inverted")
    if first > month_of(today):
        raise PeriodError("future")
    if len(months_between(first, last)) > MAX_MONTHS:
        raise PeriodError("too_long")
    return MonthPeriod(first, last)


def monthly_vacancy(timelines: Iterable[Timeline], months: Sequence[date], today: date) -> list[MonthFigures]:
    """The units per status and the vacancy figures at the end of each month.

    The end of a month is its last day, or ``today`` for the current month;
    months after today are left out (nothing is known of them yet).
    """
    timelines = list(timelines)
    result = []
    for month in months:
        if month > today:
            break
        day = min(next_month(month) - timedelta(days=1), today)
        counts = Counter(status for t in timelines if (status := t.status_on(day)) is not None)
        result.append(MonthFigures(month, dict(counts), vacancy_figures(counts)))
    return result


def vacancy_spells(timeline: Timeline) -> list[Spell]:
    """The unit's stretches of vacancy; archiving ends one that goes on."""
    spells: list[Spell] = []
    start: date | None = None
    for on, status in sorted(timeline.changes):
        if timeline.archived_on is not None and on >= timeline.archived_on:
            break
        if status == "vacant" and start is None:
            start = on
        elif status != "vacant" and start is not None:
            spells.append(Spell(timeline.unit_id, start, on))
            start = None
    if start is not None:
        spells.append(Spell(timeline.unit_id, start, timeline.archived_on))
    return spells


def spells_in_period(timelines: Iterable[Timeline], start: date, end: date) -> list[Spell]:
    """Spells of vacancy that overlap [start, end), longest first (measured to ``end`` if ongoing)."""
    found = [s for t in timelines for s in vacancy_spells(t) if s.start < end and (s.end is None or s.end > start)]
    return sorted(found, key=lambda s: (-s.days(end), s.start, s.unit_id))


def duration_figures(spells: Sequence[Spell], until: date) -> DurationFigures:
    """Average and longest vacancy, in days; an ongoing spell is measured up to ``until``."""
    if not spells:
        return DurationFigures(0, 0, None, None)
    days = [s.days(until) for s in spells]
    return DurationFigures(
        spells=len(spells),
        ongoing=sum(1 for s in spells if s.end is None or s.end > until),
        average_days=sum(days) / len(days),
        longest_days=max(days),
    )
