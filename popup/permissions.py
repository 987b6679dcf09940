"""Who may use which endpoint, declared next to each view.

Every view carries a policy (``@policy(staff_of_commune)``); a hook checks it
before the view runs and refuses endpoints that declare none, so forgetting
a policy locks a route instead of opening it. A test walks the URL map too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from popup.extensions import db

ViewArgs = Mapping[str, Any]


@dataclass(frozen=True)
class Policy:
    name: str
    check: Callable[[Any, ViewArgs], bool]
    needs_login: bool = True

    def allows(self, user, view_args: ViewArgs) -> bool:
        if self.needs_login and not user.is_authenticated:
            return False
        return self.check(user, view_args)


def policy(p: Policy):
    """Declare the policy of a view."""

    def decorate(view):
        view.policy = p
        return view

    return decorate


public = Policy("public", lambda user, args: True, needs_login=False)
logged_in = Policy("logged in", lambda user, args: True)
admin = Policy("admin", lambda user, args: user.role == "admin")
any_staff = Policy("staff", lambda user, args: user.role in ("staff", "admin"))


def _staff_of_commune(user, args: ViewArgs) -> bool:
    from popup.communes.models import Commune

    commune = db.session.execute(db.select(Commune).filter_by(slug=args.get("slug"))).scalar_one_or_none()
    if commune is None:
        abort(404)
    return user.is_staff_of(commune)


staff_of_commune = Policy("staff of this commune", _staff_of_commune)


def owner_of(name: str, load: Callable[[ViewArgs], Any]) -> Policy:
    """The user owns the object the URL names (``owner_id``); admins pass too.

    An object that does not exist answers 404 before anything else.
    """

    def check(user, args: ViewArgs) -> bool:
        obj = load(args)
        if obj is None:
            abort(404)
        return user.role == "admin" or getattr(obj, "owner_id", None) == user.id

    return Policy(f"owner of this {name}", check)


_EXTRA = "popup_policies"


def declare(app, endpoint: str, p: Policy) -> None:
    """Declare the policy of an endpoint whose view we do not write (static files)."""
    app.extensions.setdefault(_EXTRA, {})[endpoint] = p


def policy_of(app, endpoint: str) -> Policy | None:
    view = app.view_functions.get(endpoint)
    found = getattr(view, "policy", None)
    return found or app.extensions.get(_EXTRA, {}).get(endpoint)


def enforce() -> Any:
    """before_request hook: run the endpoint's policy."""
    if request.endpoint is None:
        return None  # routing failed; the 404/405 handler answers
    p = policy_of(current_app, request.endpoint)
    if p is None:
        current_app.logger.error("endpoint %s declares no policy: refused", request.endpoint)
        abort(403)
    if p.allows(current_user, request.view_args or {}):
        return None
    if not current_user.is_authenticated:
        if request.path.startswith("/api/"):
            return jsonify(error=_("Log in to use this resource.")), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    abort(403)
