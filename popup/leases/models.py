"""Shared pop-up leases (conventions d'occupation précaire), their co-tenants and the payments ledger."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from popup.auth.models import User
from popup.communes.models import Commune
from popup.extensions import db
from popup.offers.models import Offer, Stand
from popup.types import UTCDateTime, utcnow
from popup.units.models import Unit

LEASE_STATUSES = ("draft", "signed", "running", "ended", "terminated")
SPLIT_METHODS = ("equal", "area", "days", "area_days", "weights", "fixed_then")
REMAINDER_METHODS = ("equal", "area", "days", "area_days", "weights")
PAYMENT_METHODS = ("transfer", "cash", "card", "direct_debit", "other")
GRADUATION_OUTCOMES = ("permanent_lease", "stopped", "elsewhere")
LANGUAGES = ("fr", "nl", "en")


def _in(column: str, values: tuple[str, ...]) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


class Lease(db.Model):
    """The shared temporary lease of one unit over ``[starts_on, ends_on)``; amounts are monthly, in cents."""

    __tablename__ = "leases"
    __table_args__ = (
        CheckConstraint(_in("status", LEASE_STATUSES), name="ck_leases_status"),
        CheckConstraint("ends_on > starts_on", name="ck_leases_period"),
        CheckConstraint("rent_cents >= 0 AND charges_cents >= 0 AND deposit_cents >= 0", name="ck_leases_amounts"),
        CheckConstraint("subsidy_percent >= 0 AND subsidy_percent <= 100", name="ck_leases_subsidy"),
        CheckConstraint(
            "terminated_on IS NULL OR (terminated_on > starts_on AND terminated_on <= ends_on)",
            name="ck_leases_terminated_on",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id", ondelete="SET NULL"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # exclusive
    rent_cents: Mapped[int] = mapped_column(Integer, default=0)  # monthly, the whole unit
    charges_cents: Mapped[int] = mapped_column(Integer, default=0)  # monthly
    deposit_cents: Mapped[int] = mapped_column(Integer, default=0)
    rent_method: Mapped[str] = mapped_column(String(20), default="equal")
    rent_remainder_method: Mapped[str | None] = mapped_column(String(20))  # with fixed_then
    charges_method: Mapped[str] = mapped_column(String(20), default="equal")
    charges_remainder_method: Mapped[str | None] = mapped_column(String(20))
    # Share of the rent the commune pays for the co-tenants marked as subsidised (0–100).
    subsidy_percent: Mapped[int] = mapped_column(Integer, default=0)
    # Stepped rent: [[months from the start, percent the co-tenants pay], ...]; the commune pays the rest.
    rent_steps: Mapped[list[list[int]]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(5), default="fr")
    # The split by days present follows the bookings of the lease's rotation(s), not the co-tenants' dates.
    presence_from_bookings: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    terminated_on: Mapped[date | None] = mapped_column(Date)
    termination_reason: Mapped[str] = mapped_column(String(1000), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    commune: Mapped[Commune] = relationship()
    unit: Mapped[Unit] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    offer: Mapped[Offer | None] = relationship()
    tenants: Mapped[list[LeaseTenant]] = relationship(
        back_populates="lease", order_by="LeaseTenant.id", cascade="all, delete-orphan"
    )

    @property
    def effective_end(self) -> date:
        """The first day after the lease: its end, or the day it was terminated."""
        return self.terminated_on or self.ends_on

    @property
    def is_closed(self) -> bool:
        return self.status in ("ended", "terminated")


class LeaseTenant(db.Model):
    """One co-tenant (an entrepreneur) on one stand for ``[entry_on, exit_on)`` inside the lease."""

    __tablename__ = "lease_tenants"
    __table_args__ = (
        CheckConstraint("exit_on IS NULL OR exit_on > entry_on", name="ck_lease_tenants_period"),
        CheckConstraint("area_m2 >= 0", name="ck_lease_tenants_area"),
        CheckConstraint("weight IS NULL OR weight >= 0", name="ck_lease_tenants_weight"),
        CheckConstraint(
            "(fixed_rent_cents IS NULL OR fixed_rent_cents >= 0) "
            "AND (fixed_charges_cents IS NULL OR fixed_charges_cents >= 0)",
            name="ck_lease_tenants_fixed",
        ),
        CheckConstraint(
            "graduation_outcome IS NULL OR " + _in("graduation_outcome", GRADUATION_OUTCOMES),
            name="ck_lease_tenants_graduation",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lease_id: Mapped[int] = mapped_column(ForeignKey("leases.id", ondelete="CASCADE"), index=True)
    entrepreneur_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    stand_id: Mapped[int | None] = mapped_column(ForeignKey("stands.id", ondelete="SET NULL"), index=True)
    area_m2: Mapped[float] = mapped_column(Float, default=0)
    entry_on: Mapped[date] = mapped_column(Date)
    exit_on: Mapped[date | None] = mapped_column(Date)  # exclusive; none: until the lease ends
    weight: Mapped[float | None] = mapped_column(Float)  # the custom weights method
    fixed_rent_cents: Mapped[int | None] = mapped_column(Integer)  # fixed_then, monthly
    fixed_charges_cents: Mapped[int | None] = mapped_column(Integer)
    subsidised: Mapped[bool] = mapped_column(Boolean, default=False)
    graduation_outcome: Mapped[str | None] = mapped_column(String(20))
    graduated_on: Mapped[date | None] = mapped_column(Date)
    graduation_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    graduation_address: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lease: Mapped[Lease] = relationship(back_populates="tenants")
    entrepreneur: Mapped[User] = relationship()
    stand: Mapped[Stand | None] = relationship()
    graduation_unit: Mapped[Unit | None] = relationship()


class LeasePayment(db.Model):
    """One entry of a lease's ledger: a payment, or the reversal of one (negative). Never edited nor deleted."""

    __tablename__ = "lease_payments"
    __table_args__ = (
        CheckConstraint(
            "(reverses_id IS NULL AND amount_cents > 0) OR (reverses_id IS NOT NULL AND amount_cents < 0)",
            name="ck_lease_payments_amount",
        ),
        CheckConstraint(_in("method", PAYMENT_METHODS), name="ck_lease_payments_method"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lease_id: Mapped[int] = mapped_column(ForeignKey("leases.id", ondelete="CASCADE"), index=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("lease_tenants.id"), index=True)  # none: the commune
    amount_cents: Mapped[int] = mapped_column(Integer)
    paid_on: Mapped[date] = mapped_column(Date)
    payer: Mapped[str] = mapped_column(String(200), default="")
    method: Mapped[str] = mapped_column(String(20), default="transfer")
    reference: Mapped[str] = mapped_column(String(140), default="")
    reason: Mapped[str] = mapped_column(String(500), default="")  # why a reversal was made
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # An entry can be reversed once: the database refuses a second reversal.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("lease_payments.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lease: Mapped[Lease] = relationship()
    tenant: Mapped[LeaseTenant | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    reverses: Mapped[LeasePayment | None] = relationship(remote_side=[id], foreign_keys=[reverses_id])
