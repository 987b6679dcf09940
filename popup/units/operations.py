"""Workflows on units. They flush; the caller commits."""

from __future__ import annotations

from datetime import datetime

from popup.auth.models import User
from popup.domain.addresses import street_of
from popup.domain.vocabulary import UNIT_STATUSES
from popup.extensions import db
from popup.types import utcnow
from popup.units.models import Unit, UnitStatusChange


def create_unit(
    *, status: str = "vacant", by: User | None = None, at: datetime | None = None, reason: str = "", **fields
) -> Unit:
    """Create a unit and its first history entry (who created it, and why it has this status)."""
    if status not in UNIT_STATUSES:
        raise ValueError(f"unknown status {status!r}")
    at = at or utcnow()
    unit = Unit(status=status, status_changed_at=at, street=street_of(fields.get("address", "")), **fields)
    unit.history.append(
        UnitStatusChange(from_status=None, to_status=status, changed_at=at, changed_by=by, reason=reason)
    )
    db.session.add(unit)
    db.session.flush()
    return unit


def change_status(unit: Unit, status: str, *, by: User | None, reason: str = "", at: datetime | None = None) -> bool:
    """Set the unit's status and record the dated change; False when unchanged."""
    if status not in UNIT_STATUSES:
        raise ValueError(f"unknown status {status!r}")
    if status == unit.status:
        return False
    at = at or utcnow()
    unit.history.append(
        UnitStatusChange(from_status=unit.status, to_status=status, changed_at=at, changed_by=by, reason=reason)
    )
    unit.status = status
    unit.status_changed_at = at
    db.session.flush()
    return True


EDITABLE_FIELDS = frozenset(
    {
        "address",
        "location",
        "footprint",
        "floor_area_m2",
        "frontage_m",
        "ground_floor",
        "asking_rent_cents",
        "owner",
        "owner_id",
        "public_description",
        "has_water",
        "has_kitchen",
        "step_free_access",
        "has_shop_window",
        "external_id",
        "activity",
    }
)


def update_unit(unit: Unit, *, by: User | None, status: str | None = None, reason: str = "", **fields) -> None:
    """Change a unit's facts (and status, with a dated history entry)."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(unit, name, value)
    if "address" in fields:
        unit.street = street_of(unit.address)
    if status is not None:
        change_status(unit, status, by=by, reason=reason)
    db.session.flush()


def archive_unit(unit: Unit, *, by: User | None) -> None:
    """Hide a unit from lists, maps and figures; its history is kept."""
    if unit.archived_at is None:
        unit.archived_at = utcnow()
        db.session.flush()


def bulk_change_status(units: list[Unit], status: str, *, by: User | None, reason: str = "") -> int:
    """Set one status on many units; returns how many changed."""
    return sum(change_status(unit, status, by=by, reason=reason) for unit in units)
