from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from popup.applications.policies import entrepreneur
from popup.auth.models import User
from popup.coaching import operations, queries
from popup.coaching.forms import AssignForm, EndForm, NoteForm
from popup.coaching.operations import CoachingError
from popup.coaching.policies import (
    assignment_coach,
    assignment_viewer,
    coach,
    is_current_coach,
    note_author,
    visible_assignment,
    visible_note,
)
from popup.communes.models import Commune
from popup.communes.queries import commune_by_slug
from popup.extensions import db
from popup.permissions import policy, staff_of_commune
from popup.units.queries import local_today

INVALID = 422
CONFLICT = 409


def _commune(slug: str) -> Commune:
    commune = commune_by_slug(slug)
    if commune is None:
        abort(404)
    return commune


def _error_message(code: str) -> str:
    return {
        "already_coached": _("This entrepreneur already has a coach in this commune: end that coaching first."),
        "already_ended": _("This coaching has already ended."),
    }.get(code, _("This change is not possible."))


# -- staff of the commune -----------------------------------------------------------------------


@policy(staff_of_commune)
def commune(slug: str):
    commune = _commune(slug)
    form = AssignForm()
    coaches = queries.coaches()
    people = queries.entrepreneurs_of(commune)
    form.coach.choices = [(c.id, c.name) for c in coaches]
    form.entrepreneur.choices = [(e.id, e.name) for e in people]
    if not form.is_submitted():
        form.since.data = local_today()
    status = 200
    if form.validate_on_submit():
        try:
            operations.assign_coach(
                commune,
                db.session.get(User, form.coach.data),
                db.session.get(User, form.entrepreneur.data),
                form.since.data,
                by=current_user._get_current_object(),
            )
        except CoachingError as exc:
            db.session.rollback()
            form.entrepreneur.errors.append(_error_message(exc.code))
            status = CONFLICT
        else:
            db.session.commit()
            flash(_("The coach is assigned."), "success")
            return redirect(url_for("coaching.commune", slug=commune.slug), code=303)
    elif form.is_submitted():
        status = INVALID
    return (
        render_template(
            "coaching/commune.html",
            commune=commune,
            form=form,
            assignments=queries.assignments_of_commune(commune),
            today=local_today(),
        ),
        status,
    )


@policy(staff_of_commune)
def end(slug: str, assignment_id: int):
    commune = _commune(slug)
    assignment = queries.get_assignment(assignment_id)
    if assignment is None or assignment.commune_id != commune.id:
        abort(404)
    if not EndForm().validate_on_submit():
        abort(400)
    try:
        operations.end_assignment(assignment, local_today())
    except CoachingError as exc:
        db.session.rollback()
        flash(_error_message(exc.code), "danger")
        return redirect(url_for("coaching.commune", slug=commune.slug), code=303)
    db.session.commit()
    flash(_("The coaching of %(name)s has ended.", name=assignment.entrepreneur.name), "info")
    return redirect(url_for("coaching.commune", slug=commune.slug), code=303)


# -- the coach ---------------------------------------------------------------------------------


@policy(coach)
def mine():
    return render_template(
        "coaching/mine.html", assignments=queries.current_assignments_of_coach(current_user, local_today())
    )


def _render_detail(assignment, form: NoteForm | None, status: int = 200):
    may_write = is_current_coach(current_user, assignment)
    if may_write and form is None:
        form = NoteForm(today=local_today())
        form.met_on.data = local_today()
    # The entrepreneur's lease shares, schedule and statements in the assignment's commune, read only.
    return (
        render_template(
            "coaching/detail.html",
            assignment=assignment,
            applications=queries.applications_of(assignment.entrepreneur),
            lease_shares=queries.lease_shares_of(assignment.entrepreneur, assignment.commune),
            bookings=queries.bookings_of(assignment.entrepreneur, assignment.commune),
            one_day=timedelta(days=1),  # bookings end the day before their exclusive end
            form=form if may_write else None,
            is_coach=may_write,
        ),
        status,
    )


@policy(assignment_viewer)
def detail(assignment_id: int):
    return _render_detail(visible_assignment(current_user, request.view_args), None)


@policy(assignment_coach)
def add_note(assignment_id: int):
    assignment = visible_assignment(current_user, request.view_args)
    form = NoteForm(today=local_today())
    if not form.validate_on_submit():
        return _render_detail(assignment, form, INVALID)
    operations.add_note(
        assignment, current_user._get_current_object(), form.met_on.data, form.text.data, form.next_meeting_on.data
    )
    db.session.commit()
    flash(_("The note is saved."), "success")
    return redirect(url_for("coaching.detail", assignment_id=assignment.id), code=303)


@policy(note_author)
def edit_note(note_id: int):
    note = visible_note(current_user, request.view_args)
    form = NoteForm(today=local_today())
    if not form.is_submitted():
        form.met_on.data, form.text.data, form.next_meeting_on.data = note.met_on, note.text, note.next_meeting_on
    elif form.validate_on_submit():
        operations.edit_note(note, form.met_on.data, form.text.data, form.next_meeting_on.data)
        db.session.commit()
        flash(_("The note is saved."), "success")
        return redirect(url_for("coaching.detail", assignment_id=note.assignment_id), code=303)
    return render_template("coaching/edit_note.html", note=note, form=form), INVALID if form.is_submitted() else 200


# -- the entrepreneur --------------------------------------------------------------------------


@policy(entrepreneur)
def my_notes():
    return render_template("coaching/my_notes.html", notes=queries.notes_about(current_user))
