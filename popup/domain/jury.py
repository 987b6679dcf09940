"""Jury scores: weighted averages and a ranking that shows ties."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

MIN_SCORE, MAX_SCORE = 1, 5


@dataclass(frozen=True)
class Ranked:
    application_id: int
    score: Fraction | None  # weighted mean on the 1–5 scale; None when nobody scored yet
    rank: int | None  # 1 = best; equal scores share a rank (1, 2, 2, 4)
    tied: bool
    scored_criteria: int


def weighted_score(per_criterion: Mapping[int, Sequence[int]], weights: Mapping[int, int]) -> Fraction | None:
    """Mean of each criterion over the jurors, then the weighted mean over the scored criteria.

    A criterion nobody scored yet is left out (its weight too), so a partial
    score stays on the 1–5 scale. Weights must be positive.
    """
    total = Fraction(0)
    weight_sum = 0
    for criterion, scores in per_criterion.items():
        if not scores:
            continue
        if any(not MIN_SCORE <= s <= MAX_SCORE for s in scores):
            raise ValueError("scores go from 1 to 5")
        weight = weights[criterion]
        if weight <= 0:
            raise ValueError("weights must be positive")
        total += weight * Fraction(sum(scores), len(scores))
        weight_sum += weight
    return total / weight_sum if weight_sum else None


def rank(scores: Mapping[int, Mapping[int, Sequence[int]]], weights: Mapping[int, int]) -> list[Ranked]:
    """Rank applications by weighted score, best first; unscored ones last, by id."""
    computed = {app: weighted_score(per, weights) for app, per in scores.items()}
    ordered = sorted(computed, key=lambda a: (computed[a] is None, -(computed[a] or 0), a))
    counts: dict[Fraction, int] = {}
    for value in computed.values():
        if value is not None:
            counts[value] = counts.get(value, 0) + 1
    first_rank: dict[Fraction, int] = {}
    result: list[Ranked] = []
    for position, app in enumerate(ordered, start=1):
        value = computed[app]
        if value is None:
            result.append(Ranked(app, None, None, False, 0))
            continue
        shared = first_rank.setdefault(value, position)
        scored = sum(1 for s in scores[app].values() if s)
        result.append(Ranked(app, value, shared, counts[value] > 1, scored))
    return result
