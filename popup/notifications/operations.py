"""Notifications: recorded with the change that causes them, emailed after the commit.

``notify`` adds a row in the same transaction as the change (flush, no commit).
After the view commits, the ``after_request`` hook hands the new rows to the
SMTP server. A failing server leaves them ``pending`` (the change and the in-app
notification stay); ``flask popup send-emails`` retries them, and after
MAX_ATTEMPTS they are marked ``failed`` for staff to see.
"""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import func, select, update

from popup.auth.models import User
from popup.extensions import db
from popup.mail import MailError, send_email
from popup.notifications.models import Notification
from popup.notifications.texts import texts
from popup.types import utcnow

MAX_ATTEMPTS = 5


def notify(user: User, kind: str, params: dict | None = None, link: str = "", email: bool = True) -> Notification:
    """Record a notification for ``user``; its email leaves after the commit."""
    notification = Notification(
        user=user, kind=kind, params=params or {}, link=link, email_status="pending" if email else "none"
    )
    db.session.add(notification)
    db.session.flush()
    if has_request_context():
        g.setdefault("popup_new_notifications", []).append(notification.id)
    return notification


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def recent(user: User, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_read(user: User, notification_ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    stmt = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_ids is not None:
        stmt = stmt.where(Notification.id.in_(notification_ids))
    return db.session.execute(stmt.values(read_at=utcnow())).rowcount


def deliver(notification_ids: list[int] | None = None, limit: int = 100) -> tuple[int, int]:
    """Email pending notifications; returns (sent, failed). Commits its own work."""
    stmt = select(Notification).where(Notification.email_status == "pending").order_by(Notification.id).limit(limit)
    if notification_ids is not None:
        stmt = stmt.where(Notification.id.in_(notification_ids))
    sent = failed = 0
    for notification in db.session.scalars(stmt).all():
        user = notification.user
        subject, body = texts(notification.kind, notification.params, user.language)
        if notification.link:
            body += "\n\n" + _absolute(notification.link)
        notification.email_attempts += 1
        try:
            send_email(user.email, subject, body)
        except MailError as exc:
            failed += 1
            notification.email_error = str(exc)[:500]
            if notification.email_attempts >= MAX_ATTEMPTS:
                notification.email_status = "failed"
        else:
            sent += 1
            notification.email_status = "sent"
            notification.emailed_at = utcnow()
            notification.email_error = ""
        db.session.commit()
    return sent, failed


def _absolute(link: str) -> str:
    if link.startswith("/") and has_request_context():
        from flask import request

        return request.host_url.rstrip("/") + link
    base = current_app.config.get("PUBLIC_URL", "").rstrip("/")
    return base + link if base else link


def register(app: Flask) -> None:
    @app.after_request
    def _send_new(response):
        ids = g.pop("popup_new_notifications", None)
        if ids and response.status_code < 400:
            try:
                deliver(ids)
            except Exception:  # the answer to the user must not fail because of email (or a lost database)
                from popup.errors import discard_session

                discard_session()
                app.logger.exception("sending notification emails failed; they stay pending")
        return response

    @app.context_processor
    def _unread():
        from flask import g
        from flask_login import current_user

        if g.get("db_unavailable"):  # an error page while the database does not answer
            return {"unread_notifications": 0}
        if current_user and current_user.is_authenticated:
            return {"unread_notifications": unread_count(current_user)}
        return {"unread_notifications": 0}
