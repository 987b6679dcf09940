from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    CheckConstraint,
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
from popup.communes.models import Commune
from popup.domain.vocabulary import UNIT_FEATURES, UNIT_STATUSES
from popup.extensions import db
from popup.types import UTCDateTime, utcnow

STOCK_PREDICATE = "archived_at IS NULL AND approval = 'approved'"
_STATUS_CHECK = "status IN ({})".format(", ".join(f"'{s}'" for s in UNIT_STATUSES))


class Unit(db.Model):
    """A commercial premises: a point, an optional footprint, a status."""

    __tablename__ = "units"
    __table_args__ = (
        CheckConstraint(_STATUS_CHECK, name="ck_units_status"),
        CheckConstraint("asking_rent_cents IS NULL OR asking_rent_cents >= 0", name="ck_units_rent"),
        CheckConstraint("floor_area_m2 IS NULL OR floor_area_m2 > 0", name="ck_units_area"),
        UniqueConstraint("commune_id", "external_id", name="uq_units_external_id"),
        # The commercial stock, counted per commune and status by every vacancy figure.
        Index(
            "ix_units_stock",
            "commune_id",
            "status",
            sqlite_where=text(STOCK_PREDICATE),
            postgresql_where=text(STOCK_PREDICATE),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(200))
    # Street part of the address (set from it), for vacancy per street.
    street: Mapped[str | None] = mapped_column(String(200), index=True)
    # Current or last activity, as the commune records it ("boulangerie").
    activity: Mapped[str | None] = mapped_column(String(120))
    # Sector of that activity (popup.domain.vocabulary.SECTORS): local needs compare wishes with it.
    sector: Mapped[str | None] = mapped_column(String(40))
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    footprint = mapped_column(Geometry("POLYGON", srid=4326, spatial_index=True), nullable=True)
    floor_area_m2: Mapped[float | None] = mapped_column(Float)
    frontage_m: Mapped[float | None] = mapped_column(Float)
    ground_floor: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20), index=True, default="vacant")
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    asking_rent_cents: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    public_description: Mapped[str] = mapped_column(Text, default="")
    has_water: Mapped[bool] = mapped_column(Boolean, default=False)
    has_kitchen: Mapped[bool] = mapped_column(Boolean, default=False)
    step_free_access: Mapped[bool] = mapped_column(Boolean, default=False)
    has_shop_window: Mapped[bool] = mapped_column(Boolean, default=False)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Units proposed by owners stay out of the public map, lists and figures
    # until staff approve them.
    approval: Mapped[str] = mapped_column(String(20), default="approved", server_default="approved", index=True)
    approval_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", name="fk_units_proposed_by_id_users")
    )
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    archived_at = mapped_column(UTCDateTime, nullable=True)
    # The unit's public GeoJSON feature as text, up to its last stored property:
    # written by database triggers on every write (popup.api.features.STORED_FEATURE),
    # read only by the API's SQL. Never set it; the ORM never loads it.
    feature_text: Mapped[str | None] = mapped_column(Text, deferred=True)

    commune: Mapped[Commune] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    history: Mapped[list[UnitStatusChange]] = relationship(
        back_populates="unit",
        order_by="UnitStatusChange.changed_at",
        cascade="all, delete-orphan",
    )

    @property
    def features(self) -> list[str]:
        return [code for code in UNIT_FEATURES if getattr(self, code)]


class UnitStatusChange(db.Model):
    """One dated change of a unit's status: vacancy figures come from these."""

    __tablename__ = "unit_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500), default="")

    unit: Mapped[Unit] = relationship(back_populates="history")
    changed_by: Mapped[User | None] = relationship()
