"""Applications: exported; on erasure the rows and their status history stay (programme
records) but lose the person's own words, and point at the anonymised account."""

from __future__ import annotations

from sqlalchemy import select, update

from popup import gdpr
from popup.applications.models import Application, ApplicationEvent, Score
from popup.extensions import db


def export(user) -> list[dict]:
    applications = db.session.scalars(
        select(Application).where(Application.entrepreneur_id == user.id).order_by(Application.id)
    ).all()
    result = []
    for application in applications:
        data = gdpr.row(application, "id", "status", "motivation", "created_at", "submitted_at", "decided_at")
        data["call"] = application.call.title if application.call else None
        data["offer"] = application.offer.title if application.offer else None
        data["history"] = [gdpr.row(event, "from_status", "to_status", "at", "reason") for event in application.events]
        result.append(data)
    return result


def erase(user) -> None:
    """Statuses, dates and scores stay; the texts about the person go (their motivation,
    the reasons given for each step, the jurors' comments)."""
    own = select(Application.id).where(Application.entrepreneur_id == user.id).scalar_subquery()
    db.session.execute(
        update(Application).where(Application.entrepreneur_id == user.id).values(motivation=""),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(ApplicationEvent).where(ApplicationEvent.application_id.in_(own)).values(reason=""),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(Score).where(Score.application_id.in_(own)).values(comment=""),
        execution_options={"synchronize_session": False},
    )
    # What the person wrote when moving their own application (a withdrawal reason).
    db.session.execute(
        update(ApplicationEvent).where(ApplicationEvent.by_id == user.id).values(reason=""),
        execution_options={"synchronize_session": False},
    )
    db.session.flush()


gdpr.register("applications", export, erase, tables=("applications", "application_events"))
