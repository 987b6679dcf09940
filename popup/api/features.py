"""Public GeoJSON (RFC 7946) of units and cores: public fields only, never personal data."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import Select, func, select

from popup.communes.models import Commune
from popup.domain.vocabulary import UNIT_FEATURES
from popup.units.models import Unit

PUBLIC_COLUMNS = (
    Unit.id,
    Unit.address,
    Unit.status,
    Unit.status_changed_at,
    Unit.floor_area_m2,
    Unit.frontage_m,
    Unit.ground_floor,
    Unit.asking_rent_cents,
    Unit.activity,
    Unit.public_description,
    Unit.has_water,
    Unit.has_kitchen,
    Unit.step_free_access,
    Unit.has_shop_window,
    Commune.slug,
)


def public_units_select() -> Select:
    """Columns of the public unit feature, coordinates read in SQL (no WKB parsing)."""
    return select(*PUBLIC_COLUMNS, func.ST_X(Unit.location), func.ST_Y(Unit.location)).join(
        Commune, Commune.id == Unit.commune_id
    )


def unit_feature(row, unit_url_prefix: str) -> dict[str, Any]:
    (
        unit_id,
        address,
        status,
        status_changed_at,
        area,
        frontage,
        ground_floor,
        rent,
        activity,
        description,
        *flags,
        commune_slug,
        lon,
        lat,
    ) = row
    return {
        "type": "Feature",
        "id": unit_id,
        "geometry": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]},
        "properties": {
            "id": unit_id,
            "address": address,
            "status": status,
            "status_since": status_changed_at.date().isoformat(),
            "floor_area_m2": area,
            "frontage_m": frontage,
            "ground_floor": ground_floor,
            "asking_rent_cents": rent,
            "activity": activity,
            "description": description,
            "features": [name for name, on in zip(UNIT_FEATURES, flags, strict=True) if on],
            "commune": commune_slug,
            "url": f"{unit_url_prefix}{unit_id}",
        },
    }


def unit_url_prefix() -> str:
    """The unit page URL without its id (url_for for every row of a big answer is slow)."""
    return url_for("units.detail", unit_id=0).removesuffix("0")
