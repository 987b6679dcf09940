"""Who may manage which unit: the staff of its commune, and admins."""

from __future__ import annotations

from flask import abort

from popup.extensions import db
from popup.permissions import Policy, ViewArgs
from popup.units.models import Unit


def may_manage(user, unit: Unit) -> bool:
    """The user may edit, archive and change the status of this unit."""
    return bool(user.is_authenticated) and unit.archived_at is None and user.is_staff_of(unit.commune)


def live_unit(unit_id) -> Unit:
    """The unit the URL names; 404 when it does not exist or is archived."""
    unit = db.session.get(Unit, unit_id) if isinstance(unit_id, int) else None
    if unit is None or unit.archived_at is not None:
        abort(404)
    return unit


def _staff_of_unit(user, args: ViewArgs) -> bool:
    return may_manage(user, live_unit(args.get("unit_id")))


staff_of_unit = Policy("staff of the unit's commune", _staff_of_unit)
