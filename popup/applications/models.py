from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from popup.auth.models import User
from popup.calls.models import Call, Criterion
from popup.domain.applications import APPLICATION_STATUSES
from popup.extensions import db
from popup.offers.models import Offer
from popup.types import UTCDateTime, utcnow

_STATUS_CHECK = "status IN ({})".format(", ".join(f"'{s}'" for s in APPLICATION_STATUSES))


class EntrepreneurProfile(db.Model):
    """What a test-phase entrepreneur tells about their business.

    The ``public_*`` fields and ``links`` make the public vitrine; everything
    else is private (staff, jury, and the owners of the offers applied to).
    """

    __tablename__ = "entrepreneur_profiles"
    __table_args__ = (
        CheckConstraint("test_months IS NULL OR (test_months >= 1 AND test_months <= 12)", name="ck_profile_months"),
        CheckConstraint("budget_cents IS NULL OR budget_cents >= 0", name="ck_profile_budget"),
        CheckConstraint(
            "area_min_m2 IS NULL OR area_max_m2 IS NULL OR area_max_m2 >= area_min_m2", name="ck_profile_area"
        ),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    business_name: Mapped[str] = mapped_column(String(160), default="")
    concept: Mapped[str] = mapped_column(Text, default="")
    sector: Mapped[str | None] = mapped_column(String(40))
    area_min_m2: Mapped[float | None] = mapped_column(Float)
    area_max_m2: Mapped[float | None] = mapped_column(Float)
    budget_cents: Mapped[int | None] = mapped_column(Integer)  # monthly
    wanted_start_on: Mapped[date | None] = mapped_column(Date)
    test_months: Mapped[int | None] = mapped_column(Integer)
    preferred_core_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    opening_days: Mapped[list[int]] = mapped_column(JSON, default=list)  # 0 = Monday
    public_name: Mapped[str] = mapped_column(String(160), default="")
    public_description: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()


def _one_active_per(target: str) -> Index:
    """A unique index over an entrepreneur's applications to one call (or offer) that are not closed."""
    active = text(f"{target} IS NOT NULL AND status NOT IN ('withdrawn', 'rejected')")
    name = f"uq_applications_active_{target.removesuffix('_id')}"
    return Index(name, "entrepreneur_id", target, unique=True, sqlite_where=active, postgresql_where=active)


class Application(db.Model):
    """An entrepreneur's request for a call or directly for an owner's offer."""

    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(_STATUS_CHECK, name="ck_applications_status"),
        CheckConstraint("call_id IS NOT NULL OR offer_id IS NOT NULL", name="ck_applications_target"),
        # One active application per entrepreneur per call and per offer, enforced by the database.
        _one_active_per("call_id"),
        _one_active_per("offer_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entrepreneur_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    motivation: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entrepreneur: Mapped[User] = relationship()
    call: Mapped[Call | None] = relationship()
    offer: Mapped[Offer | None] = relationship()
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", order_by="ApplicationEvent.at", cascade="all, delete-orphan"
    )


class ApplicationEvent(db.Model):
    """One dated step of an application: who moved it, from what to what, why."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(1000), default="")

    application: Mapped[Application] = relationship(back_populates="events")
    by: Mapped[User | None] = relationship()


class Score(db.Model):
    """One juror's score of one application on one criterion."""

    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint("application_id", "criterion_id", "juror_id", name="uq_scores_once"),
        CheckConstraint("score >= 1 AND score <= 5", name="ck_scores_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"))
    juror_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(1000), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    criterion: Mapped[Criterion] = relationship()
    juror: Mapped[User] = relationship()
