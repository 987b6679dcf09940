#!/usr/bin/env bash
# Vulnerability scan of the running app with wapiti (issue 9, point 7). From the repository root:
#
#   bash scripts/security_scan.sh              # anonymous and staff scans, 600 s each (50 s per module), side by side
#   SCAN_MAX_TIME=120 bash scripts/security_scan.sh   # shorter, to check that the script works
#
# 1. Installs wapiti3 (pinned below) into its own virtualenv, bench/out/venv-scan:
#    never into .venv (wapiti pins its own httpx, sqlalchemy, ...).
# 2. Builds a THROWAWAY SQLite demo database in a temporary directory
#    (`flask db upgrade`, `flask popup seed-demo`, as scripts/run.sh does).
# 3. Starts gunicorn in production mode (POPUP_ENV=production, a random
#    SECRET_KEY) on https://127.0.0.1:8766 with a self-signed certificate made for
#    the run: production cookies are Secure, so the scanner must speak https to
#    stay logged in, and HSTS and the cookie flags are those a commune would serve.
#    Notification emails go to a local SMTP sink. The rate limits of the login and
#    of the residents' forms are raised so that wapiti's payloads reach the code
#    instead of a 429 (see docs/security-scan.md).
# 4. Runs wapiti twice, side by side: anonymously, and logged in as the demo staff
#    user through the login form (wapiti reads the form, CSRF token included).
#    Logout, password change and account erasure are excluded from the staff scan
#    (they would end its session).
# 5. Writes bench/out/scan/{anonymous,staff}.json, wapiti's logs and
#    bench/out/scan/summary.txt (counts per category, every finding); not committed.
#
# Everything it starts (gunicorn, the SMTP sink) is stopped on exit.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

WAPITI_VERSION=3.2.3
PORT="${SCAN_PORT:-8766}"
SMTP_PORT="${SCAN_SMTP_PORT:-8027}"
MAX_TIME="${SCAN_MAX_TIME:-600}"
MODULES="${SCAN_MODULES:-common,csp,http_headers,cookieflags,csrf,methods,crlf}"
OUT="$ROOT/bench/out/scan"
SCAN_VENV="$ROOT/bench/out/venv-scan"
BASE="https://127.0.0.1:$PORT/"
STAFF_EMAIL="staff@demo.popup.example"
STAFF_PASSWORD="lessines-demo"

# shellcheck disable=SC2046
ensure_packages $(base_packages) openssl
ensure_venv requirements-dev.txt
compile_translations
mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.log "$OUT/summary.txt"  # nothing of a previous run mixes in

# -- wapiti, in its own virtualenv --------------------------------------------------
if [ "$("$SCAN_VENV/bin/wapiti" --version 2>/dev/null | tail -1)" != "$WAPITI_VERSION" ]; then
  say "Installing wapiti3==$WAPITI_VERSION into $SCAN_VENV"
  python3 -m venv "$SCAN_VENV"
  "$SCAN_VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$SCAN_VENV/bin/python" -m pip install -q "wapiti3==$WAPITI_VERSION"
fi

# -- the throwaway demo database and certificate ------------------------------------
WORK="$(mktemp -d)"
GUNICORN_PID=""
SMTP_PID=""
cleanup() {
  [ -n "$GUNICORN_PID" ] && kill "$GUNICORN_PID" 2>/dev/null && wait "$GUNICORN_PID" 2>/dev/null || true
  [ -n "$SMTP_PID" ] && kill "$SMTP_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

if "$PY" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $PORT)) != 0)"; then
  echo "Something already answers on port $PORT. Stop it or set SCAN_PORT." >&2
  exit 1
fi

export DATABASE_URL="sqlite:///$WORK/scan.sqlite"
say "Throwaway demo database in $WORK (db upgrade, seed-demo)"
"$VENV/bin/flask" --app app db upgrade >/dev/null 2>&1
"$VENV/bin/flask" --app app popup seed-demo > "$OUT/seed.log"
head -1 "$OUT/seed.log"

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null

# -- the app, in production mode ----------------------------------------------------
"$PY" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Sink &
SMTP_PID=$!
export POPUP_ENV=production
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_hex(32))')"
export SECRET_KEY
export MAIL_SERVER=127.0.0.1 MAIL_PORT="$SMTP_PORT"
export LOGIN_RATE_LIMIT="10000 per minute" REPORT_RATE_LIMIT="10000 per hour" WISH_RATE_LIMIT="10000 per hour"
export REPORT_MIN_FILL_S=0
say "gunicorn (production mode) on $BASE"
"$VENV/bin/gunicorn" -w 2 -b "127.0.0.1:$PORT" --certfile "$WORK/cert.pem" --keyfile "$WORK/key.pem" \
  --access-logfile "$OUT/access.log" --error-logfile "$OUT/gunicorn.log" app:app &
GUNICORN_PID=$!
for _ in $(seq 60); do
  curl -skf "${BASE}healthz" >/dev/null 2>&1 && break
  sleep 1
done
curl -skf "${BASE}healthz" >/dev/null || { echo "gunicorn did not start: see $OUT/gunicorn.log" >&2; exit 1; }

# -- the scans ----------------------------------------------------------------------
WAPITI=("$SCAN_VENV/bin/wapiti" --no-bugreport --verify-ssl 0 --scope folder -m "$MODULES"
  --max-scan-time "$MAX_TIME" --max-attack-time "${SCAN_MAX_ATTACK_TIME:-$((MAX_TIME / 12))}" --flush-session -f json -v 1)
say "wapiti $WAPITI_VERSION, modules $MODULES, at most $MAX_TIME s per scan: anonymous and staff side by side"
"${WAPITI[@]}" -u "$BASE" --store-session "$OUT/session-anonymous" \
  -o "$OUT/anonymous.json" > "$OUT/anonymous.log" 2>&1 &
ANON_PID=$!
"${WAPITI[@]}" -u "$BASE" --store-session "$OUT/session-staff" \
  --form-url "${BASE}login" --form-user "$STAFF_EMAIL" --form-password "$STAFF_PASSWORD" \
  -x "${BASE}logout" -x "${BASE}account/erase" -x "${BASE}account/password" \
  -o "$OUT/staff.json" > "$OUT/staff.log" 2>&1 &
STAFF_PID=$!
status=0
wait "$ANON_PID" || status=$?
wait "$STAFF_PID" || status=$?
# wapiti judges a login by an English "logout" text on the page: popup answers in French, so it
# says "Login failed" even when it worked. The access log tells: staff-only pages answered 200.
say "Staff-only pages (/audit, /c/lessines/dashboard) answered 200 $(grep -cE '"GET /(audit|c/lessines/dashboard)[ ?].* 200 ' "$OUT/access.log" || true) times"

"$PY" "$ROOT/scripts/security_scan_summary.py" "$OUT/anonymous.json" "$OUT/staff.json" | tee "$OUT/summary.txt"
say "Reports in $OUT (summary.txt, anonymous.json, staff.json, *.log)"
exit "$status"
