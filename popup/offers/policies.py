"""Who may see and manage an offer: the owner of its unit and the staff of its commune."""

from __future__ import annotations

from flask import abort

from popup.extensions import db
from popup.offers.models import Offer
from popup.offers.queries import is_public
from popup.owners.policies import MANAGER_ROLES, manages
from popup.permissions import Policy, ViewArgs
from popup.units.queries import local_today


def live_offer(offer_id) -> Offer:
    """The offer the URL names; 404 when it does not exist or its unit is archived."""
    offer = db.session.get(Offer, offer_id) if isinstance(offer_id, int) else None
    if offer is None or offer.unit.archived_at is not None:
        abort(404)
    return offer


def _offer_roles(user, args: ViewArgs) -> bool:
    return user.role in MANAGER_ROLES


def _manager_of_offer(user, args: ViewArgs) -> bool:
    offer = live_offer(args.get("offer_id"))
    if user.role not in MANAGER_ROLES:
        return False
    if not manages(user, offer.unit):
        abort(404)  # someone else's offer: as in the owner's space, not even said to exist
    return True


def _public_offer(user, args: ViewArgs) -> bool:
    if not is_public(live_offer(args.get("offer_id")), local_today()):
        abort(404)
    return True


offer_roles = Policy("owner or staff", _offer_roles)
manager_of_offer = Policy("owner of the offer's unit or staff of its commune", _manager_of_offer)
public_offer = Policy("anyone, for a published offer", _public_offer, needs_login=False)
