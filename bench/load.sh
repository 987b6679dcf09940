#!/usr/bin/env bash
# Load and fault test of popup under gunicorn + PostGIS (issue 9, point 6). From the repository root:
#
#   bash bench/load.sh          # about 8 minutes: worker class, normal run, fault run, check
#   bash bench/load.sh quick    # short runs (30 s), to check that the scripts work; figures mean little
#
# 1. Installs locust (bench/requirements-load.txt) into its own virtualenv,
#    bench/out/venv-load: never into .venv (locust brings gevent and its own pins).
# 2. Starts a THROWAWAY PostgreSQL 15 + PostGIS cluster on 127.0.0.1:54331 with
#    its files in bench/out/pg (as the postgres user when run as root); the
#    machine's own server on 5432 is never touched. Builds the database
#    popup_load from scratch: `flask db upgrade`, `popup seed-demo`,
#    `popup synth --units 10000`, then bench/load_setup.py (120 entrepreneurs
#    with complete profiles, 5 staff, published offers, an open call;
#    credentials in bench/out/load-users.json).
# 3. bench/load_run.py: gunicorn (POPUP_ENV=production, 2 workers) on
#    127.0.0.1:8765 under locust (bench/locustfile.py, 100 users): sync against
#    gthread workers, a normal run, a run with PostgreSQL restarted in the middle,
#    and bench/load_check.py (every write that got a success answer is there).
#    A dated section is appended to bench/RESULTS.md; logs and raw figures stay
#    in bench/out/. Exits 1 when a target is missed.
#
# Everything it starts (SMTP sink, gunicorn, the cluster) is stopped on exit.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

MODE="${1:-full}"
case "$MODE" in full | quick) ;; *) echo "usage: bash bench/load.sh [full|quick]" >&2; exit 2 ;; esac
PG_MAJOR=15
PG_PORT="${LOAD_PG_PORT:-54331}"
OUT="$ROOT/bench/out"
PG_DIR="$OUT/pg"
PG_BIN="/usr/lib/postgresql/$PG_MAJOR/bin"
LOAD_VENV="$OUT/venv-load"
SMTP_PORT="${LOAD_SMTP_PORT:-8026}"

# shellcheck disable=SC2046
ensure_packages $(base_packages) "postgresql-$PG_MAJOR" "postgresql-$PG_MAJOR-postgis-3"
ensure_venv requirements-dev.txt
compile_translations
mkdir -p "$OUT"

# -- locust, in its own virtualenv -------------------------------------------------
stamp="$LOAD_VENV/.installed-requirements-load.txt"
sum="$(sha256sum bench/requirements-load.txt | cut -d' ' -f1)"
if [ ! -x "$LOAD_VENV/bin/locust" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
  say "Installing locust into $LOAD_VENV"
  python3 -m venv "$LOAD_VENV"
  "$LOAD_VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$LOAD_VENV/bin/python" -m pip install -q -r bench/requirements-load.txt
  echo "$sum" > "$stamp"
fi

# -- the throwaway cluster ---------------------------------------------------------
AS=()
[ "$(id -u)" -eq 0 ] && AS=(runuser -u postgres --)
pg_ctl() { "${AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" "$@"; }

SMTP_PID=""
cleanup() {
  [ -n "$SMTP_PID" ] && kill "$SMTP_PID" 2>/dev/null || true
  if [ -f "$PG_DIR/data/postmaster.pid" ]; then
    pg_ctl -m fast stop >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

if [ -f "$PG_DIR/data/postmaster.pid" ]; then
  say "Stopping the cluster a previous run left in $PG_DIR"
  pg_ctl -m fast stop >/dev/null 2>&1 || true
fi
if "$PY" "$ROOT/scripts/pg_prepare.py" probe "postgresql://postgres@127.0.0.1:$PG_PORT/postgres" >/dev/null 2>&1; then
  echo "Something already answers on port $PG_PORT: not this script's cluster. Stop it or set LOAD_PG_PORT." >&2
  exit 1
fi
say "Throwaway PostgreSQL $PG_MAJOR + PostGIS on 127.0.0.1:$PG_PORT ($PG_DIR)"
rm -rf "$PG_DIR"
mkdir -p "$PG_DIR"
[ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"
"${AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres >/dev/null
pg_ctl -l "$PG_DIR/log" -w -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null

export DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/popup_load"
"$PY" "$ROOT/scripts/pg_prepare.py" create "$DATABASE_URL"

say "Building the database: db upgrade, seed-demo, synth --units 10000, load_setup"
FLASK=("$VENV/bin/flask" --app app)
"${FLASK[@]}" db upgrade >/dev/null
"${FLASK[@]}" popup seed-demo > "$OUT/load-seed.log"
head -1 "$OUT/load-seed.log"
"${FLASK[@]}" popup synth --units 10000 > "$OUT/load-synth.log" 2>&1
tail -1 "$OUT/load-synth.log"
"$PY" bench/load_setup.py "$OUT/load-users.json"

# -- an SMTP server that accepts and drops the notification emails ------------------
"$PY" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Sink &
SMTP_PID=$!

export MAIL_SERVER=127.0.0.1 MAIL_PORT="$SMTP_PORT"
export LOAD_LOCUST="$LOAD_VENV/bin/locust"
export LOAD_USERS="$OUT/load-users.json"
export LOAD_PG_RESTART="${AS[*]} $PG_BIN/pg_ctl -D $PG_DIR/data -l $PG_DIR/log -w -m fast restart"
export LOAD_COMMAND="bash bench/load.sh${1:+ $1}"
say "Load and fault runs ($MODE); the report is appended to bench/RESULTS.md"
"$PY" bench/load_run.py "$MODE"
