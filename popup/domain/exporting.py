"""Writing units to files: CSV for Excel, GeoJSON (RFC 7946). Pure: plain rows in, text out.

The columns are the field names the importer recognises, so that an export
imports back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

CSV_COLUMNS: Final = (
    "id",
    "external_id",
    "commune",
    "address",
    "street",
    "status",
    "status_since",
    "floor_area_m2",
    "asking_rent_eur",
    "activity",
    "latitude",
    "longitude",
    "features",
)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
COORDINATE_DIGITS: Final = 7  # about a centimetre


@dataclass(frozen=True)
class ExportRow:
    id: int
    external_id: str | None
    commune: str
    address: str
    street: str | None
    status: str
    status_since: date
    floor_area_m2: float | None
    asking_rent_cents: int | None
    activity: str | None
    lon: float
    lat: float
    features: tuple[str, ...] = ()


def escape_formula(text: str) -> str:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def decimal_comma(value: float | None, digits: int = 2) -> str:
    """A number as Belgian Excel reads it: "85,5", "50,7117"; "" for None."""
    if value is None:
        return ""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if text not in ("-0", "") else "0"


def euros(cents: int | None) -> str:
    """Cents as euros with a comma decimal and no thousands separator: "1250,50"."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100},{abs(cents) % 100:02d}"


def csv_cells(row: ExportRow) -> list[str]:
    # Text from users is escaped; numbers we format ourselves cannot hold a
    # formula, and escaping a negative one would turn it into text.
    text = escape_formula
    return [
        str(row.id),
        text(row.external_id or ""),
        text(row.commune),
        text(row.address),
        text(row.street or ""),
        row.status,
        row.status_since.isoformat(),
        decimal_comma(row.floor_area_m2),
        euros(row.asking_rent_cents),
        text(row.activity or ""),
        decimal_comma(row.lat, COORDINATE_DIGITS),
        decimal_comma(row.lon, COORDINATE_DIGITS),
        ",".join(row.features),
    ]


def to_csv(rows: Iterable[ExportRow]) -> bytes:
    """CSV that Excel opens right in Belgium: UTF-8 with BOM, ";", CRLF, a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(csv_cells(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def feature(row: ExportRow) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": row.id,
        "geometry": {
            "type": "Point",
            "coordinates": [round(row.lon, COORDINATE_DIGITS), round(row.lat, COORDINATE_DIGITS)],
        },
        "properties": {
            "id": row.id,
            "external_id": row.external_id,
            "commune": row.commune,
            "address": row.address,
            "street": row.street,
            "status": row.status,
            "status_since": row.status_since.isoformat(),
            "floor_area_m2": row.floor_area_m2,
            "asking_rent_eur": None if row.asking_rent_cents is None else row.asking_rent_cents / 100,
            "activity": row.activity,
            "features": list(row.features),
        },
    }


def to_geojson(rows: Iterable[ExportRow]) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection of Points (WGS84 longitude, latitude; no "crs")."""
    return {"type": "FeatureCollection", "features": [feature(row) for row in rows]}
