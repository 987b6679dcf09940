"""Who is wishing: the account, or a random token in a signed cookie; the client address only as a keyed hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app, request
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "popup_wisher"
COOKIE_MAX_AGE_S = 400 * 24 * 3600  # browsers cap cookies at 400 days
_SALT = "popup-wisher"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def cookie_token() -> str | None:
    """The random token of this browser's signed cookie, if it has a valid one."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        token = _serializer().loads(raw)
    except BadSignature:
        return None
    return token if isinstance(token, str) and 16 <= len(token) <= 64 else None


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _digest(text: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def voter_key(user, token: str | None) -> str | None:
    """``user:<id>`` with an account; else a hash of the cookie token (None without one)."""
    if user is not None and user.is_authenticated:
        return f"user:{user.id}"
    if token is None:
        return None
    return "anon:" + _digest("wisher:" + token)[:40]


def ip_hash() -> str:
    """A keyed hash of the client address: counts wishes per address without keeping it."""
    return _digest("ip:" + (get_remote_address() or ""))


def set_cookie(response, token: str) -> None:
    response.set_cookie(
        COOKIE,
        _serializer().dumps(token),
        max_age=COOKIE_MAX_AGE_S,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
