"""Notifications: exported, deleted on erasure."""

from __future__ import annotations

from sqlalchemy import delete, select

from popup import gdpr
from popup.extensions import db
from popup.notifications.models import Notification


def export(user) -> list[dict]:
    rows = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()
    return [gdpr.row(n, "kind", "params", "link", "created_at", "read_at", "email_status", "emailed_at") for n in rows]


# Notifications to other people that name a person: kind -> the parameters holding a name.
# A module whose notifications name someone adds its kinds here.
PERSON_PARAMS: dict[str, tuple[str, ...]] = {
    "application_submitted": ("applicant",),
    "offer_application": ("applicant",),
    "unit_proposed": ("owner",),
}


def erase(user) -> None:
    """Delete the user's notifications; in other people's, replace the user's name."""
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    others = db.session.scalars(select(Notification).where(Notification.kind.in_(PERSON_PARAMS))).all()
    for notification in others:
        params = dict(notification.params or {})
        changed = False
        for key in PERSON_PARAMS[notification.kind]:
            value = params.get(key)
            if isinstance(value, str) and user.name and user.name in value:
                params[key] = "—"
                changed = True
        if changed:
            notification.params = params
    db.session.flush()


gdpr.register("notifications", export, erase, tables=("notifications",))
