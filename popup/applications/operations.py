"""Applying and moving applications through their workflow. They flush; the view commits.

The rules of the workflow live in popup.domain.applications (check_transition);
here they meet the database: the dated history, the timestamps, the checks
that need the call or the offer (still open?), and the notifications.
"""

from __future__ import annotations

from flask import url_for

from popup.applications import queries
from popup.applications.models import Application, ApplicationEvent
from popup.applications.policies import commune_of
from popup.auth.models import User
from popup.calls.models import Call
from popup.domain.applications import Actor, Status, check_transition
from popup.extensions import db
from popup.notifications.operations import notify
from popup.offers.models import Offer
from popup.profiles.queries import profile_of
from popup.types import utcnow


class ApplicationError(ValueError):
    """An application that cannot be made or moved; ``code`` names why (for the message).

    Codes: ``already_applied``, ``call_closed``, ``offer_closed``, ``not_draft``.
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


DECISIONS = frozenset({Status.ACCEPTED, Status.REJECTED})


def call_takes_applications(call: Call, now=None) -> bool:
    return call.status == "open" and (now or utcnow()) < call.deadline_at


def offer_takes_applications(offer: Offer) -> bool:
    return offer.status == "published" and offer.unit.archived_at is None


def create_application(
    entrepreneur: User, *, call: Call | None = None, offer: Offer | None = None, motivation: str = "", submit=False
) -> Application:
    """A new draft for a call or an offer (submitted at once when ``submit``).

    Raises ApplicationError when the call or offer no longer takes applications
    or the entrepreneur already has an active one there. The database refuses a
    second active application to a call or an offer even when two requests race
    past the check: the caller catches that IntegrityError.
    """
    if (call is None) == (offer is None):
        raise ValueError("an application is for a call or for an offer")
    if call is not None:
        if not call_takes_applications(call):
            raise ApplicationError("call_closed")
        if queries.active_for_call(entrepreneur.id, call.id) is not None:
            raise ApplicationError("already_applied")
    else:
        if not offer_takes_applications(offer):
            raise ApplicationError("offer_closed")
        if queries.active_for_offer(entrepreneur.id, offer.id) is not None:
            raise ApplicationError("already_applied")
    now = utcnow()
    application = Application(entrepreneur=entrepreneur, call=call, offer=offer, motivation=motivation, created_at=now)
    application.events.append(
        ApplicationEvent(from_status=None, to_status=Status.DRAFT.value, at=now, by=entrepreneur, reason="")
    )
    db.session.add(application)
    db.session.flush()
    if submit:
        change_status(application, Status.SUBMITTED.value, by=entrepreneur, actor=Actor.ENTREPRENEUR)
    return application


def update_draft(application: Application, *, motivation: str) -> None:
    if application.status != Status.DRAFT:
        raise ApplicationError("not_draft")
    application.motivation = motivation
    db.session.flush()


def change_status(
    application: Application, target: str, *, by: User, actor: Actor, reason: str = ""
) -> ApplicationEvent:
    """Move the application to ``target`` if the rules allow it, with a dated history entry.

    Raises TransitionError (the state machine's codes) or ApplicationError
    (``call_closed``, ``offer_closed``) and changes nothing then. Notifies: the
    commune's staff (and the offer's owner) of a submission, the applicant of
    every staff decision.
    """
    now = utcnow()
    call = application.call
    source = application.status
    check_transition(
        source, target, actor, reason=reason, now=now, deadline=call.deadline_at if call is not None else None
    )
    if target == Status.SUBMITTED:
        if call is not None and call.status != "open":
            raise ApplicationError("call_closed")
        if call is None and not offer_takes_applications(application.offer):
            raise ApplicationError("offer_closed")
    event = ApplicationEvent(from_status=source, to_status=target, at=now, by=by, reason=reason)
    application.events.append(event)
    application.status = target
    if target == Status.SUBMITTED:
        application.submitted_at = now
    if target in DECISIONS:
        application.decided_at = now
    db.session.flush()
    _notify(application, target, actor, reason)
    return event


def _applicant_name(application: Application) -> str:
    profile = profile_of(application.entrepreneur_id)
    name = application.entrepreneur.name
    if profile is not None and profile.business_name:
        return f"{name} ({profile.business_name})"
    return name


def _notify(application: Application, target: str, actor: Actor, reason: str) -> None:
    link = url_for("applications.detail", application_id=application.id)
    title = queries.title_of(application)
    if target == Status.SUBMITTED:
        applicant = _applicant_name(application)
        for staff in queries.staff_of(commune_of(application)):
            notify(staff, "application_submitted", {"title": title, "applicant": applicant}, link=link)
        offer = application.offer
        if application.call is None and offer is not None and offer.owner is not None and offer.owner.active:
            notify(offer.owner, "offer_application", {"title": offer.title, "applicant": applicant}, link=link)
    if actor == Actor.STAFF:
        params = {"title": title, "status": target}
        if reason:
            params["reason"] = reason
        notify(application.entrepreneur, "application_status", params, link=link)
