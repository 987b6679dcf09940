"""Import speed of `popup import-units`: rows per second for a big CSV file.

    .venv/bin/python bench/import_units.py --rows 100000                  # SQLite + SpatiaLite (temp file)
    .venv/bin/python bench/import_units.py --rows 100000 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/popup_import_bench

The PostgreSQL database must exist with PostGIS, and be this script's own:
its tables are dropped and rebuilt by the migrations (bench/run.sh uses
popup_bench). The phases of the import are timed one by one; bench/run.sh
times the whole command (its step d). Measured in one run, so that the
ratios hold on a noisy shared machine: the baseline is the same units made
one by one through popup.units.operations.create_unit.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from shapely.geometry import MultiPolygon, Polygon  # noqa: E402
from sqlalchemy import create_engine, func, literal, select, text  # noqa: E402

from popup import create_app, geo  # noqa: E402
from popup.auth.models import User  # noqa: E402
from popup.communes.models import Commune  # noqa: E402
from popup.config import TestingConfig  # noqa: E402
from popup.domain import importing  # noqa: E402
from popup.extensions import db  # noqa: E402
from popup.imports import operations  # noqa: E402
from popup.units.models import Unit, UnitStatusChange  # noqa: E402
from popup.units.operations import create_unit  # noqa: E402

STATUSES = ["VIDE", "OCCUPE", "Travaux", "pop-up", "occupé"]


def make_csv(rows: int, seed: int = 1, changed: float = 0.0) -> bytes:
    """A Belgian-Excel-shaped file: BOM, ";" separator, CRLF, quoted addresses, comma decimals."""
    rng = random.Random(seed)
    lines = ['Réf;" Adresse ";LAT;Lng;Statut;Surface (m²);Loyer;Activité']
    for n in range(rows):
        status = STATUSES[n % len(STATUSES)]
        if changed and rng.random() < changed:
            status = "VIDE" if status != "VIDE" else "OCCUPE"
        lat = 50.68 + (n % 700) / 10_000  # a grid inside the commune's box
        lon = 3.78 + (n // 700 % 1000) / 10_000
        lines.append(
            f'C{n:06d};"Rue de la Station {n % 300 + 1}, 7860 Lessines";{lat:.6f}'.replace(".", ",")
            + f";{lon:.6f}".replace(".", ",")
            + f';{status};{20 + n % 180},5;"{500 + n % 900},00";"boutique; n°{n % 50}"'
        )
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def timed(label: str, rows: int, action):
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    print(f"  {label:<44} {seconds:7.2f} s  {rows / seconds:>9,.0f} rows/s")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=2_000)
    parser.add_argument("--changed", type=float, default=0.10, help="Share of statuses changed on re-import.")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="popup-bench-"))
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
    if geo.backend(url) == "postgresql":
        engine = create_engine(url)
        with engine.begin() as conn:
            names = conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'")
            ).scalars()
            for name in list(names):
                conn.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
        engine.dispose()
    app = create_app(TestingConfig(str(tmp), database_url=url))
    with app.app_context():
        upgrade()
        print(f"{geo.backend(url)}: {args.rows:,} rows")
        boundary = MultiPolygon([Polygon([(3.75, 50.66), (3.93, 50.66), (3.93, 50.76), (3.75, 50.76)])])
        commune = Commune(
            name="Lessines", slug="lessines", centre=geo.point(3.8357, 50.7117), boundary=geo.from_geometry(boundary)
        )
        staff = User(email="bench@example.org", name="Bench", password_hash="-", role="staff")  # noqa: S106  (cannot log in)
        db.session.add_all([commune, staff])
        db.session.commit()

        data = make_csv(args.rows)
        table, _ = timed("read the file (decode, sniff, parse CSV)", args.rows, lambda: importing.read_table(data))
        columns = importing.suggest_mapping(table.headers)
        options = operations.ImportOptions(columns=columns, status_values={"OCCUPE": "occupied"})

        def run(apply: bool, table=table):
            report = operations.import_units(commune, table, options, by=staff, filename="bench.csv", dry_run=not apply)
            db.session.commit() if apply else db.session.rollback()
            return report

        report, _ = timed("dry run (check, boundary, decide)", args.rows, lambda: run(False))
        assert report.created == args.rows and not report.rejections, report.rejections[:3]
        report, seconds = timed("import: create every unit, commit", args.rows, lambda: run(True))
        assert report.created == args.rows
        assert db.session.scalar(select(func.count()).select_from(Unit)) == args.rows
        assert db.session.scalar(select(func.count()).select_from(UnitStatusChange)) == args.rows
        create_rate = args.rows / seconds
        report, _ = timed("import the same file again (all unchanged)", args.rows, lambda: run(True))
        assert report.unchanged == args.rows and report.created == 0

        changed = importing.read_table(make_csv(args.rows, changed=args.changed))
        label = f"re-import, ~{args.changed:.0%} status changes"
        report, _ = timed(label, args.rows, lambda: run(True, changed))
        print(f"    ({report.updated:,} updated, {report.status_changes:,} status changes with their history, in bulk)")

        values = [r.values for r in importing.check_rows(table, columns) if r.values is not None]
        inside = operations._inside_commune
        timed("boundary: shapely, every point at once", len(values), lambda: inside(commune, values))

        def one_query_per_point():
            for v in values[: args.baseline_rows]:
                point = func.ST_GeomFromText(literal(f"POINT({v.lon} {v.lat})"), geo.SRID)
                db.session.scalar(select(func.ST_Intersects(Commune.boundary, point)).where(Commune.id == commune.id))

        timed("boundary: one spatial query per point", args.baseline_rows, one_query_per_point)

        def baseline():
            for n in range(args.baseline_rows):
                create_unit(
                    commune=commune,
                    address=f"Rue du Test {n}, 7860 Lessines",
                    location=geo.point(3.8 + n / 1e6, 50.7),
                    external_id=f"B{n}",
                    by=staff,
                )
            db.session.commit()

        _, seconds = timed(f"baseline: create_unit one by one ({args.baseline_rows:,})", args.baseline_rows, baseline)
        print(f"  bulk import / one-by-one creation: {create_rate / (args.baseline_rows / seconds):.0f}x")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
