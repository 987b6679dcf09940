from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from popup.communes.models import Commune
from popup.domain.vocabulary import SECTORS
from popup.extensions import db
from popup.types import UTCDateTime, utcnow
from popup.units.models import Unit

REPORT_STATUSES = ("pending", "accepted", "rejected")
_SECTOR_CHECK = "sector IN ({})".format(", ".join(f"'{s}'" for s in SECTORS))


class VacancyReport(db.Model):
    """A resident's report that a unit stands empty, awaiting the commune's staff.

    No account is needed. A report made within 25 m of another pending one is
    attached to it (``merged_into_id``) and follows its decision. The contact
    email, kept only to tell the reporter of a refusal, is erased once the
    report is decided.
    """

    __tablename__ = "vacancy_reports"
    __table_args__ = (
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in REPORT_STATUSES)), name="ck_vacancy_reports_status"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(200))
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    description: Mapped[str] = mapped_column(String(500), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    language: Mapped[str] = mapped_column(String(5), default="fr")
    photo_data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))
    photo_content_type: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    reason: Mapped[str] = mapped_column(String(500), default="")
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("vacancy_reports.id", ondelete="SET NULL"), index=True
    )
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    commune: Mapped[Commune] = relationship()
    unit: Mapped[Unit | None] = relationship()
    merged: Mapped[list[VacancyReport]] = relationship(order_by="VacancyReport.id")

    @property
    def has_photo(self) -> bool:
        return self.photo_content_type is not None


class Wish(db.Model):
    """ "I wish this was…": a sector and a short text for a vacant unit; one per person per unit.

    ``voter_key`` names the person: ``user:<id>`` with an account, else the
    hash of a random token kept in a signed cookie. The database refuses a
    second wish with the same key on the same unit.
    """

    __tablename__ = "wishes"
    __table_args__ = (
        UniqueConstraint("unit_id", "voter_key", name="uq_wishes_unit_voter"),
        CheckConstraint(_SECTOR_CHECK, name="ck_wishes_sector"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    voter_key: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # HMAC of the client address (never the address itself): a few anonymous wishes per unit per address.
    ip_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    sector: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(280), default="")
    text_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
