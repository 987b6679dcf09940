"""Benchmark of the rotation planner (popup/domain/rotation.py).

    .venv/bin/python bench/rotation.py [--runs 3] [--big-seconds 30] [--no-baseline]

(a) Lessines size: 1 shop, 5 stands, 52 weeks, 30 seeded random candidates;
    time to a proved optimum (status OPTIMAL), median of ``--runs`` solves of
    each of three instances. Target: ≤ 2 s.
(b) 10 shops × 5 stands, 52 weeks, 300 candidates (each accepts 1 to 3
    shops), a 30 s limit: time to the first complete plan, final status,
    objective, bound and gap. Target: a plan in ≤ 30 s, gap reported.
(c) Baseline in the same run: the same problems with ``num_workers=1``
    (DESIGN.md §5 asks for ≥ 8 even on 2 cores).
(d) For reference, untimed: the LP relaxation of the whole 10-shop problem,
    solved by GLOP (too slow for the planner's 30 s): a tighter bound than
    the planner reports, to tell how far from the optimum its plans are.

Every plan is checked against the hard rules with the test suite's checker.
Results are added to bench/RESULTS.md ("Rotation (issue 7)") with the date, the machine
and the load average (these machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shlex
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from popup.domain import rotation  # noqa: E402
from popup.domain.rotation import (  # noqa: E402
    Candidate,
    Horizon,
    Period,
    Plan,
    Problem,
    SectorLimit,
    Shop,
    Stand,
    plan_rotation,
)
from tests.unit.test_rotation import violations  # noqa: E402

RESULTS_SECTION = "Rotation (issue 7)"
START = date(2027, 1, 4)  # a Monday
WEEKS = 52
# The sector taxonomy of DESIGN.md §1, food weighted up: Lessines' first local need.
SECTORS = {
    "food": 3,
    "food_fresh": 3,
    "restaurant": 2,
    "fashion": 2,
    "crafts": 2,
    "culture": 1,
    "health_beauty": 1,
    "home": 1,
    "services": 1,
    "second_hand": 1,
    "other": 1,
}
RULES = (SectorLimit(frozenset({"food_fresh"}), 1), SectorLimit(frozenset({"restaurant"}), 1))


def generate(seed: int, shops: int, candidates: int, stands: int = 5) -> Problem:
    """A seeded programme: stands of 10–25 m², stays of 1–6 months, windows of a few months, jury priorities 0–10."""
    rng = random.Random(seed)
    horizon = Horizon(START, START + timedelta(weeks=WEEKS), "week")
    shop_list = []
    for s in range(shops):
        areas = [rng.choice([10, 12, 15, 15, 18, 20, 25]) for _ in range(stands)]
        shop_list.append(Shop(f"S{s}", tuple(Stand(f"S{s}-{k}", a) for k, a in enumerate(areas)), sector_limits=RULES))
    people = []
    for i in range(candidates):
        low = rng.choice([4, 8, 13, 26])  # one, two, three or six months
        high = low + rng.choice([0, 4, 8, 13])
        first = rng.randrange(0, WEEKS - low)
        last = min(WEEKS, first + low + rng.randrange(0, 30))
        window = Period(START + timedelta(weeks=first), START + timedelta(weeks=last))
        accepted = None if shops == 1 else frozenset(f"S{x}" for x in rng.sample(range(shops), rng.randint(1, 3)))
        sector = rng.choices(list(SECTORS), weights=list(SECTORS.values()))[0]
        area = rng.choice([6, 8, 10, 12, 15, 20])
        people.append(Candidate(f"C{i}", sector, area, low, high, (window,), rng.randint(0, 10), accepted))
    return Problem(horizon, tuple(shop_list), tuple(people))


def solve(problem: Problem, **kw) -> Plan:
    plan = plan_rotation(problem, **kw)
    assert isinstance(plan, Plan), plan
    broken = violations(plan, problem)
    assert not broken, broken[:5]
    return plan


def whole_lp_bound(problem: Problem) -> tuple[float, float]:
    """The LP relaxation of the one model of the whole problem (the planner's internals), and its time."""
    started = time.perf_counter()
    grid = rotation._Grid.of(problem.horizon)
    ctx = rotation._Context(problem, grid, rotation._Points.of(rotation.Weights()))
    plannable = [i for i, o in enumerate(ctx.options) if isinstance(o, rotation._Option)]
    built = rotation._build(ctx, plannable)
    relaxation = rotation._lp_relaxation(built.model)
    assert relaxation is not None
    optimum = -(relaxation[0] + built.model.proto.objective.offset)
    return optimum / rotation.POINTS_PER_DAY, time.perf_counter() - started


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "?",
    )
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} CPUs ({cpu}), {ram:.1f} GiB RAM, {platform.system()} {platform.release()}"


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="solves per Lessines instance (median)")
    parser.add_argument("--big-seconds", type=float, default=30.0, help="time limit of the 10-shop problem")
    parser.add_argument("--no-baseline", action="store_true", help="skip the num_workers=1 runs")
    parser.add_argument("--no-lp-bound", action="store_true", help="skip the untimed LP bound of (d)")
    args = parser.parse_args()
    started_at, load_before, t0 = datetime.now(UTC), load(), time.perf_counter()
    lines: list[str] = []

    # (a) Lessines size, and its 1-worker baseline interleaved run by run.
    lines += [
        "### (a) Lessines size: 1 shop, 5 stands, 52 weeks, 30 candidates, to a proved optimum",
        "",
        f"Median of {args.runs} solves per instance (time limit 20 s); target ≤ 2 s with 8 workers.",
        "",
        "| instance | workers | status | median s | all runs s | objective | planned | met |",
        "|---|---:|---|---:|---|---:|---:|---|",
    ]
    worker_counts = (8,) if args.no_baseline else (8, 1)
    medians: dict[int, list[float]] = {w: [] for w in worker_counts}
    for seed in (1, 2, 3):
        problem = generate(seed, shops=1, candidates=30)
        runs: dict[int, list[Plan]] = {w: [] for w in worker_counts}
        for run in range(args.runs):
            for workers in worker_counts:
                runs[workers].append(solve(problem, time_limit_s=20, num_workers=workers, seed=run))
        for workers in worker_counts:
            plans = runs[workers]
            times = [p.wall_time_s for p in plans]
            median = statistics.median(times)
            medians[workers].append(median)
            statuses = "/".join(sorted({p.status for p in plans}))
            optimal = all(p.status == "OPTIMAL" for p in plans)
            met = "yes" if optimal and median <= 2 else "**no**"
            planned = len({b.candidate_id for b in plans[0].bookings})
            lines.append(
                f"| lessines-{seed} | {workers} | {statuses} | {median:.2f} | "
                f"{', '.join(f'{t:.2f}' for t in times)} | {plans[0].objective:,.0f} | {planned}/30 |"
                f" {met if workers == 8 else '(baseline)'} |"
            )
    if not args.no_baseline:
        ratio = statistics.median(medians[1]) / statistics.median(medians[8])
        lines += ["", f"1 worker against 8: {ratio:.2f}× the time to a proved optimum (median over instances)."]

    # (b) 10 shops, 300 candidates, and its baseline.
    lines += [
        "",
        f"### (b) 10 shops × 5 stands, 52 weeks, 300 candidates, {args.big_seconds:.0f} s limit",
        "",
        "Objective in days of a priority-0 tenant (priority-weighted stays, penalties deducted); "
        "gap = (bound − objective) / objective.",
        "",
        "| instance | workers | method | first plan s | wall s | status | objective | bound | gap | planned | met |",
        "|---|---:|---|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    big_plans = []
    for seed in (1,):
        problem = generate(seed, shops=10, candidates=300)
        for workers in worker_counts:
            plan = solve(problem, time_limit_s=args.big_seconds, num_workers=workers)
            big_plans.append(plan)
            planned = len({b.candidate_id for b in plan.bookings})
            met = "yes" if plan.first_solution_s is not None and plan.wall_time_s <= args.big_seconds + 1 else "**no**"
            lines.append(
                f"| ten-shops-{seed} | {workers} | {plan.method} | {plan.first_solution_s:.2f} | "
                f"{plan.wall_time_s:.1f} | {plan.status} | {plan.objective:,.0f} | {plan.best_bound:,.0f} | "
                f"{plan.gap:.1%} | {planned}/300 | {met if workers == 8 else '(baseline)'} |"
            )

    if not args.no_lp_bound:
        bound, seconds = whole_lp_bound(problem)
        best = max(p.objective for p in big_plans)
        lines += [
            "",
            f"(d) LP relaxation of the whole ten-shops-1 problem (GLOP, untimed): {bound:,.0f}, "
            f"solved in {seconds:.0f} s. The best plan above is at most {(bound - best) / best:.1%} below the optimum.",
        ]

    minutes = (time.perf_counter() - t0) / 60
    versions = (
        ", ".join(f"{name} {metadata.version(name)}" for name in ("ortools", "protobuf", "numpy"))
        + f", Python {platform.python_version()}"
    )
    command = shlex.join([".venv/bin/python", "bench/rotation.py", *sys.argv[1:]])
    header = [
        f"## {started_at:%Y-%m-%d %H:%M} UTC: `{command}`",
        "",
        f"Machine: {machine()}; load average at start {load_before}, at end {load()} (shared machine). "
        f"Run took {minutes:.1f} min.",
        f"Versions: {versions}.",
        "",
    ]
    text = "\n".join([*header, *lines, "", ""])
    print(text)
    from results_md import add_run  # bench/results_md.py, beside this script

    intro = (
        "Added by `bench/rotation.py` (see its docstring for what is measured). "
        "Every plan timed here was checked against the hard rules."
    )
    add_run(RESULTS_SECTION, text, intro=intro)


if __name__ == "__main__":
    main()
