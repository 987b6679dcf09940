from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from popup.auth.models import User
from popup.extensions import db
from popup.types import UTCDateTime, utcnow
from popup.units.models import Unit

OFFER_STATUSES = ("draft", "published", "closed")


class Offer(db.Model):
    """An owner's offer of a unit for temporary (pop-up) use."""

    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'closed')", name="ck_offers_status"),
        CheckConstraint("available_until IS NULL OR available_until > available_from", name="ck_offers_window"),
        CheckConstraint("min_term_months >= 1 AND max_term_months >= min_term_months", name="ck_offers_terms"),
        CheckConstraint("rent_cents >= 0 AND charges_cents >= 0 AND deposit_cents >= 0", name="ck_offers_amounts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    # The window is half-open: [available_from, available_until).
    available_from: Mapped[date] = mapped_column(Date)
    available_until: Mapped[date | None] = mapped_column(Date)
    min_term_months: Mapped[int] = mapped_column(Integer, default=1)
    max_term_months: Mapped[int] = mapped_column(Integer, default=6)
    rent_cents: Mapped[int] = mapped_column(Integer, default=0)  # monthly, the whole unit
    charges_cents: Mapped[int] = mapped_column(Integer, default=0)  # monthly
    deposit_cents: Mapped[int] = mapped_column(Integer, default=0)
    allowed_sectors: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: any sector
    excluded_sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    opening_days: Mapped[list[int]] = mapped_column(JSON, default=list)  # 0 = Monday
    conditions: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[Unit] = relationship()
    owner: Mapped[User | None] = relationship()
    stands: Mapped[list[Stand]] = relationship(
        back_populates="offer", order_by="Stand.position", cascade="all, delete-orphan"
    )


class Stand(db.Model):
    """One share of a shared shop: an area inside the offered unit."""

    __tablename__ = "stands"
    __table_args__ = (CheckConstraint("area_m2 > 0", name="ck_stands_area"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(40))
    area_m2: Mapped[float] = mapped_column(Float)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(String(300), default="")

    offer: Mapped[Offer] = relationship(back_populates="stands")
