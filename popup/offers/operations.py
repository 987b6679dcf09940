"""Workflows on offers. They flush; the view commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import gettext as _

from popup.auth.models import User
from popup.extensions import db
from popup.offers.models import Offer, Stand
from popup.types import utcnow
from popup.units.models import Unit


class CannotPublish(ValueError):
    """The offer cannot be published; ``reason`` names why (for the message)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _set_stands(offer: Offer, stands: Sequence[tuple[str, float]]) -> None:
    """Replace the offer's stands: (label, area) in order; an empty label becomes "Stand n"."""
    offer.stands.clear()
    db.session.flush()  # the old rows go before the new ones come
    for position, (label, area) in enumerate(stands, start=1):
        offer.stands.append(
            Stand(label=(label or _("Stand %(num)d", num=position))[:40], area_m2=area, position=position)
        )


def create_offer(unit: Unit, *, by: User, stands: Sequence[tuple[str, float]], **fields) -> Offer:
    """A draft offer of the unit, in the name of the unit's owner."""
    offer = Offer(unit=unit, owner_id=unit.owner_id, status="draft", **fields)
    db.session.add(offer)
    _set_stands(offer, stands)
    db.session.flush()
    return offer


def update_offer(offer: Offer, *, by: User, stands: Sequence[tuple[str, float]], **fields) -> None:
    for name, value in fields.items():
        setattr(offer, name, value)
    _set_stands(offer, stands)
    db.session.flush()


def publish_offer(offer: Offer, *, by: User, today: date) -> None:
    """Show the offer on the public list. Only an approved unit's offer, with a window not over yet."""
    unit = offer.unit
    if unit.archived_at is not None or unit.approval != "approved":
        raise CannotPublish("unit_not_approved")
    if offer.available_until is not None and offer.available_until <= today:
        raise CannotPublish("window_over")
    if offer.status == "published":
        raise CannotPublish("already_published")
    offer.status = "published"
    offer.published_at = utcnow()
    db.session.flush()


def close_offer(offer: Offer, *, by: User) -> bool:
    """Take the offer off the public list; False when it was already closed."""
    if offer.status == "closed":
        return False
    offer.status = "closed"
    db.session.flush()
    return True
