import math
import random
from datetime import date, timedelta
from fractions import Fraction
from itertools import permutations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from popup.domain.matching import (
    IMPOSSIBLE,
    SCALE,
    Candidate,
    HardRule,
    ScoreMatrix,
    StandSlot,
    Weights,
    add_months,
    assign,
    explain,
    preferences_from_scores,
    score_matrix,
    stable_match,
)

JAN = date(2027, 1, 1)
SECTORS = ("food", "food_fresh", "fashion", "crafts", "culture", None)
ONLY = dict.fromkeys(Weights().as_dict(), 0)


def make_candidate(application_id=1, **kw):
    kw.setdefault("entrepreneur_id", application_id)
    kw.setdefault("sector", "food")
    return Candidate(application_id=application_id, **kw)


def make_stand(stand_id=1, **kw):
    kw.setdefault("offer_id", stand_id)
    kw.setdefault("area_m2", 20.0)
    kw.setdefault("rent_share_cents", 40_000)
    kw.setdefault("available_from", JAN)
    return StandSlot(stand_id=stand_id, **kw)


def only(name, **more):
    return Weights(**(ONLY | {name: 1} | more))


def component(candidate, stand, name, local_needs=()):
    return explain(candidate, stand, Weights(), local_needs).component(name)


# --- values in -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (ONLY, "at least one weight must be above zero"),
        (ONLY | {"area": 2, "budget": -1}, "the weight of budget must not be negative"),
        ({"jury": 1.5}, "the weight of jury must be a whole number"),
        ({"days": True}, "the weight of days must be a whole number"),
        ({"core": 1001}, "the weight of core must be at most 1000"),
    ],
)
def test_bad_weights_are_refused_with_a_clear_message(weights, message):
    with pytest.raises(ValueError, match=message):
        Weights(**weights)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: make_candidate(area_min_m2=30, area_max_m2=20), "minimum area is above the maximum"),
        (lambda: make_candidate(area_max_m2=0), "maximum area must be above 0"),
        (lambda: make_candidate(area_min_m2=-1), "minimum area must be a finite number"),
        (lambda: make_candidate(budget_cents=-5), "budget must be a whole number of cents"),
        (lambda: make_candidate(wanted_start_on=JAN, test_months=0), "test length"),
        (lambda: make_candidate(wanted_start_on=JAN, test_months=3, wanted_end_on=date(2027, 6, 1)), "not both"),
        (lambda: make_candidate(test_months=3), "needs a start date"),
        (lambda: make_candidate(wanted_start_on=JAN, wanted_end_on=JAN), "end date must come after"),
        (lambda: make_candidate(opening_days={7}), "opening days"),
        (lambda: make_candidate(jury_score=6), "jury scores go from 1 to 5"),
        (lambda: make_stand(area_m2=0), "area must be above 0"),
        (lambda: make_stand(rent_share_cents=-1), "rent share must be a whole number"),
        (lambda: make_stand(available_until=JAN), "window must end after it starts"),
    ],
)
def test_bad_candidates_and_stands_are_refused(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_collections_may_be_given_as_lists():
    candidate = make_candidate(opening_days=[1, 2], preferred_core_ids=[3])
    stand = make_stand(allowed_sectors=["food"], cotenant_sectors=["fashion", "crafts"])
    assert candidate.opening_days == frozenset({1, 2})
    assert stand.allowed_sectors == frozenset({"food"})
    assert stand.cotenant_sectors == ("crafts", "fashion")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(date(2027, 1, 31), 1, date(2027, 2, 28)), (date(2028, 1, 31), 1, date(2028, 2, 29)), (JAN, 12, date(2028, 1, 1))],
)
def test_add_months_stays_in_the_month(day, months, expected):
    assert add_months(day, months) == expected


# --- components and hard rules -------------------------------------------------


@pytest.mark.parametrize(
    ("area", "value", "reason", "rule"),
    [
        (25.0, 1.0, "area_fits", None),
        (20.0, 1.0, "area_fits", None),
        (15.0, 0.5, "area_too_small", None),  # 25 % below the minimum of 20
        (10.0, 0.0, "area_too_small", None),  # 50 % below: the last possible area
        (9.9, 0.0, "area_too_small", HardRule.AREA_TOO_SMALL),
        (37.5, 0.5, "area_too_large", None),  # 25 % above the maximum of 30
        (45.0, 0.0, "area_too_large", None),
        (45.1, 0.0, "area_too_large", HardRule.AREA_TOO_LARGE),
    ],
)
def test_area_fit_falls_linearly_to_half_outside_the_range(area, value, reason, rule):
    score = explain(make_candidate(area_min_m2=20, area_max_m2=30), make_stand(area_m2=area), Weights())
    assert (score.component("area").value, score.component("area").reason_code) == (value, reason)
    assert score.impossible == ((rule,) if rule else ())


def test_no_area_range_fits_any_stand():
    assert component(make_candidate(), make_stand(area_m2=500), "area").reason_code == "area_no_preference"
    assert component(make_candidate(area_min_m2=10), make_stand(area_m2=500), "area").value == 1


@pytest.mark.parametrize(
    ("share", "value", "reason", "impossible"),
    [
        (40_000, 1.0, "budget_ok", False),
        (10_000, 1.0, "budget_ok", False),
        (45_000, 0.5, "budget_over", False),  # 12.5 % over
        (50_000, 0.0, "budget_over", False),  # 25 % over: the limit
        (50_001, 0.0, "budget_over", True),
    ],
)
def test_budget_fit_falls_to_zero_at_a_quarter_over(share, value, reason, impossible):
    score = explain(make_candidate(budget_cents=40_000), make_stand(rent_share_cents=share), Weights())
    assert (score.component("budget").value, score.component("budget").reason_code) == (value, reason)
    assert score.impossible == ((HardRule.BUDGET_EXCEEDED,) if impossible else ())


def test_budget_not_given_or_zero():
    assert component(make_candidate(), make_stand(rent_share_cents=10**7), "budget").reason_code == "budget_not_given"
    assert explain(make_candidate(budget_cents=0), make_stand(rent_share_cents=0), Weights()).possible
    assert not explain(make_candidate(budget_cents=0), make_stand(rent_share_cents=1), Weights()).possible


@pytest.mark.parametrize(
    ("window", "value", "reason", "impossible"),
    [
        ((JAN, None), 1.0, "dates_covered", False),
        ((date(2026, 6, 1), date(2027, 4, 1)), 1.0, "dates_covered", False),
        ((date(2027, 2, 15), date(2027, 3, 1)), 14 / 90, "dates_partly_covered", False),
        ((date(2027, 4, 1), None), 0.0, "dates_no_overlap", True),  # half-open: the period ends on 1 April
        ((date(2026, 1, 1), JAN), 0.0, "dates_no_overlap", True),
    ],
)
def test_dates_score_the_share_of_the_wanted_period_in_the_window(window, value, reason, impossible):
    candidate = make_candidate(wanted_start_on=JAN, test_months=3)  # [1 Jan, 1 Apr): 90 days
    score = explain(candidate, make_stand(available_from=window[0], available_until=window[1]), Weights())
    dates = score.component("dates")
    assert dates.value == round(value * SCALE) / SCALE
    assert dates.reason_code == reason
    assert score.impossible == ((HardRule.NO_DATE_OVERLAP,) if impossible else ())


def test_flexible_and_open_ended_periods():
    late = make_stand(available_from=date(2030, 1, 1))
    assert component(make_candidate(), late, "dates").reason_code == "dates_flexible"
    open_ended = make_candidate(wanted_start_on=JAN)
    assert (component(open_ended, late, "dates").value, component(open_ended, late, "dates").reason_code) == (
        1.0,
        "dates_overlap",
    )
    ended = make_stand(available_from=date(2026, 1, 1), available_until=date(2026, 6, 1))
    assert explain(open_ended, ended, Weights()).impossible == (HardRule.NO_DATE_OVERLAP,)
    by_end_date = make_candidate(wanted_start_on=JAN, wanted_end_on=date(2027, 1, 11))
    half = make_stand(available_from=date(2027, 1, 6))
    assert component(by_end_date, half, "dates").value == 0.5


@pytest.mark.parametrize(
    ("sector", "allowed", "excluded", "value", "reason", "impossible"),
    [
        ("food", (), (), 1.0, "sector_any", False),
        ("food", ("food", "crafts"), (), 1.0, "sector_allowed", False),
        ("fashion", ("food", "crafts"), (), 0.0, "sector_not_listed", False),
        ("fashion", (), ("fashion",), 0.0, "sector_excluded", True),
        ("food", ("food",), ("food",), 0.0, "sector_excluded", True),  # excluded wins
        (None, ("food",), ("fashion",), 0.0, "sector_unknown", False),
    ],
)
def test_sector_fit_and_excluded_sectors(sector, allowed, excluded, value, reason, impossible):
    score = explain(
        make_candidate(sector=sector), make_stand(allowed_sectors=allowed, excluded_sectors=excluded), Weights()
    )
    assert (score.component("sector").value, score.component("sector").reason_code) == (value, reason)
    assert score.impossible == ((HardRule.SECTOR_EXCLUDED,) if impossible else ())


def test_local_needs_count_by_priority_and_only_when_listed():
    needs = ("food_fresh", "food", "crafts", "culture")
    assert component(make_candidate(sector="food_fresh"), make_stand(), "local_need", needs).value == 1
    need = component(make_candidate(sector="crafts"), make_stand(), "local_need", needs)
    assert (need.value, need.reason_code, need.reason_params) == (0.5, "local_need", {"rank": 3, "of": 4})
    assert component(make_candidate(sector="fashion"), make_stand(), "local_need", needs).value == 0
    without = component(make_candidate(), make_stand(), "local_need")
    assert (without.weight, without.reason_code) == (0, "no_local_needs")
    with pytest.raises(ValueError, match="twice"):
        explain(make_candidate(), make_stand(), Weights(), ("food", "food"))


@pytest.mark.parametrize(
    ("cotenants", "value", "reason"),
    [
        ((), 1.0, "diversity_new_sector"),
        (("fashion", "crafts"), 1.0, "diversity_new_sector"),
        (("food", "crafts"), 0.5, "diversity_shared"),
        (("food", "food"), 0.333333, "diversity_shared"),
    ],
)
def test_diversity_against_the_co_tenants(cotenants, value, reason):
    diversity = component(make_candidate(sector="food"), make_stand(cotenant_sectors=cotenants), "diversity")
    assert (diversity.value, diversity.reason_code) == (value, reason)


def test_core_days_and_jury_components():
    assert component(make_candidate(preferred_core_ids={1, 2}), make_stand(core_id=2), "core").value == 1
    assert component(make_candidate(preferred_core_ids={1}), make_stand(core_id=2), "core").reason_code == "core_other"
    assert component(make_candidate(preferred_core_ids={1}), make_stand(), "core").value == 0
    assert component(make_candidate(), make_stand(core_id=2), "core").reason_code == "core_any"
    days = component(make_candidate(opening_days={1, 2, 3}), make_stand(opening_days={2, 3, 4}), "days")
    assert (days.value, days.reason_params) == (0.666667, {"common": 2, "wanted": 3})
    assert component(make_candidate(opening_days={1}), make_stand(), "days").reason_code == "days_not_given"
    assert component(make_candidate(jury_score=Fraction(7, 2)), make_stand(), "jury").value == 0.625
    unscored = component(make_candidate(), make_stand(), "jury")
    assert (unscored.weight, unscored.reason_code) == (0, "jury_not_scored")


def test_total_is_the_weighted_mean_of_the_applicable_components():
    candidate = make_candidate(area_min_m2=20, area_max_m2=30, budget_cents=40_000, jury_score=3)
    stand = make_stand(area_m2=15, rent_share_cents=45_000)  # area 0.5, budget 0.5
    weights = Weights(area=2, budget=1, dates=1, sector=0, local_need=5, diversity=0, core=0, days=0, jury=2)
    score = explain(candidate, stand, weights)  # local needs not applicable: no list
    assert score.total == round((2 * 0.5 + 1 * 0.5 + 1 * 1 + 2 * 0.5) / 6, 6)
    assert [c.weight for c in score.components] == [2, 1, 1, 0, 0, 0, 0, 0, 2]


def test_total_rounds_half_up_to_millionths():
    # (1/3 + 0) / 2 = 0.1666665 in millionths after the component is rounded: half up gives 0.166667.
    candidate = make_candidate(opening_days={1, 2, 3})
    stand = make_stand(opening_days={1}, allowed_sectors={"crafts"})
    score = explain(candidate, stand, only("days", sector=1))
    assert score.component("days").value == 0.333333
    assert score.total == 0.166667


def test_every_blocking_rule_is_named():
    candidate = make_candidate(sector="food", area_min_m2=40, budget_cents=10_000, wanted_start_on=JAN, test_months=1)
    stand = make_stand(area_m2=10, rent_share_cents=90_000, excluded_sectors={"food"}, available_from=date(2028, 1, 1))
    score = explain(candidate, stand, Weights())
    assert score.impossible == (
        HardRule.SECTOR_EXCLUDED,
        HardRule.AREA_TOO_SMALL,
        HardRule.BUDGET_EXCEEDED,
        HardRule.NO_DATE_OVERLAP,
    )
    assert score.total == 0
    matrix = score_matrix([candidate], [stand], Weights())
    assert matrix.total(1, 1) is None
    assert matrix.rules(1, 1) == score.impossible


def test_hard_rules_hold_even_when_their_component_weighs_nothing():
    score = explain(make_candidate(area_max_m2=10), make_stand(area_m2=40), only("jury"))
    assert score.impossible == (HardRule.AREA_TOO_LARGE,)


def test_only_jury_weighted_and_no_jury_score_yet_gives_zero():
    assert explain(make_candidate(), make_stand(), only("jury")).total == 0
    assert score_matrix([make_candidate()], [make_stand()], only("jury")).total(1, 1) == 0


# --- the matrix agrees with explain ----------------------------------------------

days = st.frozensets(st.integers(0, 6), max_size=7)
dates = st.dates(date(2026, 6, 1), date(2028, 6, 1))
raw_areas = st.floats(1, 80, allow_nan=False)
areas = st.one_of(st.none(), raw_areas.map(lambda x: round(x, 1)), raw_areas)  # rounded ones meet the limits


@st.composite
def candidates(draw, application_id):
    low, high = draw(areas), draw(areas)
    if low is not None and high is not None and low > high:
        low, high = high, low
    start = draw(st.one_of(st.none(), dates))
    months = draw(st.one_of(st.none(), st.integers(1, 12))) if start else None
    end = None
    if start and months is None and draw(st.booleans()):
        end = start + timedelta(days=draw(st.integers(1, 400)))
    return Candidate(
        application_id=application_id,
        entrepreneur_id=draw(st.integers(1, 4)),
        sector=draw(st.sampled_from(SECTORS)),
        area_min_m2=low,
        area_max_m2=high,
        budget_cents=draw(st.one_of(st.none(), st.integers(0, 200_000))),
        wanted_start_on=start,
        test_months=months,
        wanted_end_on=end,
        preferred_core_ids=draw(st.frozensets(st.integers(1, 3), max_size=2)),
        opening_days=draw(days),
        jury_score=draw(st.one_of(st.none(), st.integers(10, 50).map(lambda x: Fraction(x, 10)))),
    )


@st.composite
def stands(draw, stand_id):
    start = draw(dates)
    until = draw(st.one_of(st.none(), st.integers(1, 500).map(lambda d: start + timedelta(days=d))))
    sectors = st.sampled_from(SECTORS[:-1])
    return StandSlot(
        stand_id=stand_id,
        offer_id=draw(st.integers(1, 3)),
        area_m2=draw(st.one_of(st.floats(1, 100).map(lambda x: round(x, 1)), st.floats(0.5, 100))),
        rent_share_cents=draw(st.integers(0, 200_000)),
        available_from=start,
        available_until=until,
        allowed_sectors=draw(st.frozensets(sectors, max_size=3)),
        excluded_sectors=draw(st.frozensets(sectors, max_size=2)),
        core_id=draw(st.one_of(st.none(), st.integers(1, 3))),
        opening_days=draw(days),
        cotenant_sectors=tuple(draw(st.lists(sectors, max_size=3))),
    )


weights = (
    st.fixed_dictionaries({name: st.integers(0, 5) for name in Weights().as_dict()})
    .filter(lambda w: any(w.values()))
    .map(lambda w: Weights(**w))
)


@st.composite
def instances(draw, max_candidates=6, max_stands=6):
    n = draw(st.integers(0, max_candidates))
    m = draw(st.integers(0, max_stands))
    return (
        [draw(candidates(i)) for i in range(1, n + 1)],
        [draw(stands(j)) for j in range(1, m + 1)],
        draw(weights),
        tuple(draw(st.lists(st.sampled_from(SECTORS[:-1]), unique=True, max_size=3))),
    )


@settings(max_examples=300, deadline=None)
@given(instances())
def test_matrix_and_explain_give_the_same_numbers(instance):
    apps, slots, w, needs = instance
    matrix = score_matrix(apps, slots, w, needs)
    for candidate in apps:
        for stand in slots:
            score = explain(candidate, stand, w, needs)
            expected = None if score.impossible else score.total
            assert matrix.total(candidate.application_id, stand.stand_id) == expected
            assert matrix.rules(candidate.application_id, stand.stand_id) == score.impossible
            assert all(0 <= c.value <= 1 for c in score.components)
            assert 0 <= score.total <= 1


def test_matrix_and_explain_agree_on_a_larger_random_instance_scored_in_blocks_and_threads():
    rng = random.Random(7)
    apps = [
        make_candidate(
            i,
            sector=rng.choice(SECTORS),
            area_min_m2=rng.choice([None, 10.0, 15.5]),
            area_max_m2=rng.choice([None, 30.0, 42.3]),
            budget_cents=rng.choice([None, 0, 30_000, 55_555]),
            wanted_start_on=rng.choice([None, JAN, date(2027, 3, 15)]),
            jury_score=rng.choice([None, 1, Fraction(17, 5), 5]),
            opening_days=rng.sample(range(7), rng.randint(0, 4)),
            preferred_core_ids=rng.sample(range(1, 5), rng.randint(0, 2)),
        )
        for i in range(1, 301)
    ]
    slots = [
        make_stand(
            j,
            offer_id=j // 4,
            area_m2=rng.uniform(5, 60),
            rent_share_cents=rng.randrange(0, 90_000),
            available_from=JAN + timedelta(days=rng.randrange(0, 300)),
            excluded_sectors=rng.sample(SECTORS[:-1], rng.randint(0, 1)),
            cotenant_sectors=rng.sample(SECTORS[:-1], rng.randint(0, 2)),
            core_id=rng.choice([None, 1, 2, 3, 4]),
            opening_days=rng.sample(range(7), rng.randint(0, 6)),
        )
        for j in range(1, 1201)
    ]
    needs = ("food_fresh", "food")
    single = score_matrix(apps, slots, Weights(jury=3, area=2), needs)
    threaded = score_matrix(apps, slots, Weights(jury=3, area=2), needs, workers=2)
    assert np.array_equal(single.micros, threaded.micros) and np.array_equal(single.blocked, threaded.blocked)
    for _ in range(3000):
        candidate, stand = rng.choice(apps), rng.choice(slots)
        score = explain(candidate, stand, Weights(jury=3, area=2), needs)
        assert single.total(candidate.application_id, stand.stand_id) == (None if score.impossible else score.total)


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError, match="application 1 is given twice"):
        score_matrix([make_candidate(1), make_candidate(1)], [make_stand()], Weights())
    with pytest.raises(ValueError, match="stand 2 is given twice"):
        score_matrix([make_candidate()], [make_stand(2), make_stand(2)], Weights())


# --- assignment ------------------------------------------------------------------


def brute_force(matrix, min_score):
    """The best (total, number of pairs) over every matching, one stand per entrepreneur."""
    n, m = matrix.micros.shape
    best = (0, 0)

    def walk(i, used_stands, used_people, total, count):
        nonlocal best
        if i == n:
            best = max(best, (total, count))
            return
        walk(i + 1, used_stands, used_people, total, count)
        person = matrix.entrepreneur_ids[i]
        if person in used_people:
            return
        for j in range(m):
            value = int(matrix.micros[i, j])
            if j not in used_stands and value >= 0 and value / SCALE >= min_score:
                walk(i + 1, used_stands | {j}, used_people | {person}, total + value, count + 1)

    walk(0, frozenset(), frozenset(), 0, 0)
    return best


def check_assignment(matrix, result, min_score):
    stands_used = [p.stand_id for p in result.pairs]
    people = [p.entrepreneur_id for p in result.pairs]
    assert len(set(stands_used)) == len(stands_used) and len(set(people)) == len(people)
    for pair in result.pairs:
        total = matrix.total(pair.application_id, pair.stand_id)
        assert total is not None and total >= min_score and total == pair.total
    assert {p.application_id for p in result.pairs}.isdisjoint(u.id for u in result.unmatched_candidates)
    assert len(result.pairs) + len(result.unmatched_candidates) == len(matrix.application_ids)
    assert len(result.pairs) + len(result.unmatched_stands) == len(matrix.stand_ids)
    assert all(u.reason_code for u in (*result.unmatched_candidates, *result.unmatched_stands))
    return sum(round(p.total * SCALE) for p in result.pairs), len(result.pairs)


totals_matrices = st.integers(0, 6).flatmap(
    lambda n: st.integers(0, 6).flatmap(
        lambda m: st.tuples(
            st.just(n),
            st.just(m),
            st.lists(
                st.one_of(st.just(IMPOSSIBLE), st.integers(0, 20).map(lambda x: x * 50_000), st.integers(0, SCALE)),
                min_size=n * m,
                max_size=n * m,
            ),
            st.lists(st.integers(1, 4), min_size=n, max_size=n),
        )
    )
)


@settings(max_examples=400, deadline=None)
@given(totals_matrices, st.sampled_from([0, 0.25, 0.5, 0.9, 0.3, 1, Fraction(1, 3)]))
def test_assignment_is_optimal_against_brute_force(data, min_score):
    n, m, values, people = data
    matrix = ScoreMatrix.from_totals(
        list(range(10, 10 + n)), list(range(20, 20 + m)), np.array(values).reshape(n, m), entrepreneur_ids=people
    )
    result = assign(matrix, min_score)
    assert check_assignment(matrix, result, min_score) == brute_force(matrix, min_score)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_candidates=6, max_stands=5), st.sampled_from([0, 0.3, 0.6]))
def test_assignment_of_scored_instances_is_optimal_against_brute_force(instance, min_score):
    apps, slots, w, needs = instance
    matrix = score_matrix(apps, slots, w, needs)
    assert check_assignment(matrix, assign(matrix, min_score), min_score) == brute_force(matrix, min_score)


@settings(max_examples=100, deadline=None)
@given(instances(max_candidates=8, max_stands=8), st.randoms(use_true_random=False))
def test_same_input_in_any_order_gives_the_same_result(instance, rnd):
    apps, slots, w, needs = instance
    first = assign(score_matrix(apps, slots, w, needs), 0.2)
    shuffled_apps, shuffled_slots = apps[:], slots[:]
    rnd.shuffle(shuffled_apps)
    rnd.shuffle(shuffled_slots)
    second_matrix = score_matrix(shuffled_apps, shuffled_slots, w, needs)
    assert second_matrix.application_ids == tuple(sorted(c.application_id for c in apps))
    assert assign(second_matrix, 0.2) == first


def test_ties_are_settled_the_same_way_every_time():
    # Six identical applications for three identical stands: many optimal answers, always the same one.
    apps = [make_candidate(i) for i in range(1, 7)]
    slots = [make_stand(j, offer_id=1) for j in range(1, 4)]
    results = set()
    for order in list(permutations(range(6)))[::97]:
        matrix = score_matrix([apps[i] for i in order], slots[::-1], Weights())
        results.add(tuple((p.application_id, p.stand_id) for p in assign(matrix).pairs))
    assert len(results) == 1
    assert len(next(iter(results))) == 3


def test_more_pairs_win_among_equal_totals():
    # Zero-score pairs are still proposed at min_score 0: placing someone beats placing nobody.
    matrix = ScoreMatrix.from_totals([1, 2], [5, 6], [[SCALE, IMPOSSIBLE], [0, 0]])
    assert [(p.application_id, p.stand_id) for p in assign(matrix, 0).pairs] == [(1, 5), (2, 6)]


def test_an_entrepreneur_gets_one_stand_through_their_best_application():
    matrix = ScoreMatrix.from_totals(
        [1, 2, 3], [10, 11], [[900_000, 800_000], [950_000, 100_000], [IMPOSSIBLE, 700_000]], entrepreneur_ids=[7, 7, 8]
    )
    result = assign(matrix)
    assert [(p.application_id, p.entrepreneur_id, p.stand_id) for p in result.pairs] == [(2, 7, 10), (3, 8, 11)]
    assert result.unmatched_candidates[0].id == 1
    assert result.unmatched_candidates[0].reason_code == "entrepreneur_placed"
    assert result.unmatched_candidates[0].reason_params == {"application_id": 2}


def test_impossible_and_low_pairs_are_never_proposed():
    matrix = ScoreMatrix.from_totals([1, 2], [10], [[IMPOSSIBLE], [399_999]])
    result = assign(matrix, 0.4)
    assert result.pairs == ()
    assert [(u.id, u.reason_code) for u in result.unmatched_candidates] == [
        (1, "all_pairs_impossible"),
        (2, "below_min_score"),
    ]
    assert result.unmatched_candidates[1].reason_params == {"best_score": 0.399999, "min_score": 0.4}
    assert [(u.id, u.reason_code) for u in result.unmatched_stands] == [(10, "below_min_score")]
    assert assign(matrix, Fraction(399_999, SCALE)).pairs[0].application_id == 2


def test_outscored_applications_and_stands_say_so():
    matrix = ScoreMatrix.from_totals([1, 2], [10, 11], [[900_000, IMPOSSIBLE], [800_000, IMPOSSIBLE]])
    result = assign(matrix)
    assert [(u.id, u.reason_code) for u in result.unmatched_candidates] == [(2, "outscored")]
    assert result.unmatched_candidates[0].reason_params == {"best_score": 0.8, "proposable_stands": 1}
    assert [(u.id, u.reason_code) for u in result.unmatched_stands] == [(11, "all_pairs_impossible")]


def test_all_pairs_impossible_gives_an_empty_result_with_the_rules():
    apps = [make_candidate(1, sector="food"), make_candidate(2, sector="food", area_max_m2=5)]
    slots = [make_stand(1, excluded_sectors={"food"}), make_stand(2, excluded_sectors={"food"})]
    result = assign(score_matrix(apps, slots, Weights()))
    assert result.pairs == () and result.total == 0
    first, second = result.unmatched_candidates
    assert (first.reason_code, first.reason_params) == ("all_pairs_impossible", {"rules": {"sector_excluded": 2}})
    assert second.reason_params == {"rules": {"sector_excluded": 2, "area_too_large": 2}}
    assert {u.reason_code for u in result.unmatched_stands} == {"all_pairs_impossible"}


@pytest.mark.parametrize(
    ("apps", "slots", "candidate_reasons", "stand_reasons"),
    [
        ([], [], [], []),
        ([make_candidate(1), make_candidate(2)], [], ["no_stands", "no_stands"], []),
        ([], [make_stand(1)], [], ["no_candidates"]),
    ],
)
def test_degenerate_inputs_give_empty_results_with_reasons(apps, slots, candidate_reasons, stand_reasons):
    matrix = score_matrix(apps, slots, Weights())
    assert matrix.micros.shape == (len(apps), len(slots))
    result = assign(matrix, 0.5)
    assert result.pairs == () and result.sector_clashes == ()
    assert [u.reason_code for u in result.unmatched_candidates] == candidate_reasons
    assert [u.reason_code for u in result.unmatched_stands] == stand_reasons


@pytest.mark.parametrize("bad", [-0.1, 1.01, math.nan, math.inf, "0.5", None, True])
def test_bad_minimum_scores_are_refused(bad):
    with pytest.raises(ValueError, match="minimum score must be a number from 0 to 1"):
        assign(ScoreMatrix.from_totals([1], [1], [[SCALE]]), bad)


def test_bad_matrices_are_refused():
    with pytest.raises(ValueError, match="ascending"):
        ScoreMatrix.from_totals([2, 1], [1], [[0], [0]])
    with pytest.raises(ValueError, match="millionths"):
        ScoreMatrix.from_totals([1], [1], [[SCALE + 1]])
    with pytest.raises(KeyError):
        ScoreMatrix.from_totals([1], [1], [[0]]).total(1, 2)


def test_new_pairs_of_one_sector_in_one_shop_are_reported():
    apps = [make_candidate(1, sector="food"), make_candidate(2, sector="food"), make_candidate(3, sector="crafts")]
    slots = [make_stand(1, offer_id=9), make_stand(2, offer_id=9), make_stand(3, offer_id=9)]
    result = assign(score_matrix(apps, slots, Weights()))
    assert len(result.pairs) == 3
    (clash,) = result.sector_clashes
    assert (clash.offer_id, clash.sector, clash.application_ids, clash.reason_code) == (
        9,
        "food",
        (1, 2),
        "same_sector_in_shop",
    )


def test_lessines_sized_call():
    rng = random.Random(4)
    apps = [
        make_candidate(
            i, sector=rng.choice(SECTORS[:-1]), area_min_m2=rng.choice([8.0, 12.0, 20.0]), jury_score=rng.randint(1, 5)
        )
        for i in range(1, 31)
    ]
    slots = [make_stand(j, offer_id=1, area_m2=a) for j, a in enumerate([12.0, 15.0, 18.0, 22.0, 30.0], start=1)]
    result = assign(score_matrix(apps, slots, Weights(jury=3), ("food_fresh", "food")), 0.5)
    assert len(result.pairs) == 5
    assert len(result.unmatched_candidates) == 25


# --- stable matching -------------------------------------------------------------


def blocking_pairs(candidate_prefs, stand_prefs, capacities, result):
    partner = dict(result.pairs)
    held: dict[int, list[int]] = {}
    for c, s in result.pairs:
        held.setdefault(s, []).append(c)
    found = []
    for c, ranked in candidate_prefs.items():
        for s in ranked:
            if partner.get(c) == s:
                break  # every stand after this one is worse for c
            ranking = stand_prefs.get(s, [])
            if c not in ranking:
                continue
            current = held.get(s, [])
            if len(current) < capacities.get(s, 1) or any(ranking.index(c) < ranking.index(o) for o in current):
                found.append((c, s))
    return found


@st.composite
def preferences(draw, max_candidates=7, max_stands=5):
    cands = list(range(1, draw(st.integers(0, max_candidates)) + 1))
    stands_ = list(range(100, 100 + draw(st.integers(0, max_stands))))
    candidate_prefs = {
        c: draw(st.permutations(stands_).flatmap(lambda p: st.integers(0, len(p)).map(lambda k: p[:k]))) for c in cands
    }
    stand_prefs = {
        s: draw(st.permutations(cands).flatmap(lambda p: st.integers(0, len(p)).map(lambda k: p[:k]))) for s in stands_
    }
    capacities = {s: draw(st.integers(0, 3)) for s in stands_}
    return candidate_prefs, stand_prefs, capacities


@settings(max_examples=400, deadline=None)
@given(preferences())
def test_stable_matching_has_no_blocking_pair(prefs):
    candidate_prefs, stand_prefs, capacities = prefs
    result = stable_match(candidate_prefs, stand_prefs, capacities)
    assert blocking_pairs(candidate_prefs, stand_prefs, capacities, result) == []
    taken: dict[int, int] = {}
    for c, s in result.pairs:
        assert s in candidate_prefs[c] and c in stand_prefs[s]
        taken[s] = taken.get(s, 0) + 1
    assert all(taken[s] <= capacities[s] for s in taken)
    assert len({c for c, _ in result.pairs}) == len(result.pairs)
    assert {u.id for u in result.unmatched_candidates} == set(candidate_prefs) - {c for c, _ in result.pairs}
    assert {u.id for u in result.unfilled_stands} == {s for s in stand_prefs if taken.get(s, 0) < capacities[s]}


@settings(max_examples=100, deadline=None)
@given(preferences(), st.randoms(use_true_random=False))
def test_stable_matching_does_not_depend_on_the_order_of_the_input(prefs, rnd):
    candidate_prefs, stand_prefs, capacities = prefs
    keys = list(candidate_prefs)
    rnd.shuffle(keys)
    shuffled = {c: candidate_prefs[c] for c in keys}
    assert stable_match(shuffled, stand_prefs, capacities) == stable_match(candidate_prefs, stand_prefs, capacities)


@settings(max_examples=200, deadline=None)
@given(preferences(max_candidates=4, max_stands=4))
def test_every_candidate_gets_their_best_stable_partner(prefs):
    candidate_prefs, stand_prefs, _ = prefs
    result = stable_match(candidate_prefs, stand_prefs)
    mutual = [(c, s) for c, ranked in candidate_prefs.items() for s in ranked if c in stand_prefs[s]]
    ones = dict.fromkeys(stand_prefs, 1)

    def rank(c, partner):
        return candidate_prefs[c].index(partner) if partner is not None else len(candidate_prefs[c])

    mine = dict(result.pairs)
    for size in range(len(mutual) + 1):
        for chosen in _matchings(mutual, size):
            other = type(result)(tuple(sorted(chosen)), (), ())
            if not blocking_pairs(candidate_prefs, stand_prefs, ones, other):
                theirs = dict(chosen)
                assert all(rank(c, mine.get(c)) <= rank(c, theirs.get(c)) for c in candidate_prefs)


def _matchings(edges, size, start=0, used_c=frozenset(), used_s=frozenset()):
    if size == 0:
        yield []
        return
    for k in range(start, len(edges)):
        c, s = edges[k]
        if c not in used_c and s not in used_s:
            for rest in _matchings(edges, size - 1, k + 1, used_c | {c}, used_s | {s}):
                yield [(c, s), *rest]


def test_stable_matching_reasons():
    result = stable_match(
        {1: [10], 2: [10], 3: [], 4: [11]},
        {10: [1, 2], 11: [], 12: [4]},
        {10: 1, 12: 2},
    )
    assert result.pairs == ((1, 10),)
    assert [(u.id, u.reason_code) for u in result.unmatched_candidates] == [
        (2, "outranked"),
        (3, "no_preferences"),
        (4, "not_acceptable"),
    ]
    assert [(u.id, u.reason_code, u.reason_params) for u in result.unfilled_stands] == [
        (11, "no_preferences", {"free_places": 1}),
        (12, "no_mutual_candidates", {"free_places": 2}),
    ]


def test_a_stand_whose_candidates_went_elsewhere_says_so():
    result = stable_match({1: [11, 10]}, {10: [1], 11: [1]})
    assert result.pairs == ((1, 11),)
    assert [(u.id, u.reason_code) for u in result.unfilled_stands] == [(10, "candidates_went_elsewhere")]


def test_stable_matching_refuses_bad_input():
    with pytest.raises(ValueError, match="twice"):
        stable_match({1: [10, 10]}, {10: [1]})
    with pytest.raises(ValueError, match="places of stand 10"):
        stable_match({1: [10]}, {10: [1]}, {10: -1})
    assert stable_match({}, {}) == type(stable_match({}, {}))((), (), ())


def test_preferences_from_scores_rank_best_first_ties_by_id():
    matrix = ScoreMatrix.from_totals([1, 2, 3], [10, 11, 12], [[5, 9, 9], [IMPOSSIBLE, 3, 1], [7, 7, IMPOSSIBLE]])
    candidate_prefs, stand_prefs = preferences_from_scores(matrix, Fraction(2, SCALE))
    assert candidate_prefs == {1: [11, 12, 10], 2: [11], 3: [10, 11]}
    assert stand_prefs == {10: [3, 1], 11: [1, 3, 2], 12: [1]}
    result = stable_match(candidate_prefs, stand_prefs)
    assert result.pairs == ((1, 11), (3, 10))
