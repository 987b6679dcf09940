"""Workflows on units. They flush; the caller commits."""

from __future__ import annotations

from datetime import datetime

from popup.audit import recorder as audit
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
        "sector",
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


def record_status_changes(
    changes: dict[int, str], *, by: User | None, reason: str = "", at: datetime | None = None
) -> int:
    """Set new statuses on many units in bulk, each change dated in the history.

    The same rule as change_status (no entry when the status is unchanged),
    written as a few set-based statements instead of one flush per unit, for
    imports of tens of thousands of rows. Returns how many units changed.
    """
    from sqlalchemy import insert, select, update

    unknown = set(changes.values()) - set(UNIT_STATUSES)
    if unknown:
        raise ValueError(f"unknown status {sorted(unknown)!r}")
    at = at or utcnow()
    current: dict[int, str] = {}
    communes: dict[int, int] = {}
    ids = list(changes)
    for start in range(0, len(ids), 900):  # stay under SQLite's bound-parameter limit
        chunk = ids[start : start + 900]
        for uid, status, commune_id in db.session.execute(
            select(Unit.id, Unit.status, Unit.commune_id).where(Unit.id.in_(chunk))
        ):
            current[uid], communes[uid] = status, commune_id
    moves = [(uid, current[uid], new) for uid, new in changes.items() if uid in current and current[uid] != new]
    if not moves:
        return 0
    by_id = by.id if by is not None else None
    db.session.execute(
        insert(UnitStatusChange.__table__),
        [
            {
                "unit_id": uid,
                "from_status": old,
                "to_status": new,
                "changed_at": at,
                "changed_by_id": by_id,
                "reason": reason,
            }
            for uid, old, new in moves
        ],
    )
    db.session.execute(update(Unit), [{"id": uid, "status": new, "status_changed_at": at} for uid, _old, new in moves])
    audit.record(
        db.session,
        (
            {
                "table_name": "units",
                "row_id": uid,
                "action": "update",
                "changes": {"status": (old, new), "status_changed_at": (None, at)},
                "commune_id": communes[uid],
            }
            for uid, old, new in moves
        ),
    )
    # Objects already loaded in the session must not keep the old status.
    for uid, _old, _new in moves:
        loaded = db.session.identity_map.get(db.session.identity_key(Unit, uid))  # type: ignore[arg-type]
        if loaded is not None:
            db.session.expire(loaded)
    return len(moves)
