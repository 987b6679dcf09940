"""From the database's lease to the domain's: statements, accounts and the ledger's sums."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import func, select

from popup.domain import ledger, rentsplit
from popup.domain.bookings import days_present_of_tenancies
from popup.extensions import db
from popup.leases.models import Lease, LeasePayment, LeaseTenant
from popup.schedules import queries as schedule_queries


def _exact(value: float | None) -> Fraction | None:
    """A stored float (12.5 m²) as the decimal the user typed, exactly."""
    return None if value is None else Fraction(Decimal(str(value)))


def tenant_key(tenant: LeaseTenant) -> int | str:
    """The co-tenant's id; one not saved yet (being checked before it is written) gets a stand-in."""
    return tenant.id if tenant.id is not None else f"new-{id(tenant)}"


def stand_key(tenant: LeaseTenant) -> int | str:
    """The stand the split checks for double booking: the offer's stand, else one of the tenant's own."""
    stand_id = tenant.stand.id if tenant.stand is not None else tenant.stand_id
    return stand_id if stand_id is not None else f"own-{tenant_key(tenant)}"


def _method(kind: str, remainder: str | None, fixed: dict[int, int]) -> rentsplit.SplitMethod:
    if kind == rentsplit.SplitKind.FIXED_THEN:
        return rentsplit.SplitMethod.fixed_then(fixed, remainder or rentsplit.SplitKind.EQUAL)
    return rentsplit.SplitMethod(rentsplit.SplitKind(kind))


def days_present_from_bookings(
    lease: Lease, tenancies: Sequence[tuple[LeaseTenant, date | None]]
) -> dict[int | str, dict[tuple[int, int], int]]:
    """Days present per co-tenant per month from the bookings of the lease's rotation(s) (the option is on).

    Months no booking of a co-tenant falls in keep the co-tenants' dates.
    """
    bookings = schedule_queries.bookings_of_lease(lease.id) if lease.id is not None else []
    if not bookings:
        return {}
    end = lease.effective_end
    periods = {}
    for tenant, exit_on in tenancies:
        holder = tenant.entrepreneur.id if tenant.entrepreneur is not None else tenant.entrepreneur_id
        periods[tenant_key(tenant)] = (holder, max(tenant.entry_on, lease.starts_on), min(exit_on or end, end))
    return days_present_of_tenancies(periods, bookings)


def to_domain(lease: Lease, tenants: Sequence[LeaseTenant] | None = None) -> rentsplit.Lease:
    """The domain's lease; raises RentSplitError when it cannot be split.

    A terminated lease ends on its termination date: co-tenants are cut there
    and those who would only have come later drop out.
    """
    tenants = list(lease.tenants if tenants is None else tenants)
    end = lease.effective_end
    kept: list[tuple[LeaseTenant, date | None]] = []
    for tenant in tenants:
        exit_on = tenant.exit_on
        if lease.terminated_on is not None:
            if tenant.entry_on >= end:
                continue
            if exit_on is not None and exit_on >= end:
                exit_on = None
        kept.append((tenant, exit_on))
    present = days_present_from_bookings(lease, kept) if lease.presence_from_bookings else {}
    co_tenants = [
        rentsplit.CoTenant(
            id=tenant_key(tenant),
            stand_id=stand_key(tenant),
            area_m2=_exact(tenant.area_m2) or 0,
            entry_on=tenant.entry_on,
            exit_on=exit_on,
            weight=_exact(tenant.weight),
            subsidy_percent=lease.subsidy_percent if tenant.subsidised and lease.subsidy_percent else None,
            days_present=present.get(tenant_key(tenant)) or None,
        )
        for tenant, exit_on in kept
    ]
    fixed_rent = {tenant_key(t): t.fixed_rent_cents for t in tenants if t.fixed_rent_cents is not None}
    fixed_charges = {tenant_key(t): t.fixed_charges_cents for t in tenants if t.fixed_charges_cents is not None}
    ids = {c.id for c in co_tenants}
    return rentsplit.Lease(
        start_on=lease.starts_on,
        end_on=end,
        monthly_rent_cents=lease.rent_cents,
        monthly_charges_cents=lease.charges_cents,
        tenants=co_tenants,
        rent_split=_method(
            lease.rent_method, lease.rent_remainder_method, {k: v for k, v in fixed_rent.items() if k in ids}
        ),
        charges_split=_method(
            lease.charges_method,
            lease.charges_remainder_method,
            {k: v for k, v in fixed_charges.items() if k in ids},
        ),
        rent_steps=[(int(months), int(percent)) for months, percent in (lease.rent_steps or [])],
    )


def paid_by_payer(lease_id: int) -> tuple[dict[int, int], int]:
    """What each co-tenant and the commune paid, net of reversals: a SUM over the ledger, never a counter."""
    rows = db.session.execute(
        select(LeasePayment.tenant_id, func.coalesce(func.sum(LeasePayment.amount_cents), 0))
        .where(LeasePayment.lease_id == lease_id)
        .group_by(LeasePayment.tenant_id)
    ).all()
    by_tenant = {tenant_id: int(total) for tenant_id, total in rows if tenant_id is not None}
    commune = next((int(total) for tenant_id, total in rows if tenant_id is None), 0)
    return by_tenant, commune


def lease_account(lease: Lease, today: date) -> ledger.LeaseAccount:
    """Statements with payments settled and each payer's account, seen on ``today``.

    Raises RentSplitError when the lease cannot be split (no co-tenant, a month without one...).
    """
    domain = to_domain(lease)
    by_tenant, commune = paid_by_payer(lease.id)
    known = {t.id for t in domain.tenants}
    by_tenant = {k: v for k, v in by_tenant.items() if k in known}
    return ledger.lease_account(domain, by_tenant, commune, (today.year, today.month))
