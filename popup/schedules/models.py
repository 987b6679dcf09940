"""Rotations of a shared shop: who holds which stand when.

A rotation belongs to an owner's offer (its unit and stands) and, once there
is one, to the shared lease of that unit (``lease_id``); bookings give a
stand to an entrepreneur over ``[starts_on, ends_on)``.
No stand is held twice and nobody holds two stands at once: the database says
so itself (PostgreSQL: exclusion constraints over a ``daterange``; SQLite:
triggers created by the migration), whatever the code checked before.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    column,
    func,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from popup.auth.models import User
from popup.extensions import db
from popup.leases.models import Lease
from popup.offers.models import Offer, Stand
from popup.types import UTCDateTime, utcnow

GRAINS = ("day", "week")
ROTATION_STATUSES = ("draft", "active")
SWAP_STATUSES = ("pending", "approved", "refused")


class Rotation(db.Model):
    __tablename__ = "rotations"
    __table_args__ = (
        CheckConstraint("ends_on > starts_on", name="ck_rotations_horizon"),
        CheckConstraint("grain IN ('day', 'week')", name="ck_rotations_grain"),
        CheckConstraint("status IN ('draft', 'active')", name="ck_rotations_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    # The shared lease of the shop this rotation plans (a lease of the offer's unit); its rent split may follow
    # the bookings (Lease.presence_from_bookings).
    lease_id: Mapped[int | None] = mapped_column(ForeignKey("leases.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    # The horizon is half-open: [starts_on, ends_on).
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    grain: Mapped[str] = mapped_column(String(10), default="week")
    opening_days: Mapped[list[int]] = mapped_column(JSON, default=list)  # 0 = Monday
    exclusive_sectors: Mapped[list[str]] = mapped_column(JSON, default=list)  # at most one tenant of each at once
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    offer: Mapped[Offer] = relationship()
    lease: Mapped[Lease | None] = relationship()
    candidates: Mapped[list[RotationCandidate]] = relationship(
        back_populates="rotation", cascade="all, delete-orphan", order_by="RotationCandidate.id"
    )
    bookings: Mapped[list[Booking]] = relationship(
        back_populates="rotation", cascade="all, delete-orphan", order_by="(Booking.starts_on, Booking.stand_id)"
    )

    @property
    def unit(self):
        return self.offer.unit

    @property
    def stands(self) -> list[Stand]:
        return self.offer.stands


class RotationCandidate(db.Model):
    """An entrepreneur who may be planned in a rotation, with what they asked for."""

    __tablename__ = "rotation_candidates"
    __table_args__ = (
        UniqueConstraint("rotation_id", "entrepreneur_id", name="uq_rotation_candidates_once"),
        CheckConstraint("min_grains >= 1 AND max_grains >= min_grains", name="ck_rotation_candidates_duration"),
        CheckConstraint("priority >= 0", name="ck_rotation_candidates_priority"),
        CheckConstraint("area_m2 >= 0", name="ck_rotation_candidates_area"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("rotations.id", ondelete="CASCADE"), index=True)
    entrepreneur_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sector: Mapped[str] = mapped_column(String(40))
    area_m2: Mapped[float] = mapped_column(Float, default=0)
    min_grains: Mapped[int] = mapped_column(Integer, default=1)
    max_grains: Mapped[int] = mapped_column(Integer, default=1)
    # Availability windows, half-open: [["2026-05-04", "2026-07-01"], ...]
    windows: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    waitlist_position: Mapped[int | None] = mapped_column(Integer)  # None: not on the waitlist
    required: Mapped[bool] = mapped_column(Boolean, default=False)  # a plan without them is no plan

    rotation: Mapped[Rotation] = relationship(back_populates="candidates")
    entrepreneur: Mapped[User] = relationship()

    def window_dates(self) -> tuple[tuple[date, date], ...]:
        return tuple((date.fromisoformat(a), date.fromisoformat(b)) for a, b in self.windows or [])


class Booking(db.Model):
    """A stand given to an entrepreneur over [starts_on, ends_on)."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("ends_on > starts_on", name="ck_bookings_period"),
        # PostgreSQL only (the migration creates them there; SQLite has triggers instead).
        ExcludeConstraint(
            ("stand_id", "="),
            (func.daterange(column("starts_on"), column("ends_on")), "&&"),
            name="ex_bookings_stand",
            using="gist",
        ).ddl_if(dialect="postgresql"),
        ExcludeConstraint(
            ("entrepreneur_id", "="),
            (func.daterange(column("starts_on"), column("ends_on")), "&&"),
            name="ex_bookings_entrepreneur",
            using="gist",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("rotations.id", ondelete="CASCADE"), index=True)
    # RESTRICT: a stand with bookings is not deleted silently with them.
    stand_id: Mapped[int] = mapped_column(ForeignKey("stands.id", ondelete="RESTRICT"), index=True)
    entrepreneur_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rotation: Mapped[Rotation] = relationship(back_populates="bookings")
    stand: Mapped[Stand] = relationship()
    entrepreneur: Mapped[User] = relationship(foreign_keys=[entrepreneur_id])


class SwapRequest(db.Model):
    """An entrepreneur asks to exchange their booking with another one of the rotation; staff decide."""

    __tablename__ = "swap_requests"
    __table_args__ = (CheckConstraint("status IN ('pending', 'approved', 'refused')", name="ck_swap_requests_status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("rotations.id", ondelete="CASCADE"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    other_booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    message: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    rotation: Mapped[Rotation] = relationship()
    booking: Mapped[Booking | None] = relationship(foreign_keys=[booking_id])
    other_booking: Mapped[Booking | None] = relationship(foreign_keys=[other_booking_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])


class CalendarFeed(db.Model):
    """The secret address of an iCalendar feed: an entrepreneur's bookings or a rotation's.

    The token is 32 random bytes (43 URL-safe characters); resetting it gives
    a new one and the old address answers 404.
    """

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (rotation_id IS NULL)", name="ck_calendar_feeds_one_owner"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    rotation_id: Mapped[int | None] = mapped_column(ForeignKey("rotations.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
