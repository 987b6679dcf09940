from __future__ import annotations

from flask import abort, render_template

from popup.extensions import db
from popup.permissions import policy, public
from popup.units.models import Unit


@policy(public)
def detail(unit_id: int):
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.archived_at is not None:
        abort(404)
    return render_template("units/detail.html", unit=unit)
