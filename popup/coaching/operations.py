"""Coaching workflows. They flush; the caller commits."""

from __future__ import annotations

from datetime import date, timedelta

from flask import url_for

from popup.auth.models import User
from popup.coaching import queries
from popup.coaching.models import CoachAssignment, CoachingNote
from popup.communes.models import Commune
from popup.extensions import db
from popup.notifications.operations import notify


class CoachingError(ValueError):
    """A coaching change that cannot be made; ``code`` says why (for the message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def assign_coach(commune: Commune, coach: User, entrepreneur: User, since_on: date, *, by: User) -> CoachAssignment:
    """Open an assignment; an entrepreneur has one coach at a time per commune."""
    if coach.role != "coach":
        raise CoachingError("not_a_coach")
    if entrepreneur.role != "entrepreneur":
        raise CoachingError("not_an_entrepreneur")
    if queries.open_assignment(commune, entrepreneur) is not None:
        raise CoachingError("already_coached")
    assignment = CoachAssignment(
        commune=commune, coach=coach, entrepreneur=entrepreneur, since_on=since_on, assigned_by=by
    )
    db.session.add(assignment)
    db.session.flush()
    params = {"coach": coach.name, "entrepreneur": entrepreneur.name, "commune": commune.name}
    params["since"] = since_on.isoformat()
    notify(entrepreneur, "coach_assigned", params, link=url_for("coaching.my_notes"))
    notify(coach, "coachee_assigned", params, link=url_for("coaching.detail", assignment_id=assignment.id))
    return assignment


def end_assignment(assignment: CoachAssignment, today: date) -> None:
    """Stop the coaching from today (the period is half-open: today is no longer coached)."""
    if assignment.until_on is not None:
        raise CoachingError("already_ended")
    assignment.until_on = max(today, assignment.since_on + timedelta(days=1))
    db.session.flush()


def add_note(
    assignment: CoachAssignment, author: User, met_on: date, text: str, next_meeting_on: date | None
) -> CoachingNote:
    note = CoachingNote(assignment=assignment, author=author, met_on=met_on, text=text, next_meeting_on=next_meeting_on)
    db.session.add(note)
    db.session.flush()
    return note


def edit_note(note: CoachingNote, met_on: date, text: str, next_meeting_on: date | None) -> None:
    note.met_on, note.text, note.next_meeting_on = met_on, text, next_meeting_on
    db.session.flush()
