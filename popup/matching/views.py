from __future__ import annotations

import contextlib
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from popup.applications.policies import call_or_404, staff_of_call
from popup.domain.proposals import PENDING, ProposalError, ProposalStatus, Side, side_confirmed
from popup.domain.rentsplit import RentSplitError
from popup.extensions import db
from popup.form_fields import id_or_none
from popup.leases import messages as lease_messages
from popup.leases.messages import LeaseError
from popup.matching import operations, queries
from popup.matching.forms import PairForm, ReasonForm, SettingsForm
from popup.matching.operations import MatchingError
from popup.matching.policies import (
    is_staff,
    owner_or_entrepreneur,
    proposal_or_404,
    proposal_party,
    proposal_staff,
    proposal_viewer,
)
from popup.permissions import policy

BAD_REQUEST, CONFLICT, INVALID = 400, 409, 422

PROPOSAL_STATUS_LABELS = {
    "proposed": _l("Waiting for both sides"),
    "owner_confirmed": _l("Confirmed by the owner, waiting for the entrepreneur"),
    "entrepreneur_confirmed": _l("Confirmed by the entrepreneur, waiting for the owner"),
    "confirmed": _l("Confirmed by both sides"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
}


def proposal_status_label(code: str) -> str:
    return str(PROPOSAL_STATUS_LABELS.get(code, code))


def as_day(value) -> str:
    """A date, or a date kept as an ISO string in a snapshot, in the user's words."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return format_date(value) if isinstance(value, date) else ""


def matching_error_message(exc: MatchingError) -> str:
    messages = {
        "no_stands": _(
            "This call has no stands to match: cover it with published offers that have stands, then run the matching."
        ),
        "unknown_application": _("Choose an application of this call that is submitted and not decided yet."),
        "unknown_stand": _("Choose a stand of this call's offers."),
        "application_taken": _("This application already has a proposal waiting or confirmed."),
        "stand_taken": _("This stand already has a proposal waiting or confirmed."),
        "hard_rules": _("This pair breaks a hard rule: confirm that you propose it anyway."),
    }
    return messages.get(exc.code, _("This change is not possible."))


def proposal_error_message(exc: ProposalError) -> str:
    messages = {
        "already_confirmed": _("You have already confirmed this match."),
        "confirmed": _("Both sides have confirmed this match: it can no longer be declined or withdrawn."),
        "declined": _("This match was declined: it can no longer be answered."),
        "withdrawn": _("The commune withdrew this match: it can no longer be answered."),
        "changed": _("Someone answered this match at the same time: look at it again."),
    }
    return messages.get(exc.code, _("This change is not possible."))


# -- the staff screen ------------------------------------------------------------------------


def _settings_form(call) -> SettingsForm:
    return SettingsForm(data=SettingsForm.data_of(queries.Settings.of(call), queries.staff_needs(call)))


def _render_screen(call, form=None, *, error: str | None = None, status: int = 200):
    inp = queries.inputs(call)
    result = queries.run(inp) if call.matching_settings and inp.stands else None
    return (
        render_template(
            "matching/screen.html",
            call=call,
            form=form or _settings_form(call),
            inp=inp,
            result=result,
            proposals=queries.proposals_of_call(call),
            pair_form=PairForm(),
            reason_form=ReasonForm(),
            pending=PENDING,
            residents_needs=queries.residents_needs(call),
            error=error,
        ),
        status,
    )


@policy(staff_of_call)
def screen(call_id: int):
    return _render_screen(call_or_404({"call_id": call_id}))


@policy(staff_of_call)
def run(call_id: int):
    call = call_or_404({"call_id": call_id})
    form = SettingsForm()
    if not form.validate_on_submit():
        return _render_screen(call, form, status=INVALID)
    try:
        operations.save_settings(call, form.settings, form.chosen_needs, current_user._get_current_object())
    except MatchingError as exc:
        db.session.rollback()
        return _render_screen(
            call_or_404({"call_id": call_id}), form, error=matching_error_message(exc), status=CONFLICT
        )
    db.session.commit()
    flash(_("The matching ran with these settings; they are kept for the next run."), "success")
    return redirect(url_for("matching.screen", call_id=call.id, _anchor="result"), 303)


def _pair_ids():
    """The application and stand the query string names, or None."""
    application_id, stand_id = id_or_none(request.args.get("application_id")), id_or_none(request.args.get("stand_id"))
    return (application_id, stand_id) if application_id and stand_id else None


def _render_pair(call, inp, application_id: int, stand_id: int, form=None, *, error=None, status=200):
    score = inp.pair(application_id, stand_id)
    form = form or PairForm(data={"application_id": application_id, "stand_id": stand_id})
    return (
        render_template(
            "matching/pair.html",
            call=call,
            application=inp.applications[application_id],
            stand=inp.stands[stand_id],
            name=inp.names[application_id],
            score=score,
            form=form,
            taken=[p for p in inp.taken.values() if p.application_id == application_id or p.stand_id == stand_id],
            error=error,
        ),
        status,
    )


@policy(staff_of_call)
def pair(call_id: int):
    call = call_or_404({"call_id": call_id})
    ids = _pair_ids()
    inp = queries.inputs(call)
    if ids is None or ids[0] not in inp.applications or ids[1] not in inp.stands:
        message = _("Choose an application and a stand of this call to see their score.")
        return _render_screen(call, error=message, status=BAD_REQUEST)
    return _render_pair(call, inp, *ids)


@policy(staff_of_call)
def propose(call_id: int):
    call = call_or_404({"call_id": call_id})
    form = PairForm()
    ids = form.ids() if form.validate_on_submit() else None
    inp = queries.inputs(call)
    if ids is None:
        message = _("Choose an application and a stand of this call.")
        return _render_screen(call, error=message, status=BAD_REQUEST)
    forced = ids not in {(p.application.id, p.stand.id) for p in queries.run(inp).pairs} if inp.stands else True
    try:
        proposal = operations.propose_pair(
            inp, *ids, current_user._get_current_object(), forced=forced, accept_rules=bool(form.accept_rules.data)
        )
        db.session.flush()
    except MatchingError as exc:
        db.session.rollback()
        call = call_or_404({"call_id": call_id})
        if exc.code == "hard_rules":
            return _render_pair(
                call, queries.inputs(call), *ids, form, error=matching_error_message(exc), status=CONFLICT
            )
        status = BAD_REQUEST if exc.code.startswith("unknown") else CONFLICT
        return _render_screen(call, error=matching_error_message(exc), status=status)
    except IntegrityError:
        db.session.rollback()
        message = _("This application or stand was proposed at the same time from elsewhere. Nothing was changed.")
        return _render_screen(call_or_404({"call_id": call_id}), error=message, status=CONFLICT)
    db.session.commit()
    flash(_("The pair is proposed: the owner and the entrepreneur are asked to confirm."), "success")
    return redirect(url_for("matching.proposal", proposal_id=proposal.id), 303)


@policy(staff_of_call)
def reject(call_id: int):
    call = call_or_404({"call_id": call_id})
    form = PairForm()
    ids = form.ids() if form.validate_on_submit() else None
    inp = queries.inputs(call)
    if ids is None:
        return _render_screen(call, error=_("Choose an application and a stand of this call."), status=BAD_REQUEST)
    try:
        operations.reject_pair(inp, *ids, current_user._get_current_object())
        db.session.flush()
    except MatchingError as exc:
        db.session.rollback()
        return _render_screen(call_or_404({"call_id": call_id}), error=matching_error_message(exc), status=BAD_REQUEST)
    except IntegrityError:
        db.session.rollback()  # rejected twice at the same time: it is rejected
    db.session.commit()
    flash(_("The pair is rejected: the next runs leave it out."), "success")
    return redirect(url_for("matching.screen", call_id=call.id, _anchor="result"), 303)


# -- proposals: both sides and staff ---------------------------------------------------------


_DATE_PARAMS = frozenset({"from_on", "start_on", "end_on", "start", "end", "last_day", "entry_on"})


def lease_refusal_message(refusal: dict | None) -> str | None:
    """Why the draft lease of a confirmed match was not prepared, in the reader's language."""
    if not refusal:
        return None
    params = {}
    for key, value in (refusal.get("params") or {}).items():
        if key in _DATE_PARAMS and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = date.fromisoformat(value)
        params[key] = value
    source, code = refusal.get("source"), str(refusal.get("code") or "")
    if source == "split":
        return lease_messages.split_message(RentSplitError(code, **params))
    if source == "lease":
        return lease_messages.lease_message(LeaseError(code, **params))
    return _("The leases module could not record it.")


def _render_proposal(proposal, *, form=None, error: str | None = None, status: int = 200):
    user = current_user
    side = operations.side_of(user, proposal)
    pending = ProposalStatus(proposal.status) in PENDING
    lease_tenant = proposal.lease_tenant
    return (
        render_template(
            "matching/proposal.html",
            proposal=proposal,
            name=queries.applicant_name(proposal.application),
            side=side,
            may_answer=side is not None and pending and not side_confirmed(proposal.status, side),
            may_withdraw=is_staff(user, proposal) and pending,
            staff=is_staff(user, proposal),
            owner_confirmed=side_confirmed(proposal.status, Side.OWNER),
            entrepreneur_confirmed=side_confirmed(proposal.status, Side.ENTREPRENEUR),
            form=form or ReasonForm(),
            error=error,
            lease=lease_tenant.lease if lease_tenant is not None else None,
            lease_refusal=lease_refusal_message(proposal.lease_refusal),
            refused_lease_id=(proposal.lease_refusal or {}).get("lease_id"),
        ),
        status,
    )


@policy(proposal_viewer)
def proposal(proposal_id: int):
    return _render_proposal(proposal_or_404({"proposal_id": proposal_id}))


def _answer(proposal_id: int, answer):
    proposal = proposal_or_404({"proposal_id": proposal_id})
    user = current_user._get_current_object()
    form = ReasonForm()
    if not form.validate_on_submit():
        return _render_proposal(proposal, form=form, error=_("Nothing was sent: check the reason."), status=INVALID)
    try:
        answer(proposal, user, form.reason.data or "")
    except ProposalError as exc:
        db.session.rollback()
        return _render_proposal(
            proposal_or_404({"proposal_id": proposal_id}), error=proposal_error_message(exc), status=CONFLICT
        )
    db.session.commit()
    return None


@policy(proposal_party)
def confirm(proposal_id: int):
    def answer(proposal, user, _reason):
        operations.confirm_side(proposal, operations.side_of(user, proposal), user)

    refused = _answer(proposal_id, answer)
    if refused is not None:
        return refused
    proposal = proposal_or_404({"proposal_id": proposal_id})
    if proposal.status == ProposalStatus.CONFIRMED:
        flash(
            _(
                "The match is confirmed: the stand is reserved from %(start)s to %(end)s.",
                start=as_day(proposal.reserved_from),
                end=as_day(proposal.reserved_until),
            ),
            "success",
        )
    else:
        flash(_("Your confirmation is recorded; the other side is asked too."), "success")
    return redirect(url_for("matching.proposal", proposal_id=proposal_id), 303)


@policy(proposal_party)
def decline(proposal_id: int):
    def answer(proposal, user, reason):
        operations.decline_side(proposal, operations.side_of(user, proposal), user, reason)

    refused = _answer(proposal_id, answer)
    if refused is not None:
        return refused
    flash(_("You declined the match; the commune and the other side are told."), "success")
    return redirect(url_for("matching.proposal", proposal_id=proposal_id), 303)


@policy(proposal_staff)
def withdraw(proposal_id: int):
    def answer(proposal, user, reason):
        operations.withdraw_proposal(proposal, user, reason)

    refused = _answer(proposal_id, answer)
    if refused is not None:
        return refused
    flash(_("The proposal is withdrawn; the owner and the entrepreneur are told."), "success")
    return redirect(url_for("matching.proposal", proposal_id=proposal_id), 303)


@policy(owner_or_entrepreneur)
def mine():
    return render_template("matching/mine.html", proposals=queries.proposals_for(current_user), pending=PENDING)
