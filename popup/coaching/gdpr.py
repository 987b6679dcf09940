"""Coaching: assignments and notes about or by the user.

On erasure, notes about the person lose their text (the dates stay, so the
dashboard still counts the meetings); notes written by a coach who leaves
stay for the entrepreneur, signed by the anonymised account.
"""

from __future__ import annotations

from sqlalchemy import or_, select, update

from popup import gdpr
from popup.coaching.models import CoachAssignment, CoachingNote
from popup.extensions import db


def export(user) -> dict:
    assignments = db.session.scalars(
        select(CoachAssignment)
        .where(or_(CoachAssignment.coach_id == user.id, CoachAssignment.entrepreneur_id == user.id))
        .order_by(CoachAssignment.id)
    ).all()
    notes = db.session.scalars(
        select(CoachingNote)
        .join(CoachAssignment)
        .where(or_(CoachAssignment.entrepreneur_id == user.id, CoachingNote.author_id == user.id))
        .order_by(CoachingNote.id)
    ).all()
    return {
        "assignments": [
            gdpr.row(a, "commune_id", "coach_id", "entrepreneur_id", "since_on", "until_on") for a in assignments
        ],
        "notes": [
            gdpr.row(n, "assignment_id", "author_id", "met_on", "text", "next_meeting_on", "created_at") for n in notes
        ],
    }


def erase(user) -> None:
    about_user = select(CoachAssignment.id).where(CoachAssignment.entrepreneur_id == user.id)
    db.session.execute(
        update(CoachingNote)
        .where(CoachingNote.assignment_id.in_(about_user))
        .values(text="")
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


gdpr.register("coaching", export, erase, tables=("coach_assignments", "coaching_notes"))
