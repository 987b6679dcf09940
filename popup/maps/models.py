from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from popup.extensions import db


class DataVersion(db.Model):
    """A stamp that changes with every committed change of some data (popup.maps.versions).

    App servers cache what they derive from that data (the map shell) under the
    stamp they read from here: a new stamp is a cache miss on every server.
    """

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32))
