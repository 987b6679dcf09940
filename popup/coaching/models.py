from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from popup.auth.models import User
from popup.communes.models import Commune
from popup.extensions import db
from popup.types import UTCDateTime, utcnow


class CoachAssignment(db.Model):
    """A coach follows an entrepreneur for a commune over [since_on, until_on)."""

    __tablename__ = "coach_assignments"
    __table_args__ = (
        CheckConstraint("until_on IS NULL OR until_on > since_on", name="ck_coach_assignments_period"),
        CheckConstraint("coach_id <> entrepreneur_id", name="ck_coach_assignments_people"),
        # One open assignment per entrepreneur and commune, enforced by the database.
        Index(
            "uq_coach_assignments_open",
            "commune_id",
            "entrepreneur_id",
            unique=True,
            sqlite_where=text("until_on IS NULL"),
            postgresql_where=text("until_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    entrepreneur_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    since_on: Mapped[date] = mapped_column(Date)
    until_on: Mapped[date | None] = mapped_column(Date)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    commune: Mapped[Commune] = relationship()
    coach: Mapped[User] = relationship(foreign_keys=[coach_id])
    entrepreneur: Mapped[User] = relationship(foreign_keys=[entrepreneur_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])
    notes: Mapped[list[CoachingNote]] = relationship(
        back_populates="assignment",
        order_by="(CoachingNote.met_on.desc(), CoachingNote.id.desc())",
        cascade="all, delete-orphan",
    )

    def is_current(self, today: date) -> bool:
        return self.since_on <= today and (self.until_on is None or today < self.until_on)


class CoachingNote(db.Model):
    """What was said at one coaching meeting, and when the next one is."""

    __tablename__ = "coaching_notes"
    __table_args__ = (
        CheckConstraint("next_meeting_on IS NULL OR next_meeting_on >= met_on", name="ck_coaching_notes_next"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("coach_assignments.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    met_on: Mapped[date] = mapped_column(Date, index=True)
    text: Mapped[str] = mapped_column(Text)
    next_meeting_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    assignment: Mapped[CoachAssignment] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()
