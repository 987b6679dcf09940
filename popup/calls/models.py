from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Date, ForeignKey, Integer, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from popup.auth.models import User
from popup.communes.models import Commune
from popup.extensions import db
from popup.offers.models import Offer
from popup.types import UTCDateTime, utcnow

CALL_STATUSES = ("draft", "open", "closed")

call_offers = Table(
    "call_offers",
    db.metadata,
    Column("call_id", ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    Column("offer_id", ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
)

call_jurors = Table(
    "call_jurors",
    db.metadata,
    Column("call_id", ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Call(db.Model):
    """A call for applications: a programme round of a commune."""

    __tablename__ = "calls"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'open', 'closed')", name="ck_calls_status"),
        CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on > starts_on", name="ck_calls_period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The programme period the call fills: [starts_on, ends_on).
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Sectors the commune lacks, most needed first (matching scores them); staff edit them on the matching screen.
    local_needs: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    # The weights, minimum score and mode of the last matching run, so that a rerun gives the same result.
    matching_settings: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    commune: Mapped[Commune] = relationship()
    offers: Mapped[list[Offer]] = relationship(secondary=call_offers, order_by=Offer.id)
    jurors: Mapped[list[User]] = relationship(secondary=call_jurors, order_by=User.name)
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="call", order_by="Criterion.position", cascade="all, delete-orphan"
    )


class Criterion(db.Model):
    """A jury criterion of a call, with its weight."""

    __tablename__ = "criteria"
    __table_args__ = (CheckConstraint("weight >= 1 AND weight <= 100", name="ck_criteria_weight"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    weight: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)

    call: Mapped[Call] = relationship(back_populates="criteria")
