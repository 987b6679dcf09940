"""Error pages in the user's language; JSON errors under /api/."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, jsonify, make_response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, PendingRollbackError
from werkzeug.exceptions import HTTPException, InternalServerError

from popup.extensions import db


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Check what you sent and try again.")),
        401: (_("Login required"), _("Log in to use this page.")),
        403: (_("Access refused"), _("You do not have permission to use this page.")),
        404: (_("Page not found"), _("There is nothing at this address. It may have been moved or deleted.")),
        405: (_("Method not allowed"), _("This address does not accept that kind of request.")),
        413: (_("Too large"), _("What you sent is too large. Send a smaller file or less text.")),
        429: (_("Too many attempts"), _("Too many attempts in a short time. Wait a minute and try again.")),
        500: (_("Something went wrong"), _("An unexpected error occurred. Nothing was saved. Please try again.")),
        503: (_("Service unavailable"), _("The service is temporarily unavailable. Please try again shortly.")),
    }


def render_error(code: int, detail: str | None = None) -> Response:
    title, message = _messages().get(code, (str(code), ""))
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        response = jsonify(error=detail or message, status=code)
    else:
        response = make_response(
            render_template("errors/error.html", code=code, title=title, message=detail or message)
        )
    response.status_code = code
    return response


def discard_session() -> None:
    """Roll the request's session back, even when its connection is gone (PostgreSQL restarting).

    A rollback on a dead connection raises in turn; the connection is then
    invalidated, so that the pool gives the next request a new one.
    """
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: nothing to roll back
        try:
            db.session().invalidate()
        except Exception:
            current_app.logger.warning("could not invalidate the session's connection", exc_info=True)


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        db.session.rollback()
        detail = None
        if isinstance(exc, CSRFError):
            detail = _("Your form expired or was sent from elsewhere. Reload the page and try again.")
        response = render_error(exc.code or 500, detail)
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(PendingRollbackError)
    def _database_unavailable(exc: OperationalError | PendingRollbackError):
        """The database does not answer (restarting, locked too long): a 503 to retry, not a 500."""
        g.db_unavailable = True  # the locale and the page must not ask the database again
        g._login_user = current_app.login_manager.anonymous_user()  # nor load the account again
        discard_session()
        app.logger.warning("database unavailable on %s %s: %s", request.method, request.path, exc)
        code = 503
        title, message = _messages()[code]
        if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
            response = jsonify(error=message, status=code)
        else:
            response = make_response(
                render_template("errors/unavailable.html", title=title, message=message, lang=get_locale())
            )
        response.status_code = code
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(InternalServerError.code)
