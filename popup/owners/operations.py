"""Owners propose units, staff approve or refuse them. They flush; the view commits."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from popup.auth.models import User, staff_communes
from popup.communes.models import Commune
from popup.extensions import db
from popup.notifications.operations import notify
from popup.units import operations as unit_operations
from popup.units.models import Unit

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


class AlreadyDecided(ValueError):
    """The unit is no longer awaiting a decision (someone else decided first)."""


def staff_of(commune: Commune) -> list[User]:
    """Active staff accounts of a commune (administrators are not spammed)."""
    stmt = (
        select(User)
        .join(staff_communes, staff_communes.c.user_id == User.id)
        .where(staff_communes.c.commune_id == commune.id, User.role == "staff", User.active.is_(True))
        .order_by(User.id)
    )
    return list(db.session.scalars(stmt))


def propose_unit(owner: User, commune: Commune, **facts) -> Unit:
    """Record a unit proposed by its owner: vacant, awaiting approval; tell the commune's staff."""
    unit = unit_operations.create_unit(
        commune=commune,
        status="vacant",
        by=owner,
        approval=PENDING,
        proposed_by_id=owner.id,
        owner=owner,
        **facts,
    )
    link = url_for("owners.moderation")
    for staff in staff_of(commune):
        notify(staff, "unit_proposed", {"owner": owner.name, "address": unit.address}, link=link)
    return unit


def update_owned_unit(unit: Unit, *, by: User, **facts) -> None:
    """Change the descriptive facts of a unit; its status and approval stay as they are."""
    unit_operations.update_unit(unit, by=by, **facts)


def _lock_pending(unit: Unit) -> Unit:
    # Two staff deciding at once: the row lock (BEGIN IMMEDIATE on SQLite) makes the second see the first.
    locked = db.session.execute(
        select(Unit).where(Unit.id == unit.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    if locked.approval != PENDING:
        raise AlreadyDecided(locked.approval)
    return locked


def _recipient(unit: Unit) -> User | None:
    if unit.owner is not None:
        return unit.owner
    return db.session.get(User, unit.proposed_by_id) if unit.proposed_by_id else None


def approve_unit(unit: Unit, *, by: User) -> None:
    """Approve a proposed unit: it appears on the map, lists and figures; the owner is told."""
    unit = _lock_pending(unit)
    unit.approval = APPROVED
    unit.approval_reason = ""
    db.session.flush()
    recipient = _recipient(unit)
    if recipient is not None:
        notify(recipient, "unit_approved", {"address": unit.address}, link=url_for("units.detail", unit_id=unit.id))


def reject_unit(unit: Unit, *, by: User, reason: str) -> None:
    """Refuse a proposed unit with the reason the owner reads."""
    if not reason.strip():
        raise ValueError("a refusal needs a reason")
    unit = _lock_pending(unit)
    unit.approval = REJECTED
    unit.approval_reason = reason.strip()[:500]
    db.session.flush()
    recipient = _recipient(unit)
    if recipient is not None:
        notify(
            recipient,
            "unit_rejected",
            {"address": unit.address, "reason": unit.approval_reason},
            link=url_for("owners.units"),
        )
