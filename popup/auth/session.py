"""Flask-Login wiring with revocable sessions."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from popup.extensions import db, login_manager


def load_user(user_id: str):
    """Load the user of a session or remember cookie, if that cookie is still valid.

    The id is ``"<user id>:<session version>"``; logout and password change bump
    the version, which retires every cookie issued before.
    """
    from popup.auth.models import User

    uid, _sep, version = user_id.partition(":")
    if not uid.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(uid))
    if user is None or user.session_version != int(version) or not user.active:
        return None
    return user


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
