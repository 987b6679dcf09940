from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from popup.applications.operations import call_takes_applications
from popup.applications.policies import (
    call_or_404,
    call_viewer,
    is_entrepreneur,
    jury_of_call,
    may_judge,
    may_manage_call,
    staff_of_call,
)
from popup.applications.queries import active_for_call
from popup.calls import operations, queries
from popup.calls.forms import BLANK_CRITERIA_ROWS, MAX_CRITERIA, CallForm, score_form, utc_to_local
from popup.calls.operations import CallError
from popup.communes import queries as commune_queries
from popup.extensions import db
from popup.permissions import policy, public, staff_of_commune

INVALID = 422
CONFLICT = 409


def call_error_message(exc: CallError) -> str:
    messages = {
        "deadline_passed": _("The deadline is past: set a later deadline before opening the call."),
        "no_criteria": _("Give the jury at least one criterion with its weight."),
        "already_open": _("This call is already open."),
        "already_closed": _("Only an open call can be closed."),
    }
    if exc.code == "criterion_scored":
        return _("The jury has already scored the criterion %(name)s: it cannot be removed.", name=exc.detail)
    return messages.get(exc.code, _("This change is not possible."))


# -- public pages -------------------------------------------------------------------


@policy(public)
def index():
    return render_template(
        "calls/index.html",
        calls=queries.open_calls(),
        managed=queries.managed_calls(current_user),
        takes_applications=call_takes_applications,
    )


def _render_detail(call, *, error: str | None = None, status: int = 200):
    user = current_user
    existing = active_for_call(user.id, call.id) if is_entrepreneur(user) else None
    return (
        render_template(
            "calls/detail.html",
            call=call,
            manages=may_manage_call(user, call),
            judges=may_judge(user, call),
            can_apply=is_entrepreneur(user) and existing is None and call_takes_applications(call),
            show_apply=not user.is_authenticated or is_entrepreneur(user),
            existing=existing,
            takes_applications=call_takes_applications(call),
            last_day=_last_day(call),
            error=error,
        ),
        status,
    )


def _last_day(call):
    return call.ends_on - timedelta(days=1) if call.ends_on else None


@policy(call_viewer)
def detail(call_id: int):
    return _render_detail(call_or_404({"call_id": call_id}))


# -- staff: creating, editing, opening, closing ----------------------------------------------


def _criteria_data(call) -> list[dict]:
    rows = [{"id": c.id, "name": c.name, "weight": c.weight} for c in call.criteria] if call else []
    return rows + [{"id": None, "name": "", "weight": None} for _ in range(BLANK_CRITERIA_ROWS)]


def _call_data(call) -> dict:
    return {
        "title": call.title,
        "description": call.description,
        "deadline": utc_to_local(call.deadline_at),
        "starts_on": call.starts_on,
        "last_day": _last_day(call),
        "offers": [o.id for o in call.offers],
        "jurors": [u.id for u in call.jurors],
        "criteria": _criteria_data(call)[:MAX_CRITERIA],
    }


def _form(commune, call=None) -> CallForm:
    offers = queries.coverable_offers(commune, call)
    jurors = queries.juror_candidates(call)
    # A posted form is read from what was posted only: the saved rows must not fill in missing ones.
    data = (
        None
        if request.method == "POST"
        else _call_data(call)
        if call is not None
        else {"criteria": _criteria_data(None)}
    )
    form = CallForm(offers=offers, jurors=jurors, call_is_open=call is not None and call.status == "open", data=data)
    form.offer_objects = {o.id: o for o in offers}
    form.juror_objects = {u.id: u for u in jurors}
    return form


def _chosen(form: CallForm) -> dict:
    return {
        "title": form.title.data,
        "description": form.description.data or "",
        "deadline_at": form.deadline_at,
        "starts_on": form.starts_on.data,
        "ends_on": form.ends_on(),
        "offers": [form.offer_objects[i] for i in dict.fromkeys(form.offers.data or [])],
        "jurors": [form.juror_objects[i] for i in dict.fromkeys(form.jurors.data or [])],
        "criteria": form.criteria_rows,
    }


def _render_form(form, commune, call=None, status=200):
    return render_template("calls/form.html", form=form, commune=commune, call=call), status


@policy(staff_of_commune)
def create(slug: str):
    commune = commune_queries.commune_by_slug(slug)
    form = _form(commune)
    if form.validate_on_submit():
        call = operations.create_call(commune, by=current_user._get_current_object(), **_chosen(form))
        db.session.commit()
        flash(_("The call is saved as a draft. Open it when it is ready."), "success")
        return redirect(url_for("calls.detail", call_id=call.id), 303)
    return _render_form(form, commune, status=INVALID if form.is_submitted() else 200)


@policy(staff_of_call)
def edit(call_id: int):
    call = call_or_404({"call_id": call_id})
    form = _form(call.commune, call)
    if form.validate_on_submit():
        try:
            operations.update_call(call, **_chosen(form))
        except CallError as exc:
            db.session.rollback()
            form.criteria_message = call_error_message(exc)
            return _render_form(form, call.commune, call, status=INVALID)
        db.session.commit()
        flash(_("The call is saved."), "success")
        return redirect(url_for("calls.detail", call_id=call.id), 303)
    return _render_form(form, call.commune, call, status=INVALID if form.is_submitted() else 200)


@policy(staff_of_call)
def open_call(call_id: int):
    call = call_or_404({"call_id": call_id})
    try:
        operations.open_call(call)
    except CallError as exc:
        db.session.rollback()
        return _render_detail(call_or_404({"call_id": call_id}), error=call_error_message(exc), status=CONFLICT)
    db.session.commit()
    flash(_("The call is open: entrepreneurs can apply until the deadline."), "success")
    return redirect(url_for("calls.detail", call_id=call.id), 303)


@policy(staff_of_call)
def close_call(call_id: int):
    call = call_or_404({"call_id": call_id})
    try:
        operations.close_call(call)
    except CallError as exc:
        db.session.rollback()
        return _render_detail(call_or_404({"call_id": call_id}), error=call_error_message(exc), status=CONFLICT)
    db.session.commit()
    flash(_("The call is closed: no more applications can be submitted."), "success")
    return redirect(url_for("calls.detail", call_id=call.id), 303)


# -- the jury ------------------------------------------------------------------------------------


def _my_scores(scores, juror_id: int) -> dict[int, dict]:
    mine: dict[int, dict] = {}
    for s in scores:
        if s.juror_id == juror_id:
            data = mine.setdefault(s.application_id, {})
            data[f"score_{s.criterion_id}"] = str(s.score)
            data[f"comment_{s.criterion_id}"] = s.comment
    return mine


def _render_jury(call, *, posted_form=None, posted_id: int | None = None, error: str | None = None, status=200):
    applications = queries.jury_applications(call)
    scores = queries.scores_of(applications)
    mine = _my_scores(scores, current_user.id)
    forms = {}
    for application in applications:
        if application.id == posted_id and posted_form is not None:
            forms[application.id] = posted_form
        else:
            forms[application.id] = score_form(call.criteria, application.id, data=mine.get(application.id))
    return (
        render_template(
            "calls/jury.html",
            call=call,
            applications=applications,
            forms=forms,
            scored_by_me=set(mine),
            ranking=queries.ranking(call, applications, scores),
            names=queries.applicant_names(applications),
            posted_id=posted_id,
            error=error,
        ),
        status,
    )


@policy(jury_of_call)
def jury(call_id: int):
    return _render_jury(call_or_404({"call_id": call_id}))


@policy(jury_of_call)
def score(call_id: int, application_id: int):
    call = call_or_404({"call_id": call_id})
    application = next((a for a in queries.jury_applications(call) if a.id == application_id), None)
    if application is None:
        abort(404)
    form = score_form(call.criteria, application.id, posted=True)
    if not form.validate_on_submit():
        return _render_jury(
            call,
            posted_form=form,
            posted_id=application.id,
            error=_("Your scores were not saved: give each criterion a score from 1 to 5."),
            status=INVALID,
        )
    try:
        operations.save_scores(application, current_user._get_current_object(), form.scores)
        db.session.flush()
    except IntegrityError:
        # Saved twice at the same time (two tabs): the other save won; nothing of this one is kept.
        db.session.rollback()
        return _render_jury(
            call_or_404({"call_id": call_id}),
            error=_("Your scores were saved at the same time from elsewhere. Check them and save again."),
            status=CONFLICT,
        )
    db.session.commit()
    flash(_("Your scores are saved."), "success")
    return redirect(url_for("calls.jury", call_id=call.id, _anchor=f"application-{application.id}"), 303)
