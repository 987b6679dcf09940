"""The words of each kind of notification, in the recipient's language."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _


def _status(code: str) -> str:
    from popup.labels import application_status_label

    return application_status_label(code)


def texts(kind: str, params: dict, language: str) -> tuple[str, str]:
    """(title, body) of a notification in ``language``; params are plain text."""
    p = {k: str(v) for k, v in (params or {}).items()}
    with force_locale(language):
        if kind == "application_submitted":
            return (
                _("New application: %(title)s", title=p.get("title", "")),
                _(
                    "%(applicant)s submitted an application for %(title)s.",
                    applicant=p.get("applicant", ""),
                    title=p.get("title", ""),
                ),
            )
        if kind == "application_status":
            status = _status(p.get("status", ""))
            body = _("Your application for %(title)s is now: %(status)s.", title=p.get("title", ""), status=status)
            if p.get("reason"):
                body += "\n" + _("Reason: %(reason)s", reason=p["reason"])
            return (_("Your application is now: %(status)s", status=status), body)
        if kind == "offer_application":
            return (
                _("New application on your offer %(title)s", title=p.get("title", "")),
                _(
                    "%(applicant)s applied to your offer %(title)s.",
                    applicant=p.get("applicant", ""),
                    title=p.get("title", ""),
                ),
            )
        if kind == "unit_approved":
            return (
                _("Your unit is approved"),
                _("The unit %(address)s is approved and now appears on the map.", address=p.get("address", "")),
            )
        if kind == "unit_rejected":
            return (
                _("Your unit was not approved"),
                _(
                    "The unit %(address)s was not approved. Reason: %(reason)s",
                    address=p.get("address", ""),
                    reason=p.get("reason", ""),
                ),
            )
        if kind == "unit_proposed":
            return (
                _("A unit awaits approval"),
                _("%(owner)s proposed the unit %(address)s.", owner=p.get("owner", ""), address=p.get("address", "")),
            )
    return (kind, "")
