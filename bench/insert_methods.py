"""Which way of sending geometries makes bulk inserts of units fastest, per engine.

Measured inside a transaction that is rolled back, on the database the app at
``DATABASE_URL`` uses (its schema must be built). Every variant inserts the same
units with one Core ``executemany``; the variants take turns, ``rounds`` times,
and the best round of each counts (the machine is shared and noisy).

    DATABASE_URL=... .venv/bin/python bench/insert_methods.py [N] [ROUNDS]
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from time import perf_counter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import bindparam, func, insert, select, text  # noqa: E402

from popup import create_app, geo, synth  # noqa: E402
from popup.extensions import db  # noqa: E402
from popup.units.models import Unit  # noqa: E402

TODAY = date(2025, 6, 1)

VARIANTS = {
    "wkb": "geo.point(lon, lat): WKB elements (GeoAlchemy2 turns them into EWKT through shapely)",
    "ewkt": "'SRID=4326;POINT(lon lat)' strings through the column's own ST_GeomFromEWKT (popup.synth uses this)",
    "wkt": "ST_GeomFromText(:wkt, 4326), the WKT as a plain parameter",
    "wkt_returning": "as wkt, plus RETURNING units.id (insertmanyvalues, sort_by_parameter_order)",
}


def _rows(commune_id: int, units: list[synth.SynthUnit], variant: str, tag: str) -> list[dict]:
    now = datetime.now(UTC)
    rows = []
    for u in units:
        row = {
            "commune_id": commune_id,
            "external_id": f"{tag}-{u.number}",
            "address": u.address,
            "street": u.street,
            "activity": u.activity,
            "floor_area_m2": u.floor_area_m2,
            "frontage_m": u.frontage_m,
            "ground_floor": u.ground_floor,
            "status": u.status,
            "status_changed_at": now,
            "asking_rent_cents": u.asking_rent_cents,
            "owner_id": None,
            "public_description": u.public_description,
            "has_water": u.has_water,
            "has_kitchen": u.has_kitchen,
            "step_free_access": u.step_free_access,
            "has_shop_window": u.has_shop_window,
            "is_demo": True,
            "created_at": now,
        }
        if variant == "wkb":
            row["location"] = geo.point(u.lon, u.lat)
        elif variant == "ewkt":
            row["location"] = f"SRID={geo.SRID};POINT({u.lon!r} {u.lat!r})"
        else:
            row["wkt"] = f"POINT({u.lon!r} {u.lat!r})"
        rows.append(row)
    return rows


def measure(n: int = 20_000, rounds: int = 3) -> dict:
    """Units per second of each variant (best round), on the app's database."""
    app = create_app()
    town = synth.town_by_key("lessines")
    units = list(synth.generate_units(town, n, seed=99, today=TODAY))
    table = Unit.__table__
    with_wkt = insert(table).values(location=func.ST_GeomFromText(bindparam("wkt"), geo.SRID))
    statements = {
        "wkb": insert(table),
        "ewkt": insert(table),
        "wkt": with_wkt,
        "wkt_returning": with_wkt.returning(table.c.id, sort_by_parameter_order=True),
    }
    best: dict[str, float] = {}
    # A write context: SQLite transactions start with BEGIN IMMEDIATE, as in the CLI.
    with app.test_request_context(method="POST"):
        dialect = db.engine.dialect.name
        for round_ in range(rounds):
            for variant, statement in statements.items():
                commune, _ = synth._ensure_commune(town, 99)
                rows = _rows(commune.id, units, variant, f"BENCH{round_}")
                started = perf_counter()
                if variant == "wkt_returning":
                    ids = db.session.execute(statement, rows).scalars().all()
                else:
                    # What popup.synth does instead of RETURNING: read the new ids back.
                    highest = db.session.scalar(select(func.max(Unit.id))) or 0
                    db.session.execute(statement, rows)
                    ids = db.session.execute(
                        select(Unit.external_id, Unit.id).where(Unit.id > highest, Unit.commune_id == commune.id)
                    ).all()
                assert len(ids) == n
                elapsed = perf_counter() - started
                db.session.rollback()
                best[variant] = max(best.get(variant, 0.0), n / elapsed)
        version = db.session.execute(
            text("SELECT spatialite_version()" if dialect == "sqlite" else "SELECT postgis_lib_version()")
        ).scalar()
    return {"engine": dialect, "spatial_version": version, "units": n, "rounds": rounds, "units_per_s": best}


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    print(json.dumps(measure(n, rounds), indent=2))
