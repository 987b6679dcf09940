"""Who may see and manage a unit besides its commune's staff: its owner.

A unit that is not approved yet (or was rejected) is a secret between its
proposing owner and the staff of its commune: anyone else gets a 404, as if
it did not exist.
"""

from __future__ import annotations

from flask import abort

from popup.extensions import db
from popup.permissions import Policy, ViewArgs
from popup.units.models import Unit
from popup.units.policies import live_unit, may_manage

OWNER_ROLES = ("owner", "admin")
MANAGER_ROLES = ("owner", "staff", "admin")  # who may manage some unit's offers and photos


def owns(user, unit: Unit) -> bool:
    """The user is the unit's recorded owner (admins count as every owner)."""
    if not user.is_authenticated or unit.archived_at is not None:
        return False
    return user.role == "admin" or (unit.owner_id is not None and unit.owner_id == user.id)


def manages(user, unit: Unit) -> bool:
    """The user may add offers and photos to this unit: its owner or its commune's staff."""
    return owns(user, unit) or may_manage(user, unit)


def may_see(user, unit: Unit) -> bool:
    """Approved units are public; the others only for their owner, proposer and commune's staff."""
    if unit.archived_at is not None:
        return False
    if unit.approval == "approved":
        return True
    if not user.is_authenticated:
        return False
    proposer = unit.proposed_by_id is not None and unit.proposed_by_id == user.id
    return proposer or manages(user, unit)


def _owner_role(user, args: ViewArgs) -> bool:
    return user.role in OWNER_ROLES


def _owner_of_unit(user, args: ViewArgs) -> bool:
    unit = live_unit(args.get("unit_id"))
    if user.role not in OWNER_ROLES:
        return False
    if not owns(user, unit):
        abort(404)  # another owner's unit: not even its existence is told
    return True


def _manager_of_unit(user, args: ViewArgs) -> bool:
    unit = live_unit(args.get("unit_id"))
    if user.role not in MANAGER_ROLES:
        return False
    if not manages(user, unit):
        abort(404)  # as in the owner's space: someone else's unit is not even said to exist
    return True


def _visible_unit(user, args: ViewArgs) -> bool:
    if not may_see(user, live_unit(args.get("unit_id"))):
        abort(404)
    return True


owner_role = Policy("owner", _owner_role)
owner_of_unit = Policy("owner of this unit", _owner_of_unit)
manager_of_unit = Policy("owner of this unit or staff of its commune", _manager_of_unit)
# Public for approved units; the others only for their owner, proposer and commune's staff (404 for anyone else).
visible_unit = Policy("anyone who may see this unit", _visible_unit, needs_login=False)


def _viewer_of_image(user, args: ViewArgs) -> bool:
    from popup.uploads.operations import image_by_token

    image = image_by_token(args.get("token"), args.get("ext"))
    unit = db.session.get(Unit, image.unit_id) if image is not None and image.unit_id is not None else None
    if unit is None or not may_see(user, unit):
        abort(404)  # a photo of a unit the user may not see does not exist for them
    return True


# Public, but only for the photos of units the user may see (approved ones for everyone).
viewer_of_image = Policy("whoever may see the photo's unit", _viewer_of_image, needs_login=False)
