"""Reads for the exports."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from popup.communes.models import Commune
from popup.domain.exporting import ExportRow
from popup.domain.vocabulary import UNIT_FEATURES
from popup.extensions import db
from popup.units.filters import UnitFilters
from popup.units.models import Unit

LOCAL_TIME = ZoneInfo("Europe/Brussels")  # dates are local (docs: DESIGN.md, dates)


def export_rows(filters: UnitFilters) -> list[ExportRow]:
    """The units the filters select, commune by commune, coordinates read in SQL."""
    stmt = select(
        Unit.id,
        Unit.external_id,
        Commune.slug,
        Unit.address,
        Unit.street,
        Unit.status,
        Unit.status_changed_at,
        Unit.floor_area_m2,
        Unit.asking_rent_cents,
        Unit.activity,
        func.ST_X(Unit.location),
        func.ST_Y(Unit.location),
        *(getattr(Unit, name) for name in UNIT_FEATURES),
    ).join(Commune, Commune.id == Unit.commune_id)
    stmt = filters.apply(stmt, db.engine.dialect.name).order_by(Commune.slug, Unit.id)
    return [
        ExportRow(
            id=unit_id,
            external_id=external_id,
            commune=slug,
            address=address,
            street=street,
            status=status,
            status_since=changed_at.astimezone(LOCAL_TIME).date(),
            floor_area_m2=area,
            asking_rent_cents=rent,
            activity=activity,
            lon=lon,
            lat=lat,
            features=tuple(name for name, on in zip(UNIT_FEATURES, flags, strict=True) if on),
        )
        for unit_id, external_id, slug, address, street, status, changed_at, area, rent, activity, lon, lat, *flags in (
            db.session.execute(stmt)
        )
    ]
