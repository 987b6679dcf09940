from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from popup.communes.models import Commune
from popup.extensions import db
from popup.types import UTCDateTime, utcnow


class ImportMapping(db.Model):
    """The column mapping a commune last used to import units, offered again next time.

    ``columns`` maps our field names (address, latitude, longitude, wkt, status,
    floor_area_m2, asking_rent, external_id, activity ...) to the file's column
    headers; ``status_values`` maps the file's status words to our statuses.
    """

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), unique=True)
    columns: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status_values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    commune: Mapped[Commune] = relationship()


class ImportUpload(db.Model):
    """A file uploaded for import, kept between its preview and its confirmation.

    It lives in the database, not on the app server's disk: the confirmation may
    reach another server. Deleted once imported; uploads older than a day are
    purged. ``settings`` holds the mapping chosen at the preview, so that the
    confirmation applies exactly what was previewed.
    """

    __tablename__ = "import_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)

    commune: Mapped[Commune] = relationship()
