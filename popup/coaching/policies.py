"""Who sees which coaching.

A coach sees only the entrepreneurs assigned to them now; the commune's staff
(and admins) see every assignment of the commune; an entrepreneur sees the
notes about them. Anything else answers 404, as if it did not exist.
"""

from __future__ import annotations

from flask import abort

from popup.coaching import queries
from popup.coaching.models import CoachAssignment, CoachingNote
from popup.permissions import Policy, ViewArgs
from popup.units.queries import local_today

coach = Policy("coach", lambda user, args: user.role == "coach")


def is_current_coach(user, assignment: CoachAssignment) -> bool:
    return (
        bool(user.is_authenticated)
        and assignment.coach_id == user.id
        and user.role == "coach"
        and assignment.is_current(local_today())
    )


def may_view(user, assignment: CoachAssignment) -> bool:
    return is_current_coach(user, assignment) or (bool(user.is_authenticated) and user.is_staff_of(assignment.commune))


def visible_assignment(user, args: ViewArgs) -> CoachAssignment:
    assignment = queries.get_assignment(args.get("assignment_id"))
    if assignment is None or not may_view(user, assignment):
        abort(404)
    return assignment


def visible_note(user, args: ViewArgs) -> CoachingNote:
    note = queries.get_note(args.get("note_id"))
    if note is None or not may_view(user, note.assignment):
        abort(404)
    return note


assignment_viewer = Policy(
    "the entrepreneur's coach, or staff of the commune",
    lambda user, args: visible_assignment(user, args) is not None,
)
assignment_coach = Policy(
    "the entrepreneur's coach", lambda user, args: is_current_coach(user, visible_assignment(user, args))
)
note_author = Policy("the note's author, while coaching", lambda user, args: _author(user, visible_note(user, args)))


def _author(user, note: CoachingNote) -> bool:
    return note.author_id == user.id and is_current_coach(user, note.assignment)
