"""Units an owner holds or proposed, and status changes a staff member recorded.

On erasure the units stay (they are premises, not personal data) without an
owner; the status history keeps its rows under the anonymised account.
"""

from __future__ import annotations

from sqlalchemy import or_, select, update

from popup import gdpr
from popup.extensions import db
from popup.units.models import Unit, UnitStatusChange


def export(user) -> dict:
    units = db.session.scalars(
        select(Unit).where(or_(Unit.owner_id == user.id, Unit.proposed_by_id == user.id)).order_by(Unit.id)
    ).all()
    changes = db.session.scalars(
        select(UnitStatusChange).where(UnitStatusChange.changed_by_id == user.id).order_by(UnitStatusChange.id)
    ).all()
    return {
        "units": [
            {
                **gdpr.row(u, "id", "address", "status", "approval", "floor_area_m2", "asking_rent_cents"),
                "owner": u.owner_id == user.id,
                "proposed": u.proposed_by_id == user.id,
            }
            for u in units
        ],
        "status_changes_recorded": [
            gdpr.row(c, "unit_id", "from_status", "to_status", "changed_at", "reason") for c in changes
        ],
    }


def erase(user) -> None:
    db.session.execute(
        update(Unit).where(Unit.owner_id == user.id).values(owner_id=None),
        execution_options={"synchronize_session": False},
    )
    db.session.flush()


gdpr.register("units", export, erase, tables=("units",))
