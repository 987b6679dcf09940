"""Who may moderate what residents wrote: the staff of the commune of the unit."""

from __future__ import annotations

from flask import abort

from popup.extensions import db
from popup.participation.models import Wish
from popup.permissions import Policy, ViewArgs
from popup.units.policies import may_manage


def wish_from_url(wish_id) -> Wish:
    wish = db.session.get(Wish, wish_id) if isinstance(wish_id, int) else None
    if wish is None or wish.unit.archived_at is not None:
        abort(404)
    return wish


def _staff_of_wish(user, args: ViewArgs) -> bool:
    return may_manage(user, wish_from_url(args.get("wish_id")).unit)


staff_of_wish = Policy("staff of the commune of the wished unit", _staff_of_wish)
