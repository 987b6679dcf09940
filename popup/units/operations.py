"""Workflows on units. They flush; the caller commits."""

from __future__ import annotations

from datetime import datetime

from popup.auth.models import User
from popup.domain.vocabulary import UNIT_STATUSES
from popup.extensions import db
from popup.types import utcnow
from popup.units.models import Unit, UnitStatusChange


def create_unit(*, status: str = "vacant", by: User | None = None, at: datetime | None = None, **fields) -> Unit:
    """Create a unit and its first history entry."""
    if status not in UNIT_STATUSES:
        raise ValueError(f"unknown status {status!r}")
    at = at or utcnow()
    unit = Unit(status=status, status_changed_at=at, **fields)
    unit.history.append(UnitStatusChange(from_status=None, to_status=status, changed_at=at, changed_by=by))
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
