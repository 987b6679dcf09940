#!/usr/bin/env bash
# Re-extract the UI strings and update the fr, nl and en catalogs.
# Then translate the new (empty) entries in fr and nl; tests/unit/test_i18n.py fails on any left.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
# Run from the repository root: babel.cfg's patterns are relative to it.
"$VENV/bin/pybabel" extract -q -F babel.cfg -k _l -o popup/translations/messages.pot --no-location --sort-output . 2>/dev/null \
  || "$VENV/bin/pybabel" extract -F babel.cfg -k _l -o popup/translations/messages.pot --no-location --sort-output .
"$VENV/bin/pybabel" update -i popup/translations/messages.pot -d popup/translations --no-fuzzy-matching
"$VENV/bin/python" -m babel.messages.frontend compile -d popup/translations --statistics
