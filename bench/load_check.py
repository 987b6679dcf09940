"""Are the writes that got a success answer in the database? (bench/load.sh, after a run)

Reads the writes-*.jsonl files the locustfile wrote (one line per success
answer: an application's token and id, a payment's reference) and looks each
one up in $DATABASE_URL:

- an application: the row with that id exists, is the entrepreneur's, holds
  the token in its motivation, and was submitted;
- a payment: a row of lease_payments carries the reference.

It also looks up the applications whose answer was an error (or no answer):
the error page says nothing was saved, so it counts those saved all the same.

    python bench/load_check.py bench/out/load-fault   # prints "N of N successful writes found"

Prints a JSON summary on its last line; exits 1 when a write is missing.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url


def _connect(url: str) -> psycopg.Connection:
    u = make_url(url)
    return psycopg.connect(
        host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres", password=u.password,
        dbname=u.database, connect_timeout=5,
    )  # fmt: skip


def writes_of(log_dir: Path) -> list[dict]:
    entries = []
    for path in sorted(log_dir.glob("writes-*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                entries.append(json.loads(line))
    return entries


def check(log_dir: Path, url: str) -> dict:
    entries = writes_of(log_dir)
    acknowledged = [e for e in entries if not e["kind"].endswith("_unacknowledged")]
    unacknowledged = [e for e in entries if e["kind"].endswith("_unacknowledged")]
    missing: list[dict] = []
    found = {"application": 0, "payment": 0}
    saved_anyway: list[dict] = []
    with _connect(url) as conn:
        has_payments = conn.execute("SELECT to_regclass('lease_payments') IS NOT NULL").fetchone()[0]
        for entry in acknowledged:
            if entry["kind"] == "application":
                row = conn.execute(
                    "SELECT a.status, u.email FROM applications a JOIN users u ON u.id = a.entrepreneur_id "
                    "WHERE a.id = %s AND position(%s in a.motivation) > 0",
                    (entry["application_id"], entry["token"]),
                ).fetchone()
                ok = row is not None and row[0] == "submitted" and row[1] == entry["email"]
            elif entry["kind"] == "payment":
                ok = bool(has_payments) and (
                    conn.execute("SELECT 1 FROM lease_payments WHERE reference = %s", (entry["reference"],)).fetchone()
                    is not None
                )
            else:
                ok = False
            if ok:
                found[entry["kind"]] += 1
            else:
                missing.append(entry)
        # A request answered with an error (or not at all) should have saved nothing: the
        # error page says so. Count the ones that were saved all the same.
        for entry in unacknowledged:
            if entry["kind"] == "application_unacknowledged":
                hit = conn.execute(
                    "SELECT id FROM applications WHERE position(%s in motivation) > 0", (entry["token"],)
                ).fetchone()
                if hit is not None:
                    saved_anyway.append({**entry, "application_id": hit[0]})
    return {
        "writes": len(acknowledged),
        "found": sum(found.values()),
        "applications": found["application"],
        "payments": found["payment"],
        "missing": missing,
        "unacknowledged": len(unacknowledged),
        "unacknowledged_statuses": dict(Counter(str(e.get("status")) for e in unacknowledged)),
        "saved_anyway": saved_anyway,
    }


def main() -> int:
    log_dir = Path(sys.argv[1])
    url = os.environ["DATABASE_URL"]
    result = check(log_dir, url)
    print(
        f"{result['found']} of {result['writes']} successful writes found "
        f"({result['applications']} applications, {result['payments']} payments)"
    )
    print(
        f"{result['unacknowledged']} writes answered with an error or not at all "
        f"({result['unacknowledged_statuses']}): {len(result['saved_anyway'])} of them saved all the same"
    )
    for entry in result["missing"]:
        print(f"MISSING: {json.dumps(entry)}")
    for entry in result["saved_anyway"]:
        print(f"SAVED THOUGH NOT ACKNOWLEDGED: {json.dumps(entry)}")
    print(json.dumps(result))
    return 0 if not result["missing"] else 1


if __name__ == "__main__":
    sys.exit(main())
