"""Calls for applications and their jury's scores. They flush; the view commits."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from popup.applications.models import Application, Score
from popup.auth.models import User
from popup.calls.models import Call, Criterion
from popup.communes.models import Commune
from popup.domain.jury import MAX_SCORE, MIN_SCORE
from popup.extensions import db
from popup.offers.models import Offer
from popup.types import utcnow


class CallError(ValueError):
    """A change to a call that cannot be made; ``code`` names why (for the message).

    Codes: ``deadline_passed``, ``no_criteria``, ``criterion_scored``, ``already_open``, ``already_closed``.
    """

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


CriterionRow = tuple[int | None, str, int]  # (id of an existing criterion or None, name, weight)


def create_call(
    commune: Commune,
    *,
    by: User,
    title: str,
    description: str,
    deadline_at: datetime,
    starts_on: date | None,
    ends_on: date | None,
    offers: list[Offer],
    jurors: list[User],
    criteria: list[CriterionRow],
) -> Call:
    """A new draft call of the commune."""
    call = Call(commune=commune, created_by_id=by.id, status="draft")
    db.session.add(call)
    _set_fields(call, title, description, deadline_at, starts_on, ends_on, offers, jurors)
    _set_criteria(call, criteria)
    db.session.flush()
    return call


def update_call(
    call: Call,
    *,
    title: str,
    description: str,
    deadline_at: datetime,
    starts_on: date | None,
    ends_on: date | None,
    offers: list[Offer],
    jurors: list[User],
    criteria: list[CriterionRow],
) -> None:
    """Change a call; a criterion the jury already scored cannot be removed (CallError ``criterion_scored``)."""
    _set_criteria(call, criteria)
    _set_fields(call, title, description, deadline_at, starts_on, ends_on, offers, jurors)
    db.session.flush()


def _set_fields(call, title, description, deadline_at, starts_on, ends_on, offers, jurors) -> None:
    call.title = title
    call.description = description
    call.deadline_at = deadline_at
    call.starts_on = starts_on
    call.ends_on = ends_on
    call.offers = list(offers)
    call.jurors = list(jurors)


def _set_criteria(call: Call, rows: list[CriterionRow]) -> None:
    if not rows:
        raise CallError("no_criteria")
    existing = {c.id: c for c in call.criteria}
    kept_ids = {ident for ident, _name, _weight in rows if ident in existing}
    removed = [c for c in call.criteria if c.id not in kept_ids]
    for criterion in removed:
        scored = db.session.scalar(select(func.count(Score.id)).where(Score.criterion_id == criterion.id))
        if scored:
            raise CallError("criterion_scored", criterion.name)
    for criterion in removed:
        call.criteria.remove(criterion)
    for position, (ident, name, weight) in enumerate(rows):
        criterion = existing.get(ident) if ident is not None else None
        if criterion is None:
            criterion = Criterion(name=name, weight=weight, position=position)
            call.criteria.append(criterion)
        else:
            criterion.name, criterion.weight, criterion.position = name, weight, position
    call.criteria.sort(key=lambda c: c.position)


def open_call(call: Call, now: datetime | None = None) -> None:
    """Open the call to applications; its deadline must lie ahead."""
    if call.status == "open":
        raise CallError("already_open")
    if call.deadline_at <= (now or utcnow()):
        raise CallError("deadline_passed")
    if not call.criteria:
        raise CallError("no_criteria")
    call.status = "open"
    db.session.flush()


def close_call(call: Call) -> None:
    if call.status != "open":
        raise CallError("already_closed")
    call.status = "closed"
    db.session.flush()


def save_scores(application: Application, juror: User, scores: dict[int, tuple[int, str]]) -> int:
    """Record the juror's own scores of one application: one row per criterion, updated in place.

    ``scores`` maps criterion ids of the application's call to (score 1–5, comment).
    Raises ValueError on a score out of range or a criterion of another call, before any change.
    """
    criteria = {c.id for c in application.call.criteria}
    for criterion_id, (score, _comment) in scores.items():
        if criterion_id not in criteria:
            raise ValueError(f"criterion {criterion_id} is not one of this call")
        if not isinstance(score, int) or not MIN_SCORE <= score <= MAX_SCORE:
            raise ValueError("scores go from 1 to 5")
    mine = {
        s.criterion_id: s
        for s in db.session.scalars(
            select(Score).where(Score.application_id == application.id, Score.juror_id == juror.id)
        )
    }
    for criterion_id, (score, comment) in scores.items():
        row = mine.get(criterion_id)
        if row is None:
            db.session.add(
                Score(
                    application_id=application.id,
                    criterion_id=criterion_id,
                    juror_id=juror.id,
                    score=score,
                    comment=comment,
                )
            )
        else:
            row.score, row.comment = score, comment
    db.session.flush()
    return len(scores)
