"""Reads behind the open data files: public unit fields only, and the dated status history."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from shapely.geometry import mapping
from sqlalchemy import func, select

from popup import geo
from popup.api import features
from popup.communes.models import CommercialCore, Commune
from popup.domain.opendata import Licence, Series, monthly_status_counts
from popup.extensions import db
from popup.units.models import Unit, UnitStatusChange


def _local_date(at: datetime) -> date:
    return at.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def today() -> date:
    from popup.types import utcnow

    return _local_date(utcnow())


def _public(commune: Commune):
    return (Unit.commune_id == commune.id, Unit.archived_at.is_(None), Unit.approval == "approved")


def unit_features(commune: Commune) -> list[dict]:
    """The commune's public units as the API gives them (public fields only)."""
    rows = db.session.execute(features.public_units_select().where(*_public(commune)).order_by(Unit.id)).all()
    prefix = features.unit_url_prefix()
    return [features.unit_feature(row, prefix) for row in rows]


def last_change_on(commune: Commune) -> date | None:
    """The day of the latest recorded change of the commune's public units (created or changed status)."""
    created = db.session.scalar(select(func.max(Unit.created_at)).where(*_public(commune)))
    changed = db.session.scalar(
        select(func.max(UnitStatusChange.changed_at))
        .join(Unit, Unit.id == UnitStatusChange.unit_id)
        .where(*_public(commune))
    )
    latest = max((t for t in (created, changed) if t is not None), default=None)
    return _local_date(latest) if latest is not None else None


def licence(commune: Commune) -> Licence:
    return Licence(
        licence=current_app.config["OPEN_DATA_LICENCE"],
        source=f"{commune.name} (popup)",
        updated_on=last_change_on(commune),
    )


def _changes(commune: Commune, unit_ids: set[int] | None = None) -> list[tuple[int, date, str]]:
    """(unit, day, new status) of the commune's public units, in the order they happened."""
    rows = db.session.execute(
        select(UnitStatusChange.unit_id, UnitStatusChange.changed_at, UnitStatusChange.to_status)
        .join(Unit, Unit.id == UnitStatusChange.unit_id)
        .where(*_public(commune))
        .order_by(UnitStatusChange.changed_at, UnitStatusChange.id)
    ).all()
    changes = [(uid, _local_date(at), status) for uid, at, status in rows]
    # A unit written without any history (bulk tools) counts from its creation with its status.
    known = {uid for uid, _on, _status in changes}
    bare = db.session.execute(
        select(Unit.id, Unit.created_at, Unit.status).where(*_public(commune)).order_by(Unit.created_at, Unit.id)
    ).all()
    changes.extend((uid, _local_date(at), status) for uid, at, status in bare if uid not in known)
    if unit_ids is not None:
        changes = [c for c in changes if c[0] in unit_ids]
    return changes


def _core_unit_ids(core: CommercialCore) -> set[int]:
    area = select(CommercialCore.area).where(CommercialCore.id == core.id).scalar_subquery()
    inside = geo.within_polygon(db.engine.dialect.name, Unit.id, Unit.location, area)
    return set(db.session.scalars(select(Unit.id).where(Unit.commune_id == core.commune_id, inside)))


def vacancy_series(commune: Commune) -> list[Series]:
    """Monthly figures of the commune, then of each commercial core (units inside it today)."""
    on = today()
    all_changes = _changes(commune)
    first = min((c[1] for c in all_changes), default=None)
    boundary = mapping(geo.shape(commune.boundary)) if commune.boundary is not None else None
    series = [
        Series(
            "commune",
            commune.name,
            monthly_status_counts(all_changes, on),
            geometry=boundary,
            properties={"commune": commune.slug},
        )
    ]
    for core in commune.cores:
        ids = _core_unit_ids(core)
        changes = [c for c in all_changes if c[0] in ids]
        months = monthly_status_counts(changes, on, first_month=first) if changes else []
        series.append(
            Series(
                "core",
                core.name,
                months,
                geometry=mapping(geo.shape(core.area)),
                properties={"commune": commune.slug, "core_id": core.id, "core": core.slug},
            )
        )
    return series
