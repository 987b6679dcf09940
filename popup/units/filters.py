"""Filters on units, read from query strings (map, inventory, exports, API)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, Integer, Select, bindparam, func, or_, select

from popup import geo
from popup.communes.models import CommercialCore
from popup.domain.money import parse_euros
from popup.domain.vocabulary import UNIT_FEATURES, UNIT_STATUSES
from popup.units.models import Unit

MAX_AREA_M2 = 100_000


class FilterError(ValueError):
    """A query parameter that cannot be read; ``message`` is for the user."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class UnitFilters:
    statuses: tuple[str, ...] = ()
    area_min: float | None = None
    area_max: float | None = None
    rent_min_cents: int | None = None
    rent_max_cents: int | None = None
    core_id: int | None = None
    features: tuple[str, ...] = ()
    text: str = ""
    bbox: tuple[float, float, float, float] | None = None
    commune_ids: tuple[int, ...] | None = None  # None: every commune
    # Units proposed by owners count nowhere until staff approve them.
    approvals: tuple[str, ...] = ("approved",)
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def apply(self, stmt: Select, dialect: str) -> Select:
        """Add the filters to a statement that selects from units.

        Every value is a named bound parameter (``params()``), so that a
        statement built once for a ``shape()`` serves any values of that shape
        (the API keeps one per shape).
        """
        stmt = stmt.where(Unit.archived_at.is_(None), Unit.approval.in_(_bind("approvals", self.approvals)))
        if self.commune_ids is not None:
            stmt = stmt.where(Unit.commune_id.in_(_bind("commune_ids", self.commune_ids)))
        if self.statuses:
            stmt = stmt.where(Unit.status.in_(_bind("statuses", self.statuses)))
        if self.area_min is not None:
            stmt = stmt.where(Unit.floor_area_m2 >= _bind("area_min", self.area_min))
        if self.area_max is not None:
            stmt = stmt.where(Unit.floor_area_m2 <= _bind("area_max", self.area_max))
        if self.rent_min_cents is not None:
            stmt = stmt.where(Unit.asking_rent_cents >= _bind("rent_min_cents", self.rent_min_cents))
        if self.rent_max_cents is not None:
            stmt = stmt.where(Unit.asking_rent_cents <= _bind("rent_max_cents", self.rent_max_cents))
        for feature in self.features:
            stmt = stmt.where(getattr(Unit, feature).is_(True))
        if self.text:
            pattern = _bind("text", self._text_pattern())
            stmt = stmt.where(
                or_(
                    func.lower(Unit.address).like(pattern, escape="\\"),
                    func.lower(func.coalesce(Unit.activity, "")).like(pattern, escape="\\"),
                    func.lower(func.coalesce(Unit.external_id, "")).like(pattern, escape="\\"),
                )
            )
        if self.core_id is not None:
            core = _bind("core_id", self.core_id)
            area = select(CommercialCore.area).where(CommercialCore.id == core).scalar_subquery()
            stmt = stmt.where(geo.within_polygon(dialect, Unit.id, Unit.location, area))
        if self.bbox is not None:
            box = tuple(_bind(f"bbox_{i}", v) for i, v in enumerate(self.bbox))
            stmt = stmt.where(geo.in_bbox(dialect, Unit.id, Unit.location, box))
        return stmt

    def _text_pattern(self) -> str:
        # % and _ are what the user typed, not wildcards.
        escaped = self.text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"%{escaped}%"

    def shape(self) -> tuple:
        """What decides the statement's SQL apart from the values of params()."""
        return (tuple(self.params()), self.features)

    def params(self) -> dict[str, Any]:
        """The values of the statement's bound parameters, by name."""
        values: dict[str, Any] = {"approvals": list(self.approvals)}
        if self.commune_ids is not None:
            values["commune_ids"] = list(self.commune_ids)
        if self.statuses:
            values["statuses"] = list(self.statuses)
        for name in ("area_min", "area_max", "rent_min_cents", "rent_max_cents", "core_id"):
            if getattr(self, name) is not None:
                values[name] = getattr(self, name)
        if self.text:
            values["text"] = self._text_pattern()
        if self.bbox is not None:
            values.update({f"bbox_{i}": v for i, v in enumerate(self.bbox)})
        return {f"f_{name}": value for name, value in values.items()}


_BIND_TYPES = {"area_min": Float, "area_max": Float, "rent_min_cents": Integer, "rent_max_cents": Integer}


def _bind(name: str, value):
    """A bound parameter named as params() names it (lists: expanded, IN)."""
    if isinstance(value, tuple):
        return bindparam(f"f_{name}", list(value), expanding=True)
    kind = Float if name.startswith("bbox_") else _BIND_TYPES.get(name)
    return bindparam(f"f_{name}", value, type_=kind) if kind else bindparam(f"f_{name}", value)


def _number(args: Mapping[str, str], name: str, low: float, high: float) -> float | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise FilterError(name, _("Give a number.")) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise FilterError(name, _("Give a number between %(low)s and %(high)s.", low=low, high=high))
    return value


def _euros(args: Mapping[str, str], name: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return parse_euros(raw)
    except ValueError:
        raise FilterError(name, _("Give an amount in euros, such as 850 or 850,50.")) from None


def _codes(args, name: str, allowed: tuple[str, ...], message: str) -> tuple[str, ...]:
    values: list[str] = []
    raw_values = args.getlist(name) if hasattr(args, "getlist") else [args.get(name) or ""]
    for raw in raw_values:
        values.extend(v.strip() for v in raw.split(",") if v.strip())
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise FilterError(name, message % {"value": unknown[0], "allowed": ", ".join(allowed)})
    return tuple(dict.fromkeys(values))


def parse_bbox(raw: str) -> tuple[float, float, float, float]:
    parts = raw.split(",")
    if len(parts) != 4:
        raise FilterError("bbox", _("Give four numbers: minlon,minlat,maxlon,maxlat."))
    try:
        minlon, minlat, maxlon, maxlat = (float(p) for p in parts)
    except ValueError:
        raise FilterError("bbox", _("Give four numbers: minlon,minlat,maxlon,maxlat.")) from None
    if not all(math.isfinite(v) for v in (minlon, minlat, maxlon, maxlat)):
        raise FilterError("bbox", _("Give four numbers: minlon,minlat,maxlon,maxlat."))
    if not (-180 <= minlon <= 180 and -180 <= maxlon <= 180 and -90 <= minlat <= 90 and -90 <= maxlat <= 90):
        raise FilterError("bbox", _("Longitudes lie between -180 and 180, latitudes between -90 and 90."))
    if minlon > maxlon or minlat > maxlat:
        raise FilterError("bbox", _("The box is inverted: give the south-west corner first."))
    return (minlon, minlat, maxlon, maxlat)


def parse_filters(args: Mapping[str, str]) -> UnitFilters:
    """Read filters from query parameters; raises FilterError on a bad one."""
    area_min = _number(args, "area_min", 0, MAX_AREA_M2)
    area_max = _number(args, "area_max", 0, MAX_AREA_M2)
    if area_min is not None and area_max is not None and area_min > area_max:
        raise FilterError("area_max", _("The largest area is smaller than the smallest."))
    rent_min = _euros(args, "rent_min")
    rent_max = _euros(args, "rent_max")
    if rent_min is not None and rent_max is not None and rent_min > rent_max:
        raise FilterError("rent_max", _("The highest rent is lower than the lowest."))
    core_raw = (args.get("core") or "").strip()
    # ASCII digits only ("²" is a digit to Python) and small enough for an id.
    if core_raw and not (core_raw.isascii() and core_raw.isdigit() and len(core_raw) <= 9):
        raise FilterError("core", _("Unknown commercial core."))
    bbox_raw = (args.get("bbox") or "").strip()
    text = (args.get("q") or "").strip()
    if len(text) > 200:
        raise FilterError("q", _("Search with at most 200 characters."))
    return UnitFilters(
        statuses=_codes(args, "status", UNIT_STATUSES, _l("Unknown status %(value)s; use one of: %(allowed)s.")),
        area_min=area_min,
        area_max=area_max,
        rent_min_cents=rent_min,
        rent_max_cents=rent_max,
        core_id=int(core_raw) if core_raw else None,
        features=_codes(args, "features", UNIT_FEATURES, _l("Unknown feature %(value)s; use one of: %(allowed)s.")),
        text=text,
        bbox=parse_bbox(bbox_raw) if bbox_raw else None,
    )
