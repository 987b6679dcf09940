from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from popup.extensions import db
from popup.types import UTCDateTime, utcnow


class Commune(db.Model):
    __tablename__ = "communes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    postal_code: Mapped[str | None] = mapped_column(String(10))
    boundary = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=True)
    centre = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    # Languages of the commune's public pages, first is the default: "fr,nl".
    languages: Mapped[str] = mapped_column(String(20), default="fr")
    # Villages and sections (deelgemeenten), one per line.
    sections: Mapped[str] = mapped_column(String(2000), default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    cores: Mapped[list[CommercialCore]] = relationship(
        back_populates="commune", order_by="CommercialCore.name", cascade="all, delete-orphan"
    )

    @property
    def section_names(self) -> list[str]:
        return [line for line in self.sections.splitlines() if line.strip()]

    def __repr__(self) -> str:
        return f"<Commune {self.slug}>"


class CommercialCore(db.Model):
    __tablename__ = "commercial_cores"
    __table_args__ = (UniqueConstraint("commune_id", "slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(80))
    area = mapped_column(Geometry("POLYGON", srid=4326, spatial_index=True), nullable=False)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    commune: Mapped[Commune] = relationship(back_populates="cores")
