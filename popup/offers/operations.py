"""Workflows on offers. They flush; the view commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

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


class StandInUse(ValueError):
    """A stand to remove is referenced (a booking, a proposal, a co-tenant): ``label`` names it."""

    def __init__(self, label: str) -> None:
        super().__init__(label)
        self.label = label


def _referenced(stand_id: int) -> bool:
    """Whether any row of any table points at the stand (bookings, proposals, leases...).

    Read from the metadata, so that the modules built on offers need no hook here.
    """
    for table in db.metadata.tables.values():
        if table is Stand.__table__:
            continue
        for fk in table.foreign_keys:
            if fk.column.table is Stand.__table__:
                found = db.session.execute(select(fk.parent).where(fk.parent == stand_id).limit(1)).first()
                if found is not None:
                    return True
    return False


def _set_stands(offer: Offer, stands: Sequence[tuple[str, float]]) -> None:
    """Set the offer's stands: (label, area) in order; an empty label becomes "Stand n".

    Stands keep their identity by position (bookings, proposals and leases
    point at them): existing ones are updated in place, new ones added, and
    the ones left over removed only when nothing refers to them
    (StandInUse otherwise, and nothing changes).
    """
    current = sorted(offer.stands, key=lambda s: s.position)
    for stand in current[len(stands) :]:
        if stand.id is not None and _referenced(stand.id):
            raise StandInUse(stand.label)
    for stand in current[len(stands) :]:
        offer.stands.remove(stand)
    for position, (label, area) in enumerate(stands, start=1):
        label = (label or _("Stand %(num)d", num=position))[:40]
        if position <= len(current):
            stand = current[position - 1]
            stand.label, stand.area_m2, stand.position = label, area, position
        else:
            offer.stands.append(Stand(label=label, area_m2=area, position=position))


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
