"""Which models the audit log follows, and how each finds its commune.

A new module adds its models here. Tables that are themselves a history
(unit status changes, application events) and notifications are not
audited: they already say who did what and when.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from popup.audit.recorder import register


def _unit_commune(session: Session, unit_id: int | None) -> int | None:
    from popup.units.models import Unit

    if unit_id is None:
        return None
    return session.execute(select(Unit.commune_id).where(Unit.id == unit_id)).scalar_one_or_none()


def _offer_commune(session: Session, offer_id: int | None) -> int | None:
    from popup.offers.models import Offer

    if offer_id is None:
        return None
    unit_id = session.execute(select(Offer.unit_id).where(Offer.id == offer_id)).scalar_one_or_none()
    return _unit_commune(session, unit_id)


def _call_commune(session: Session, call_id: int | None) -> int | None:
    from popup.calls.models import Call

    if call_id is None:
        return None
    return session.execute(select(Call.commune_id).where(Call.id == call_id)).scalar_one_or_none()


def _lease_commune(session: Session, lease_id: int | None) -> int | None:
    from popup.leases.models import Lease

    if lease_id is None:
        return None
    return session.execute(select(Lease.commune_id).where(Lease.id == lease_id)).scalar_one_or_none()


def _rotation_commune(session: Session, rotation_id: int | None) -> int | None:
    from popup.schedules.models import Rotation

    if rotation_id is None:
        return None
    offer_id = session.execute(select(Rotation.offer_id).where(Rotation.id == rotation_id)).scalar_one_or_none()
    return _offer_commune(session, offer_id)


def _application_commune(obj: Any, session: Session) -> int | None:
    return _call_commune(session, obj.call_id) or _offer_commune(session, obj.offer_id)


def register_all() -> None:
    from popup.applications.models import Application
    from popup.auth.models import User
    from popup.calls.models import Call
    from popup.coaching.models import CoachAssignment
    from popup.communes.models import CommercialCore
    from popup.leases.models import Lease, LeasePayment, LeaseTenant
    from popup.matching.models import MatchProposal
    from popup.offers.models import Offer, Stand
    from popup.schedules.models import Booking, Rotation, SwapRequest
    from popup.units.models import Unit

    register(Unit, commune_of=lambda obj, session: obj.commune_id)
    register(CommercialCore, commune_of=lambda obj, session: obj.commune_id)
    register(Offer, commune_of=lambda obj, session: _unit_commune(session, obj.unit_id))
    register(Stand, commune_of=lambda obj, session: _offer_commune(session, obj.offer_id))
    register(Call, commune_of=lambda obj, session: obj.commune_id)
    register(Application, exclude={"motivation"}, commune_of=_application_commune)
    # Accounts: roles, state and the communes a staff member manages; never
    # names, e-mails or password hashes (personal data stays out of the log).
    register(User, only={"role", "active"}, collections={"communes"})
    register(MatchProposal, exclude={"components"}, commune_of=lambda obj, session: _call_commune(session, obj.call_id))
    register(Lease, commune_of=lambda obj, session: obj.commune_id)
    register(LeaseTenant, commune_of=lambda obj, session: _lease_commune(session, obj.lease_id))
    register(LeasePayment, commune_of=lambda obj, session: _lease_commune(session, obj.lease_id))
    register(Rotation, commune_of=lambda obj, session: _offer_commune(session, obj.offer_id))
    register(Booking, commune_of=lambda obj, session: _rotation_commune(session, obj.rotation_id))
    register(
        SwapRequest, exclude={"message"}, commune_of=lambda obj, session: _rotation_commune(session, obj.rotation_id)
    )
    # Who coaches whom is a role given by staff; the notes' text stays out (personal).
    register(CoachAssignment, commune_of=lambda obj, session: obj.commune_id)
