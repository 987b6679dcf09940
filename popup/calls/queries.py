"""Reading calls, the offers and jurors they may cover, and the jury's scores."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import select

from popup.applications.models import Application, EntrepreneurProfile, Score
from popup.auth.models import User
from popup.calls.models import Call
from popup.communes.models import Commune
from popup.domain.jury import rank
from popup.extensions import db
from popup.offers.models import Offer
from popup.units.models import Unit

JURY_STATUSES = ("submitted", "under_review", "shortlisted", "accepted", "rejected")


def open_calls() -> list[Call]:
    return list(db.session.scalars(select(Call).where(Call.status == "open").order_by(Call.deadline_at, Call.id)))


def managed_calls(user) -> list[Call]:
    """Every call (drafts and closed ones too) of the communes the user manages."""
    if not user.is_authenticated or user.role not in ("staff", "admin"):
        return []
    stmt = select(Call).order_by(Call.created_at.desc(), Call.id.desc())
    if user.role != "admin":
        stmt = stmt.where(Call.commune_id.in_([c.id for c in user.communes] or [-1]))
    return list(db.session.scalars(stmt))


def coverable_offers(commune: Commune, call: Call | None = None) -> list[Offer]:
    """Published offers of the commune's live units, and those the call already covers."""
    stmt = (
        select(Offer)
        .join(Unit, Offer.unit_id == Unit.id)
        .where(Unit.commune_id == commune.id, Unit.archived_at.is_(None), Offer.status == "published")
        .order_by(Offer.title, Offer.id)
    )
    offers = list(db.session.scalars(stmt))
    known = {o.id for o in offers}
    if call is not None:
        offers += [o for o in call.offers if o.id not in known]
    return offers


def juror_candidates(call: Call | None = None) -> list[User]:
    """Active staff and coaches, and whoever the call already invited."""
    users = list(
        db.session.scalars(
            select(User).where(User.role.in_(("staff", "coach")), User.active.is_(True)).order_by(User.name, User.id)
        )
    )
    known = {u.id for u in users}
    if call is not None:
        users += [u for u in call.jurors if u.id not in known]
    return users


def jury_applications(call: Call) -> list[Application]:
    """The applications the jury scores: submitted ones and those already further."""
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.call_id == call.id, Application.status.in_(JURY_STATUSES))
            .order_by(Application.submitted_at, Application.id)
        )
    )


def scores_of(applications: list[Application]) -> list[Score]:
    ids = [a.id for a in applications]
    if not ids:
        return []
    return list(db.session.scalars(select(Score).where(Score.application_id.in_(ids))))


@dataclass(frozen=True)
class RankedApplication:
    application: Application
    rank: int | None
    score: Decimal | None  # rounded to one decimal, for display
    exact: Fraction | None
    tied: bool
    jurors: int  # how many jurors scored it


def ranking(call: Call, applications: list[Application], scores: list[Score]) -> list[RankedApplication]:
    """The applications by weighted score, best first; equal scores share a rank and show as tied."""
    weights = {c.id: c.weight for c in call.criteria}
    per_app: dict[int, dict[int, list[int]]] = {a.id: {c: [] for c in weights} for a in applications}
    jurors: dict[int, set[int]] = {a.id: set() for a in applications}
    for s in scores:
        if s.application_id in per_app and s.criterion_id in weights:
            per_app[s.application_id][s.criterion_id].append(s.score)
            jurors[s.application_id].add(s.juror_id)
    by_id = {a.id: a for a in applications}
    result = []
    for ranked in rank(per_app, weights):
        shown = None
        if ranked.score is not None:
            exact = Decimal(ranked.score.numerator) / Decimal(ranked.score.denominator)
            shown = exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        result.append(
            RankedApplication(
                by_id[ranked.application_id],
                ranked.rank,
                shown,
                ranked.score,
                ranked.tied,
                len(jurors[ranked.application_id]),
            )
        )
    return result


def applicant_names(applications: list[Application]) -> dict[int, str]:
    """How the jury sees each applicant: the business name, then the person's name."""
    ids = {a.entrepreneur_id for a in applications}
    profiles = (
        {
            p.user_id: p
            for p in db.session.scalars(select(EntrepreneurProfile).where(EntrepreneurProfile.user_id.in_(ids)))
        }
        if ids
        else {}
    )
    names = {}
    for a in applications:
        profile = profiles.get(a.entrepreneur_id)
        business = profile.business_name if profile is not None else ""
        names[a.id] = f"{business} ({a.entrepreneur.name})" if business else a.entrepreneur.name
    return names
