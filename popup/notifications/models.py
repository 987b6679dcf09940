from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from popup.auth.models import User
from popup.extensions import db
from popup.types import UTCDateTime, utcnow

EMAIL_STATES = ("none", "pending", "sent", "failed")


class Notification(db.Model):
    """Something a user should know, shown in the app and sent by email.

    The text is rendered in the recipient's language when shown or sent, from
    ``kind`` and ``params``. Emails go through an outbox: a failing SMTP server
    leaves them ``pending`` for a retry, never loses the change that caused them.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("email_status IN ('none', 'pending', 'sent', 'failed')", name="ck_notifications_email"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)
    email_error: Mapped[str] = mapped_column(Text, default="")
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
