"""What SpatiaLite's triggers on ``units`` cost a bulk insert (SQLite only).

SpatiaLite keeps its R*Tree and metadata up to date with triggers on every
geometry column: ``gii_*`` (R*Tree insert), ``ggi_*`` (geometry type and SRID
check), ``tmi_*`` (a timestamp in ``geometry_columns_time``), for ``location``
and for ``footprint`` even when it is NULL. This measures raw ``executemany``
inserts with all of them, then with each group dropped, on a scratch database
of its own (bench/out/triggers.sqlite, rebuilt by ``flask db upgrade``): the app's
databases keep every trigger, since the API needs the index to be right.

    .venv/bin/python bench/spatialite_triggers.py [N] [ROUNDS]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from time import perf_counter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, text  # noqa: E402

from popup import create_app, synth  # noqa: E402
from popup.extensions import db  # noqa: E402
from popup.units.models import Unit  # noqa: E402

SCRATCH = ROOT / "bench" / "out" / "triggers.sqlite"
COLUMNS = (
    "commune_id, external_id, address, street, location, floor_area_m2, frontage_m, ground_floor, status, "
    "status_changed_at, asking_rent_cents, public_description, has_water, has_kitchen, step_free_access, "
    "has_shop_window, is_demo, created_at"
)
INSERT = f"INSERT INTO units ({COLUMNS}) VALUES (?, ?, ?, ?, ST_GeomFromText(?, 4326), " + ", ".join(["?"] * 13) + ")"


def measure(n: int = 20_000, rounds: int = 2) -> dict:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SCRATCH}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{SCRATCH}"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    os.environ["DATABASE_URL"] = url
    app = create_app()
    town = synth.town_by_key("lessines")
    units = list(synth.generate_units(town, n, seed=5, today=date(2025, 6, 1)))
    best: dict[str, float] = {}
    with app.test_request_context(method="POST"):
        commune, _ = synth._ensure_commune(town, 5)
        db.session.commit()
        triggers = dict(
            db.session.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'units'")
            ).all()
        )
        db.session.commit()
        groups = {
            "all triggers": [],
            "without tmi_* (geometry_columns_time)": [t for t in triggers if t.startswith("tmi_")],
            "without ggi_* (type and SRID checks)": [t for t in triggers if t.startswith("ggi_")],
            "without gii_* (R*Tree)": [t for t in triggers if t.startswith("gii_")],
            "without footprint's triggers": [t for t in triggers if t.endswith("_footprint")],
            "without any trigger": [t for t in triggers if t[:3] in ("tmi", "ggi", "gii")],
        }
        for round_ in range(rounds):
            for label, dropped in groups.items():
                rows = [
                    (
                        commune.id,
                        f"T{round_}-{u.number}",
                        u.address,
                        u.street,
                        f"POINT({u.lon!r} {u.lat!r})",
                        u.floor_area_m2,
                        u.frontage_m,
                        u.ground_floor,
                        u.status,
                        "2025-01-01 12:00:00",
                        u.asking_rent_cents,
                        "",
                        u.has_water,
                        u.has_kitchen,
                        u.step_free_access,
                        u.has_shop_window,
                        True,
                        "2025-01-01 12:00:00",
                    )
                    for u in units
                ]
                connection = db.session.connection().connection.driver_connection
                for name in dropped:
                    connection.execute(f'DROP TRIGGER "{name}"')
                started = perf_counter()
                cursor = connection.cursor()
                cursor.executemany(INSERT, rows)
                elapsed = perf_counter() - started
                for name in dropped:
                    connection.execute(triggers[name])
                db.session.execute(delete(Unit).where(Unit.commune_id == commune.id))
                db.session.commit()
                best[label] = max(best.get(label, 0.0), n / elapsed)
        version = db.session.execute(text("SELECT spatialite_version()")).scalar()
    return {"spatialite": version, "units": n, "rounds": rounds, "rows_per_s": best}


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    print(json.dumps(measure(n, rounds), indent=2))
