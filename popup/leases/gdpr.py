"""Leases: the user's shares, the leases they own, their payments.

Financial records are kept (accounting law) without the person's identity:
leases, shares and ledger entries stay and point to the anonymised account;
the payer's name written on a payment is blanked when it names the person.
"""

from __future__ import annotations

from sqlalchemy import or_, select, update

from popup import gdpr
from popup.extensions import db
from popup.leases.models import Lease, LeasePayment, LeaseTenant


def export(user) -> dict:
    shares = db.session.scalars(
        select(LeaseTenant).where(LeaseTenant.entrepreneur_id == user.id).order_by(LeaseTenant.id)
    ).all()
    owned = db.session.scalars(select(Lease).where(Lease.owner_id == user.id).order_by(Lease.id)).all()
    share_ids = [s.id for s in shares]
    payments = db.session.scalars(
        select(LeasePayment)
        .where(or_(LeasePayment.tenant_id.in_(share_ids), LeasePayment.recorded_by_id == user.id))
        .order_by(LeasePayment.id)
    ).all()
    return {
        "lease_shares": [
            gdpr.row(
                s,
                "lease_id",
                "stand_id",
                "area_m2",
                "entry_on",
                "exit_on",
                "subsidised",
                "graduation_outcome",
                "graduated_on",
                "graduation_address",
            )
            for s in shares
        ],
        "leases_owned": [
            gdpr.row(lease, "id", "unit_id", "starts_on", "ends_on", "rent_cents", "charges_cents", "status")
            for lease in owned
        ],
        "payments": [
            gdpr.row(p, "lease_id", "tenant_id", "amount_cents", "paid_on", "payer", "method", "reference")
            for p in payments
        ],
    }


def erase(user) -> None:
    shares = select(LeaseTenant.id).where(LeaseTenant.entrepreneur_id == user.id)
    db.session.execute(
        update(LeaseTenant)
        .where(LeaseTenant.entrepreneur_id == user.id)
        .values(graduation_address="")
        .execution_options(synchronize_session=False)
    )
    if user.name:
        db.session.execute(
            update(LeasePayment)
            .where(LeasePayment.tenant_id.in_(shares), LeasePayment.payer.contains(user.name, autoescape=True))
            .values(payer="—")
            .execution_options(synchronize_session=False)
        )
    db.session.flush()


gdpr.register("leases", export, erase, tables=("leases", "lease_tenants", "lease_payments"))
