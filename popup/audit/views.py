from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user

from popup.audit import queries
from popup.audit.models import AUDIT_ACTIONS
from popup.permissions import any_staff, policy

INVALID = 422
FILTER_PARAMETERS = ("table", "action", "row", "actor", "since", "until")


@policy(any_staff)
def index():
    """The audit log, newest first; staff see the entries of their communes, admins all."""
    commune_ids = None if current_user.role == "admin" else tuple(c.id for c in current_user.communes)
    kept = {name: request.args.get(name, "").strip() for name in FILTER_PARAMETERS}
    kept = {name: value for name, value in kept.items() if value}

    def page_url(page: int) -> str:
        return url_for("audit.index", **kept, page=page)

    try:
        filters = queries.parse_filters(request.args)
    except queries.AuditFilterError as exc:
        return render_template(
            "audit/index.html",
            page=None,
            error=exc,
            args=kept,
            tables=queries.audited_tables(),
            actions=AUDIT_ACTIONS,
            page_url=page_url,
        ), INVALID
    return render_template(
        "audit/index.html",
        page=queries.audit_page(filters, commune_ids),
        error=None,
        args=kept,
        tables=queries.audited_tables(),
        actions=AUDIT_ACTIONS,
        page_url=page_url,
    )
