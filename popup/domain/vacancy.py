"""Vacancy figures of a set of commercial units.

A unit's status is one of ``vacant``, ``under_works``, ``popup``,
``occupied`` or ``unavailable``. ``unavailable`` units (converted to housing,
demolished, withdrawn from the market) leave the commercial stock. A pop-up
occupies its unit, so it does not count as vacant: the programme's aim is
exactly to bring the rate down. Units under works are not vacant either,
they are counted apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

OUT_OF_STOCK = frozenset({"unavailable"})


@dataclass(frozen=True)
class VacancyFigures:
    units: int
    vacant: int
    in_stock: int
    rate: Fraction | None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else float(self.rate * 100)


def vacancy_figures(status_counts: Mapping[str, int]) -> VacancyFigures:
    """Count units, vacant units and the vacancy rate from counts per status.

    The rate is vacant units over units in the commercial stock (all but
    ``unavailable``); None when the stock is empty.
    """
    units = sum(status_counts.values())
    in_stock = sum(n for status, n in status_counts.items() if status not in OUT_OF_STOCK)
    vacant = status_counts.get("vacant", 0)
    rate = Fraction(vacant, in_stock) if in_stock else None
    return VacancyFigures(units=units, vacant=vacant, in_stock=in_stock, rate=rate)


def vacancy_days(history: Iterable[tuple[date, str]], today: date) -> int | None:
    """Days the unit has been vacant without a break, up to ``today``.

    ``history`` lists (date of change, new status) in any order. None when the
    unit is not vacant today.
    """
    changes = sorted(history)
    if not changes or changes[-1][1] != "vacant" or changes[-1][0] > today:
        return None
    start = changes[-1][0]
    for on, status in reversed(changes[:-1]):
        if status != "vacant":
            break
        start = on
    return (today - start).days
