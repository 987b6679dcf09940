from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from popup.applications.models import Application
from popup.auth.models import User
from popup.calls.models import Call
from popup.domain.proposals import LIVE_STATUSES, PROPOSAL_STATUSES
from popup.extensions import db
from popup.leases.models import LeaseTenant
from popup.offers.models import Stand
from popup.types import UTCDateTime, utcnow

_STATUS_CHECK = "status IN ({})".format(", ".join(f"'{s}'" for s in PROPOSAL_STATUSES))
_LIVE = "status IN ({})".format(", ".join(f"'{s}'" for s in LIVE_STATUSES))


class MatchProposal(db.Model):
    """A pair (application, stand) staff propose; the owner and the entrepreneur confirm or decline it.

    ``components`` keeps the scores as shown when staff proposed the pair (name,
    value, weight, reason code and parameters), so the proposal still explains
    itself after the profile or the weights change.
    """

    __tablename__ = "match_proposals"
    __table_args__ = (
        CheckConstraint(_STATUS_CHECK, name="ck_match_proposals_status"),
        CheckConstraint("score_micros >= 0 AND score_micros <= 1000000", name="ck_match_proposals_score"),
        CheckConstraint(
            "reserved_until IS NULL OR reserved_from IS NULL OR reserved_until > reserved_from",
            name="ck_match_proposals_period",
        ),
        # One live proposal per stand and per application, enforced by the database.
        Index(
            "uq_match_proposals_live_stand",
            "stand_id",
            unique=True,
            sqlite_where=text(_LIVE),
            postgresql_where=text(_LIVE),
        ),
        Index(
            "uq_match_proposals_live_application",
            "application_id",
            unique=True,
            sqlite_where=text(_LIVE),
            postgresql_where=text(_LIVE),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    stand_id: Mapped[int] = mapped_column(ForeignKey("stands.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(30), default="proposed", index=True)
    score_micros: Mapped[int] = mapped_column(Integer, default=0)  # the total in millionths when proposed
    components: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    hard_rules: Mapped[list[str]] = mapped_column(JSON, default=list)  # rules broken, for a forced pair
    forced: Mapped[bool] = mapped_column(Boolean, default=False)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    owner_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    entrepreneur_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    declined_side: Mapped[str | None] = mapped_column(String(20))  # owner or entrepreneur
    decline_reason: Mapped[str] = mapped_column(String(1000), default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdraw_reason: Mapped[str] = mapped_column(String(1000), default="")
    # The stand is reserved for the entrepreneur over [reserved_from, reserved_until) once both confirm.
    reserved_from: Mapped[date | None] = mapped_column(Date)
    reserved_until: Mapped[date | None] = mapped_column(Date)
    # The co-tenancy of the draft shared lease prepared when both confirmed (None: not prepared, or removed since).
    lease_tenant_id: Mapped[int | None] = mapped_column(ForeignKey("lease_tenants.id", ondelete="SET NULL"), index=True)
    # Why the draft lease could not be prepared: {"source": "lease" | "split", "code": ..., "params": {...}}.
    lease_refusal: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    call: Mapped[Call] = relationship()
    application: Mapped[Application] = relationship()
    stand: Mapped[Stand] = relationship()
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    declined_by: Mapped[User | None] = relationship(foreign_keys=[declined_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])
    lease_tenant: Mapped[LeaseTenant | None] = relationship()

    @property
    def score(self) -> float:
        return self.score_micros / 1_000_000


class MatchRejection(db.Model):
    """A pair staff rejected: later runs of the call's matching leave it out."""

    __tablename__ = "match_rejections"
    __table_args__ = (UniqueConstraint("call_id", "application_id", "stand_id", name="uq_match_rejections_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    stand_id: Mapped[int] = mapped_column(ForeignKey("stands.id", ondelete="CASCADE"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
