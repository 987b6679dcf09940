from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from popup.extensions import db
from popup.notifications import operations
from popup.notifications.texts import texts
from popup.permissions import logged_in, policy
from popup.urls import safe_next


@policy(logged_in)
def index():
    items = [(n, *texts(n.kind, n.params, current_user.language)) for n in operations.recent(current_user)]
    return render_template("notifications/index.html", items=items)


@policy(logged_in)
def mark_read():
    raw = request.form.get("id", "").strip()
    if raw:
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
            flash(_("Unknown notification."), "danger")
            return redirect(url_for("notifications.index")), 303
        operations.mark_read(current_user, [int(raw)])
    else:
        operations.mark_read(current_user)
        flash(_("All notifications are marked as read."), "info")
    db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("notifications.index")))
