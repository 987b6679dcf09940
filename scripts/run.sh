#!/usr/bin/env bash
# From a fresh Debian/Ubuntu machine with python3 to the running app with the
# Lessines demo on http://127.0.0.1:5000.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# shellcheck disable=SC2046
ensure_packages $(base_packages)
ensure_venv requirements.txt
compile_translations

export FLASK_APP=app
say "Building the database schema (flask db upgrade)"
"$VENV/bin/flask" db upgrade >/dev/null 2>&1 || "$VENV/bin/flask" db upgrade
say "Loading the Lessines demo data"
"$VENV/bin/flask" popup seed-demo
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-5000}"
say "popup runs on http://$HOST:$PORT (Ctrl+C to stop)"
exec "$VENV/bin/flask" run --host "$HOST" --port "$PORT"
