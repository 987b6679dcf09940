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


# The properties of a unit feature, in order (the same contract as unit_feature()):
# those read from the unit's own row are stored with it, as JSON text, by triggers
# (column units.feature_text, installed by the migrations), the commune's slug
# included; the page's URL, which depends on the request, is added at query time.
STORED_FIELDS = (
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
)
STORED_FEATURE = geo.StoredFeature(
    table="units",
    column="feature_text",
    geometry="location",
    fields=STORED_FIELDS,
    lookups=(geo.Lookup("commune", "communes", "slug", "commune_id"),),
)


@functools.lru_cache(maxsize=8)
def tail_fields(unit_url_prefix: str) -> tuple[geo.JsonField, ...]:
    """The properties written at query time, after the stored ones."""
    return (geo.JsonField("url", "id", "prefixed", prefix=unit_url_prefix),)


def units_collection(filters, dialect: str, limit: int, unit_url_prefix: str) -> tuple[Select, dict[str, Any]]:
    """The statement answering one row, one column: the FeatureCollection the API sends, and its parameters.

    The database joins the units' stored texts. The statement is built once
    per shape of the filters (which filters, not their values) and kept:
    building it and computing SQLAlchemy's cache key for it cost more than
    running it (bench/RESULTS.md).
    """
    key = (dialect, filters.shape(), limit, unit_url_prefix)
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        if len(_STATEMENTS) >= MAX_STATEMENTS:
            _STATEMENTS.clear()
        rows = select(Unit.id.label("id"), Unit.feature_text.label("head"))
        # Built with this request's values; params() replaces them at each execution.
        rows = filters.apply(rows, dialect)
        stmt = _STATEMENTS[key] = geo.stored_feature_collection(
            dialect, rows, id_column=Unit.id, tail=tail_fields(unit_url_prefix), limit=limit
        )
    return stmt, filters.params()


# The API's statements by shape: a few dozen in practice (filters combine, limits vary).
_STATEMENTS: dict[tuple, Select] = {}
MAX_STATEMENTS = 256


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
