"""Erasing an account. Flushes; the view commits."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from popup import gdpr
from popup.auth.models import User
from popup.extensions import db


class ErasureRefused(ValueError):
    """The account cannot be erased now; the message is for the user."""


def erase_account(user: User) -> None:
    """Erase the user's personal data through every registered section; the account can never log in again."""
    if user.role == "admin":
        admins = db.session.scalar(select(func.count()).where(User.role == "admin", User.active.is_(True)))
        if admins <= 1:
            raise ErasureRefused(_("You are the only administrator: create another one before erasing your account."))
    gdpr.erase_account(user)
