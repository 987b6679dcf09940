"""Who holds which stand when: the rotation planner (OR-Tools CP-SAT).

Plain values in, plain values out. A ``Problem`` gives the horizon, the shops
(stands with their area, opening days, sector rules), the candidates (sector,
needed area, wanted duration, availability windows, priority) and the
bookings already fixed; ``plan_rotation`` answers a ``Plan`` or, when the
data contradict each other, an ``Infeasible`` that names who is blocked and
by what. Every period is half-open, ``[start, end)``, in local dates.

Time is cut in grains (a day or a week) counted from the horizon start; the
planner works on grain numbers and gives dates back. A trailing part of the
horizon shorter than a grain is not planned. Availability windows give the
whole grains they contain (a candidate free from a Wednesday cannot take that
week); a fixed booking blocks every grain it touches.

Hard rules:

- a stand holds one tenant at a time (fixed bookings included);
- a tenant holds one stand at a time: a planned candidate has one stay, a
  continuous period inside their availability, on one stand of a shop they
  accept. Nobody is moved to another stand during a stay: the soft goal "few
  stand changes" is met at its best, as a rule;
- the stay lasts between the candidate's minimum and maximum duration;
- the stand has at least the candidate's needed area;
- each shop's sector rules hold at every moment: ``SectorLimit`` (at most N
  tenants of these sectors at once: "no two bakeries"; 0 bans them) and
  excluded pairs (never a tenant of sector A beside one of sector B);
- with a day grain, a stay starts on an opening day and its last day is one;
- candidates marked ``must_plan`` (already accepted) are all planned.

Who is planned is the planner's choice. The soft goals are one objective to
maximise, counted in days of a priority-0 tenant:

    (1 + priority) for each day of each planned stay
  - Weights.same_sector for each day a second (third…) tenant of one sector
    is in the shop: sector diversity at each moment, beyond the hard rules
  - Weights.best_day for each best day a tenant has less than their fair
    share (their days × the shop's best days per week / 7). Day grain only:
    with a week grain every tenant has every weekday.

The model. Stands of one shop with the same area and no fixed booking form a
class: they are interchangeable, so a class is a capacity per grain, and
stands are dealt out afterwards by interval colouring, which never needs a
move when no grain holds more stays than stands. Each possible stay (class,
start, end) is a literal; a candidate takes at most one; per class and grain,
no more stays than stands; sector rules and the diversity penalty are sums
over the same literals. This set packing has a very tight linear relaxation
(on the Lessines size its LP optimum was the integer optimum), which the
planner uses before CP-SAT:

1. a greedy plan: must-plan stays first, then by priority the longest stay
   that still fits (a complete plan within milliseconds);
2. the LP relaxation, solved by GLOP: its optimum is a bound; rounding its
   solution (stays by decreasing LP value while they fit, then the greedy
   fill) gives a better plan; reduced-cost fixing drops every stay that
   cannot be in a plan better than that one (usually nearly all of them);
3. CP-SAT on what is left, hinted with that plan: it proves the optimum or
   improves the plan within the time limit.

Measured on the Lessines size (1 shop, 5 stands, 52 weeks, 30 candidates, a
loaded 2-core machine): optional intervals per stand with no-overlap still
had a 20-50 % gap after 60 s; a presence literal per grain took 51 s to
prove the optimum; this set packing alone took 3-5 s with a light presolve
(full presolve took 3.5 s more); with steps 1-2 first, about a second.

The literals grow with candidates × classes × starts × lengths, so:

- up to ``ONE_MODEL_LIMIT`` possible stays, one model for everything; its
  bound is the tightest of CP-SAT's, the LP's and the flow bound below;
- above, shop by shop: from the greedy plan, each shop in turn is planned
  again, exactly (steps 2-3), with the candidates no other shop holds,
  starting from its current stays, so the plan only improves; passes go on
  while time remains and something improves. The bound is then a
  relaxation solved as a max-weight flow (OR-Tools min-cost flow):
  candidate-grains to class-grains, with availability, area, stand counts
  and maximum durations, but not continuity, minimum durations, one shop per
  stay or sector rules. It is valid for every plan and quick, but loose:
  2-6 % above the optimum on the Lessines size, 8-10 % above the plans found
  for 10 shops and 300 candidates in 30 s, whose whole LP (too slow to solve
  within the time limit) is only about 4 % above them.

The solver runs with ``num_workers`` ≥ 8 even on 2 cores and a time limit
(DESIGN.md §5, measured on another model: one worker found a far worse plan in
the same time; with this one the worker count matters little, see
bench/RESULTS.md, "Rotation (issue 7)"). With several workers CP-SAT is not reproducible
run to run; ``deterministic=True`` interleaves the workers' searches in fixed
batches and stops on deterministic time instead (same input and seed, same
plan), for tests and audits.
"""

from __future__ import annotations

import bisect
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

from ortools.graph.python import min_cost_flow
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

Id = str | int

GRAIN_DAYS: Final = {"day": 1, "week": 7}
ALL_WEEK: Final = frozenset(range(7))
# Objective points per day of a priority-0 tenant: a multiple of 7 so that best-day
# shares (counted in sevenths) and half-day weights stay whole numbers.
POINTS_PER_DAY: Final = 14
# Possible stays (literals) up to which the whole problem is one model; above, shop by shop.
ONE_MODEL_LIMIT: Final = 30_000
# A shop with more possible stays than this keeps its greedy plan (a day grain over long windows).
SHOP_MODEL_LIMIT: Final = 150_000
# Passes over the shops, and the least time worth giving one shop's model.
MAX_PASSES: Final = 6
MIN_SHOP_SECONDS: Final = 0.2
# Families of rules lifted one at a time to tell what keeps must-plan candidates apart.
RELAXATIONS: Final = ("sector_rules", "fixed_bookings", "availability", "area", "opening_days")


class RotationError(ValueError):
    """Bad input: nothing was planned. ``code`` names the fault, ``params`` its details."""

    def __init__(self, code: str, **params: Any) -> None:
        detail = ", ".join(f"{key}={value!r}" for key, value in params.items())
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Stand:
    id: Id
    area_m2: float


@dataclass(frozen=True)
class SectorLimit:
    """At most ``at_most`` tenants of these sectors in the shop at any moment (0 bans them)."""

    sectors: frozenset[str]
    at_most: int = 1


@dataclass(frozen=True)
class Shop:
    id: Id
    stands: tuple[Stand, ...]
    opening_days: frozenset[int] = frozenset(range(6))  # weekday numbers, Monday = 0
    best_days: frozenset[int] = frozenset()  # the opening days that sell best (Saturday, market day)
    sector_limits: tuple[SectorLimit, ...] = ()
    excluded_pairs: tuple[tuple[str, str], ...] = ()  # never a tenant of the one beside one of the other


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive


@dataclass(frozen=True)
class Candidate:
    id: Id
    sector: str
    area_m2: float
    min_grains: int
    max_grains: int
    windows: tuple[Period, ...]
    priority: int = 0  # from matching or the jury; each planned day is worth 1 + priority
    shops: frozenset[Id] | None = None  # the shops they accept; None: any
    must_plan: bool = False  # already accepted: a plan without them is no plan


@dataclass(frozen=True)
class Horizon:
    start: date
    end: date  # exclusive
    grain: str = "week"  # "day" or "week"


@dataclass(frozen=True)
class Booking:
    candidate_id: Id
    shop_id: Id
    stand_id: Id
    start: date
    end: date  # exclusive


@dataclass(frozen=True)
class FixedBooking:
    """A stand already given over a period; the planner plans around it."""

    holder_id: Id  # may be a candidate's id: they are then never in two places at once
    shop_id: Id
    stand_id: Id
    sector: str
    start: date
    end: date  # exclusive


@dataclass(frozen=True)
class Weights:
    """The soft goals' penalties, in days of a priority-0 tenant (see the module docstring).

    ``same_sector`` under 1 keeps a stand filled by a second tenant of a
    sector rather than left empty; above 1 + their priority, it stays empty.
    """

    same_sector: float = 0.5  # per day a second (third…) tenant of one sector is in the shop
    best_day: float = 1.0  # per best day short of a fair share (day grain)


@dataclass(frozen=True)
class Problem:
    horizon: Horizon
    shops: tuple[Shop, ...]
    candidates: tuple[Candidate, ...]
    fixed: tuple[FixedBooking, ...] = ()


@dataclass(frozen=True)
class Reason:
    """Why someone is not planned or no plan exists: a code and its parameters; ``explain`` words it."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Unplanned:
    candidate_id: Id
    reason: Reason


@dataclass(frozen=True)
class Plan:
    bookings: tuple[Booking, ...]  # new bookings only: one per planned candidate, in the candidates' order
    unplanned: tuple[Unplanned, ...]
    status: str  # OPTIMAL (proved) or FEASIBLE, as CP-SAT names them
    objective: float  # in days of a priority-0 tenant, penalties deducted
    best_bound: float  # no plan can score more (see ``method``)
    gap: float  # (best_bound - objective) / objective; 0.0 when proved optimal
    wall_time_s: float
    first_solution_s: float | None  # from the call to the first complete plan
    method: str  # "one_model" or "shop_by_shop" (see the module docstring)

    def bookings_of(self, candidate_id: Id) -> tuple[Booking, ...]:
        return tuple(b for b in self.bookings if b.candidate_id == candidate_id)


@dataclass(frozen=True)
class Infeasible:
    reasons: tuple[Reason, ...]
    status: str
    wall_time_s: float


_WORDS: Final = {
    "not_available_in_horizon": "candidate {candidate} is available at no whole {grain} of the horizon",
    "windows_too_short": (
        "candidate {candidate} needs at least {min_grains} {grain}(s) in a row, "
        "their longest availability window in the horizon has {longest_grains}"
    ),
    "area_too_large": (
        "candidate {candidate} needs {needed_m2} m², the largest stand they could take has {largest_m2} m²"
    ),
    "sector_not_allowed": "the shops candidate {candidate} accepts do not admit the sector {sector}",
    "no_opening_day_fits": (
        "candidate {candidate}'s availability windows leave no stay of {min_grains} to {max_grains} day(s) "
        "that starts and ends on an opening day"
    ),
    "not_chosen": "candidate {candidate} was not chosen: the stands they fit went to candidates worth more to the plan",
    "fixed_bookings_break_rule": (
        "the fixed bookings of {holders} break the sector rule {rule} of shop {shop} from {start} to {end}"
    ),
    "must_plan_conflict": "candidates {candidates} must all be planned but cannot be together: {blocking}",
    "no_plan_in_time": "no plan was found within {seconds} s; give the planner more time",
}
_BLOCKING_WORDS: Final = {
    "sector_rules": "the sector rules {rules} keep them apart",
    "fixed_bookings": "fixed bookings take the stands they need",
    "availability": "their availability windows leave too little room",
    "area": "too few stands are large enough for them",
    "opening_days": "the opening days leave no stay of the right length",
    "capacity": "together they need more stand time than the shops they accept have",
}


def explain(reason: Reason) -> str:
    """The reason in English words, for logs and the command line; the UI words the code itself."""
    params = {key: _word(value) for key, value in reason.params.items()}
    if reason.code == "must_plan_conflict":
        blocking = reason.params.get("blocking", ("capacity",))
        params["blocking"] = " or ".join(_BLOCKING_WORDS[b].format(**params) for b in blocking)
    return _WORDS[reason.code].format(**params)


def _word(value: Any) -> str:
    if isinstance(value, tuple | list | frozenset | set):
        return ", ".join(_word(v) for v in value)
    return str(value)


# --- Checking the input ----------------------------------------------------


def check_problem(problem: Problem) -> None:
    """Raise RotationError for input that cannot be planned as given.

    Codes: ``bad_grain``, ``end_before_start``, ``empty_period``,
    ``empty_horizon``, ``no_shops``, ``no_stands``, ``duplicate_id``,
    ``bad_area``, ``bad_weekday``, ``no_opening_days``, ``best_day_not_open``,
    ``bad_sector_limit``, ``bad_duration``, ``min_above_max``,
    ``duration_longer_than_horizon``, ``negative_priority``, ``unknown_shop``,
    ``no_accepted_shop``, ``stand_not_in_shop``, ``fixed_bookings_overlap``.
    """
    h = problem.horizon
    if h.grain not in GRAIN_DAYS:
        raise RotationError("bad_grain", grain=h.grain)
    _check_period(h.start, h.end, "horizon")
    grains = (h.end - h.start).days // GRAIN_DAYS[h.grain]
    if grains < 1:
        raise RotationError("empty_horizon", grain=h.grain)
    if not problem.shops:
        raise RotationError("no_shops")
    _check_unique((s.id for s in problem.shops), "shop")
    for shop in problem.shops:
        if not shop.stands:
            raise RotationError("no_stands", shop=shop.id)
        _check_unique((s.id for s in shop.stands), "stand")
        for stand in shop.stands:
            if not stand.area_m2 > 0:
                raise RotationError("bad_area", stand=stand.id, area_m2=stand.area_m2)
        days = shop.opening_days | shop.best_days
        if not days <= ALL_WEEK:
            raise RotationError("bad_weekday", shop=shop.id, weekdays=tuple(sorted(days - ALL_WEEK)))
        if not shop.opening_days:
            raise RotationError("no_opening_days", shop=shop.id)
        if not shop.best_days <= shop.opening_days:
            raise RotationError("best_day_not_open", shop=shop.id, weekdays=tuple(sorted(shop.best_days)))
        for limit in shop.sector_limits:
            if not limit.sectors or limit.at_most < 0:
                raise RotationError("bad_sector_limit", shop=shop.id, sectors=tuple(sorted(limit.sectors)))
    shop_ids = {s.id for s in problem.shops}
    _check_unique((c.id for c in problem.candidates), "candidate")
    for c in problem.candidates:
        if c.min_grains < 1:
            raise RotationError("bad_duration", candidate=c.id, min_grains=c.min_grains)
        if c.min_grains > c.max_grains:
            raise RotationError("min_above_max", candidate=c.id, min_grains=c.min_grains, max_grains=c.max_grains)
        if c.min_grains > grains:
            raise RotationError(
                "duration_longer_than_horizon", candidate=c.id, min_grains=c.min_grains, horizon_grains=grains
            )
        if c.priority < 0:
            raise RotationError("negative_priority", candidate=c.id, priority=c.priority)
        if not c.area_m2 >= 0:
            raise RotationError("bad_area", candidate=c.id, area_m2=c.area_m2)
        for window in c.windows:
            _check_period(window.start, window.end, f"candidate {c.id}")
        if c.shops is not None:
            if not c.shops:
                raise RotationError("no_accepted_shop", candidate=c.id)
            for shop_id in c.shops:
                if shop_id not in shop_ids:
                    raise RotationError("unknown_shop", candidate=c.id, shop=shop_id)
    stands = {shop.id: {s.id for s in shop.stands} for shop in problem.shops}
    taken: dict[tuple[Id, Id], list[FixedBooking]] = defaultdict(list)
    for f in problem.fixed:
        _check_period(f.start, f.end, f"fixed booking of {f.holder_id}")
        if f.shop_id not in stands:
            raise RotationError("unknown_shop", holder=f.holder_id, shop=f.shop_id)
        if f.stand_id not in stands[f.shop_id]:
            raise RotationError("stand_not_in_shop", holder=f.holder_id, shop=f.shop_id, stand=f.stand_id)
        for other in taken[f.shop_id, f.stand_id]:
            if other.start < f.end and f.start < other.end:
                raise RotationError("fixed_bookings_overlap", stand=f.stand_id, holders=(other.holder_id, f.holder_id))
        taken[f.shop_id, f.stand_id].append(f)


def _check_period(start: date, end: date, what: str) -> None:
    if end < start:
        raise RotationError("end_before_start", what=what, start=start, end=end)
    if end == start:
        raise RotationError("empty_period", what=what, start=start)


def _check_unique(ids: Iterable[Id], what: str) -> None:
    seen: set[Id] = set()
    for item in ids:
        if item in seen:
            raise RotationError("duplicate_id", what=what, id=item)
        seen.add(item)


# --- Planning --------------------------------------------------------------


def plan_rotation(
    problem: Problem,
    *,
    time_limit_s: float = 10.0,
    num_workers: int = 8,
    seed: int = 0,
    deterministic: bool = False,
    weights: Weights | None = None,
) -> Plan | Infeasible:
    """Choose whom to plan, where and when; or say which data keep the must-plan candidates out.

    Raises RotationError for bad input (see ``check_problem``). Candidates who
    could never be planned (area, availability, sector bans) are left out
    before the solver and listed in ``Plan.unplanned`` with their reason; if
    one of them must be planned, the answer is ``Infeasible`` with that reason.
    ``time_limit_s`` bounds the planning; explaining an infeasibility takes up
    to as long again. With ``deterministic=True`` it counts CP-SAT's
    deterministic time, which only roughly follows the clock.
    """
    started = time.perf_counter()
    check_problem(problem)
    if not time_limit_s > 0:
        raise RotationError("bad_time_limit", seconds=time_limit_s)
    if num_workers < 1:
        raise RotationError("bad_num_workers", num_workers=num_workers)
    grid = _Grid.of(problem.horizon)
    points = _Points.of(weights or Weights())
    settings = _Settings(num_workers, seed, deterministic)
    ctx = _Context(problem, grid, points)

    def elapsed() -> float:
        return time.perf_counter() - started

    def remaining() -> float:
        return time_limit_s - elapsed()

    broken = _fixed_rule_breaks(ctx)
    blocked = [o for i, o in enumerate(ctx.options) if isinstance(o, Reason) and problem.candidates[i].must_plan]
    if broken or blocked:
        return Infeasible(tuple(broken + blocked), "INFEASIBLE", elapsed())
    plannable = [i for i, o in enumerate(ctx.options) if isinstance(o, _Option)]
    must = [i for i in plannable if problem.candidates[i].must_plan]
    pinned: dict[int, _Stay] = {}
    if must:
        solver, status, found = _solve(_build(ctx, must, objective=False), time_limit_s / 2, settings)
        if status == cp_model.INFEASIBLE:
            reasons = _Explainer(ctx, settings).explain(must, time_limit_s)
            return Infeasible(tuple(reasons), "INFEASIBLE", elapsed())
        pinned = found or {}  # none in time: the one model below still holds them to it

    def no_plan(status_name: str) -> Infeasible:
        return Infeasible((Reason("no_plan_in_time", {"seconds": time_limit_s}),), status_name, elapsed())

    plan = _greedy(ctx, plannable, pinned)
    valid = all(ci in plan for ci in must)
    first_solution = elapsed() if valid else None
    bound = _flow_bound(ctx, plannable)
    proved = False
    if sum(ctx.count_stays(ci) for ci in plannable) <= ONE_MODEL_LIMIT:
        method = "one_model"
        built = _build(ctx, plannable)
        lp_bound = None
        if valid:  # pruning needs a plan that keeps every rule
            plan, lp_bound = _lp_round_and_prune(ctx, built, plannable, plan)
        bound = min(bound, lp_bound if lp_bound is not None else bound)
        seconds = time_limit_s if deterministic else max(remaining(), 0.1 * time_limit_s)
        solver, status, found = _solve(built, seconds, settings, hint=plan)
        if found is not None and (not valid or ctx.score(found) >= ctx.score(plan)):
            plan, valid = found, True
            first_solution = elapsed() if first_solution is None else first_solution
        if status == cp_model.INFEASIBLE:  # the must-plan candidates, proved apart only now
            return Infeasible(tuple(_Explainer(ctx, settings).explain(must, time_limit_s)), "INFEASIBLE", elapsed())
        if not valid:
            return no_plan(solver.status_name(status))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            # valid beyond the pruned literals too: they only make plans worse than the incumbent
            proved = status == cp_model.OPTIMAL
            bound = min(bound, max(math.floor(solver.best_objective_bound), ctx.score(plan)))
    elif not valid:
        return no_plan("UNKNOWN")
    else:
        method = "shop_by_shop"
        plan = _shop_by_shop(ctx, plannable, plan, settings, time_limit_s, remaining)

    score = ctx.score(plan)
    proved = proved or score >= bound
    unplanned = []
    for ci, option in enumerate(ctx.options):
        candidate_id = problem.candidates[ci].id
        if isinstance(option, Reason):
            unplanned.append(Unplanned(candidate_id, option))
        elif ci not in plan:
            unplanned.append(Unplanned(candidate_id, Reason("not_chosen", {"candidate": candidate_id})))
    return Plan(
        bookings=_deal_stands(ctx, plan),
        unplanned=tuple(unplanned),
        status="OPTIMAL" if proved else "FEASIBLE",
        objective=score / POINTS_PER_DAY,
        best_bound=max(bound, score) / POINTS_PER_DAY,
        gap=0.0 if proved else (bound - score) / max(score, 1),
        wall_time_s=elapsed(),
        first_solution_s=first_solution,
        method=method,
    )


@dataclass(frozen=True)
class _Settings:
    num_workers: int
    seed: int
    deterministic: bool


# --- Grains, classes of stands and what each candidate could take ------------


@dataclass(frozen=True)
class _Grid:
    start: date
    days: int  # per grain
    n: int  # grains in the horizon
    grain: str

    @classmethod
    def of(cls, horizon: Horizon) -> _Grid:
        days = GRAIN_DAYS[horizon.grain]
        return cls(horizon.start, days, (horizon.end - horizon.start).days // days, horizon.grain)

    def inside(self, start: date, end: date) -> tuple[int, int]:
        """The whole grains inside [start, end), clipped to the horizon."""
        first = -(-(start - self.start).days // self.days)
        last = (end - self.start).days // self.days
        return max(first, 0), min(last, self.n)

    def touched(self, start: date, end: date) -> tuple[int, int]:
        """The grains [start, end) touches, clipped to the horizon."""
        first = (start - self.start).days // self.days
        last = -(-(end - self.start).days // self.days)
        return max(first, 0), min(last, self.n)

    def on(self, index: int) -> date:
        return self.start + timedelta(days=index * self.days)


@dataclass(frozen=True)
class _Class:
    """Stands of one shop that are interchangeable for planning: same area, no fixed booking."""

    shop: int
    stands: tuple[int, ...]
    area_m2: float
    blocked: frozenset[int] = frozenset()  # grains held by fixed bookings (then the class has one stand)


def _classes(problem: Problem, grid: _Grid, relax: frozenset[str]) -> list[_Class]:
    held: dict[tuple[Id, Id], set[int]] = defaultdict(set)
    if "fixed_bookings" not in relax:
        for f in problem.fixed:
            held[f.shop_id, f.stand_id].update(range(*grid.touched(f.start, f.end)))
    classes = []
    for si, shop in enumerate(problem.shops):
        by_area: dict[float, list[int]] = defaultdict(list)
        for ki, stand in enumerate(shop.stands):
            if held.get((shop.id, stand.id)):
                classes.append(_Class(si, (ki,), stand.area_m2, frozenset(held[shop.id, stand.id])))
            else:
                by_area[stand.area_m2].append(ki)
        classes += [_Class(si, tuple(stands), area) for area, stands in sorted(by_area.items())]
    return classes


@dataclass(frozen=True)
class _Option:
    """What one candidate could take, once what can never fit is ruled out."""

    classes: tuple[int, ...]  # classes of stands large enough, in shops they accept and that admit their sector
    runs: tuple[tuple[int, int], ...]  # stretches of grains [first, last) they are available, long enough


def _runs(grains: Iterable[int]) -> list[tuple[int, int]]:
    """Grains as maximal stretches [first, last), in order."""
    runs: list[tuple[int, int]] = []
    for t in sorted(set(grains)):
        if runs and runs[-1][1] == t:
            runs[-1] = (runs[-1][0], t + 1)
        else:
            runs.append((t, t + 1))
    return runs


@dataclass(frozen=True)
class _Points:
    """Weights turned into whole objective points."""

    same_sector: int  # per day
    best_day_seventh: int  # per seventh of a best day

    @classmethod
    def of(cls, weights: Weights) -> _Points:
        return cls(round(weights.same_sector * POINTS_PER_DAY), round(weights.best_day * POINTS_PER_DAY / 7))


# A stay as planned: (class, first grain, end grain).
_Stay = tuple[int, int, int]


class _Context:
    """A problem read for planning: grains, classes, options, fixed bookings by shop and grain."""

    def __init__(self, problem: Problem, grid: _Grid, points: _Points, relax: frozenset[str] = frozenset()) -> None:
        self.problem, self.grid, self.points, self.relax = problem, grid, points, relax
        self.opening = {
            si: ALL_WEEK if "opening_days" in relax or grid.grain != "day" else shop.opening_days
            for si, shop in enumerate(problem.shops)
        }
        self.classes = _classes(problem, grid, relax)
        self.fixed: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)  # (shop, grain) -> sector -> tenants
        holder_grains: dict[Id, set[int]] = defaultdict(set)
        if "fixed_bookings" not in relax:
            shop_index = {s.id: i for i, s in enumerate(problem.shops)}
            for f in problem.fixed:
                for t in range(*grid.touched(f.start, f.end)):
                    here = self.fixed[shop_index[f.shop_id], t]
                    here[f.sector] = here.get(f.sector, 0) + 1
                    holder_grains[f.holder_id].add(t)
        self._shut: dict[tuple[int, str], frozenset[int]] = {}
        self._best_prefix: dict[int, list[int]] = {}
        self.options = [self._option(c, holder_grains.get(c.id, set())) for c in problem.candidates]

    def is_open(self, si: int, t: int) -> bool:
        """Whether a stay in this shop may start, or have its last day, on grain t."""
        return self.grid.grain != "day" or self.grid.on(t).weekday() in self.opening[si]

    def _option(self, c: Candidate, held_by_them: set[int]) -> _Option | Reason:
        grid, who = self.grid, {"candidate": c.id}
        if "availability" in self.relax:
            grains: Iterable[int] = range(grid.n)
        else:
            # windows that touch make one: together they may hold a grain neither holds alone
            grains = {t for start, end in _merged(c.windows) for t in range(*grid.inside(start, end))}
        runs = _runs(set(grains) - held_by_them)
        if not runs:
            return Reason("not_available_in_horizon", {**who, "grain": grid.grain})
        longest = max(b - a for a, b in runs)
        if longest < c.min_grains:
            return Reason(
                "windows_too_short",
                {**who, "min_grains": c.min_grains, "longest_grains": longest, "grain": grid.grain},
            )
        runs = [(a, b) for a, b in runs if b - a >= c.min_grains]
        shops = self.problem.shops
        accepted = [k for k, cl in enumerate(self.classes) if c.shops is None or shops[cl.shop].id in c.shops]
        fitting = [k for k in accepted if "area" in self.relax or self.classes[k].area_m2 >= c.area_m2]
        if not fitting:
            largest = max(self.classes[k].area_m2 for k in accepted)
            return Reason("area_too_large", {**who, "needed_m2": c.area_m2, "largest_m2": largest})
        if "sector_rules" not in self.relax:
            fitting = [k for k in fitting if not _banned(shops[self.classes[k].shop], c.sector)]
        if not fitting:
            return Reason("sector_not_allowed", {**who, "sector": c.sector})
        high = min(c.max_grains, grid.n)
        open_shops = {si for si in {self.classes[k].shop for k in fitting} if self._fits(si, runs, c.min_grains, high)}
        fitting = [k for k in fitting if self.classes[k].shop in open_shops]
        if not fitting:
            return Reason("no_opening_day_fits", {**who, "min_grains": c.min_grains, "max_grains": high})
        return _Option(tuple(fitting), tuple(runs))

    def _fits(self, si: int, runs: Sequence[tuple[int, int]], low: int, high: int) -> bool:
        """Whether some stay of low to high grains inside a run starts and ends on opening days."""
        for first, last in runs:
            ends = [t + 1 for t in range(first, last) if self.is_open(si, t)]
            for s in range(first, last - low + 1):
                if self.is_open(si, s):
                    k = bisect.bisect_left(ends, s + low)
                    if k < len(ends) and ends[k] <= min(s + high, last):
                        return True
        return False

    def shut(self, si: int, sector: str) -> frozenset[int]:
        """Grains where the shop's fixed bookings leave no room for a tenant of this sector."""
        key = (si, sector)
        if key not in self._shut:
            shop = self.problem.shops[si]
            shut = set()
            if "sector_rules" not in self.relax:
                for (sj, t), held in self.fixed.items():
                    if sj == si and not _room(shop, sector, held):
                        shut.add(t)
            self._shut[key] = frozenset(shut)
        return self._shut[key]

    def stays(self, ci: int, shops: Iterable[int] | None = None) -> Iterable[_Stay]:
        """Every stay candidate ci could have: class, first grain, end grain."""
        option = self.options[ci]
        if not isinstance(option, _Option):
            return
        c = self.problem.candidates[ci]
        high = min(c.max_grains, self.grid.n)
        wanted = None if shops is None else set(shops)
        for k in option.classes:
            cl = self.classes[k]
            if wanted is not None and cl.shop not in wanted:
                continue
            closed = cl.blocked | self.shut(cl.shop, c.sector)
            for run in option.runs:
                for first, last in _runs(t for t in range(*run) if t not in closed):
                    for s in range(first, last - c.min_grains + 1):
                        if not self.is_open(cl.shop, s):
                            continue
                        for e in range(s + c.min_grains, min(s + high, last) + 1):
                            if self.is_open(cl.shop, e - 1):
                                yield (k, s, e)

    def count_stays(self, ci: int) -> int:
        """An upper bound on the number of stays (before opening days and fixed bookings)."""
        option = self.options[ci]
        if not isinstance(option, _Option):
            return 0
        c = self.problem.candidates[ci]
        per_class = 0
        for a, b in option.runs:
            for length in range(c.min_grains, min(c.max_grains, b - a) + 1):
                per_class += b - a - length + 1
        return per_class * len(option.classes)

    def value(self, ci: int, stay: _Stay) -> int:
        """Points of a stay: (1 + priority) per day, less the best days short of a fair share."""
        c = self.problem.candidates[ci]
        k, s, e = stay
        points = (1 + c.priority) * self.grid.days * POINTS_PER_DAY * (e - s)
        si = self.classes[k].shop
        best = self.problem.shops[si].best_days
        if self.grid.grain == "day" and best and self.points.best_day_seventh:
            if si not in self._best_prefix:
                prefix = [0]
                for t in range(self.grid.n):
                    prefix.append(prefix[-1] + (self.grid.on(t).weekday() in best))
                self._best_prefix[si] = prefix
            prefix = self._best_prefix[si]
            shortfall = len(best) * (e - s) - 7 * (prefix[e] - prefix[s])
            points -= self.points.best_day_seventh * max(shortfall, 0)
        return points

    def score(self, plan: Mapping[int, _Stay]) -> int:
        """Objective points of a plan, as the model counts them."""
        total = sum(self.value(ci, stay) for ci, stay in plan.items())
        if not self.points.same_sector:
            return total
        count: dict[tuple[int, int, str], int] = defaultdict(int)
        for ci, (k, s, e) in plan.items():
            for t in range(s, e):
                count[self.classes[k].shop, t, self.problem.candidates[ci].sector] += 1
        for (si, t, sector), n in count.items():
            total -= self.points.same_sector * self.grid.days * _sharing(n, self.fixed.get((si, t), {}).get(sector, 0))
        return total


def _merged(periods: Iterable[Period]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for p in sorted(periods, key=lambda p: (p.start, p.end)):
        if merged and p.start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], p.end))
        else:
            merged.append((p.start, p.end))
    return merged


def _banned(shop: Shop, sector: str) -> bool:
    return any(limit.at_most == 0 and sector in limit.sectors for limit in shop.sector_limits)


def _room(shop: Shop, sector: str, present: Mapping[str, int]) -> bool:
    """Whether the shop's sector rules let one more tenant of ``sector`` in beside those present."""
    for limit in shop.sector_limits:
        if sector in limit.sectors and sum(n for s, n in present.items() if s in limit.sectors) >= limit.at_most:
            return False
    for one, other in shop.excluded_pairs:
        if one == other == sector and present.get(sector):
            return False
        if one != other and ((sector == one and present.get(other)) or (sector == other and present.get(one))):
            return False
    return True


def _sharing(planned: int, held: int) -> int:
    """Planned tenants who share the shop with an earlier one of their sector (fixed ones come first)."""
    return planned if held else max(planned - 1, 0)


# --- The model ---------------------------------------------------------------


@dataclass
class _Built:
    model: cp_model.CpModel
    stays: dict[int, list[tuple[_Stay, cp_model.IntVar]]]


def _build(
    ctx: _Context, chosen: Sequence[int], *, shops: Iterable[int] | None = None, objective: bool = True
) -> _Built:
    """The set packing: one literal per possible stay, at most one per candidate, within the stands and rules."""
    model = cp_model.CpModel()
    problem, classes = ctx.problem, ctx.classes
    in_class: dict[tuple[int, int], list[Any]] = defaultdict(list)
    in_shop: dict[tuple[int, int], dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    literals: list[Any] = []
    values: list[int] = []
    built: dict[int, list[tuple[_Stay, Any]]] = {}
    for ci in chosen:
        mine = []
        for stay in ctx.stays(ci, shops):
            lit = model.new_bool_var("")
            mine.append((stay, lit))
            k, s, e = stay
            for t in range(s, e):
                in_class[k, t].append(lit)
                in_shop[classes[k].shop, t][ci].append(lit)
            if objective:
                literals.append(lit)
                values.append(ctx.value(ci, stay))
        built[ci] = mine
        lits = [lit for _, lit in mine]
        if problem.candidates[ci].must_plan:
            if not lits:
                lits = [model.new_constant(0)]
            model.add_exactly_one(lits)
        elif len(lits) > 1:
            model.add_at_most_one(lits)
    for (k, _), lits in in_class.items():
        capacity = len(classes[k].stands)
        if len(lits) > capacity:
            if capacity == 1:
                model.add_at_most_one(lits)
            else:
                model.add(cp_model.LinearExpr.sum(lits) <= capacity)
    sector_of = {ci: problem.candidates[ci].sector for ci in chosen}
    penalty: list[Any] = []
    for (si, t), by_candidate in in_shop.items():
        shop = problem.shops[si]
        present = {ci: cp_model.LinearExpr.sum(lits) for ci, lits in by_candidate.items()}
        held = ctx.fixed.get((si, t), {})
        if "sector_rules" not in ctx.relax:
            _add_sector_rules(model, shop, present, sector_of, held)
        if objective and ctx.points.same_sector:
            cost = ctx.points.same_sector * ctx.grid.days
            penalty += _same_sector_sharing(model, shop, present, sector_of, held, cost)
    if objective:
        model.maximize(cp_model.LinearExpr.weighted_sum(literals, values) - cp_model.LinearExpr.sum(penalty))
    return _Built(model, built)


def _add_sector_rules(model, shop: Shop, present, sector_of, held) -> None:
    for limit in shop.sector_limits:
        members = [expr for ci, expr in present.items() if sector_of[ci] in limit.sectors]
        room = limit.at_most - sum(n for sector, n in held.items() if sector in limit.sectors)
        if len(members) > room:
            model.add(cp_model.LinearExpr.sum(members) <= room)
    for one, other in shop.excluded_pairs:
        ones = [expr for ci, expr in present.items() if sector_of[ci] == one]
        if one == other:
            if len(ones) > 1:
                model.add(cp_model.LinearExpr.sum(ones) <= 1)
            continue
        others = [expr for ci, expr in present.items() if sector_of[ci] == other]
        if ones and others:  # (beside a fixed tenant of the other sector, no stay was even proposed)
            side = model.new_bool_var("")  # true: sector `one` may be here at this grain
            for expr in ones:
                model.add(expr <= side)
            for expr in others:
                model.add(expr <= 1 - side)


def _same_sector_sharing(model, shop: Shop, present, sector_of, held, cost) -> list[Any]:
    """Planned tenants sharing the shop with an earlier one of their sector at this grain, times the cost."""
    capped = {s for lim in shop.sector_limits if lim.at_most <= 1 for s in lim.sectors}
    capped |= {one for one, other in shop.excluded_pairs if one == other}
    by_sector: dict[str, list[Any]] = defaultdict(list)
    for ci, expr in present.items():
        by_sector[sector_of[ci]].append(expr)
    terms = []
    for sector, members in by_sector.items():
        alone = 0 if held.get(sector) else 1  # the first tenant of a sector shares with nobody
        if sector in capped or len(members) <= alone:
            continue
        sharing = model.new_int_var(0, len(members), "")
        model.add(sharing >= cp_model.LinearExpr.sum(members) - alone)
        terms.append(cost * sharing)
    return terms


# --- Solving -----------------------------------------------------------------


def _solver(seconds: float, num_workers: int, seed: int, deterministic: bool) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = num_workers
    params.random_seed = seed
    # A light presolve: on the Lessines size the full one took 3.5 s of a 5 s
    # proof, and these models gain nothing from probing or symmetry detection.
    params.max_presolve_iterations = 1
    params.cp_model_probing_level = 0
    params.symmetry_level = 0
    if deterministic:
        # Workers' searches interleaved in fixed batches and stopped by work
        # done, not by the clock: the same input gives the same plan. The wall
        # clock only guards against a machine far slower than expected.
        params.interleave_search = True
        params.max_deterministic_time = seconds
        params.max_time_in_seconds = 10 * seconds
    else:
        params.max_time_in_seconds = seconds
    return solver


def _solve(
    built: _Built, seconds: float, settings: _Settings, hint: Mapping[int, _Stay] | None = None
) -> tuple[cp_model.CpSolver, Any, dict[int, _Stay] | None]:
    """Solve; the solver, its status and the stays chosen (None without a solution)."""
    if hint is not None:
        for ci, stays in built.stays.items():
            for stay, lit in stays:
                built.model.add_hint(lit, hint.get(ci) == stay)
    solver = _solver(seconds, settings.num_workers, settings.seed, settings.deterministic)
    status = solver.solve(built.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return solver, status, None
    chosen = {}
    for ci, stays in built.stays.items():
        for stay, lit in stays:
            if solver.boolean_value(lit):
                chosen[ci] = stay
                break
    return solver, status, chosen


def _lp_relaxation(model: cp_model.CpModel) -> tuple[float, list[float], list[float]] | None:
    """The model's linear relaxation solved by GLOP: its optimum, each variable's value and reduced cost.

    In CP-SAT's own terms: the objective minimised, before ``scaling_factor``.
    Only the constraints ``_build`` writes are read (at most one, exactly one,
    linear); None when the LP does not solve to optimality.
    """
    proto = model.proto
    lp = pywraplp.Solver.CreateSolver("GLOP")
    infinity = lp.infinity()

    def bound(value: int) -> float:
        return value if abs(value) < 2**62 else math.copysign(infinity, value)

    domains = [list(v.domain) for v in proto.variables]  # (the wrapper does not index from the end)
    xs = [lp.NumVar(bound(d[0]), bound(d[-1]), "") for d in domains]

    def terms(refs: Iterable[int], coeffs: Iterable[int]) -> tuple[dict[int, int], int]:
        row: dict[int, int] = defaultdict(int)
        constant = 0
        for ref, coeff in zip(refs, coeffs, strict=True):
            if ref >= 0:
                row[ref] += coeff
            else:  # a negated literal: 1 - x
                row[-ref - 1] -= coeff
                constant += coeff
        return row, constant

    for c in proto.constraints:
        if c.has_linear():
            domain = list(c.linear.domain)
            row, constant = terms(c.linear.vars, c.linear.coeffs)
            low, high = bound(domain[0]), bound(domain[-1])
        elif c.has_at_most_one() or c.has_exactly_one():
            literals = c.at_most_one.literals if c.has_at_most_one() else c.exactly_one.literals
            row, constant = terms(literals, [1] * len(literals))
            low, high = (-infinity if c.has_at_most_one() else 1), 1
        else:  # pragma: no cover - _build writes no other kind
            return None
        constraint = lp.Constraint(low - constant, high - constant)
        for index, coeff in row.items():
            constraint.SetCoefficient(xs[index], coeff)
    objective = lp.Objective()
    for ref, coeff in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        objective.SetCoefficient(xs[ref], coeff)
    objective.SetMinimization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return objective.Value(), [x.solution_value() for x in xs], [x.reduced_cost() for x in xs]


def _lp_round_and_prune(
    ctx: _Context,
    built: _Built,
    plannable: Sequence[int],
    incumbent: dict[int, _Stay],
    shops: Iterable[int] | None = None,
) -> tuple[dict[int, _Stay], int | None]:
    """Use the model's LP relaxation: a better plan by rounding it, a bound, and fewer literals.

    Rounding: the must-plan candidates keep their stays in the incumbent (a
    plan that keeps every rule), then the stays in decreasing LP value, each
    kept if it still fits, then the greedy fill.

    Pruning (reduced-cost fixing): for any solution, the objective is at most
    the LP optimum less the reduced cost of each literal it sets; a stay whose
    literal alone brings that under the incumbent plus one point cannot be in
    a better plan and is fixed to 0. The incumbent's own stays are kept, so
    the pruned model keeps the optimum.

    Returns the better plan and the LP bound in points (None if the LP did not
    solve).
    """
    relaxation = _lp_relaxation(built.model)
    if relaxation is None:
        return incumbent, None
    optimum, values, reduced = relaxation
    proto = built.model.proto
    assert proto.objective.scaling_factor == -1  # a maximisation: CP-SAT minimises its negation
    lp_bound = -(optimum + proto.objective.offset)
    margin = 1e-5 * abs(lp_bound) + 1  # well above GLOP's tolerances, in points
    by_value = sorted(
        ((values[lit.index], ci, stay) for ci, stays in built.stays.items() for stay, lit in stays),
        key=lambda item: (-item[0], item[1], item[2]),
    )
    suggested = [(ci, stay) for value, ci, stay in by_value if value > 1e-6]
    pinned = {ci: stay for ci, stay in incumbent.items() if ctx.problem.candidates[ci].must_plan}
    rounded = _greedy(ctx, plannable, pinned, suggested, shops)
    if ctx.score(rounded) > ctx.score(incumbent):
        incumbent = rounded
    threshold = ctx.score(incumbent) + 1 - margin
    for ci, stays in built.stays.items():
        for stay, lit in stays:
            # reduced costs are of the minimised negation: setting the literal costs at least that much
            if incumbent.get(ci) != stay and lp_bound - reduced[lit.index] < threshold:
                built.model.add(lit == 0)
    return incumbent, math.floor(lp_bound + margin)


# --- A first plan, shop by shop, and a bound -------------------------------


def _greedy(
    ctx: _Context,
    plannable: Sequence[int],
    pinned: Mapping[int, _Stay],
    suggested: Sequence[tuple[int, _Stay]] = (),
    shops: Iterable[int] | None = None,
) -> dict[int, _Stay]:
    """A plan built stay by stay: the pinned stays, the suggested ones that still fit, then
    by priority, each remaining candidate's best stay that still fits."""
    problem, classes = ctx.problem, ctx.classes
    wanted = None if shops is None else set(shops)
    used: dict[tuple[int, int], int] = defaultdict(int)
    present: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    plan: dict[int, _Stay] = {}

    def take(ci: int, stay: _Stay) -> None:
        k, s, e = stay
        sector = problem.candidates[ci].sector
        for t in range(s, e):
            used[k, t] += 1
            here = present[classes[k].shop, t]
            here[sector] = here.get(sector, 0) + 1
        plan[ci] = stay

    for ci, stay in pinned.items():
        take(ci, stay)
    sector_of = {ci: problem.candidates[ci].sector for ci in plannable}
    for ci, (k, s, e) in suggested:
        if ci not in plan and all(_free(ctx, used, present, k, t, sector_of[ci]) for t in range(s, e)):
            take(ci, (k, s, e))
    order = sorted((ci for ci in plannable if ci not in plan), key=lambda ci: (-problem.candidates[ci].priority, ci))
    for ci in order:
        c, option = problem.candidates[ci], ctx.options[ci]
        assert isinstance(option, _Option)
        high = min(c.max_grains, ctx.grid.n)
        best: tuple[int, float, int] | None = None
        best_stay = None
        for k in option.classes:
            cl = classes[k]
            if wanted is not None and cl.shop not in wanted:
                continue
            for run in option.runs:
                for first, last in _runs(t for t in range(*run) if _free(ctx, used, present, k, t, c.sector)):
                    stay = _longest(ctx, cl.shop, first, last, c.min_grains, high)
                    if stay is None:
                        continue
                    key = (ctx.value(ci, (k, *stay)), -cl.area_m2, -k)
                    if best is None or key > best:
                        best, best_stay = key, (k, *stay)
        if best_stay is not None:
            take(ci, best_stay)
    return plan


def _free(ctx: _Context, used, present, k: int, t: int, sector: str) -> bool:
    """Whether class k has a stand free at grain t that the sector rules let a tenant of ``sector`` take."""
    cl = ctx.classes[k]
    if t in cl.blocked or used[k, t] >= len(cl.stands):
        return False
    here = dict(ctx.fixed.get((cl.shop, t), {}))
    for other, n in present.get((cl.shop, t), {}).items():
        here[other] = here.get(other, 0) + n
    return _room(ctx.problem.shops[cl.shop], sector, here)


def _longest(ctx: _Context, si: int, first: int, last: int, low: int, high: int) -> tuple[int, int] | None:
    """The longest stay of low to high grains in [first, last) that starts and ends on opening days."""
    best = None
    for s in range(first, last - low + 1):
        if not ctx.is_open(si, s):
            continue
        e = min(s + high, last)
        while e >= s + low and not ctx.is_open(si, e - 1):
            e -= 1
        if e >= s + low and (best is None or e - s > best[1] - best[0]):
            best = (s, e)
        if best is not None and best[1] - best[0] == high:
            break
    return best


def _shop_by_shop(ctx, plannable, plan, settings, time_limit_s, remaining) -> dict[int, _Stay]:
    """Solve each shop again, exactly, with the candidates no other shop holds; keep what improves.

    Block-coordinate ascent: a shop's model starts from its current stays, so
    its answer is never worse and the plan only improves. Passes stop when one
    changes nothing, or when time runs out. Deterministic runs give each shop
    a fixed share of deterministic time and ignore the clock (but for a guard
    at ten times the limit).
    """
    classes = ctx.classes
    shops = range(len(ctx.problem.shops))
    accepts = {
        si: [ci for ci in plannable if any(classes[k].shop == si for k in ctx.options[ci].classes)] for si in shops
    }
    score = ctx.score(plan)
    overhead = 0.0  # the longest model build and LP so far: no shop is started without time for it
    for _ in range(MAX_PASSES):
        improved = False
        for position, si in enumerate(shops):
            if settings.deterministic:
                budget = time_limit_s / (2 * len(shops))
                if remaining() < -9 * time_limit_s:
                    return plan
            elif remaining() < overhead + MIN_SHOP_SECONDS:
                return plan
            elsewhere = {ci: stay for ci, stay in plan.items() if classes[stay[0]].shop != si}
            allowed = [ci for ci in accepts[si] if ci not in elsewhere]
            if sum(ctx.count_stays(ci) for ci in allowed) > SHOP_MODEL_LIMIT:
                continue
            here = {ci: stay for ci, stay in plan.items() if ci not in elsewhere}
            started = remaining()
            built = _build(ctx, allowed, shops=(si,))
            here, _ = _lp_round_and_prune(ctx, built, allowed, here, shops=(si,))
            overhead = max(overhead, started - remaining())
            if not settings.deterministic:
                # a hard shop may not eat the others' time: each gets a third of an even share per pass
                share = max(time_limit_s / (3 * len(shops)), MIN_SHOP_SECONDS)
                budget = min(share, remaining() / (len(shops) - position), remaining() - 0.05)
            if budget >= MIN_SHOP_SECONDS / 2:
                _, _, found = _solve(built, budget, settings, hint=here)
                if found is not None and ctx.score(found) > ctx.score(here):
                    here = found
            new_score = ctx.score(elsewhere | here)
            if new_score > score:
                plan, score, improved = elsewhere | here, new_score, True
        if not improved:
            break
    return plan


def _flow_bound(ctx: _Context, plannable: Sequence[int]) -> int:
    """Points no plan can exceed: a max-weight flow from candidate-grains to class-grains.

    Each candidate sends at most their maximum duration, one unit per grain
    they are available, worth (1 + priority) a day, into a class with room at
    that grain (stands minus fixed bookings). Continuity, minimum durations,
    one shop per stay, sector rules and penalties are left out: a relaxation.
    """
    flow = min_cost_flow.SimpleMinCostFlow()
    nodes: dict[Any, int] = {}

    def node(key: Any) -> int:
        return nodes.setdefault(key, len(nodes))

    source, sink = node("source"), node("sink")
    supply = 0
    for ci in plannable:
        c, option = ctx.problem.candidates[ci], ctx.options[ci]
        assert isinstance(option, _Option)
        grains = [t for a, b in option.runs for t in range(a, b)]
        cap = min(c.max_grains, len(grains))
        flow.add_arc_with_capacity_and_unit_cost(source, node(ci), cap, 0)
        supply += cap
        worth = (1 + c.priority) * ctx.grid.days * POINTS_PER_DAY
        for t in grains:
            here = node((ci, t))
            flow.add_arc_with_capacity_and_unit_cost(node(ci), here, 1, -worth)
            for k in option.classes:
                cl = ctx.classes[k]
                if t not in cl.blocked and t not in ctx.shut(cl.shop, c.sector):
                    flow.add_arc_with_capacity_and_unit_cost(here, node(("class", k, t)), 1, 0)
    for key, index in list(nodes.items()):
        if isinstance(key, tuple) and key[0] == "class":
            flow.add_arc_with_capacity_and_unit_cost(index, sink, len(ctx.classes[key[1]].stands), 0)
    flow.add_arc_with_capacity_and_unit_cost(source, sink, supply, 0)  # what is not worth planning
    flow.set_node_supply(source, supply)
    flow.set_node_supply(sink, -supply)
    if flow.solve() != flow.OPTIMAL:  # pragma: no cover - a balanced network with a bypass always solves
        raise RuntimeError("the flow bound did not solve")
    return -flow.optimal_cost()


def _deal_stands(ctx: _Context, plan: Mapping[int, _Stay]) -> tuple[Booking, ...]:
    """Give each stay a stand of its class: greedy interval colouring by start.

    A class never holds more stays at a grain than it has stands, so a stand
    is always free when a stay starts: the one free the longest is taken, ties
    to the first stand, which keeps the result reproducible.
    """
    by_class: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for ci, (k, s, e) in plan.items():
        by_class[k].append((s, ci, e))
    stand_of: dict[int, int] = {}
    for k, stays in by_class.items():
        free_from = dict.fromkeys(ctx.classes[k].stands, 0)
        for s, ci, e in sorted(stays):
            ki = min((ki for ki, t in free_from.items() if t <= s), key=lambda ki: (free_from[ki], ki))
            free_from[ki] = e
            stand_of[ci] = ki
    bookings = []
    for ci in sorted(plan):
        k, s, e = plan[ci]
        shop = ctx.problem.shops[ctx.classes[k].shop]
        stand = shop.stands[stand_of[ci]]
        bookings.append(Booking(ctx.problem.candidates[ci].id, shop.id, stand.id, ctx.grid.on(s), ctx.grid.on(e)))
    return tuple(bookings)


# --- Explaining an infeasibility -------------------------------------------


class _Explainer:
    """Solves on the must-plan candidates alone, to say which of them cannot be together and why."""

    def __init__(self, ctx: _Context, settings: _Settings) -> None:
        self.ctx, self.settings = ctx, settings

    def infeasible(self, group: Sequence[int], seconds: float, relax: frozenset[str] = frozenset()) -> bool:
        ctx = self.ctx if not relax else _Context(self.ctx.problem, self.ctx.grid, self.ctx.points, relax)
        if any(isinstance(ctx.options[ci], Reason) for ci in group):
            return True
        _, status, _ = _solve(_build(ctx, group, objective=False), seconds, self.settings)
        return status == cp_model.INFEASIBLE

    def explain(self, must: Sequence[int], seconds: float) -> list[Reason]:
        """Name a small group of must-plan candidates that cannot be together, and what keeps them apart.

        Deletion: drop each candidate in turn and keep the drop when the rest
        stays infeasible; in what remains, every member counts. Then lift each
        family of rules on that group alone: the families whose lifting lets
        the group in are what blocks it. A solve that runs out of time counts
        as feasible, so the group errs on the large side.
        """
        deadline = time.perf_counter() + seconds
        step = max(seconds / (len(must) + len(RELAXATIONS) + 1), 0.05)

        def budget() -> float:
            return max(min(step, deadline - time.perf_counter()), 0.05)

        group = list(must)
        for ci in must:
            rest = [x for x in group if x != ci]
            if rest and self.infeasible(rest, budget()):
                group = rest
        blocking = tuple(
            r for r in RELAXATIONS if self._applies(r, group) and not self.infeasible(group, budget(), frozenset({r}))
        )
        params: dict[str, Any] = {
            "candidates": tuple(self.ctx.problem.candidates[ci].id for ci in group),
            "blocking": blocking or ("capacity",),
        }
        if "sector_rules" in blocking:
            params["rules"] = self._rules(group)
        return [Reason("must_plan_conflict", params)]

    def _applies(self, relaxation: str, group: Sequence[int]) -> bool:
        if relaxation == "fixed_bookings":
            return bool(self.ctx.problem.fixed)
        if relaxation == "opening_days":
            return self.ctx.grid.grain == "day"
        if relaxation == "sector_rules":
            return bool(self._rules(group))
        return True

    def _rules(self, group: Sequence[int]) -> tuple[str, ...]:
        """The sector rules, in the group's shops, that concern a sector of the group."""
        problem, ctx = self.ctx.problem, self.ctx
        sectors = {problem.candidates[ci].sector for ci in group}
        shops = {ctx.classes[k].shop for ci in group for k in _classes_of(ctx.options[ci])}
        fixed_sectors = {f.sector for f in problem.fixed}
        rules = []
        for si in sorted(shops):
            shop = problem.shops[si]
            rules += [f"{shop.id}: {_limit_words(limit)}" for limit in shop.sector_limits if limit.sectors & sectors]
            rules += [
                f"{shop.id}: not {one} with {other}"
                for one, other in shop.excluded_pairs
                if {one, other} & sectors and {one, other} <= sectors | fixed_sectors
            ]
        return tuple(rules)


def _classes_of(option: _Option | Reason) -> tuple[int, ...]:
    return option.classes if isinstance(option, _Option) else ()


def _limit_words(limit: SectorLimit) -> str:
    return f"at most {limit.at_most} of {'/'.join(sorted(limit.sectors))}"


def _fixed_rule_breaks(ctx: _Context) -> list[Reason]:
    """Fixed bookings that already break a sector rule: no plan can mend that."""
    problem, grid = ctx.problem, ctx.grid
    shop_index = {s.id: i for i, s in enumerate(problem.shops)}
    for (si, t), held in sorted(ctx.fixed.items()):
        shop = problem.shops[si]
        broken = [
            (_limit_words(lim), lim.sectors)
            for lim in shop.sector_limits
            if sum(n for s, n in held.items() if s in lim.sectors) > lim.at_most
        ]
        for one, other in shop.excluded_pairs:
            if (held.get(one, 0) > 1) if one == other else (held.get(one) and held.get(other)):
                broken.append((f"not {one} with {other}", frozenset({one, other})))
        if broken:
            rule, sectors = broken[0]
            who = tuple(
                f.holder_id
                for f in problem.fixed
                if shop_index[f.shop_id] == si and f.sector in sectors and t in range(*grid.touched(f.start, f.end))
            )
            params = {"shop": shop.id, "rule": rule, "holders": who, "start": grid.on(t), "end": grid.on(t + 1)}
            return [Reason("fixed_bookings_break_rule", params)]
    return []
