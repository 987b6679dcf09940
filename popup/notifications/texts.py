"""The words of each kind of notification, in the recipient's language."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _


def _status(code: str) -> str:
    from popup.labels import application_status_label

    return application_status_label(code)


def _day(iso: str) -> str:
    from datetime import date

    from flask_babel import format_date

    try:
        return format_date(date.fromisoformat(iso), "long")
    except ValueError:
        return iso


def _match_texts(kind: str, p: dict[str, str]) -> tuple[str, str] | None:
    """Proposals of the matching (popup.matching): proposed, one side confirmed, confirmed, declined, withdrawn."""
    where = _(
        "the stand %(stand)s of %(offer)s (%(address)s)",
        stand=p.get("stand", ""),
        offer=p.get("offer", ""),
        address=p.get("address", ""),
    )
    if kind == "match_proposed_entrepreneur":
        return (
            _("A stand is proposed to you"),
            _(
                "For the call %(call)s, the commune proposes you %(where)s. Confirm or decline it in the app.",
                call=p.get("call", ""),
                where=where,
            ),
        )
    if kind == "match_proposed_owner":
        return (
            _("An entrepreneur is proposed for your offer"),
            _(
                "The commune proposes %(applicant)s for %(where)s. Confirm or decline it in the app.",
                applicant=p.get("applicant", ""),
                where=where,
            ),
        )
    if kind == "match_side_confirmed":
        return (
            _("%(who)s confirmed a proposed match", who=p.get("who", "")),
            _(
                "%(who)s confirmed the match of %(applicant)s with %(where)s.",
                who=p.get("who", ""),
                applicant=p.get("applicant", ""),
                where=where,
            ),
        )
    if kind == "match_confirmed":
        return (
            _(
                "Match confirmed: %(applicant)s at %(stand)s",
                applicant=p.get("applicant", ""),
                stand=p.get("stand", ""),
            ),
            _(
                "Both sides confirmed: %(where)s is reserved for %(applicant)s "
                "from %(start)s to %(end)s (last day excluded).",
                where=where,
                applicant=p.get("applicant", ""),
                start=_day(p.get("start", "")),
                end=_day(p.get("end", "")),
            ),
        )
    if kind == "match_declined":
        body = _(
            "%(who)s declined the match of %(applicant)s with %(where)s.",
            who=p.get("who", ""),
            applicant=p.get("applicant", ""),
            where=where,
        )
        if p.get("reason"):
            body += "\n" + _("Reason: %(reason)s", reason=p["reason"])
        return (_("A proposed match was declined"), body)
    if kind == "match_withdrawn":
        if p.get("why") == "taken":
            body = _(
                "The match of %(applicant)s with %(where)s is withdrawn: "
                "another match of this stand or entrepreneur was confirmed.",
                applicant=p.get("applicant", ""),
                where=where,
            )
        else:
            body = _(
                "The commune withdrew the match of %(applicant)s with %(where)s.",
                applicant=p.get("applicant", ""),
                where=where,
            )
        if p.get("reason"):
            body += "\n" + _("Reason: %(reason)s", reason=p["reason"])
        return (_("A proposed match was withdrawn"), body)
    return None


def _rotation_texts(kind: str, p: dict[str, str]) -> tuple[str, str] | None:
    """Swap requests of a rotation (popup.schedules) and coach assignments (popup.coaching)."""
    mine = _(
        "%(stand)s from %(start)s to %(end)s",
        stand=p.get("stand", ""),
        start=_day(p.get("starts_on", "")),
        end=_day(p.get("ends_on", "")),
    )
    theirs = _(
        "%(stand)s from %(start)s to %(end)s",
        stand=p.get("other_stand", ""),
        start=_day(p.get("other_starts_on", "")),
        end=_day(p.get("other_ends_on", "")),
    )
    swap = _(
        "%(requester)s (%(mine)s) and %(other)s (%(theirs)s)",
        requester=p.get("requester", ""),
        mine=mine,
        other=p.get("other", ""),
        theirs=theirs,
    )
    rotation = p.get("rotation", "")
    if kind == "swap_requested":
        return (
            _("Swap requested in %(rotation)s", rotation=rotation),
            _(
                "%(requester)s asks to swap bookings: %(swap)s. Approve or refuse it in the app.",
                requester=p.get("requester", ""),
                swap=swap,
            ),
        )
    if kind == "swap_requested_other":
        return (
            _("%(requester)s asks to swap bookings with you", requester=p.get("requester", "")),
            _(
                "In %(rotation)s: %(swap)s. The commune's staff will approve or refuse it.",
                rotation=rotation,
                swap=swap,
            ),
        )
    if kind == "swap_decided":
        if p.get("approved") == "True":
            return (
                _("Swap approved in %(rotation)s", rotation=rotation),
                _("The staff approved the swap: %(swap)s. Your calendar shows your new dates.", swap=swap),
            )
        return (
            _("Swap refused in %(rotation)s", rotation=rotation),
            _("The staff refused the swap: %(swap)s. Your bookings stay as they were.", swap=swap),
        )
    if kind == "coach_assigned":
        return (
            _("%(coach)s is now your coach", coach=p.get("coach", "")),
            _(
                "%(commune)s assigned %(coach)s to coach you from %(since)s.",
                commune=p.get("commune", ""),
                coach=p.get("coach", ""),
                since=_day(p.get("since", "")),
            ),
        )
    if kind == "coachee_assigned":
        return (
            _("You now coach %(entrepreneur)s", entrepreneur=p.get("entrepreneur", "")),
            _(
                "%(commune)s assigned you to coach %(entrepreneur)s from %(since)s.",
                commune=p.get("commune", ""),
                entrepreneur=p.get("entrepreneur", ""),
                since=_day(p.get("since", "")),
            ),
        )
    return None


def texts(kind: str, params: dict, language: str) -> tuple[str, str]:
    """(title, body) of a notification in ``language``; params are plain text."""
    p = {k: str(v) for k, v in (params or {}).items()}
    with force_locale(language):
        if kind.startswith("match_") and (found := _match_texts(kind, p)) is not None:
            return found
        if kind.startswith(("swap_", "coach")) and (found := _rotation_texts(kind, p)) is not None:
            return found
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
