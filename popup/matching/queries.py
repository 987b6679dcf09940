"""Reading what matching needs: the call's candidates and stands as domain values, the run, the proposals.

Nothing here changes the database: running the matching is a read (its settings
are saved by operations.save_settings, then every page view reruns it the same way).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy import or_, select

from popup import geo
from popup.applications.models import Application, EntrepreneurProfile
from popup.auth.models import User
from popup.calls import queries as call_queries
from popup.calls.models import Call
from popup.communes.models import CommercialCore
from popup.domain import matching
from popup.domain.matching import (
    IMPOSSIBLE,
    SCALE,
    Candidate,
    Match,
    PairScore,
    ScoreMatrix,
    StandSlot,
    Weights,
    assign,
    explain,
    preferences_from_scores,
    score_matrix,
    sector_clashes,
    stable_match,
)
from popup.domain.money import allocate
from popup.domain.proposals import LIVE_STATUSES
from popup.domain.vocabulary import SECTORS
from popup.extensions import db
from popup.matching.models import MatchProposal, MatchRejection
from popup.offers.models import Offer, Stand
from popup.units.models import Unit

# Applications the matching places: submitted and not decided yet.
CANDIDATE_STATUSES = ("submitted", "under_review", "shortlisted")
MODES = ("optimal", "stable")
DEFAULT_MIN_SCORE = 0  # percent


@dataclass(frozen=True)
class Settings:
    """How staff run a call's matching: the weights, the minimum score (percent) and the mode."""

    weights: Weights = field(default_factory=Weights)
    min_score_percent: int = DEFAULT_MIN_SCORE
    mode: str = "optimal"

    def to_json(self) -> dict[str, Any]:
        return {"weights": self.weights.as_dict(), "min_score_percent": self.min_score_percent, "mode": self.mode}

    @classmethod
    def of(cls, call: Call) -> Settings:
        """The call's saved settings; the defaults when none were saved (or they no longer make sense)."""
        saved = call.matching_settings or {}
        try:
            weights = Weights(**{k: v for k, v in (saved.get("weights") or {}).items() if k in matching.COMPONENTS})
        except (TypeError, ValueError):
            weights = Weights()
        percent = saved.get("min_score_percent", DEFAULT_MIN_SCORE)
        if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
            percent = DEFAULT_MIN_SCORE
        mode = saved.get("mode") if saved.get("mode") in MODES else "optimal"
        return cls(weights, percent, mode)

    @property
    def min_score(self) -> Fraction:
        return Fraction(self.min_score_percent, 100)


def staff_needs(call: Call) -> tuple[str, ...]:
    """The local needs staff set on the call, known sectors only, each once, in order."""
    return tuple(dict.fromkeys(s for s in (call.local_needs or []) if s in SECTORS))


def residents_needs(call: Call) -> tuple[str, ...]:
    """Sectors residents wish for most and the commune lacks (popup.participation)."""
    from popup.participation.queries import local_needs as wished_and_lacking

    return tuple(s for s in wished_and_lacking(call.commune) if s in SECTORS)


def local_needs(call: Call) -> tuple[str, ...]:
    """The needs the matching uses: the staff's list first, then the residents' wishes it lacks."""
    return tuple(dict.fromkeys((*staff_needs(call), *residents_needs(call))))


# -- the call's stands and candidates --------------------------------------------------------


def call_offers(call: Call) -> list[Offer]:
    """The published offers of the call, on live units."""
    return [o for o in call.offers if o.status == "published" and o.unit.archived_at is None]


def call_stands(call: Call) -> list[Stand]:
    return [s for o in call_offers(call) for s in o.stands]


def candidate_applications(call: Call) -> list[Application]:
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.call_id == call.id, Application.status.in_(CANDIDATE_STATUSES))
            .order_by(Application.id)
        )
    )


def profiles_of(user_ids: Iterable[int]) -> dict[int, EntrepreneurProfile]:
    ids = set(user_ids)
    if not ids:
        return {}
    return {
        p.user_id: p
        for p in db.session.scalars(select(EntrepreneurProfile).where(EntrepreneurProfile.user_id.in_(ids)))
    }


def jury_scores(call: Call, applications: list[Application]) -> dict[int, Fraction | None]:
    """Each application's weighted jury score (1–5), None before the jury scored it."""
    ranked = call_queries.ranking(call, applications, call_queries.scores_of(applications))
    return {r.application.id: r.exact for r in ranked}


def core_of_units(units: Iterable[Unit]) -> dict[int, int]:
    """The commercial core each unit lies in (the first by id when cores overlap)."""
    units = list(units)
    if not units:
        return {}
    dialect = db.session.get_bind().dialect.name
    ids = [u.id for u in units]
    communes = {u.commune_id for u in units}
    found: dict[int, int] = {}
    cores = db.session.scalars(
        select(CommercialCore).where(CommercialCore.commune_id.in_(communes)).order_by(CommercialCore.id)
    )
    for core in cores:
        area = select(CommercialCore.area).where(CommercialCore.id == core.id).scalar_subquery()
        inside = db.session.scalars(
            select(Unit.id).where(Unit.id.in_(ids), geo.within_polygon(dialect, Unit.id, Unit.location, area))
        )
        for unit_id in inside:
            found.setdefault(unit_id, core.id)
    return found


def live_proposals(*, stand_ids: Iterable[int] = (), application_ids: Iterable[int] = ()) -> list[MatchProposal]:
    stands, apps = list(stand_ids), list(application_ids)
    if not stands and not apps:
        return []
    conditions = []
    if stands:
        conditions.append(MatchProposal.stand_id.in_(stands))
    if apps:
        conditions.append(MatchProposal.application_id.in_(apps))
    return list(
        db.session.scalars(
            select(MatchProposal)
            .where(MatchProposal.status.in_(LIVE_STATUSES), or_(*conditions))
            .order_by(MatchProposal.id)
        )
    )


def rejected_pairs(call: Call) -> set[tuple[int, int]]:
    rows = db.session.execute(
        select(MatchRejection.application_id, MatchRejection.stand_id).where(MatchRejection.call_id == call.id)
    )
    return {(a, s) for a, s in rows}


def _number(value: float | None) -> float | None:
    return value if value is not None and value > 0 else None


def candidate_of(application: Application, profile: EntrepreneurProfile | None, jury: Fraction | None) -> Candidate:
    """The application as matching sees it; a profile matching cannot read counts as not given."""
    if profile is None:
        return Candidate(application.id, application.entrepreneur_id, jury_score=jury)
    start = profile.wanted_start_on
    area_min, area_max = profile.area_min_m2, _number(profile.area_max_m2)
    if area_min is not None and area_max is not None and area_min > area_max:
        area_min = area_max = None
    return Candidate(
        application_id=application.id,
        entrepreneur_id=application.entrepreneur_id,
        sector=profile.sector if profile.sector in SECTORS else None,
        area_min_m2=area_min if area_min is not None and area_min >= 0 else None,
        area_max_m2=area_max,
        budget_cents=profile.budget_cents if profile.budget_cents is not None and profile.budget_cents >= 0 else None,
        wanted_start_on=start,
        test_months=profile.test_months if start is not None and (profile.test_months or 0) >= 1 else None,
        preferred_core_ids=frozenset(i for i in (profile.preferred_core_ids or []) if isinstance(i, int)),
        opening_days=frozenset(d for d in (profile.opening_days or []) if isinstance(d, int) and 0 <= d <= 6),
        jury_score=jury,
    )


def rent_shares(offer: Offer) -> dict[int, int]:
    """Each stand's monthly share of the offer's rent, split by area (money.allocate)."""
    if not offer.stands:
        return {}
    parts = allocate(offer.rent_cents, [Fraction(s.area_m2) for s in offer.stands])
    return {s.id: part for s, part in zip(offer.stands, parts, strict=True)}


def slots_of(stands: list[Stand], cotenants: dict[int, list[str]], cores: dict[int, int]) -> list[StandSlot]:
    shares: dict[int, int] = {}
    for offer in {s.offer_id: s.offer for s in stands}.values():
        shares |= rent_shares(offer)
    return [
        StandSlot(
            stand_id=s.id,
            offer_id=s.offer_id,
            area_m2=s.area_m2,
            rent_share_cents=shares[s.id],
            available_from=s.offer.available_from,
            available_until=s.offer.available_until,
            allowed_sectors=frozenset(x for x in s.offer.allowed_sectors or [] if isinstance(x, str)),
            excluded_sectors=frozenset(x for x in s.offer.excluded_sectors or [] if isinstance(x, str)),
            core_id=cores.get(s.offer.unit_id),
            opening_days=frozenset(d for d in s.offer.opening_days or [] if isinstance(d, int) and 0 <= d <= 6),
            cotenant_sectors=tuple(cotenants.get(s.offer_id, [])),
        )
        for s in stands
    ]


@dataclass
class Inputs:
    """The call's applications and stands, and what matching sees of them."""

    call: Call
    settings: Settings
    needs: tuple[str, ...]
    applications: dict[int, Application]  # every candidate application, by id
    stands: dict[int, Stand]  # every stand of the call, by id
    candidates: dict[int, Candidate]  # free applications only
    slots: dict[int, StandSlot]  # free stands only
    taken: dict[int, MatchProposal]  # live proposals of the call's applications and stands, by id
    names: dict[int, str]  # application id → how staff see the applicant
    rejected: set[tuple[int, int]]

    def pair(self, application_id: int, stand_id: int) -> PairScore:
        """Score any pair of the call (a taken one too: staff may look at it)."""
        candidate = self.candidates.get(application_id) or self._candidate(application_id)
        slot = self.slots.get(stand_id) or self._slot(stand_id)
        return explain(candidate, slot, self.settings.weights, self.needs)

    def _candidate(self, application_id: int) -> Candidate:
        application = self.applications[application_id]
        profile = profiles_of([application.entrepreneur_id]).get(application.entrepreneur_id)
        return candidate_of(application, profile, jury_scores(self.call, [application]).get(application.id))

    def _slot(self, stand_id: int) -> StandSlot:
        stand = self.stands[stand_id]
        cores = core_of_units([stand.offer.unit])
        return slots_of([stand], _cotenant_sectors([stand.offer_id], exclude_stand=stand_id), cores)[0]


def _cotenant_sectors(offer_ids: Iterable[int], exclude_stand: int | None = None) -> dict[int, list[str]]:
    """Sectors of the entrepreneurs already placed in each shop (live proposals on its stands)."""
    offer_ids = list(offer_ids)
    if not offer_ids:
        return {}
    rows = db.session.execute(
        select(Stand.offer_id, Stand.id, EntrepreneurProfile.sector)
        .join(MatchProposal, MatchProposal.stand_id == Stand.id)
        .join(Application, Application.id == MatchProposal.application_id)
        .outerjoin(EntrepreneurProfile, EntrepreneurProfile.user_id == Application.entrepreneur_id)
        .where(Stand.offer_id.in_(offer_ids), MatchProposal.status.in_(LIVE_STATUSES))
    ).all()
    result: dict[int, list[str]] = {}
    for offer_id, stand_id, sector in rows:
        if sector in SECTORS and stand_id != exclude_stand:
            result.setdefault(offer_id, []).append(sector)
    return result


def inputs(call: Call, settings: Settings | None = None) -> Inputs:
    settings = settings or Settings.of(call)
    applications = candidate_applications(call)
    stands = call_stands(call)
    live = live_proposals(stand_ids=[s.id for s in stands], application_ids=[a.id for a in applications])
    busy_apps = {p.application_id for p in live}
    busy_stands = {p.stand_id for p in live}
    free_apps = [a for a in applications if a.id not in busy_apps]
    free_stands = [s for s in stands if s.id not in busy_stands]
    profiles = profiles_of(a.entrepreneur_id for a in free_apps)
    jury = jury_scores(call, applications) if applications else {}
    candidates = {a.id: candidate_of(a, profiles.get(a.entrepreneur_id), jury.get(a.id)) for a in free_apps}
    cores = core_of_units({s.offer.unit_id: s.offer.unit for s in free_stands}.values())
    slots = slots_of(free_stands, _cotenant_sectors({s.offer_id for s in free_stands}), cores)
    return Inputs(
        call=call,
        settings=settings,
        needs=local_needs(call),
        applications={a.id: a for a in applications},
        stands={s.id: s for s in stands},
        candidates=candidates,
        slots={s.stand_id: s for s in slots},
        taken={p.id: p for p in live},
        names=call_queries.applicant_names(applications),
        rejected=rejected_pairs(call),
    )


# -- running the matching ------------------------------------------------------------------


@dataclass(frozen=True)
class ProposedPair:
    application: Application
    stand: Stand
    score: PairScore


@dataclass(frozen=True)
class Left:
    """An application or a stand the run leaves unmatched, and why (a reason code and its parameters)."""

    obj: Any  # Application or Stand
    reason_code: str
    reason_params: dict[str, Any]


@dataclass(frozen=True)
class Run:
    settings: Settings
    pairs: list[ProposedPair]
    unmatched_applications: list[Left]
    unmatched_stands: list[Left]
    clashes: list[tuple[Offer, str, list[Application]]]
    total: float

    @property
    def empty(self) -> bool:
        return not self.pairs


def _without_rejected(scores: ScoreMatrix, rejected: set[tuple[int, int]]) -> ScoreMatrix:
    if not rejected:
        return scores
    micros = scores.micros.copy()
    rows = {a: i for i, a in enumerate(scores.application_ids)}
    cols = {s: j for j, s in enumerate(scores.stand_ids)}
    for a, s in rejected:
        if a in rows and s in cols:
            micros[rows[a], cols[s]] = IMPOSSIBLE
    return dataclasses.replace(scores, micros=micros)


def _rules_of(scores: ScoreMatrix, *, application_id: int | None = None, stand_id: int | None = None) -> dict[str, int]:
    """How many pairs of this row or column each hard rule blocks."""
    counts: Counter[str] = Counter()
    others = scores.stand_ids if application_id is not None else scores.application_ids
    for other in others:
        pair = (application_id, other) if application_id is not None else (other, stand_id)
        counts.update(rule.value for rule in scores.rules(*pair))
    return dict(counts)


def _explain_left(inp: Inputs, scores: ScoreMatrix, reason, *, is_stand: bool) -> Left:
    """Translate the domain's reason; add the hard rules and the rejected pairs where the run gives none."""
    code, params = reason.reason_code, dict(reason.reason_params)
    key = {"stand_id": reason.id} if is_stand else {"application_id": reason.id}
    obj = inp.stands[reason.id] if is_stand else inp.applications[reason.id]
    rejected = sum(1 for a, s in inp.rejected if (s if is_stand else a) == reason.id)
    if code in ("all_pairs_impossible", "no_preferences", "not_acceptable", "no_mutual_candidates"):
        index = scores.stand_ids.index(reason.id) if is_stand else scores.application_ids.index(reason.id)
        line = scores.micros[:, index] if is_stand else scores.micros[index]
        if line.size and (line == IMPOSSIBLE).all():
            code, params = "all_pairs_impossible", {"rules": _rules_of(scores, **key)}
        elif code != "all_pairs_impossible" and line.size:
            best = int(line.max())
            threshold = inp.settings.min_score_percent / 100
            if best / SCALE < threshold:
                code, params = "below_min_score", {"best_score": best / SCALE, "min_score": threshold}
    if rejected:
        params["rejected"] = rejected
    return Left(obj, code, params)


def run(inp: Inputs) -> Run:
    """Run the matching of the call with its settings: proposed pairs, what is left and why."""
    settings = inp.settings
    scores = score_matrix(inp.candidates.values(), inp.slots.values(), settings.weights, inp.needs)
    scores = _without_rejected(scores, inp.rejected)
    if settings.mode == "stable":
        candidate_prefs, stand_prefs = preferences_from_scores(scores, settings.min_score)
        stable = stable_match(candidate_prefs, stand_prefs)
        pair_ids = list(stable.pairs)
        left_apps, left_stands = stable.unmatched_candidates, stable.unfilled_stands
        matches = [Match(a, inp.applications[a].entrepreneur_id, s, inp.stands[s].offer_id, 0.0) for a, s in pair_ids]
        found_clashes = sector_clashes(scores, matches)
    else:
        assignment = assign(scores, settings.min_score)
        pair_ids = [(p.application_id, p.stand_id) for p in assignment.pairs]
        left_apps, left_stands = assignment.unmatched_candidates, assignment.unmatched_stands
        found_clashes = assignment.sector_clashes
    offers = {s.offer_id: s.offer for s in inp.stands.values()}
    clashes = [(offers[c.offer_id], c.sector, [inp.applications[a] for a in c.application_ids]) for c in found_clashes]
    pairs = [
        ProposedPair(
            inp.applications[a], inp.stands[s], explain(inp.candidates[a], inp.slots[s], settings.weights, inp.needs)
        )
        for a, s in pair_ids
    ]
    total = sum(round(p.score.total * SCALE) for p in pairs) / SCALE
    return Run(
        settings,
        pairs,
        [_explain_left(inp, scores, r, is_stand=False) for r in left_apps],
        [_explain_left(inp, scores, r, is_stand=True) for r in left_stands],
        clashes,
        total,
    )


def has_stands(call: Call) -> bool:
    return bool(call_stands(call))


# -- proposals -------------------------------------------------------------------------------


def proposals_of_call(call: Call) -> list[MatchProposal]:
    return list(
        db.session.scalars(
            select(MatchProposal)
            .where(MatchProposal.call_id == call.id)
            .order_by(MatchProposal.created_at.desc(), MatchProposal.id.desc())
        )
    )


def proposals_for(user: User) -> list[MatchProposal]:
    """An owner's proposals (on their offers) or an entrepreneur's (on their applications), newest first."""
    stmt = select(MatchProposal).order_by(MatchProposal.created_at.desc(), MatchProposal.id.desc())
    if user.role == "entrepreneur":
        stmt = stmt.join(Application, Application.id == MatchProposal.application_id).where(
            Application.entrepreneur_id == user.id
        )
    elif user.role == "owner":
        stmt = (
            stmt.join(Stand, Stand.id == MatchProposal.stand_id)
            .join(Offer, Offer.id == Stand.offer_id)
            .where(Offer.owner_id == user.id)
        )
    else:
        return []
    return list(db.session.scalars(stmt))


def applicant_name(application: Application) -> str:
    return call_queries.applicant_names([application])[application.id]
