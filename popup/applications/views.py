from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from popup.applications import operations, queries
from popup.applications.forms import ACTION_LABELS, ApplyForm, DraftForm, TransitionForm
from popup.applications.operations import ApplicationError
from popup.applications.policies import (
    actor_for,
    application_applicant,
    application_viewer,
    entrepreneur,
    is_juror,
    may_read_document,
    visible_application,
)
from popup.calls.models import Call
from popup.domain.applications import Actor, TransitionError, allowed_targets
from popup.extensions import db
from popup.labels import application_status_label
from popup.offers.models import Offer
from popup.permissions import policy
from popup.profiles import queries as profile_queries

INVALID = 422
CONFLICT = 409
REFUSED = 403

# How each refusal is answered: 403 for the wrong person, 422 for input to correct, 409 for the wrong moment.
ERROR_STATUS = {
    "unknown_status": INVALID,
    "reason_required": INVALID,
    "wrong_actor": REFUSED,
    "not_involved": REFUSED,
}


def error_message(code: str, *, actor: Actor | None = None, source: str = "", target: str = "") -> str:
    """A refusal in the user's words."""
    if code == "wrong_actor":
        if actor == Actor.ENTREPRENEUR:
            return _("Only the commune's staff can take this decision.")
        return _("Only the applicant can submit or withdraw their application.")
    if code == "not_allowed":
        return _(
            "An application cannot go from %(source)s to %(target)s.",
            source=application_status_label(source),
            target=application_status_label(target),
        )
    if code == "final":
        return _(
            "This application is %(status)s: its status can no longer change.",
            status=application_status_label(source).lower(),
        )
    messages = {
        "unknown_status": _("Unknown status."),
        "same_status": _("The application already has this status."),
        "reason_required": _("Give a reason for the rejection: the applicant will read it."),
        "deadline_passed": _("The deadline of this call has passed: applications can no longer be submitted."),
        "call_closed": _("This call does not take applications any more."),
        "offer_closed": _("This offer does not take applications any more."),
        "already_applied": _("You already have an application for this call."),
        "already_applied_offer": _("You already have an application for this offer."),
        "not_draft": _("Only a draft can be changed; this application is already submitted."),
        "not_involved": _(
            "Only the commune's staff decide on applications, and only the applicant submits or withdraws one."
        ),
        "profile_incomplete": _("Fill in your profile first: at least your business name and your concept."),
    }
    return messages.get(code, _("This change is not possible."))


# -- applying ---------------------------------------------------------------------


def _profile_ready(user) -> bool:
    profile = profile_queries.profile_of(user.id)
    return profile is not None and bool(profile.business_name) and bool(profile.concept)


def _apply(*, call: Call | None = None, offer: Offer | None = None):
    user = current_user._get_current_object()
    form = ApplyForm()
    target_title = call.title if call is not None else offer.title
    existing = (
        queries.active_for_call(user.id, call.id) if call is not None else queries.active_for_offer(user.id, offer.id)
    )
    open_now = (
        operations.call_takes_applications(call) if call is not None else operations.offer_takes_applications(offer)
    )
    already = "already_applied" if call is not None else "already_applied_offer"
    profile_missing = not _profile_ready(user)
    # Refusals before the form: a page to read on GET, a 409 on POST.
    refused = CONFLICT if form.is_submitted() else 200
    error, status = None, 200
    if existing is not None:
        error, status = error_message(already), refused
    elif not open_now:
        error, status = error_message("call_closed" if call is not None else "offer_closed"), refused
    elif profile_missing:
        error, status = error_message("profile_incomplete"), refused
    elif form.validate_on_submit():
        try:
            application = operations.create_application(
                user, call=call, offer=offer, motivation=form.motivation.data or "", submit=bool(form.submit_now.data)
            )
        except ApplicationError as exc:
            db.session.rollback()
            code = already if exc.code == "already_applied" else exc.code
            error, status = error_message(code), CONFLICT
        except TransitionError as exc:
            db.session.rollback()
            error, status = error_message(exc.code), ERROR_STATUS.get(exc.code, CONFLICT)
        except IntegrityError:
            # Another request created the same application between our check and our insert.
            db.session.rollback()
            error, status = error_message(already), CONFLICT
        else:
            db.session.commit()
            if application.status == "submitted":
                flash(_("Your application is submitted."), "success")
            else:
                flash(_("Your draft is saved. Submit it before the deadline."), "success")
            return redirect(url_for("applications.detail", application_id=application.id), 303)
    elif form.is_submitted():
        status = INVALID
    return (
        render_template(
            "applications/apply.html",
            form=form,
            call=call,
            offer=offer,
            target_title=target_title,
            existing=existing,
            error=error,
            can_apply=existing is None and open_now,
            profile_missing=existing is None and open_now and profile_missing,
        ),
        status,
    )


@policy(entrepreneur)
def apply_offer(offer_id: int):
    offer = db.session.get(Offer, offer_id) if 0 < offer_id <= 2**31 - 1 else None
    # A draft offer, or one on a unit not (or no longer) public, is a secret of its owner and the staff.
    if (
        offer is None
        or offer.status == "draft"
        or offer.unit.archived_at is not None
        or offer.unit.approval != "approved"
    ):
        abort(404)
    return _apply(offer=offer)


@policy(entrepreneur)
def apply_call(call_id: int):
    call = db.session.get(Call, call_id) if 0 < call_id <= 2**31 - 1 else None
    if call is None or call.status == "draft":
        abort(404)
    return _apply(call=call)


# -- one application ---------------------------------------------------------------


def _render_detail(application, form=None, *, error: str | None = None, status: int = 200):
    user = current_user._get_current_object()
    actor = actor_for(user, application)
    profile = profile_queries.profile_of(application.entrepreneur_id)
    plan = profile_queries.business_plan(application.entrepreneur_id)
    targets = allowed_targets(application.status, actor) if actor is not None else []
    return (
        render_template(
            "applications/detail.html",
            application=application,
            title=queries.title_of(application),
            profile=profile,
            cores=profile_queries.cores_named(profile.preferred_core_ids if profile else []),
            business_plan=plan if plan is not None and may_read_document(user, plan) else None,
            events=list(reversed(application.events)),
            actor=actor,
            is_staff=actor == Actor.STAFF,
            is_juror=is_juror(user, application.call),
            targets=[(t, ACTION_LABELS[t]) for t in targets],
            form=form or TransitionForm(formdata=None),
            error=error,
        ),
        status,
    )


@policy(application_viewer)
def detail(application_id: int):
    return _render_detail(visible_application({"application_id": application_id}, current_user))


@policy(application_viewer)
def transition(application_id: int):
    user = current_user._get_current_object()
    application = visible_application({"application_id": application_id}, user)
    form = TransitionForm()
    if not form.validate_on_submit():
        return _render_detail(application, form, error=" ".join(form.reason.errors) or None, status=INVALID)
    target, reason = (form.status.data or "").strip(), form.reason.data or ""
    actor = actor_for(user, application)
    if actor is None:
        return _render_detail(application, form, error=error_message("not_involved"), status=REFUSED)
    source = application.status
    try:
        operations.change_status(application, target, by=user, actor=actor, reason=reason)
    except (TransitionError, ApplicationError) as exc:
        db.session.rollback()
        message = error_message(exc.code, actor=actor, source=source, target=target)
        if exc.code == "reason_required":
            form.reason.errors = [message]
        return _render_detail(application, form, error=message, status=ERROR_STATUS.get(exc.code, CONFLICT))
    db.session.commit()
    flash(_("The application is now: %(status)s.", status=application_status_label(target)), "success")
    return redirect(url_for("applications.detail", application_id=application.id), 303)


@policy(application_applicant)
def edit(application_id: int):
    application = visible_application({"application_id": application_id}, current_user)
    form = DraftForm(data={"motivation": application.motivation})
    error, status = None, 200
    if application.status != "draft":
        error, status = error_message("not_draft"), CONFLICT
    elif form.validate_on_submit():
        operations.update_draft(application, motivation=form.motivation.data or "")
        db.session.commit()
        flash(_("Your draft is saved. Submit it before the deadline."), "success")
        return redirect(url_for("applications.detail", application_id=application.id), 303)
    elif form.is_submitted():
        status = INVALID
    return (
        render_template(
            "applications/edit.html",
            form=form,
            application=application,
            title=queries.title_of(application),
            error=error,
        ),
        status,
    )


@policy(entrepreneur)
def mine():
    items = [(a, queries.title_of(a)) for a in queries.applications_of(current_user)]
    return render_template("applications/mine.html", items=items)
