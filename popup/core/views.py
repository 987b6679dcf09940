from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from popup.communes import queries as commune_queries
from popup.extensions import db, limiter
from popup.permissions import policy, public
from popup.urls import safe_next


@policy(public)
def index():
    communes = commune_queries.communes_with_figures()
    return render_template("core/index.html", communes=communes)


@policy(public)
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        current_app.logger.error("health check: database unreachable: %s", exc)
        db.session.rollback()
        return jsonify(status="error", db="unreachable"), 503
    return jsonify(status="ok", db="ok")


@policy(public)
def set_language():
    lang = request.form.get("lang", "")
    target = safe_next(request.form.get("next"), url_for("core.index"))
    if lang not in current_app.config["LANGUAGES"]:
        flash(_("Unknown language."), "danger")
        return redirect(target)
    session["lang"] = lang
    if current_user.is_authenticated:
        current_user.language = lang
        db.session.commit()
    return redirect(target)
