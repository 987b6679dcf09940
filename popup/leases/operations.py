"""Workflows on leases, their co-tenants and their ledger. They flush; the view commits.

Every check that fails raises LeaseError or RentSplitError after the changes
were flushed at most: the view then rolls back, so nothing is half-saved.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta

from flask import has_request_context
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from popup.auth.models import User
from popup.domain.rentsplit import RentSplitError, lease_statements
from popup.extensions import db
from popup.leases.accounting import to_domain
from popup.leases.messages import LeaseError
from popup.leases.models import Lease, LeasePayment, LeaseTenant
from popup.offers.models import Offer, Stand
from popup.types import utcnow
from popup.units import operations as units
from popup.units.models import Unit

OPEN_STATUSES = ("signed", "running")


def _(text: str, **params) -> str:
    """A history reason in the user's language; the English text outside a request (CLI, seed)."""
    return gettext(text, **params) if has_request_context() else text % params


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 Jan + 1 → 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def check_split(lease: Lease) -> None:
    """Raise RentSplitError when the lease's co-tenants and methods cannot be split (checked before writing)."""
    with db.session.no_autoflush:
        if lease.tenants:
            to_domain(lease)


def _write_tenants() -> None:
    """Flush; on PostgreSQL a stand taken by a concurrent request is refused by the exclusion constraint."""
    try:
        db.session.flush()
    except IntegrityError as error:
        raise LeaseError("stand_taken") from error


def _not_closed(lease: Lease) -> None:
    if lease.is_closed:
        raise LeaseError("closed")


# -- the lease ---------------------------------------------------------------------


def create_lease(*, unit: Unit, by: User | None, **fields) -> Lease:
    """A draft lease of the unit, by hand; the owner defaults to the unit's."""
    fields.setdefault("owner_id", unit.owner_id)
    lease = Lease(commune_id=unit.commune_id, unit=unit, status="draft", created_by_id=by.id if by else None, **fields)
    db.session.add(lease)
    db.session.flush()
    return lease


def update_lease(lease: Lease, *, by: User | None, **fields) -> None:
    """Change a draft lease's terms; its co-tenants must still fit."""
    if lease.status != "draft":
        raise LeaseError("not_draft")
    with db.session.no_autoflush:
        for name, value in fields.items():
            setattr(lease, name, value)
        if "unit" in fields:
            lease.commune_id = lease.unit.commune_id
    check_split(lease)
    db.session.flush()


def create_draft_lease_from_offer(
    offer: Offer,
    tenants: Sequence[tuple[User, Stand | None, date, date | None]],
    by: User | None,
    *,
    period: tuple[date, date] | None = None,
) -> Lease:
    """A draft lease of the offer's unit on its terms, one co-tenant per (entrepreneur, stand, entry, exit).

    The lease runs over ``period`` when given; else from the first entry to the
    last exit, or, when someone has no exit, to the end of the offer's window
    (else its longest term). The rent is split by area × days present, the
    charges equally.
    """
    if not tenants:
        raise LeaseError("no_offer_tenants")
    starts_on = min(entry for _, _, entry, _ in tenants)
    exits = [exit_on for _, _, _, exit_on in tenants]
    if period is not None:
        starts_on, ends_on = period
    elif all(exits):
        ends_on = max(exits)
    else:
        ends_on = offer.available_until or add_months(starts_on, offer.max_term_months)
        ends_on = max([ends_on, *(e for e in exits if e)])
    owner = offer.owner or offer.unit.owner
    lease = create_lease(
        unit=offer.unit,
        by=by,
        owner_id=owner.id if owner else None,
        offer_id=offer.id,
        starts_on=starts_on,
        ends_on=ends_on,
        rent_cents=offer.rent_cents,
        charges_cents=offer.charges_cents,
        deposit_cents=offer.deposit_cents,
        rent_method="area_days",
        charges_method="equal",
        language=(owner.language if owner and owner.language in ("fr", "nl", "en") else "fr"),
    )
    for entrepreneur, stand, entry_on, exit_on in tenants:
        add_tenant(
            lease,
            by=by,
            entrepreneur=entrepreneur,
            stand=stand,
            area_m2=stand.area_m2 if stand is not None else 0,
            entry_on=entry_on,
            exit_on=exit_on,
        )
    return lease


# -- co-tenants ------------------------------------------------------------------------


def _check_tenant(lease: Lease, tenant: LeaseTenant) -> None:
    if tenant.entrepreneur is None or tenant.entrepreneur.role != "entrepreneur":
        raise LeaseError("not_entrepreneur")
    if tenant.stand is not None and lease.offer_id is not None and tenant.stand.offer_id != lease.offer_id:
        raise LeaseError("stand_not_of_offer")
    end = tenant.exit_on or lease.ends_on
    for other in lease.tenants:
        if other is tenant or other.entrepreneur.id != tenant.entrepreneur.id:
            continue
        if other.entry_on < end and tenant.entry_on < (other.exit_on or lease.ends_on):
            raise LeaseError("entrepreneur_twice")


def add_tenant(
    lease: Lease, *, by: User | None, entrepreneur: User, stand: Stand | None = None, **fields
) -> LeaseTenant:
    _not_closed(lease)
    with db.session.no_autoflush:
        tenant = LeaseTenant(entrepreneur=entrepreneur, stand=stand, **fields)
        lease.tenants.append(tenant)
        try:
            _check_tenant(lease, tenant)
            check_split(lease)
        except (LeaseError, RentSplitError):
            lease.tenants.remove(tenant)  # a refused co-tenant is not left behind in the session
            if tenant in db.session:
                db.session.expunge(tenant)
            raise
    _write_tenants()
    return tenant


def update_tenant(tenant: LeaseTenant, *, by: User | None, **fields) -> None:
    lease = tenant.lease
    _not_closed(lease)
    with db.session.no_autoflush:
        for name, value in fields.items():
            setattr(tenant, name, value)
        _check_tenant(lease, tenant)
    check_split(lease)
    _write_tenants()


def remove_tenant(tenant: LeaseTenant, *, by: User | None) -> None:
    lease = tenant.lease
    _not_closed(lease)
    has_payments = db.session.scalar(select(LeasePayment.id).where(LeasePayment.tenant_id == tenant.id).limit(1))
    if has_payments is not None:
        raise LeaseError("has_payments")
    lease.tenants.remove(tenant)
    check_split(lease)
    db.session.delete(tenant)
    db.session.flush()


# -- the lease's life ------------------------------------------------------------------


def sign(lease: Lease, *, by: User | None) -> None:
    """draft → signed: every month of the lease must split, and the unit be free over the period."""
    if lease.status != "draft":
        raise LeaseError("not_signable")
    if not lease.tenants:
        raise LeaseError("no_tenants")
    lease_statements(to_domain(lease))  # raises RentSplitError on a month that cannot be split
    clash = db.session.scalar(
        select(Lease.id)
        .where(
            Lease.unit_id == lease.unit_id,
            Lease.id != lease.id,
            Lease.status.in_(OPEN_STATUSES),
            Lease.starts_on < lease.ends_on,
            Lease.ends_on > lease.starts_on,
        )
        .limit(1)
    )
    if clash is not None:
        raise LeaseError("unit_taken")
    lease.status = "signed"
    lease.signed_at = utcnow()
    db.session.flush()


def start(lease: Lease, *, by: User | None, today: date) -> None:
    """signed → running; the unit becomes a pop-up shop (a dated change in its history)."""
    if lease.status != "signed":
        raise LeaseError("not_signed")
    if today >= lease.ends_on:
        raise LeaseError("over")
    lease.status = "running"
    lease.started_at = utcnow()
    units.change_status(lease.unit, "popup", by=by, reason=_("Pop-up lease no. %(id)d", id=lease.id))
    db.session.flush()


def _release_unit(lease: Lease, by: User | None) -> None:
    """The unit after the lease: occupied when a co-tenant stays on with a permanent lease, else vacant."""
    unit = lease.unit
    stays = any(t.graduation_outcome == "permanent_lease" and t.graduation_unit_id == unit.id for t in lease.tenants)
    if stays:
        units.change_status(unit, "occupied", by=by, reason=_("Permanent lease after the pop-up"))
    elif unit.status == "popup":
        units.change_status(unit, "vacant", by=by, reason=_("End of pop-up lease no. %(id)d", id=lease.id))


def end(lease: Lease, *, by: User | None, today: date) -> None:
    """running → ended, once its last day has come."""
    if lease.status != "running":
        raise LeaseError("not_running")
    last_day = lease.ends_on - timedelta(days=1)
    if today < last_day:
        raise LeaseError("too_early_to_end", last_day=last_day)
    lease.status = "ended"
    lease.ended_at = utcnow()
    _release_unit(lease, by)
    db.session.flush()


def terminate(lease: Lease, *, by: User | None, on: date, reason: str, today: date) -> None:
    """signed or running → terminated early: the lease stops on ``on`` (exclusive), with a reason."""
    if lease.status not in OPEN_STATUSES:
        raise LeaseError("not_running")
    if not reason.strip():
        raise LeaseError("reason_required")
    if not (lease.starts_on < on <= lease.ends_on) or on > today:
        raise LeaseError("termination_date", start=lease.starts_on, end=lease.ends_on)
    was_running = lease.status == "running"
    lease.status = "terminated"
    lease.terminated_on = on
    lease.termination_reason = reason.strip()
    lease.ended_at = utcnow()
    if was_running:
        _release_unit(lease, by)
    db.session.flush()


# -- graduation ------------------------------------------------------------------------


def record_graduation(
    tenant: LeaseTenant, *, by: User | None, outcome: str, on: date, unit: Unit | None = None, address: str = ""
) -> None:
    """The outcome of a co-tenant's test period; a permanent lease on a unit makes that unit occupied.

    When it comes before the co-tenant's exit, the co-tenant leaves the pop-up that day.
    """
    lease = tenant.lease
    if tenant.graduation_outcome is not None:
        raise LeaseError("already_graduated")
    if on <= tenant.entry_on:
        raise LeaseError("graduation_date", entry_on=tenant.entry_on)
    if unit is not None and (unit.commune_id != lease.commune_id or unit.archived_at is not None):
        raise LeaseError("graduation_unit")
    if outcome == "permanent_lease" and unit is None and not address.strip():
        raise LeaseError("graduation_where")
    tenant.graduation_outcome = outcome
    tenant.graduated_on = on
    tenant.graduation_unit = unit if outcome == "permanent_lease" else None
    tenant.graduation_address = address.strip() if outcome != "stopped" else ""
    if not lease.is_closed and on < lease.effective_end and (tenant.exit_on is None or tenant.exit_on > on):
        tenant.exit_on = on
    check_split(lease)
    if tenant.graduation_unit is not None:
        stays_here = unit.id == lease.unit_id
        if not stays_here or lease.is_closed:
            units.change_status(unit, "occupied", by=by, reason=_("Permanent lease after the pop-up"))
    db.session.flush()


# -- the ledger ------------------------------------------------------------------------


def record_payment(
    lease: Lease,
    *,
    by: User | None,
    tenant: LeaseTenant | None,
    amount_cents: int,
    paid_on: date,
    today: date,
    payer: str = "",
    method: str = "transfer",
    reference: str = "",
) -> LeasePayment:
    """Add a payment to the ledger: from a co-tenant, or from the commune when ``tenant`` is None.

    A plain INSERT: concurrent payments never overwrite each other, and the
    balances are sums over the ledger.
    """
    if lease.status not in OPEN_STATUSES:
        raise LeaseError("payment_closed")
    if amount_cents <= 0:
        raise LeaseError("amount_positive")
    if paid_on > today:
        raise LeaseError("payment_future")
    if tenant is not None and tenant.lease_id != lease.id:
        raise LeaseError("unknown_tenant")
    if not payer:
        payer = tenant.entrepreneur.name if tenant is not None else lease.commune.name
    payment = LeasePayment(
        lease_id=lease.id,
        tenant_id=tenant.id if tenant is not None else None,
        amount_cents=amount_cents,
        paid_on=paid_on,
        payer=payer[:200],
        method=method,
        reference=reference[:140],
        recorded_by_id=by.id if by else None,
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def reverse_payment(payment: LeasePayment, *, by: User | None, reason: str, today: date) -> LeasePayment:
    """Cancel a ledger entry with a negative one; the database refuses a second reversal of the same entry."""
    if payment.reverses_id is not None:
        raise LeaseError("reversal_of_reversal")
    if not reason.strip():
        raise LeaseError("reason_required")
    done = db.session.scalar(select(LeasePayment.id).where(LeasePayment.reverses_id == payment.id))
    if done is not None:
        raise LeaseError("already_reversed")
    reversal = LeasePayment(
        lease_id=payment.lease_id,
        tenant_id=payment.tenant_id,
        amount_cents=-payment.amount_cents,
        paid_on=today,
        payer=payment.payer,
        method=payment.method,
        reference=payment.reference,
        reason=reason.strip()[:500],
        recorded_by_id=by.id if by else None,
        reverses_id=payment.id,
    )
    db.session.add(reversal)
    db.session.flush()
    return reversal
