"""Reads of the owner's space and of the moderation queue."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from popup.auth.models import User, staff_communes
from popup.communes.models import Commune
from popup.extensions import db
from popup.units.models import Unit


def units_of_owner(user: User) -> list[Unit]:
    """The live units whose recorded owner is the user, every approval state."""
    stmt = (
        select(Unit)
        .options(joinedload(Unit.commune))
        .where(Unit.owner_id == user.id, Unit.archived_at.is_(None))
        .order_by(func.lower(Unit.address), Unit.id)
    )
    return list(db.session.scalars(stmt))


def all_communes() -> list[Commune]:
    return list(db.session.scalars(select(Commune).order_by(Commune.name)))


def _pending(user: User):
    stmt = select(Unit).where(Unit.approval == "pending", Unit.archived_at.is_(None))
    if user.role == "admin":
        return stmt
    if user.role != "staff":
        return None
    mine = select(staff_communes.c.commune_id).where(staff_communes.c.user_id == user.id)
    return stmt.where(Unit.commune_id.in_(mine))


@dataclass(frozen=True)
class PendingUnit:
    unit: Unit
    proposer: User | None


def pending_units(user: User) -> list[PendingUnit]:
    """Units awaiting approval in the communes the user manages, the oldest first."""
    stmt = _pending(user)
    if stmt is None:
        return []
    units = list(db.session.scalars(stmt.options(joinedload(Unit.commune)).order_by(Unit.created_at, Unit.id)))
    ids = {u.proposed_by_id for u in units if u.proposed_by_id is not None}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return [PendingUnit(u, users.get(u.proposed_by_id) or u.owner) for u in units]


def pending_count(user: User) -> int:
    stmt = _pending(user)
    if stmt is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(stmt.with_only_columns(Unit.id).subquery())) or 0
