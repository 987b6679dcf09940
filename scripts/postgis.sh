# PostGIS for the test suite. Source it after lib.sh; call start_postgis, and
# stop_postgis on exit. Uses the server at $TEST_DATABASE_URL (default
# 127.0.0.1:5432, user postgres); where none answers, starts a throwaway cluster.

PG_THROWAWAY_DIR=""

start_postgis() {
  export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/popup_test}"
  local major
  if major="$("$PY" "$ROOT/scripts/pg_prepare.py" probe "$TEST_DATABASE_URL" 2>/dev/null)"; then
    ensure_packages "postgresql-$major-postgis-3"
  else
    say "No PostgreSQL answers at $TEST_DATABASE_URL: starting a throwaway cluster"
    ensure_packages postgresql
    local initdb
    initdb="$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)"
    major="$(basename "$(dirname "$(dirname "$initdb")")")"
    ensure_packages "postgresql-$major-postgis-3"
    PG_THROWAWAY_DIR="$(mktemp -d /tmp/popup-pg.XXXXXX)"
    local as=()
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres: "$PG_THROWAWAY_DIR"
      as=(runuser -u postgres --)
    fi
    local bin
    bin="$(dirname "$initdb")"
    "${as[@]}" "$bin/initdb" -D "$PG_THROWAWAY_DIR/data" -A trust -U postgres >/dev/null
    "${as[@]}" "$bin/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -l "$PG_THROWAWAY_DIR/log" -w \
      -o "-p 54329 -k $PG_THROWAWAY_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    export TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:54329/popup_test"
  fi
  "$PY" "$ROOT/scripts/pg_prepare.py" create "$TEST_DATABASE_URL"
}

stop_postgis() {
  [ -n "$PG_THROWAWAY_DIR" ] || return 0
  local as=()
  [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
  local bin
  bin="$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -1)")"
  "${as[@]}" "$bin/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PG_THROWAWAY_DIR"
}
