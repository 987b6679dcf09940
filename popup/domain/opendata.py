"""Open data files: monthly vacancy from the status history, CSV for Excel, GeoJSON.

Pure: plain rows in, bytes or dicts out. The CSV files open right in a Belgian
Excel (UTF-8 with BOM, ";", decimal commas, CRLF) like popup.domain.exporting;
their first line names the licence and the date of the last recorded change,
the header row comes second.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from popup.domain.exporting import decimal_comma, escape_formula, euros
from popup.domain.vacancy import vacancy_figures
from popup.domain.vocabulary import UNIT_STATUSES

MAX_MONTHS: Final = 240  # twenty years of monthly figures are plenty; older history is left out
UNIT_COLUMNS: Final = (
    "id",
    "commune",
    "address",
    "status",
    "status_since",
    "floor_area_m2",
    "frontage_m",
    "ground_floor",
    "asking_rent_eur",
    "activity",
    "description",
    "features",
    "latitude",
    "longitude",
    "url",
)
STATS_COLUMNS: Final = (
    "scope",
    "name",
    "month",
    "as_of",
    "units",
    "in_stock",
    "vacant",
    "vacancy_rate_percent",
    *(f"status_{s}" for s in UNIT_STATUSES),
)


@dataclass(frozen=True)
class Licence:
    """Who publishes, under which licence, and when the data last changed."""

    licence: str
    source: str
    updated_on: date | None

    def line(self) -> str:
        updated = self.updated_on.isoformat() if self.updated_on else "-"
        return f"Licence: {self.licence}, source: {self.source}, last updated: {updated}"

    def members(self) -> dict[str, Any]:
        """Foreign members of a GeoJSON FeatureCollection (RFC 7946 § 6.1)."""
        return {
            "licence": self.licence,
            "source": self.source,
            "updated": self.updated_on.isoformat() if self.updated_on else None,
        }


@dataclass(frozen=True)
class MonthFigures:
    month: date  # the first day of the month
    as_of: date  # the day the counts describe: the month's last day, or today for this month
    counts: Mapping[str, int]

    def row(self) -> dict[str, Any]:
        figures = vacancy_figures(self.counts)
        return {
            "month": self.month.strftime("%Y-%m"),
            "as_of": self.as_of.isoformat(),
            "units": figures.units,
            "in_stock": figures.in_stock,
            "vacant": figures.vacant,
            "vacancy_rate": None if figures.rate is None else round(float(figures.rate), 4),
            "by_status": {s: self.counts.get(s, 0) for s in UNIT_STATUSES},
        }


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def monthly_status_counts(
    changes: Iterable[tuple[int, date, str]], today: date, first_month: date | None = None
) -> list[MonthFigures]:
    """Units per status at the end of every month, from the dated status changes.

    ``changes`` are (unit id, day of the change, new status). A unit counts
    from its first change on; on a day with several changes the last given
    wins. Months run from the first change (or ``first_month``) to the month
    of ``today``, whose figures are those of ``today``; at most MAX_MONTHS.
    """
    events = sorted(((on, i, unit, status) for i, (unit, on, status) in enumerate(changes)), key=lambda e: e[:2])
    events = [e for e in events if e[0] <= today]
    if not events:
        return []
    first = month_start(first_month or events[0][0])
    last = month_start(today)
    months: list[date] = []
    month = first
    while month <= last:
        months.append(month)
        month = next_month(month)
    months = months[-MAX_MONTHS:]
    current: dict[int, str] = {}
    counts: dict[str, int] = {}
    result: list[MonthFigures] = []
    index = 0
    for month in months:
        as_of = min(next_month(month) - timedelta(days=1), today)
        while index < len(events) and events[index][0] <= as_of:
            _on, _i, unit, status = events[index]
            old = current.get(unit)
            if old is not None:
                counts[old] -= 1
            current[unit] = status
            counts[status] = counts.get(status, 0) + 1
            index += 1
        result.append(MonthFigures(month, as_of, {s: n for s, n in counts.items() if n}))
    return result


def _writer(buffer: io.StringIO):
    return csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)


def _finish(buffer: io.StringIO) -> bytes:
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def units_csv(features: Sequence[Mapping[str, Any]], licence: Licence) -> bytes:
    """The public unit features (as the API gives them) as CSV."""
    buffer = io.StringIO()
    writer = _writer(buffer)
    writer.writerow([licence.line()])
    writer.writerow(UNIT_COLUMNS)
    text = escape_formula
    for feature in features:
        p = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"]
        writer.writerow(
            [
                str(p["id"]),
                text(p["commune"]),
                text(p["address"]),
                p["status"],
                p["status_since"],
                decimal_comma(p["floor_area_m2"]),
                decimal_comma(p["frontage_m"]),
                "yes" if p["ground_floor"] else "no",
                euros(p["asking_rent_cents"]),
                text(p["activity"] or ""),
                text(p["description"] or ""),
                ",".join(p["features"]),
                decimal_comma(lat, 7),
                decimal_comma(lon, 7),
                p["url"],
            ]
        )
    return _finish(buffer)


@dataclass(frozen=True)
class Series:
    """Monthly figures of one area: the commune, or one of its commercial cores."""

    scope: str  # "commune" or "core"
    name: str
    months: Sequence[MonthFigures]
    geometry: Mapping[str, Any] | None = None  # GeoJSON geometry, or None
    properties: Mapping[str, Any] | None = None  # extra public properties (ids, slugs)


def stats_csv(series: Iterable[Series], licence: Licence) -> bytes:
    """Monthly vacancy figures, one row per area and month."""
    buffer = io.StringIO()
    writer = _writer(buffer)
    writer.writerow([licence.line()])
    writer.writerow(STATS_COLUMNS)
    for one in series:
        for figures in one.months:
            row = figures.row()
            rate = row["vacancy_rate"]
            writer.writerow(
                [
                    one.scope,
                    escape_formula(one.name),
                    row["month"],
                    row["as_of"],
                    row["units"],
                    row["in_stock"],
                    row["vacant"],
                    "" if rate is None else decimal_comma(rate * 100, 2),
                    *(row["by_status"][s] for s in UNIT_STATUSES),
                ]
            )
    return _finish(buffer)


def stats_geojson(series: Iterable[Series], licence: Licence) -> dict[str, Any]:
    """Monthly vacancy figures as an RFC 7946 FeatureCollection, one feature per area."""
    features = [
        {
            "type": "Feature",
            "geometry": one.geometry,
            "properties": {
                "scope": one.scope,
                "name": one.name,
                **(one.properties or {}),
                "months": [m.row() for m in one.months],
            },
        }
        for one in series
    ]
    return {"type": "FeatureCollection", **licence.members(), "features": features}
