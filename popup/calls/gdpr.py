"""Calls and jury work: the scores a juror gave are exported; on erasure the juror leaves
the juries, and the scores stay (they decided applications) under the anonymised account."""

from __future__ import annotations

from sqlalchemy import delete, select

from popup import gdpr
from popup.applications.models import Score
from popup.calls.models import Call, call_jurors
from popup.extensions import db


def export(user) -> dict:
    scores = db.session.scalars(select(Score).where(Score.juror_id == user.id).order_by(Score.id)).all()
    juries = db.session.scalars(
        select(Call).join(call_jurors, call_jurors.c.call_id == Call.id).where(call_jurors.c.user_id == user.id)
    ).all()
    created = db.session.scalars(select(Call).where(Call.created_by_id == user.id).order_by(Call.id)).all()
    return {
        "jury_of": [call.title for call in juries],
        "scores": [
            {**gdpr.row(s, "application_id", "score", "comment", "updated_at"), "criterion": s.criterion.name}
            for s in scores
        ],
        "calls_created": [gdpr.row(call, "id", "title", "created_at") for call in created],
    }


def erase(user) -> None:
    db.session.execute(delete(call_jurors).where(call_jurors.c.user_id == user.id))
    db.session.flush()


gdpr.register("jury", export, erase, tables=("call_jurors", "scores"))
