"""The rotation planner: every hard rule checked on its output, hand-made and random cases (no app)."""

from __future__ import annotations

import copy
import itertools
import random
from collections import defaultdict
from datetime import date, timedelta
from unittest import mock

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from popup.domain import rotation
from popup.domain.rotation import (
    Booking,
    Candidate,
    FixedBooking,
    Horizon,
    Infeasible,
    Period,
    Plan,
    Problem,
    Reason,
    RotationError,
    SectorLimit,
    Shop,
    Stand,
    Unplanned,
    Weights,
    explain,
    plan_rotation,
)

MONDAY = date(2027, 1, 4)
QUICK = {"time_limit_s": 2.0}


def week(n: int) -> date:
    return MONDAY + timedelta(weeks=n)


def day(n: int) -> date:
    return MONDAY + timedelta(days=n)


def shop(shop_id="lessines", areas=(15, 15), **kw) -> Shop:
    stands = tuple(Stand(f"{shop_id}-{k}", area) for k, area in enumerate(areas))
    return Shop(shop_id, stands, **kw)


def candidate(cid, sector="crafts", area=10, low=2, high=4, windows=((0, 12),), grain=week, **kw) -> Candidate:
    return Candidate(cid, sector, area, low, high, tuple(Period(grain(a), grain(b)) for a, b in windows), **kw)


def weeks(n=12) -> Horizon:
    return Horizon(MONDAY, week(n), "week")


def by_candidate(plan: Plan) -> dict:
    return {b.candidate_id: b for b in plan.bookings}


# --- The checker ---------------------------------------------------------------


def violations(plan: Plan, problem: Problem) -> list[str]:
    """Every hard rule of the planner, checked on the bookings it returned, day by day and in dates."""
    h = problem.horizon
    grain = 7 if h.grain == "week" else 1
    shops = {s.id: s for s in problem.shops}
    candidates = {c.id: c for c in problem.candidates}
    found: list[str] = []
    mine: dict = defaultdict(list)
    for b in plan.bookings:
        c, s = candidates.get(b.candidate_id), shops.get(b.shop_id)
        if c is None or s is None:
            found.append(f"{b}: unknown candidate or shop")
            continue
        stand = next((x for x in s.stands if x.id == b.stand_id), None)
        if stand is None:
            found.append(f"{b}: stand not in shop")
            continue
        mine[c.id].append(b)
        if not (h.start <= b.start < b.end <= h.end):
            found.append(f"{b}: outside the horizon or empty")
        if (b.start - h.start).days % grain or (b.end - h.start).days % grain:
            found.append(f"{b}: not on grain boundaries")
        length = (b.end - b.start).days // grain
        if not c.min_grains <= length <= c.max_grains:
            found.append(f"{b}: lasts {length} grains, wanted {c.min_grains}-{c.max_grains}")
        if stand.area_m2 < c.area_m2:
            found.append(f"{b}: {stand.area_m2} m² for a need of {c.area_m2} m²")
        if c.shops is not None and s.id not in c.shops:
            found.append(f"{b}: shop not accepted")
        for d in _days(b.start, b.end):
            if not any(w.start <= d < w.end for w in c.windows):
                found.append(f"{b}: {d} outside the availability")
                break
        if h.grain == "day" and (
            b.start.weekday() not in s.opening_days or (b.end - timedelta(days=1)).weekday() not in s.opening_days
        ):
            found.append(f"{b}: starts or ends on a closed day")
        for f in problem.fixed:
            if f.holder_id == c.id and f.start < b.end and b.start < f.end:
                found.append(f"{b}: overlaps the tenant's own fixed booking")
    for cid, bookings in mine.items():
        if len(bookings) > 1:
            found.append(f"{cid}: {len(bookings)} bookings (one stay on one stand expected)")
    for c in problem.candidates:
        if c.must_plan and c.id not in mine:
            found.append(f"{c.id}: must be planned")
    everyone = [*plan.bookings, *problem.fixed]
    for a, b in itertools.combinations(everyone, 2):
        if (a.shop_id, a.stand_id) == (b.shop_id, b.stand_id) and a.start < b.end and b.start < a.end:
            found.append(f"stand {a.stand_id} held twice: {a} and {b}")
    for s in problem.shops:
        for d in _days(h.start, h.end):
            sectors = [_sector(x, candidates) for x in everyone if x.shop_id == s.id and x.start <= d < x.end]
            for limit in s.sector_limits:
                if sum(x in limit.sectors for x in sectors) > limit.at_most:
                    found.append(f"{s.id} {d}: more than {limit.at_most} of {sorted(limit.sectors)}")
            for one, other in s.excluded_pairs:
                if sectors.count(one) > 1 if one == other else one in sectors and other in sectors:
                    found.append(f"{s.id} {d}: {one} with {other}")
    booked = {b.candidate_id for b in plan.bookings}
    unplanned = [u.candidate_id for u in plan.unplanned]
    if len(unplanned) != len(set(unplanned)) or booked & set(unplanned) or booked | set(unplanned) != set(candidates):
        found.append("every candidate must be either booked or unplanned, once")
    return found


def _days(start: date, end: date):
    return (start + timedelta(days=i) for i in range((end - start).days))


def _sector(x, candidates) -> str:
    return x.sector if isinstance(x, FixedBooking) else candidates[x.candidate_id].sector


DEFAULT_WEIGHTS = Weights()


def objective_of(plan: Plan, problem: Problem, weights: Weights = DEFAULT_WEIGHTS) -> float:
    """The objective the module docstring defines, counted again from the bookings."""
    candidates = {c.id: c for c in problem.candidates}
    shops = {s.id: s for s in problem.shops}
    total = 0.0
    for b in plan.bookings:
        c, s = candidates[b.candidate_id], shops[b.shop_id]
        days = (b.end - b.start).days
        total += (1 + c.priority) * days
        if problem.horizon.grain == "day" and s.best_days:
            best = sum(d.weekday() in s.best_days for d in _days(b.start, b.end))
            total -= weights.best_day * max(len(s.best_days) * days - 7 * best, 0) / 7
    for s in problem.shops:
        for d in _days(problem.horizon.start, problem.horizon.end):
            planned = defaultdict(int)
            held = defaultdict(int)
            for b in plan.bookings:
                if b.shop_id == s.id and b.start <= d < b.end:
                    planned[candidates[b.candidate_id].sector] += 1
            for f in problem.fixed:
                if f.shop_id == s.id and f.start <= d < f.end:
                    held[f.sector] += 1
            for sector, n in planned.items():
                total -= weights.same_sector * (n if held[sector] else n - 1)
    return total


# --- Hand-made cases -------------------------------------------------------------


def test_a_simple_rotation_fills_both_stands():
    problem = Problem(
        weeks(8),
        (shop(),),
        (candidate("ana", high=8), candidate("bob", sector="fashion", high=8), candidate("cy", sector="home", high=4)),
    )
    plan = plan_rotation(problem, **QUICK)
    assert isinstance(plan, Plan)
    assert violations(plan, problem) == []
    assert plan.status == "OPTIMAL" and plan.gap == 0 and plan.method == "one_model"
    # 2 stands × 8 weeks: every week of both stands is let
    assert sum((b.end - b.start).days for b in plan.bookings) == 2 * 8 * 7
    assert plan.objective == pytest.approx(objective_of(plan, problem)) == 112


def test_priority_wins_when_stands_are_short():
    problem = Problem(weeks(4), (shop(areas=(15,)),), (candidate("low", low=4), candidate("high", low=4, priority=3)))
    plan = plan_rotation(problem, **QUICK)
    assert list(by_candidate(plan)) == ["high"]
    assert [(u.candidate_id, u.reason.code) for u in plan.unplanned] == [("low", "not_chosen")]
    assert "not chosen" in explain(plan.unplanned[0].reason)


def test_area_fit_gives_the_big_stand_to_who_needs_it():
    problem = Problem(
        weeks(6),
        (shop(areas=(10, 25)),),
        (candidate("big", area=22, low=6, high=6, windows=((0, 6),)), candidate("small", area=8, low=6, high=6)),
    )
    plan = plan_rotation(problem, **QUICK)
    assert violations(plan, problem) == []
    assert {b.candidate_id: b.stand_id for b in plan.bookings} == {"big": "lessines-1", "small": "lessines-0"}


def test_who_can_never_be_planned_is_told_why():
    problem = Problem(
        weeks(12),
        (shop(areas=(10, 20), sector_limits=(SectorLimit(frozenset({"restaurant"}), 0),)),),
        (
            candidate("huge", area=25),
            candidate("busy", low=4, windows=((0, 2), (5, 8))),
            candidate("away", windows=((20, 30),)),
            candidate("cook", sector="restaurant"),
            candidate("fine"),
        ),
    )
    plan = plan_rotation(problem, **QUICK)
    reasons = {u.candidate_id: u.reason for u in plan.unplanned}
    assert {cid: r.code for cid, r in reasons.items()} == {
        "huge": "area_too_large",
        "busy": "windows_too_short",
        "away": "not_available_in_horizon",
        "cook": "sector_not_allowed",
    }
    assert reasons["huge"].params == {"candidate": "huge", "needed_m2": 25, "largest_m2": 20}
    assert explain(reasons["huge"]) == "candidate huge needs 25 m², the largest stand they could take has 20 m²"
    assert "longest availability window in the horizon has 3" in explain(reasons["busy"])
    assert list(by_candidate(plan)) == ["fine"]


def test_two_bakeries_never_share_the_shop():
    rule = SectorLimit(frozenset({"bakery"}), 1)
    problem = Problem(
        weeks(6),
        (shop(areas=(15, 15, 15), sector_limits=(rule,)),),
        tuple(candidate(f"b{i}", sector="bakery", low=2, high=6, priority=5) for i in range(3)),
    )
    plan = plan_rotation(problem, **QUICK)
    assert violations(plan, problem) == []
    stays = sorted((b.start, b.end) for b in plan.bookings)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(stays))
    assert sum((e - s).days for s, e in stays) == 42  # one bakery at a time, all six weeks


def test_excluded_pairs_keep_two_sectors_apart():
    problem = Problem(
        weeks(4),
        (shop(excluded_pairs=(("butcher", "vegan"),)),),
        (candidate("meat", sector="butcher", low=4, priority=2), candidate("veg", sector="vegan", low=4)),
    )
    plan = plan_rotation(problem, **QUICK)
    assert violations(plan, problem) == []
    assert list(by_candidate(plan)) == ["meat"]


def test_sector_diversity_prefers_another_sector_at_equal_priority():
    problem = Problem(
        weeks(4),
        (shop(),),
        (candidate("food1", sector="food", low=4), candidate("food2", sector="food", low=4), candidate("art")),
    )
    plan = plan_rotation(problem, **QUICK)
    assert "art" in by_candidate(plan) and len(plan.bookings) == 2
    assert plan.objective == pytest.approx(objective_of(plan, problem))
    # without the soft goal, two food shops are as good
    plain = plan_rotation(problem, weights=Weights(same_sector=0), **QUICK)
    assert plain.objective == 56


def test_a_stay_lies_in_one_window_and_on_whole_weeks():
    problem = Problem(
        weeks(10),
        (shop(areas=(15,)),),
        # available from a Wednesday: that week cannot be taken
        (Candidate("wed", "crafts", 10, 2, 10, (Period(day(2), week(3)), Period(week(5), week(10)))),),
    )
    plan = plan_rotation(problem, **QUICK)
    assert violations(plan, problem) == []
    assert [(b.start, b.end) for b in plan.bookings] == [(week(5), week(10))]


def test_day_grain_starts_and_ends_on_opening_days():
    # open Tuesday to Saturday; Saturday sells best
    tuesday_to_saturday = frozenset({1, 2, 3, 4, 5})
    problem = Problem(
        Horizon(MONDAY, day(21), "day"),
        (shop(areas=(15,), opening_days=tuesday_to_saturday, best_days=frozenset({5})),),
        (candidate("d", low=3, high=6, windows=((0, 21),), grain=day),),
    )
    plan = plan_rotation(problem, **QUICK)
    assert violations(plan, problem) == []
    (b,) = plan.bookings
    assert b.start.weekday() in tuesday_to_saturday and (b.end - timedelta(days=1)).weekday() in tuesday_to_saturday
    assert (b.end - b.start).days == 6
    assert plan.objective == pytest.approx(objective_of(plan, problem))


def test_best_days_go_to_the_short_stays_when_possible():
    # One stand, a week of 7 days; a 2-day stay without the Saturday gets 2/7 of a best day short.
    problem = Problem(
        Horizon(MONDAY, day(7), "day"),
        (shop(areas=(15,), opening_days=frozenset(range(7)), best_days=frozenset({5})),),
        (candidate("two", low=2, high=2, windows=((0, 7),), grain=day),),
    )
    (b,) = plan_rotation(problem, **QUICK).bookings
    assert b.start <= day(5) < b.end


def test_fixed_bookings_are_planned_around():
    fixed = FixedBooking("old", "lessines", "lessines-0", "crafts", week(0), week(4))
    problem = Problem(
        weeks(6),
        (shop(areas=(15,)),),
        (candidate("new", low=2, high=6), candidate("old", low=1, high=6)),
        fixed=(fixed,),
    )
    plan = plan_rotation(problem, **QUICK)
    assert violations(plan, problem) == []
    assert sum((b.end - b.start).days for b in plan.bookings) == 14  # only weeks 4 and 5 are free


def test_fixed_bookings_that_break_a_rule_make_any_plan_impossible():
    bakery = SectorLimit(frozenset({"bakery"}), 1)
    fixed = (
        FixedBooking("x", "lessines", "lessines-0", "bakery", week(0), week(3)),
        FixedBooking("y", "lessines", "lessines-1", "bakery", week(2), week(4)),
    )
    result = plan_rotation(Problem(weeks(6), (shop(sector_limits=(bakery,)),), (), fixed), **QUICK)
    assert isinstance(result, Infeasible)
    (reason,) = result.reasons
    assert reason.code == "fixed_bookings_break_rule"
    assert reason.params["holders"] == ("x", "y") and reason.params["start"] == week(2)
    assert explain(reason).startswith("the fixed bookings of x, y break the sector rule at most 1 of bakery")


def test_must_plan_candidates_are_all_planned():
    problem = Problem(
        weeks(6),
        (shop(areas=(15,)),),
        (candidate("a", low=2, must_plan=True), candidate("b", low=2, must_plan=True), candidate("c", priority=9)),
    )
    plan = plan_rotation(problem, **QUICK)
    assert violations(plan, problem) == []
    assert {"a", "b"} <= set(by_candidate(plan))


def test_must_plan_conflict_names_who_and_the_rule():
    bakery = SectorLimit(frozenset({"bakery"}), 1)
    problem = Problem(
        weeks(6),
        (shop(areas=(15, 15, 15), sector_limits=(bakery,)),),
        (
            candidate("b1", sector="bakery", low=4, windows=((0, 6),), must_plan=True),
            candidate("b2", sector="bakery", low=4, windows=((0, 6),), must_plan=True),
            candidate("fine", must_plan=True),
        ),
    )
    result = plan_rotation(problem, **QUICK)
    assert isinstance(result, Infeasible)
    (reason,) = result.reasons
    assert reason.code == "must_plan_conflict"
    assert reason.params["candidates"] == ("b1", "b2")
    assert reason.params["blocking"] == ("sector_rules",)
    assert explain(reason) == (
        "candidates b1, b2 must all be planned but cannot be together: "
        "the sector rules lessines: at most 1 of bakery keep them apart"
    )


def test_must_plan_conflict_for_want_of_stands():
    problem = Problem(
        weeks(4),
        (shop(areas=(15,)),),
        (candidate("a", low=3, must_plan=True), candidate("b", low=3, must_plan=True)),
    )
    (reason,) = plan_rotation(problem, **QUICK).reasons
    assert reason.params == {"candidates": ("a", "b"), "blocking": ("capacity",)}
    assert explain(reason) == (
        "candidates a, b must all be planned but cannot be together: "
        "together they need more stand time than the shops they accept have"
    )


def test_must_plan_conflict_by_area():
    problem = Problem(
        weeks(4),
        (shop(areas=(10, 25)),),
        (candidate("a", area=20, low=3, must_plan=True), candidate("b", area=20, low=3, must_plan=True)),
    )
    (reason,) = plan_rotation(problem, **QUICK).reasons
    assert reason.params["blocking"] == ("area",)
    assert "too few stands are large enough" in explain(reason)


def test_a_must_plan_candidate_who_can_never_fit_is_the_reason():
    problem = Problem(weeks(4), (shop(areas=(10,)),), (candidate("a", area=12, must_plan=True),))
    result = plan_rotation(problem, **QUICK)
    assert isinstance(result, Infeasible)
    assert [r.code for r in result.reasons] == ["area_too_large"]


def test_several_shops_and_accepted_shops():
    problem = Problem(
        weeks(6),
        (shop("ath", areas=(15,)), shop("lessines", areas=(15,))),
        (
            candidate("only_ath", low=6, high=6, shops=frozenset({"ath"})),
            candidate("either", low=6, high=6),
            candidate("only_ath_too", low=6, high=6, shops=frozenset({"ath"}), priority=1),
        ),
    )
    plan = plan_rotation(problem, **QUICK)
    assert violations(plan, problem) == []
    assert {b.candidate_id: b.shop_id for b in plan.bookings} == {"only_ath_too": "ath", "either": "lessines"}


def test_shop_by_shop_keeps_every_rule():
    problem = Problem(
        weeks(10),
        (
            shop("ath", areas=(15, 20)),
            shop("lessines", areas=(10, 15), sector_limits=(SectorLimit(frozenset({"food"})),)),
        ),
        tuple(
            candidate(
                f"c{i}",
                sector=("food", "crafts", "home")[i % 3],
                area=(8, 12, 18)[i % 3],
                low=2,
                high=6,
                windows=((i % 4, 10),),
                priority=i % 5,
                must_plan=i == 0,
            )
            for i in range(12)
        ),
    )
    with mock.patch.object(rotation, "ONE_MODEL_LIMIT", 0):
        plan = plan_rotation(problem, **QUICK)
    assert plan.method == "shop_by_shop"
    assert violations(plan, problem) == []
    assert plan.objective == pytest.approx(objective_of(plan, problem))
    assert plan.objective <= plan.best_bound
    one = plan_rotation(problem, **QUICK)
    assert one.method == "one_model" and one.objective <= plan.best_bound  # the bound holds for any plan
    if one.status == "OPTIMAL":
        assert plan.objective <= one.objective


def test_a_plan_can_be_reproduced():
    problem = _random_problem(seed=3)
    first = plan_rotation(problem, deterministic=True, time_limit_s=1)
    again = plan_rotation(problem, deterministic=True, time_limit_s=1)
    assert first.bookings == again.bookings and first.objective == again.objective
    with mock.patch.object(rotation, "ONE_MODEL_LIMIT", 0):
        first = plan_rotation(problem, deterministic=True, time_limit_s=1)
        again = plan_rotation(problem, deterministic=True, time_limit_s=1)
    assert first.bookings == again.bookings


def _random_problem(seed: int) -> Problem:
    rng = random.Random(seed)
    shops = (
        shop("a", areas=(12, 15, 20)),
        shop("b", areas=(10, 15), sector_limits=(SectorLimit(frozenset({"food"})),)),
    )
    candidates = []
    for i in range(14):
        low = rng.randint(2, 6)
        start = rng.randint(0, 10)
        candidates.append(
            candidate(
                f"c{i}",
                sector=rng.choice(["food", "crafts", "home", "fashion"]),
                area=rng.choice([8, 12, 18]),
                low=low,
                high=low + rng.randint(0, 4),
                windows=((start, min(start + low + rng.randint(0, 8), 16)),),
                priority=rng.randint(0, 5),
            )
        )
    return Problem(weeks(16), shops, tuple(candidates))


# --- Bad input -------------------------------------------------------------------

GOOD = Problem(weeks(8), (shop(),), (candidate("a"),))


def _with(**changes) -> Problem:
    fields = {"horizon": GOOD.horizon, "shops": GOOD.shops, "candidates": GOOD.candidates, "fixed": GOOD.fixed}
    return Problem(**(fields | changes))


@pytest.mark.parametrize(
    ("problem", "code"),
    [
        (_with(horizon=Horizon(week(4), week(2))), "end_before_start"),
        (_with(horizon=Horizon(week(2), week(2))), "empty_period"),
        (_with(horizon=Horizon(MONDAY, day(5), "week")), "empty_horizon"),
        (_with(horizon=Horizon(MONDAY, week(4), "month")), "bad_grain"),
        (_with(candidates=(candidate("a", windows=((5, 3),)),)), "end_before_start"),
        (_with(candidates=(candidate("a", low=9, high=12),)), "duration_longer_than_horizon"),
        (_with(candidates=(candidate("a", low=5, high=3),)), "min_above_max"),
        (_with(candidates=(candidate("a", low=0),)), "bad_duration"),
        (_with(candidates=(candidate("a", priority=-1),)), "negative_priority"),
        (_with(candidates=(candidate("a", area=-1),)), "bad_area"),
        (_with(candidates=(candidate("a", shops=frozenset({"ath"})),)), "unknown_shop"),
        (_with(candidates=(candidate("a", shops=frozenset()),)), "no_accepted_shop"),
        (_with(candidates=(candidate("a"), candidate("a"))), "duplicate_id"),
        (_with(shops=()), "no_shops"),
        (_with(shops=(shop(areas=()),)), "no_stands"),
        (_with(shops=(shop(areas=(0,)),)), "bad_area"),
        (_with(shops=(shop(), shop())), "duplicate_id"),
        (_with(shops=(shop(opening_days=frozenset({7})),)), "bad_weekday"),
        (_with(shops=(shop(opening_days=frozenset()),)), "no_opening_days"),
        (_with(shops=(shop(opening_days=frozenset({0}), best_days=frozenset({5})),)), "best_day_not_open"),
        (_with(shops=(shop(sector_limits=(SectorLimit(frozenset()),)),)), "bad_sector_limit"),
        (_with(fixed=(FixedBooking("x", "lessines", "ath-0", "food", week(0), week(2)),)), "stand_not_in_shop"),
        (_with(fixed=(FixedBooking("x", "ath", "ath-0", "food", week(0), week(2)),)), "unknown_shop"),
        (_with(fixed=(FixedBooking("x", "lessines", "lessines-0", "food", week(2), week(1)),)), "end_before_start"),
        (
            _with(
                fixed=(
                    FixedBooking("x", "lessines", "lessines-0", "food", week(0), week(2)),
                    FixedBooking("y", "lessines", "lessines-0", "food", week(1), week(3)),
                )
            ),
            "fixed_bookings_overlap",
        ),
    ],
)
def test_bad_input_is_refused_with_a_code(problem, code):
    before = copy.deepcopy(problem)
    with pytest.raises(RotationError) as raised:
        plan_rotation(problem, **QUICK)
    assert raised.value.code == code
    assert str(raised.value).startswith(code)
    assert problem == before  # nothing changed


def test_bad_solver_settings_are_refused():
    with pytest.raises(RotationError, match="bad_time_limit"):
        plan_rotation(GOOD, time_limit_s=0)
    with pytest.raises(RotationError, match="bad_num_workers"):
        plan_rotation(GOOD, num_workers=0)


def test_bad_input_names_its_details():
    with pytest.raises(RotationError) as raised:
        plan_rotation(_with(candidates=(candidate("a", low=9, high=12),)))
    assert raised.value.params == {"candidate": "a", "min_grains": 9, "horizon_grains": 8}


# --- Random cases ------------------------------------------------------------------

SECTORS = ("food", "crafts", "home")


@st.composite
def problems(draw, max_candidates=6, max_weeks=10, max_days=30):
    grain = draw(st.sampled_from(["week", "day"]))
    step = week if grain == "week" else day
    n = draw(st.integers(3, max_weeks if grain == "week" else max_days))
    horizon = Horizon(MONDAY, step(n), grain)
    shops = []
    for s in range(draw(st.integers(1, 2))):
        areas = draw(st.lists(st.sampled_from([10, 15, 20, 25]), min_size=1, max_size=3))
        opening = frozenset(draw(st.sets(st.integers(0, 6), min_size=3))) if grain == "day" else frozenset(range(6))
        best = frozenset(draw(st.sets(st.sampled_from(sorted(opening)), max_size=1)))
        limits = tuple(
            SectorLimit(
                frozenset(draw(st.sets(st.sampled_from(SECTORS), min_size=1, max_size=2))), draw(st.integers(0, 2))
            )
            for _ in range(draw(st.integers(0, 1)))
        )
        pairs = tuple(
            (draw(st.sampled_from(SECTORS)), draw(st.sampled_from(SECTORS))) for _ in range(draw(st.integers(0, 1)))
        )
        shops.append(
            shop(
                f"s{s}", tuple(areas), opening_days=opening, best_days=best, sector_limits=limits, excluded_pairs=pairs
            )
        )
    candidates = []
    for i in range(draw(st.integers(1, max_candidates))):
        low = draw(st.integers(1, min(4, n)))
        windows = []
        for _ in range(draw(st.integers(1, 2))):
            # any days, not only grain starts: the planner keeps whole grains
            days = n * (7 if grain == "week" else 1)
            a = draw(st.integers(-3, days // 2))
            b = draw(st.integers(a + 1, a + days))
            windows.append(Period(day(a), day(b)))
        accepted = draw(st.none() | st.sets(st.sampled_from([s.id for s in shops]), min_size=1).map(frozenset))
        candidates.append(
            Candidate(
                f"c{i}",
                draw(st.sampled_from(SECTORS)),
                draw(st.sampled_from([0, 10, 15, 20])),
                low,
                low + draw(st.integers(0, 3)),
                tuple(windows),
                draw(st.integers(0, 5)),
                accepted,
                draw(st.integers(0, 7)) == 0,  # must plan
            )
        )
    fixed = []
    if draw(st.booleans()):
        s = draw(st.sampled_from(shops))
        a = draw(st.integers(0, n - 1))
        b = draw(st.integers(a + 1, n))
        holder = draw(st.sampled_from([c.id for c in candidates] + ["someone"]))
        fixed.append(FixedBooking(holder, s.id, s.stands[0].id, draw(st.sampled_from(SECTORS)), step(a), step(b)))
    return Problem(horizon, tuple(shops), tuple(candidates), tuple(fixed))


def _check(problem: Problem, result) -> None:
    event(f"{type(result).__name__} {'with' if getattr(result, 'bookings', ()) else 'without'} bookings")
    if isinstance(result, Plan):
        assert violations(result, problem) == []
        assert result.objective == pytest.approx(objective_of(result, problem))
        assert result.objective <= result.best_bound + 1e-9 and result.gap >= 0
        for u in result.unplanned:
            assert explain(u.reason)
    else:
        assert result.reasons
        for reason in result.reasons:
            assert explain(reason)
            assert reason.code in {
                "fixed_bookings_break_rule",
                "must_plan_conflict",
                "area_too_large",
                "windows_too_short",
                "not_available_in_horizon",
                "sector_not_allowed",
                "no_opening_day_fits",
            }
        if all(r.code != "fixed_bookings_break_rule" for r in result.reasons):
            assert any(c.must_plan for c in problem.candidates)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_random_plans_keep_every_hard_rule(problem):
    _check(problem, plan_rotation(problem, time_limit_s=2))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_random_plans_shop_by_shop_keep_every_hard_rule(problem):
    with mock.patch.object(rotation, "ONE_MODEL_LIMIT", 0):
        _check(problem, plan_rotation(problem, time_limit_s=2))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(problems(max_candidates=3, max_weeks=5, max_days=8))
def test_random_tiny_plans_are_optimal_and_infeasible_only_when_nothing_fits(problem):
    best = _brute_force(problem)
    assume(best is not _TOO_MANY)
    result = plan_rotation(problem, time_limit_s=2)
    _check(problem, result)
    event(f"brute force: {'no plan' if best is None else 'a plan' if best else 'nobody planned'}")
    if best is None:
        assert isinstance(result, Infeasible)
    else:
        assert isinstance(result, Plan) and result.status == "OPTIMAL"
        assert result.objective == pytest.approx(best)


_TOO_MANY = object()


def _brute_force(problem: Problem):
    """The best objective over every combination of stays (None when none keeps the rules)."""
    h = problem.horizon
    step = timedelta(days=7 if h.grain == "week" else 1)
    n = (h.end - h.start) // step
    singles = []
    for c in problem.candidates:
        mine = [] if c.must_plan else [None]
        for s in problem.shops:
            for stand in s.stands:
                for a in range(n):
                    for b in range(a + c.min_grains, min(a + c.max_grains, n) + 1):
                        booking = Booking(c.id, s.id, stand.id, h.start + a * step, h.start + b * step)
                        alone = _plan_of((booking,), problem)
                        if not [v for v in violations(alone, problem) if "must be planned" not in v]:
                            mine.append(booking)
        singles.append(mine)
    combos = 1
    for mine in singles:
        combos *= len(mine)
    if combos > 1500:
        return _TOO_MANY
    best = None
    for choice in itertools.product(*singles):
        plan = _plan_of(tuple(b for b in choice if b is not None), problem)
        if not violations(plan, problem):
            value = objective_of(plan, problem)
            best = value if best is None else max(best, value)
    return best


def _plan_of(bookings, problem) -> Plan:
    booked = {b.candidate_id for b in bookings}
    unplanned = tuple(Unplanned(c.id, Reason("x")) for c in problem.candidates if c.id not in booked)
    return Plan(bookings, unplanned, "", 0.0, 0.0, 0.0, 0.0, None, "")
