#!/usr/bin/env bash
# Benchmarks of popup (not part of the test suite). From the repository root:
#
#   bash bench/run.sh          # quick: 10,000 and 100,000 units (~5 min)
#   bash bench/run.sh full     # the issue's sizes: 10,000 and 1,000,000 units (~15 min)
#   bash bench/run.sh smoke    # tiny sizes, to check that the scripts run
#
# Builds a SQLite + SpatiaLite file in bench/out/ and the PostGIS database
# $BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/popup_bench;
# a throwaway cluster where no server answers), both from scratch with
# `flask db upgrade` and `flask popup synth`, then measures (bench/bench.py):
# (a) /api/v1/units latency against the raw query, (b) /map against /healthz
# under wrk, (c) the map page's size, (d) import-units on a 100,000-row CSV.
# Results are appended to bench/RESULTS.md (raw JSON and profiles in bench/out/).
# Extra arguments go to bench/bench.py (e.g. --engines sqlite).
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

MODE="${1:-quick}"
shift || true

# shellcheck disable=SC2046
ensure_packages $(base_packages) wrk
ensure_venv requirements-dev.txt
compile_translations

source "$ROOT/scripts/postgis.sh"
export TEST_DATABASE_URL="${BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/popup_bench}"
start_postgis
trap stop_postgis EXIT
export BENCH_DATABASE_URL="$TEST_DATABASE_URL"

say "Benchmarks ($MODE); results go to bench/RESULTS.md"
"$PY" "$ROOT/bench/bench.py" "$MODE" "$@"
