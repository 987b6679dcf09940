"""Account workflows. They flush; the caller commits."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from popup.auth.models import User, normalise_email
from popup.communes.models import Commune
from popup.domain.vocabulary import LANGUAGES, ROLES
from popup.extensions import db
from popup.types import utcnow

RESET_SALT = "popup.password-reset"


class AccountError(ValueError):
    """A request about accounts that cannot be honoured; the message is for the user."""


def find_by_email(email: str) -> User | None:
    return db.session.execute(select(User).filter_by(email=normalise_email(email))).scalar_one_or_none()


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    role: str,
    language: str = "fr",
    communes: Iterable[Commune] = (),
    is_demo: bool = False,
) -> User:
    """Create an account; raises AccountError when the email is taken."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}")
    if language not in LANGUAGES:
        raise AccountError(f"unknown language {language!r}")
    if find_by_email(email) is not None:
        raise AccountError("email taken")
    user = User(email=normalise_email(email), name=name.strip(), role=role, language=language, is_demo=is_demo)
    user.set_password(password, current_app.config["PASSWORD_HASH_METHOD"])
    user.communes = list(communes)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for every failure)."""
    user = find_by_email(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Change the password and retire every session and remember cookie of the user."""
    user.set_password(password, current_app.config["PASSWORD_HASH_METHOD"])
    user.revoke_sessions()
    db.session.flush()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _fingerprint(user: User) -> str:
    # Ties the token to the current password hash: once used, it is void.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def reset_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "fp": _fingerprint(user)})


def user_for_reset_token(token: str) -> User | None:
    """The user a valid, unexpired, unused reset token was made for, else None."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE_S"])
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        return None
    user = db.session.get(User, data["uid"])
    if user is None or not user.active or data.get("fp") != _fingerprint(user):
        return None
    return user
