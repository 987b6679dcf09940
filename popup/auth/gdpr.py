"""The account itself: exported, then stripped of the person's identity when erased."""

from __future__ import annotations

import secrets

from popup import gdpr
from popup.auth.models import User
from popup.extensions import db

ERASED_DOMAIN = "erased.invalid"  # RFC 2606: can never receive mail


def is_erased(user: User) -> bool:
    return user.email.endswith("@" + ERASED_DOMAIN)


def export(user: User) -> dict:
    data = gdpr.row(user, "id", "email", "name", "role", "language", "created_at", "last_login_at")
    data["communes"] = [c.name for c in user.communes]
    return data


def erase(user: User) -> None:
    """Keep the row (histories point at it), drop everything that says who it was; no login ever again."""
    user.email = f"erased-{user.id}@{ERASED_DOMAIN}"
    user.name = f"— #{user.id}"
    user.password_hash = "!erased:" + secrets.token_hex(16)  # matches no password
    user.active = False
    user.language = "fr"
    user.last_login_at = None
    user.communes = []
    user.revoke_sessions()
    db.session.flush()


gdpr.register("account", export, erase, tables=("users", "staff_communes"), order=1000)
