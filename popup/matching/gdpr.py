"""Matching: the proposals that concern the user's applications.

Proposals and rejections stay (they are the history of the stands); on
erasure the user's own words (reasons they gave when declining or
withdrawing) are emptied. Who proposed or rejected stays as the anonymised
account.
"""

from __future__ import annotations

from sqlalchemy import select, update

from popup import gdpr
from popup.applications.models import Application
from popup.extensions import db
from popup.matching.models import MatchProposal


def export(user) -> list[dict]:
    proposals = db.session.scalars(
        select(MatchProposal)
        .join(Application, Application.id == MatchProposal.application_id)
        .where(Application.entrepreneur_id == user.id)
        .order_by(MatchProposal.id)
    ).all()
    return [
        gdpr.row(
            p,
            "call_id",
            "application_id",
            "stand_id",
            "status",
            "created_at",
            "confirmed_at",
            "declined_at",
            "decline_reason",
            "reserved_from",
            "reserved_until",
        )
        for p in proposals
    ]


def erase(user) -> None:
    for column, by in (
        ("decline_reason", MatchProposal.declined_by_id),
        ("withdraw_reason", MatchProposal.withdrawn_by_id),
    ):
        db.session.execute(
            update(MatchProposal).where(by == user.id).values({column: ""}).execution_options(synchronize_session=False)
        )
    db.session.flush()


gdpr.register("matching", export, erase, tables=("match_proposals", "match_rejections"))
