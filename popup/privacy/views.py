from __future__ import annotations

from flask import Response, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from popup import gdpr
from popup.extensions import db
from popup.permissions import logged_in, policy
from popup.privacy import operations
from popup.privacy.forms import EraseAccountForm
from popup.types import utcnow

INVALID = 422


@policy(logged_in)
def data():
    return render_template("privacy/data.html", sections=[s.name for s in gdpr.sections()])


@policy(logged_in)
def download():
    archive = gdpr.export_archive(current_user._get_current_object())
    name = f"popup-my-data-{utcnow():%Y-%m-%d}.zip"
    response = Response(archive, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@policy(logged_in)
def erase():
    form = EraseAccountForm()
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not user.check_password(form.password.data):
            form.password.errors.append(_("Your password is not right."))
            status = 401
        else:
            try:
                operations.erase_account(user)
            except operations.ErasureRefused as exc:
                flash(str(exc), "danger")
                return render_template("privacy/erase.html", form=form), 409
            db.session.commit()
            lang = session.get("lang")
            logout_user()
            session.clear()
            if lang:
                session["lang"] = lang
            flash(_("Your account is erased. Goodbye."), "info")
            return redirect(url_for("core.index"))
    elif form.is_submitted():
        status = INVALID
    return render_template("privacy/erase.html", form=form), status
