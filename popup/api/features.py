"""Public GeoJSON (RFC 7946) of units and cores: public fields only, never personal data."""

from __future__ import annotations

import functools
from typing import Any

from flask import url_for
from sqlalchemy import Select, func, select

from popup import geo
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


# The properties of a unit feature, in order: the same contract as unit_feature().
@functools.lru_cache(maxsize=8)
def collection_fields(unit_url_prefix: str) -> tuple[geo.JsonField, ...]:
    """The properties of a unit feature, in order: the same contract as unit_feature()."""
    return (
        geo.JsonField("id", "id", "int"),
        geo.JsonField("address", "address"),
        geo.JsonField("status", "status", "code"),  # ck_units_status: plain words
        geo.JsonField("status_since", "status_changed_at", "date"),
        geo.JsonField("floor_area_m2", "floor_area_m2", "float"),
        geo.JsonField("frontage_m", "frontage_m", "float"),
        geo.JsonField("ground_floor", "ground_floor", "bool"),
        geo.JsonField("asking_rent_cents", "asking_rent_cents", "int"),
        geo.JsonField("activity", "activity"),
        geo.JsonField("description", "public_description"),
        geo.JsonField("features", kind="flags", flags=UNIT_FEATURES),
        geo.JsonField("commune", "commune"),
        geo.JsonField("url", "id", "prefixed", prefix=unit_url_prefix),
    )


def public_units_rows() -> Select:
    """The columns of the public unit features, labelled for geo.point_feature_collection()."""
    columns = [c.label(c.key) for c in PUBLIC_COLUMNS[:-1]]
    return select(
        *columns,
        Commune.slug.label("commune"),
        func.ST_X(Unit.location).label("lon"),
        func.ST_Y(Unit.location).label("lat"),
    ).join(Commune, Commune.id == Unit.commune_id)


def units_collection(filters, dialect: str, limit: int, unit_url_prefix: str) -> Select:
    """One row, one column: the FeatureCollection the API sends, built by the database."""
    rows = filters.apply(public_units_rows(), dialect)
    fields = collection_fields(unit_url_prefix)
    return geo.point_feature_collection(dialect, rows, id_column=Unit.id, fields=fields, limit=limit)


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
