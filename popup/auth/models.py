from __future__ import annotations

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from popup.communes.models import Commune
from popup.extensions import db
from popup.types import UTCDateTime, utcnow

staff_communes = Table(
    "staff_communes",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("commune_id", ForeignKey("communes.id", ondelete="CASCADE"), primary_key=True),
)


def normalise_email(email: str) -> str:
    """Emails are unique case-insensitively: store them trimmed and lower-cased."""
    return email.strip().lower()


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), index=True)
    language: Mapped[str] = mapped_column(String(5), default="fr")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on logout and password change: cookies carrying an older
    # version stop working (Flask's signed cookies cannot be revoked otherwise).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_login_at = mapped_column(UTCDateTime, nullable=True)

    communes: Mapped[list[Commune]] = relationship(secondary=staff_communes, order_by=Commune.name)

    def set_password(self, password: str, method: str) -> None:
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def revoke_sessions(self) -> None:
        self.session_version = (self.session_version or 1) + 1

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def is_staff_of(self, commune: Commune) -> bool:
        if self.role == "admin":
            return True
        return self.role == "staff" and any(c.id == commune.id for c in self.communes)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
