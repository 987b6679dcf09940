#!/usr/bin/env bash
# The whole test suite: lint, unit tests, every database test on SpatiaLite and
# PostGIS, and the browser tests in Chromium. Installs what it needs.
# Extra arguments go to pytest (e.g. scripts/test.sh -k auth).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# shellcheck disable=SC2046
ensure_packages $(base_packages) chromium
ensure_venv requirements-dev.txt
compile_translations

say "ruff (lint and format)"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .

# PostGIS: the server at $TEST_DATABASE_URL or 127.0.0.1:5432, else a throwaway cluster.
source "$ROOT/scripts/postgis.sh"
start_postgis
trap stop_postgis EXIT

say "pytest"
"$VENV/bin/python" -m pytest "$@"
