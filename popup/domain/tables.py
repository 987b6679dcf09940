"""Tables of figures, shown as HTML tables and downloaded as CSV for Excel. Pure.

A cell holds a plain value; its column's ``kind`` says how to write it:
``text``, ``int``, ``days``, ``percent`` (a fraction: 1/4 is 25 %), ``month``
(a date, first of its month), ``date``, ``cents`` (money in cents).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any, Final

from popup.domain.exporting import decimal_comma, escape_formula, euros

KINDS: Final = ("text", "int", "days", "percent", "month", "date", "cents")


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class Table:
    caption: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]] = field(default_factory=list)


def csv_cell(value: Any, kind: str) -> str:
    """One cell as Belgian Excel reads it: "33,3" for a third in a percent column, "1250,50" for cents."""
    if value is None:
        return ""
    if kind in ("int", "days"):
        return str(int(value))
    if kind == "percent":
        return decimal_comma(float(Fraction(value) * 100), 1)
    if kind == "month":
        return value.strftime("%Y-%m") if isinstance(value, date) else escape_formula(str(value))
    if kind == "date":
        return value.isoformat() if isinstance(value, date) else escape_formula(str(value))
    if kind == "cents":
        return euros(int(value))
    return escape_formula(str(value))


def table_csv(table: Table) -> bytes:
    """The table as CSV for Excel: UTF-8 with BOM, ";", CRLF, the column labels as header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([escape_formula(c.label) for c in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell(value, c.kind) for value, c in zip(row, table.columns, strict=True)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
