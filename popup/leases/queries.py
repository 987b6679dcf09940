"""Reads of leases: who sees which, choices for the forms, the commune's subsidies and overdue payers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from popup.auth.models import User, staff_communes
from popup.communes.models import Commune
from popup.domain.rentsplit import RentSplitError
from popup.extensions import db
from popup.leases.accounting import lease_account
from popup.leases.models import Lease, LeasePayment, LeaseTenant
from popup.matching.models import MatchProposal
from popup.offers.models import Offer, Stand
from popup.units.models import Unit

LEASABLE_STATUSES = ("vacant", "popup", "under_works")


def _leases():
    return select(Lease).options(
        joinedload(Lease.unit),
        joinedload(Lease.commune),
        selectinload(Lease.tenants).joinedload(LeaseTenant.entrepreneur),
    )


def leases_of_user(user: User) -> list[Lease]:
    """Staff: their communes' leases (admins: all); owners: their own; entrepreneurs: those they are co-tenants of."""
    stmt = _leases()
    if user.role != "admin":
        mine = [Lease.owner_id == user.id, Lease.tenants.any(LeaseTenant.entrepreneur_id == user.id)]
        if user.role == "staff":
            communes = select(staff_communes.c.commune_id).where(staff_communes.c.user_id == user.id)
            mine.append(Lease.commune_id.in_(communes))
        stmt = stmt.where(or_(*mine))
    return list(db.session.scalars(stmt.order_by(Lease.starts_on.desc(), Lease.id.desc())).unique())


def commune_leases(commune: Commune) -> list[Lease]:
    stmt = _leases().where(Lease.commune_id == commune.id).order_by(Lease.starts_on.desc(), Lease.id.desc())
    return list(db.session.scalars(stmt).unique())


def leasable_units(commune_id: int, keep: int | None = None) -> list[Unit]:
    stmt = select(Unit).where(
        Unit.commune_id == commune_id,
        Unit.archived_at.is_(None),
        or_(Unit.status.in_(LEASABLE_STATUSES), Unit.id == keep),
    )
    return list(db.session.scalars(stmt.order_by(Unit.address, Unit.id)))


def commune_units(commune_id: int) -> list[Unit]:
    stmt = select(Unit).where(Unit.commune_id == commune_id, Unit.archived_at.is_(None))
    return list(db.session.scalars(stmt.order_by(Unit.address, Unit.id)))


def users_with_role(role: str) -> list[User]:
    stmt = select(User).where(User.role == role, User.active.is_(True)).order_by(User.name, User.id)
    return list(db.session.scalars(stmt))


def stands_for(lease: Lease) -> list[Stand]:
    """The stands a co-tenant may take: the offer's, else those of every offer of the unit."""
    stmt = select(Stand).join(Offer, Offer.id == Stand.offer_id)
    if lease.offer_id is not None:
        stmt = stmt.where(Stand.offer_id == lease.offer_id)
    else:
        stmt = stmt.where(Offer.unit_id == lease.unit_id)
    return list(db.session.scalars(stmt.order_by(Stand.offer_id, Stand.position, Stand.id)))


def ledger(lease: Lease, tenant_ids: set[int] | None = None) -> list[LeasePayment]:
    """The lease's ledger in the order it was written; ``tenant_ids`` keeps only those co-tenants' entries."""
    stmt = (
        select(LeasePayment)
        .where(LeasePayment.lease_id == lease.id)
        .options(joinedload(LeasePayment.tenant).joinedload(LeaseTenant.entrepreneur))
    )
    if tenant_ids is not None:
        stmt = stmt.where(LeasePayment.tenant_id.in_(tenant_ids or {-1}))
    return list(db.session.scalars(stmt.order_by(LeasePayment.id)))


def reversed_ids(lease: Lease) -> set[int]:
    stmt = select(LeasePayment.reverses_id).where(
        LeasePayment.lease_id == lease.id, LeasePayment.reverses_id.is_not(None)
    )
    return set(db.session.scalars(stmt))


# -- the commune's view ----------------------------------------------------------------


@dataclass(frozen=True)
class CommuneLine:
    lease: Lease
    subsidy_total_cents: int  # over the whole lease
    subsidy_to_date_cents: int
    paid_cents: int
    overdue_cents: int
    error: str | None = None


@dataclass(frozen=True)
class OverdueLine:
    lease: Lease
    tenant: LeaseTenant | None  # None: the commune
    due_past_cents: int
    paid_cents: int
    overdue_cents: int


def _accounted(commune: Commune, today: date):
    for lease in commune_leases(commune):
        if lease.status == "draft" or not lease.tenants:
            continue
        try:
            yield lease, lease_account(lease, today)
        except RentSplitError:
            yield lease, None


def subsidies(commune: Commune, today: date) -> list[CommuneLine]:
    """What the commune owes on each of its signed leases (subsidies and stepped rent), and has paid."""
    lines = []
    for lease, account in _accounted(commune, today):
        if account is None:
            lines.append(CommuneLine(lease, 0, 0, 0, 0, error="split"))
            continue
        c = account.commune
        lines.append(CommuneLine(lease, c.due_total_cents, c.due_to_date_cents, c.paid_cents, c.overdue_cents))
    return lines


def overdue(commune: Commune, today: date) -> list[OverdueLine]:
    """Every payer who owes money for months that are over."""
    lines = []
    for lease, account in _accounted(commune, today):
        if account is None:
            continue
        for tenant in lease.tenants:
            a = account.tenants.get(tenant.id)
            if a is not None and a.overdue_cents > 0:
                lines.append(OverdueLine(lease, tenant, a.due_past_cents, a.paid_cents, a.overdue_cents))
        if account.commune.overdue_cents > 0:
            c = account.commune
            lines.append(OverdueLine(lease, None, c.due_past_cents, c.paid_cents, c.overdue_cents))
    return lines


def proposals_of_tenants(tenant_ids: list[int]) -> dict[int, int]:
    """{co-tenant id: the match proposal that prepared it}."""
    if not tenant_ids:
        return {}
    stmt = select(MatchProposal.lease_tenant_id, MatchProposal.id).where(MatchProposal.lease_tenant_id.in_(tenant_ids))
    return dict(db.session.execute(stmt).all())
