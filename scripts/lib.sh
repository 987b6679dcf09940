# Shared helpers of scripts/run.sh and scripts/test.sh. Source it; do not run it.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# ensure_packages PKG...: install the Debian packages that are missing, as root,
# or print the one sudo line to run and stop.
ensure_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    say "Installing ${missing[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "These system packages are missing. Run this once, then try again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
}

# Packages needed to build the virtualenv itself on a bare Debian/Ubuntu.
base_packages() {
  local pkgs=(libsqlite3-mod-spatialite)
  python3 -c "import ensurepip, venv" 2>/dev/null || pkgs+=(python3-venv)
  echo "${pkgs[@]}"
}

# ensure_venv REQUIREMENTS_FILE: create .venv and install the pinned requirements
# (skipped when the requirement files did not change since the last install).
ensure_venv() {
  local req="$1"
  if [ ! -x "$PY" ]; then
    say "Creating the virtualenv in $VENV"
    python3 -m venv "$VENV"
  fi
  local stamp="$VENV/.installed-$(basename "$req")"
  local sum
  sum="$(cat "$ROOT"/requirements*.txt | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    say "Installing Python packages from $(basename "$req")"
    "$PY" -m pip install -q --upgrade pip >/dev/null
    "$PY" -m pip install -q -r "$ROOT/$req"
    echo "$sum" > "$stamp"
  fi
}

compile_translations() {
  "$PY" -m babel.messages.frontend compile -d "$ROOT/popup/translations" >/dev/null
}
