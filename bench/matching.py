"""Benchmark of popup.domain.matching: scores and assignment, end to end.

Run from the project root::

    .venv/bin/python bench/matching.py            # prints a report, adds it to bench/RESULTS.md ("Matching (issue 5)")
    .venv/bin/python bench/matching.py --no-write # prints only

Sizes (random but seeded, realistic data):

- large: 5,000 applications x 500 offers of 4 stands (2,000 stands), about 5 % of the
  entrepreneurs with two applications. Target: scores + assignment <= 2 s.
- Lessines: 30 applications x 1 shop of 5 stands. Target: well under 100 ms.

Timings are the median of ``--runs`` runs (5 by default; 50 for the Lessines size) of
``score_matrix`` (2 threads, the target being for 2 cores), of ``assign`` on its result,
and of both end to end: wall time, and the process's CPU time (on a busy shared machine
the CPU time of a single-threaded step is closer to what it would take alone). The
baseline, measured in the same run, is scipy's ``linear_sum_assignment`` alone on a
random float matrix of the same shape: the machine is shared and noisy, so the ratio
says more than the seconds. Peak memory: tracemalloc over one extra end-to-end run
(numpy reports its buffers to it), and the process's ru_maxrss at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime
from fractions import Fraction
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from scipy.optimize import linear_sum_assignment  # noqa: E402

from popup.domain.matching import SCALE, Candidate, StandSlot, Weights, assign, score_matrix  # noqa: E402
from popup.domain.money import allocate  # noqa: E402

RESULTS_SECTION = "Matching (issue 5)"
SECTORS = {  # relative frequency among applicants
    "food": 10,
    "food_fresh": 6,
    "restaurant": 8,
    "fashion": 14,
    "crafts": 14,
    "culture": 6,
    "health_beauty": 10,
    "home": 8,
    "services": 8,
    "second_hand": 10,
    "other": 6,
}
LOCAL_NEEDS = ("food_fresh", "food", "crafts")
WEEKS = (frozenset({1, 2, 3, 4, 5}), frozenset({2, 3, 4, 5, 6}), frozenset(range(6)), frozenset({3, 4, 5}))
WEIGHTS = Weights(area=3, budget=3, dates=2, sector=2, local_need=2, diversity=1, core=1, days=1, jury=3)
MIN_SCORE = 0.4
WORKERS = 2


def month_start(rng: random.Random, first: int, last: int) -> date:
    month = rng.randint(first, last)  # months counted from January 2027 (0)
    return date(2027 + month // 12, month % 12 + 1, 1)


def make_stands(rng: random.Random, offers: int, stands_per_offer: int, cores: int) -> list[StandSlot]:
    stands = []
    sectors = list(SECTORS)
    for offer_id in range(1, offers + 1):
        unit_area = rng.uniform(60, 200)
        cuts = [rng.uniform(0.6, 1.4) for _ in range(stands_per_offer)]
        areas = [round(unit_area * c / sum(cuts), 1) for c in cuts]
        rent = rng.randrange(80_000, 350_000, 500)
        shares = allocate(rent, [Fraction(a).limit_denominator(10) for a in areas])
        start = month_start(rng, 0, 8)
        until = (
            None if rng.random() < 0.1 else date(start.year + (start.month + 5) // 12, (start.month + 5) % 12 + 1, 1)
        )
        allowed = frozenset(rng.sample(sectors, rng.randint(2, 4))) if rng.random() < 0.3 else frozenset()
        excluded = frozenset(rng.sample(sorted(set(sectors) - allowed), 1)) if rng.random() < 0.3 else frozenset()
        core = None if rng.random() < 0.1 else rng.randint(1, cores)
        days = rng.choice(WEEKS)
        cotenants = tuple(rng.sample(sectors, rng.randint(1, 2))) if rng.random() < 0.3 else ()
        for k in range(stands_per_offer):
            stands.append(
                StandSlot(
                    stand_id=offer_id * 10 + k,
                    offer_id=offer_id,
                    area_m2=areas[k],
                    rent_share_cents=shares[k],
                    available_from=start,
                    available_until=until,
                    allowed_sectors=allowed,
                    excluded_sectors=excluded,
                    core_id=core,
                    opening_days=days,
                    cotenant_sectors=cotenants,
                )
            )
    return stands


def make_candidates(rng: random.Random, count: int, cores: int) -> list[Candidate]:
    sectors, frequencies = list(SECTORS), list(SECTORS.values())
    candidates = []
    entrepreneur = 0
    for application_id in range(1, count + 1):
        if application_id == 1 or rng.random() >= 0.05:
            entrepreneur += 1  # else a second application of the previous entrepreneur
        low = rng.uniform(8, 30)
        has_area = rng.random() >= 0.1
        flexible = rng.random() < 0.1
        candidates.append(
            Candidate(
                application_id=application_id,
                entrepreneur_id=entrepreneur,
                sector=rng.choices(sectors, frequencies)[0],
                area_min_m2=round(low, 1) if has_area else None,
                area_max_m2=round(low + rng.uniform(5, 30), 1) if has_area else None,
                budget_cents=None if rng.random() < 0.1 else rng.randrange(20_000, 120_000, 1000),
                wanted_start_on=None if flexible else month_start(rng, 0, 9),
                test_months=None if flexible else rng.choice((3, 6, 9, 12)),
                preferred_core_ids=frozenset(rng.sample(range(1, cores + 1), rng.randint(0, min(3, cores)))),
                opening_days=frozenset() if rng.random() < 0.2 else rng.choice(WEEKS),
                jury_score=Fraction(rng.randint(10, 50), 10) if rng.random() < 0.6 else None,
            )
        )
    return candidates


def median_seconds(action: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """Median wall time, median CPU time (all threads of the process), and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        result = action()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def peak_traced(action: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(name: str, candidates: list[Candidate], stands: list[StandSlot], runs: int) -> dict[str, Any]:
    def scored() -> Any:
        return score_matrix(candidates, stands, WEIGHTS, LOCAL_NEEDS, workers=WORKERS)

    score_s, score_cpu, scores = median_seconds(scored, runs)
    assign_s, assign_cpu, result = median_seconds(lambda: assign(scores, MIN_SCORE), runs)
    total_s, total_cpu, _ = median_seconds(lambda: assign(scored(), MIN_SCORE), runs)
    peak = peak_traced(lambda: assign(scored(), MIN_SCORE))
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    rng = np.random.default_rng(0)
    random_matrix = rng.random((len(candidates), len(stands)))
    baseline_s, _, _ = median_seconds(lambda: linear_sum_assignment(random_matrix, maximize=True), runs)
    solver = {
        order: median_seconds(lambda cost=cost: linear_sum_assignment(cost), runs)[1]
        for order, cost in solver_inputs(scores).items()
    }
    possible = int((scores.micros >= 0).sum())
    return {
        "name": name,
        "applications": len(candidates),
        "entrepreneurs": len(set(scores.entrepreneur_ids)),
        "runs": runs,
        "stands": len(stands),
        "offers": len(set(scores.offer_ids)),
        "possible_share": possible / max(1, scores.micros.size),
        "pairs": len(result.pairs),
        "total": result.total,
        "clashes": len(result.sector_clashes),
        "score_s": score_s,
        "assign_s": assign_s,
        "total_s": total_s,
        "score_cpu": score_cpu,
        "assign_cpu": assign_cpu,
        "total_cpu": total_cpu,
        "baseline_s": baseline_s,
        "peak_bytes": peak,
        "maxrss_bytes": maxrss,
        "solver_cpu": solver,
    }


def solver_inputs(scores: Any) -> dict[str, np.ndarray]:
    """The cost matrix assign() hands to the solver, in three row orders (every application a row of its own)."""
    best = np.where(scores.micros >= round(MIN_SCORE * SCALE), scores.micros, -1)
    if best.shape[0] > best.shape[1]:
        best = np.ascontiguousarray(best.T)
    k = float(min(best.shape) + 1)
    cost = np.subtract(SCALE, best, dtype=np.float64) * k
    np.putmask(cost, best < 0, k * SCALE + 1)
    ascending = np.argsort(np.maximum(best, 0).sum(axis=1), kind="stable")
    return {"id": cost, "ascending (used)": cost[ascending], "descending": cost[ascending[::-1]]}


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{mem_kib / 1024**2:.1f} GiB RAM"
    except OSError:
        ram = "RAM unknown"
    return f"{os.cpu_count()} CPUs ({cpu}), {ram}, {platform.system()} {platform.release()}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}" if seconds >= 0.01 else f"{seconds * 1000:.3f}"


def size(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:.1f} MiB" if n_bytes >= 2**20 else f"{n_bytes / 2**10:.0f} KiB"


def report(rows: list[dict[str, Any]], argv: list[str], load_before: str, seconds: float) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    versions = (
        ", ".join(f"{name} {metadata.version(name)}" for name in ("numpy", "scipy"))
        + f", Python {platform.python_version()}"
    )
    lines = [
        f"## {stamp}: `.venv/bin/python bench/matching.py{' ' + ' '.join(argv) if argv else ''}`",
        "",
        f"Machine: {machine()}; load average at start {load_before}, at end {load()} (shared machine). "
        f"Run took {seconds:.0f} s.",
        f"Versions: {versions}.",
        f"Weights {WEIGHTS.as_dict()}, local needs {list(LOCAL_NEEDS)}, min score {MIN_SCORE}; "
        f"scoring on {WORKERS} threads; baseline: `linear_sum_assignment` alone on a random float matrix of the "
        "same shape. CPU: the process's CPU time (both threads while scoring).",
        "",
        "| size | applications (entrepreneurs) × stands (offers) | possible pairs | pairs made | runs | "
        "score ms (CPU) | assign ms (CPU) | end to end ms (CPU) | baseline ms | end to end / baseline | "
        "tracemalloc peak | ru_maxrss | target | met (wall) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        target = 2.0 if row["name"] == "large" else 0.1
        lines.append(
            f"| {row['name']} | {row['applications']:,} ({row['entrepreneurs']:,}) × {row['stands']:,} "
            f"({row['offers']:,}) | {row['possible_share']:.0%} | {row['pairs']:,} | {row['runs']} | "
            f"{ms(row['score_s'])} ({ms(row['score_cpu'])}) | {ms(row['assign_s'])} ({ms(row['assign_cpu'])}) | "
            f"{ms(row['total_s'])} ({ms(row['total_cpu'])}) | {ms(row['baseline_s'])} | "
            f"{row['total_s'] / row['baseline_s']:.1f}× | {size(row['peak_bytes'])} | {size(row['maxrss_bytes'])} | "
            f"≤ {target * 1000:.0f} ms | {'yes' if row['total_s'] <= target else '**no**'} |"
        )
    lines += [
        "",
        "The solver alone (CPU ms, median) on the cost matrix `assign` builds, by the order of its rows "
        "(every application a row of its own here): "
        + "; ".join(
            f"{row['name']}: " + ", ".join(f"{order} {ms(cpu)}" for order, cpu in row["solver_cpu"].items())
            for row in rows
        )
        + ".",
    ]
    lines += [
        "",
        "tracemalloc peak: one end-to-end run (scores + assignment). ru_maxrss: the process's peak resident "
        "memory so far (interpreter, data, all runs), read after that size's runs.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print the report without appending it")
    args = parser.parse_args()

    load_before, started = load(), time.perf_counter()
    # The small size first, so that its ru_maxrss is not the large one's; one seeded generator per size.
    rng = random.Random(7860)
    lessines = measure(
        "Lessines", make_candidates(rng, 30, cores=1), make_stands(rng, 1, 5, cores=1), max(args.runs, 50)
    )
    rng = random.Random(20270101)
    large = measure("large", make_candidates(rng, 5000, cores=20), make_stands(rng, 500, 4, cores=20), args.runs)
    text = report([large, lessines], sys.argv[1:], load_before, time.perf_counter() - started)
    print(text)
    if not args.no_write:
        from results_md import add_run  # bench/results_md.py, beside this script

        add_run(RESULTS_SECTION, text, intro="Runs of `bench/matching.py`.")


if __name__ == "__main__":
    main()
