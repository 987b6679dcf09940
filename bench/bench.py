"""The benchmarks described in bench/RESULTS.md (run them with ``bash bench/run.sh [quick|full]``).

On SQLite + SpatiaLite (a file in bench/out/) and on PostGIS (``BENCH_DATABASE_URL``,
default database ``popup_bench``), each built by ``flask db upgrade`` and filled
by ``flask popup synth``:

(a) ``/api/v1/units`` for viewports of about 300 units: end-to-end latency
    through gunicorn (2 workers), the same view in-process, the same statement
    through SQLAlchemy, and its SQL run raw on the driver (the floor), all
    interleaved in one loop; plus the query plans;
(b) requests per second of ``/map`` against ``/healthz`` (wrk, same settings,
    same run);
(c) HTML size of the map pages at 100 units and at the largest size;
(d) ``flask popup import-units`` on a 100,000-row CSV: rows per second;
plus the units per second of ``popup synth`` itself and of the ways of sending
geometries (bench/insert_methods.py).

Results go to bench/out/results-<stamp>.json and to bench/RESULTS.md (its "Runs" section).
"""

from __future__ import annotations

import argparse
import contextlib
import contextvars
import csv
import gzip
import http.client
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from importlib import metadata
from itertools import pairwise
from pathlib import Path
from time import perf_counter
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
BIN = Path(sys.executable).parent
FLASK = [str(BIN / "flask"), "--app", "app"]
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/popup_bench"

MODES = {
    # sizes: the unit counts measured in (a) and (b); the largest also in (c)
    "quick": {"sizes": (10_000, 100_000), "requests": 150, "warmup": 20, "wrk_seconds": 5, "insert_units": 5_000},
    "full": {"sizes": (10_000, 1_000_000), "requests": 300, "warmup": 30, "wrk_seconds": 10, "insert_units": 20_000},
    # Only checks that the script runs: figures from it mean nothing.
    "smoke": {"sizes": (2_000, 4_000), "requests": 20, "warmup": 5, "wrk_seconds": 1, "insert_units": 500},
}
SMALL = 100  # units for the small map page
COMMUNES = 25  # every size spreads its units over the 25 built-in towns
VIEWPORT_TOWNS = ("gent", "charleroi", "liege")  # the biggest: each holds 300 units even at 10,000
VIEWPORT_UNITS = 300
WRK = ["-t2", "-c8"]  # threads and connections, the same for every URL
IMPORT_ROWS = 100_000
TARGET_P95_MS = 20.0
TARGET_RATIO = 3.0

COMMANDS: list[str] = []  # every shell command run, for RESULTS.md


def log(message: str) -> None:
    print(f"[bench {datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)


def run(args: list[str], env: dict[str, str] | None = None, *, check: bool = True, record: bool = True, **kw):
    """Run a command, remember it for the report, return the CompletedProcess."""
    shown = " ".join(shlex.quote(str(a)).replace(str(ROOT) + "/", "") for a in args)
    if env and "DATABASE_URL" in env and record:
        shown = f"DATABASE_URL={env['DATABASE_URL']} {shown}".replace(str(ROOT), "$PWD")
    if record:
        COMMANDS.append(shown)
    log(shown)
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run(args, env=full_env, cwd=ROOT, capture_output=True, text=True, check=False, **kw)
    if check and result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"command failed ({result.returncode}): {shown}")
    return result


def stats_ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000

    return {
        "n": len(ordered),
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "mean": statistics.fmean(ordered) * 1000,
        "min": ordered[0] * 1000,
    }


# -- machine ---------------------------------------------------------------------


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return int(line.split()[1]) / 1024 / 1024
    return 0.0


def machine() -> dict:
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    versions = {name: metadata.version(name) for name in ("Flask", "SQLAlchemy", "GeoAlchemy2", "psycopg", "gunicorn")}
    versions["Python"] = platform.python_version()
    versions["wrk"] = (wrk.stdout + wrk.stderr).strip().splitlines()[0] if (wrk.stdout + wrk.stderr) else "?"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "ram_gib": round(_ram_gib(), 1),
        "cpu": _cpu_model(),
        "kernel": platform.release(),
        "load_at_start": os.getloadavg(),
        "versions": versions,
    }


# -- databases ---------------------------------------------------------------------


def reset_sqlite(path: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def reset_postgis(url: str) -> str:
    import psycopg
    from psycopg import sql

    u = make_url(url)
    info = {"host": u.host or "127.0.0.1", "port": u.port or 5432, "user": u.username or "postgres"}
    if u.password:
        info["password"] = u.password
    with psycopg.connect(**info, dbname="postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(u.database)))
    run([sys.executable, "scripts/pg_prepare.py", "create", url.replace("+psycopg", "")])
    return url


def engine_versions(app) -> dict[str, str]:
    from popup.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            row = db.session.execute(text("SELECT sqlite_version(), spatialite_version()")).one()
            return {"SQLite": row[0], "SpatiaLite": row[1]}
        server = db.session.execute(text("SHOW server_version")).scalar()
        postgis = db.session.execute(text("SELECT postgis_lib_version()")).scalar()
        return {"PostgreSQL": server.split()[0], "PostGIS": postgis}


def synth_units(env: dict[str, str], units: int) -> dict:
    result = run([*FLASK, "popup", "synth", "--units", str(units), "--communes", str(COMMUNES)], env)
    match = re.search(
        r"Added ([\d,]+) units and ([\d,]+) status changes in ([\d.]+) s \(([\d,]+) units/s\)", result.stdout
    )
    assert match, result.stdout
    return {
        "units": int(match.group(1).replace(",", "")),
        "history": int(match.group(2).replace(",", "")),
        "seconds": float(match.group(3)),
        "units_per_s": int(match.group(4).replace(",", "")),
    }


# -- gunicorn ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str]):
    """gunicorn with 2 workers on a free port, with the production settings of gunicorn.conf.py; yields its base URL."""
    port = free_port()
    args = [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    args.append("app:app")
    url = env["DATABASE_URL"].replace(str(ROOT), "$PWD")
    COMMANDS.append(
        f"DATABASE_URL={url} POPUP_ENV=production gunicorn --config gunicorn.conf.py --workers 2 "
        "--bind 127.0.0.1:PORT app:app  # gthread, 4 threads, keep-alive"
    )
    process = subprocess.Popen(
        args, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise SystemExit(f"gunicorn stopped: {process.stderr.read()[-3000:]}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not answer /healthz")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- (a) API latency -------------------------------------------------------------


def units_statement(dialect: str, bbox):
    """The plain query of the view's rows for ?bbox=... (default limit): its SQL on the driver is the floor."""
    from popup.api import features
    from popup.api.limits import DEFAULT_LIMIT
    from popup.units.filters import UnitFilters
    from popup.units.models import Unit

    stmt = UnitFilters(bbox=bbox).apply(features.public_units_select(), dialect)
    return stmt.order_by(Unit.id).limit(DEFAULT_LIMIT + 1)


def collection_statement(dialect: str, bbox):
    """Exactly what popup.api.views.units runs for ?bbox=...: the statement (kept per shape) and its parameters."""
    from popup.api import features
    from popup.api.limits import DEFAULT_LIMIT
    from popup.units.filters import UnitFilters

    return features.units_collection(UnitFilters(bbox=bbox), dialect, DEFAULT_LIMIT, "/units/")


def collection_sql(dialect_obj, bbox) -> str:
    """The SQL of collection_statement() with its values written in."""
    stmt, params = collection_statement(dialect_obj.name, bbox)
    return _literal_sql(stmt.params(params), dialect_obj)


def count_in(dialect: str, bbox) -> int:
    from popup.extensions import db
    from popup.units.filters import UnitFilters
    from popup.units.models import Unit

    inner = UnitFilters(bbox=bbox).apply(select(Unit.id), dialect).subquery()
    return db.session.scalar(select(func.count()).select_from(inner))


def find_viewports(app) -> list[dict]:
    """Boxes around big town centres holding about 300 units (bisection on their size)."""
    from popup import synth
    from popup.extensions import db

    found = []
    with app.test_request_context():
        dialect = db.engine.dialect.name
        for key in VIEWPORT_TOWNS:
            town = synth.town_by_key(key)
            frame = synth.Frame(town.lon, town.lat)
            low, high = 5.0, 2_500.0
            best = None
            for _ in range(40):
                half = (low + high) / 2
                west, south = frame.lonlat(-half * 1.6, -half)  # a screen is wider than tall
                east, north = frame.lonlat(half * 1.6, half)
                bbox = (round(west, 6), round(south, 6), round(east, 6), round(north, 6))
                n = count_in(dialect, bbox)
                if best is None or abs(n - VIEWPORT_UNITS) < abs(best["units"] - VIEWPORT_UNITS):
                    best = {"town": key, "bbox": bbox, "units": n, "width_m": round(half * 3.2)}
                if abs(n - VIEWPORT_UNITS) <= 10:
                    break
                if n < VIEWPORT_UNITS:
                    low = half
                else:
                    high = half
            found.append(best)
    return found


def _literal_sql(stmt, dialect_obj) -> str:
    return str(stmt.compile(dialect=dialect_obj, compile_kwargs={"literal_binds": True}))


def explain(app, bbox) -> str:
    from popup.extensions import db

    with app.test_request_context():
        dialect = db.engine.dialect
        sql = _literal_sql(units_statement(dialect.name, bbox), dialect)
        if dialect.name == "sqlite":
            rows = db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()
            depth = {0: -1}
            lines = []
            for node, parent, _, detail in rows:
                depth[node] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node] + detail)
            plan = "\n".join(lines)
        else:
            rows = db.session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")).scalars().all()
            plan = "\n".join(rows)
        db.session.rollback()
    return f"{sql}\n\n{plan}"


class KeepAlive:
    """A bare HTTP/1.1 client on one kept-alive connection, as a browser fetches.

    ``requests`` spends about 1 ms of its own per call (runs before 2026-11-22
    08:30 used it): that is the client's time, not the server's.
    """

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def get(self, path: str) -> tuple[int, bytes]:
        self.connection.request("GET", path)
        response = self.connection.getresponse()
        return response.status, response.read()


def api_latency(app, base: str, viewports: list[dict], requests_n: int, warmup: int) -> dict:
    """Five timings of the same viewports, interleaved so that noise hits them alike.

    http: GET through gunicorn (2 workers of gunicorn.conf.py: threaded, the
    connection kept alive, as a browser does), with /healthz through gunicorn
    as the fixed cost of any request; view: the same URL through Flask's test
    client in this process; sqlalchemy: the view's statement (the
    FeatureCollection joined by the database) through the app's session;
    raw_view: that statement's SQL on the bare driver; raw: the plain query of
    the same rows (literal values) on the bare driver cursor, fetched: the floor.
    """
    from popup.extensions import db

    urls = [f"/api/v1/units?bbox={','.join(map(str, v['bbox']))}" for v in viewports]
    session = KeepAlive(base)
    client = app.test_client()
    names = ("http", "http_healthz", "view", "sqlalchemy", "raw_view", "raw")
    timings: dict[str, list[float]] = {name: [] for name in names}
    sizes = []
    with app.app_context():
        engine = db.engine
        dialect = engine.dialect.name
        sqls = [_literal_sql(units_statement(dialect, v["bbox"]), engine.dialect) for v in viewports]
        collections = [collection_statement(dialect, v["bbox"]) for v in viewports]
        view_sqls = [collection_sql(engine.dialect, v["bbox"]) for v in viewports]
    raw_conn = engine.raw_connection()

    def raw_run(sql: str):
        cursor = raw_conn.cursor()
        cursor.execute(sql)
        found = cursor.fetchall()
        cursor.close()
        if dialect != "sqlite":
            raw_conn.rollback()
        return found

    try:
        for i in range(warmup + requests_n):
            k = i % len(viewports)
            started = perf_counter()
            raw_rows = raw_run(sqls[k])
            raw = perf_counter() - started

            started = perf_counter()
            raw_view_rows = raw_run(view_sqls[k])
            raw_view = perf_counter() - started

            with app.test_request_context():  # a GET: plain BEGIN on SQLite, as in the view
                started = perf_counter()
                body = db.session.connection().execute(*collections[k]).scalar_one()
                core = perf_counter() - started
                db.session.remove()

            # In an empty context, as gunicorn runs it: its own app context and session.
            started = perf_counter()
            response = contextvars.Context().run(client.get, urls[k])
            view = perf_counter() - started
            assert response.status_code == 200

            started = perf_counter()
            status, content = session.get(urls[k])
            http = perf_counter() - started
            assert status == 200, content[:300]

            started = perf_counter()  # the fixed cost of a request through gunicorn
            assert session.get("/healthz")[0] == 200
            healthz = perf_counter() - started
            if i >= warmup:
                for name, value in zip(names, (http, healthz, view, core, raw_view, raw), strict=True):
                    timings[name].append(value)
            if i < len(viewports):
                features = len(json.loads(content)["features"])
                expected = viewports[k]["units"]
                in_sql = (len(json.loads(body)["features"]), len(json.loads(raw_view_rows[0][0])["features"]))
                assert features == len(raw_rows) == expected == in_sql[0] == in_sql[1], (features, len(raw_rows))
                sizes.append(len(content))
    finally:
        raw_conn.close()
    result = {name: stats_ms(samples) for name, samples in timings.items()}
    result["ratio_p95_http_raw"] = result["http"]["p95"] / result["raw"]["p95"]
    result["ratio_p50_http_raw"] = result["http"]["p50"] / result["raw"]["p50"]
    result["ratio_p95_http_raw_view"] = result["http"]["p95"] / result["raw_view"]["p95"]
    result["response_bytes"] = sizes
    result["met"] = result["http"]["p95"] <= TARGET_P95_MS and result["ratio_p95_http_raw"] <= TARGET_RATIO
    result["met_vs_view_sql"] = (
        result["http"]["p95"] <= TARGET_P95_MS and result["ratio_p95_http_raw_view"] <= TARGET_RATIO
    )
    return result


def _median_ms(action, n: int) -> float:
    samples = []
    for _ in range(n):
        started = perf_counter()
        action()
        samples.append(perf_counter() - started)
    return statistics.median(samples) * 1000


def api_breakdown(app, viewport: dict, n: int, warmup: int) -> dict:
    """Where one /api/v1/units request spends its time: the view's steps timed one by one (medians, ms).

    Each round runs, interleaved: the plain rows' SQL on the driver (the
    floor); the view's SQL (the FeatureCollection joined by the database) on the
    driver; the view's steps in a request context, as popup.api.views.units
    runs them; the whole view through the test client; /healthz through the
    test client.
    """
    from flask import Response, request

    from popup.api import features
    from popup.api.limits import DEFAULT_LIMIT
    from popup.extensions import db
    from popup.units.filters import parse_filters

    bbox = viewport["bbox"]
    url = f"/api/v1/units?bbox={','.join(map(str, bbox))}"
    client = app.test_client()
    with app.app_context():
        engine = db.engine
        dialect = engine.dialect.name
        sql = _literal_sql(units_statement(dialect, bbox), engine.dialect)
        view_sql = collection_sql(engine.dialect, bbox)
    steps = [
        "plain rows' SQL on the driver (the floor)",
        "the view's SQL on the driver (FeatureCollection joined by the database)",
        "parse the query string",
        "build the statement",
        "execute and fetch (SQLAlchemy)",
        "make the response",
        "GET /api/v1/units in-process (whole view)",
        "GET /healthz in-process (fixed cost of a request)",
    ]
    samples: dict[str, list[float]] = {step: [] for step in steps}
    connection = engine.raw_connection()

    def raw(query: str):
        cursor = connection.cursor()
        cursor.execute(query)
        found = cursor.fetchall()
        cursor.close()
        if dialect != "sqlite":
            connection.rollback()
        return found

    try:
        for i in range(warmup + n):
            clock = [perf_counter()]
            rows_raw = raw(sql)
            clock.append(perf_counter())
            built = raw(view_sql)
            clock.append(perf_counter())
            with app.test_request_context(url):
                filters = parse_filters(request.args)
                clock.append(perf_counter())
                stmt, params = features.units_collection(filters, dialect, DEFAULT_LIMIT, features.unit_url_prefix())
                clock.append(perf_counter())
                body = db.session.connection().execute(stmt, params).scalar_one()
                clock.append(perf_counter())
                Response(body, mimetype="application/geo+json").get_data()
                clock.append(perf_counter())
                db.session.remove()
            contextvars.Context().run(client.get, url).get_data()
            clock.append(perf_counter())
            contextvars.Context().run(client.get, "/healthz").get_data()
            clock.append(perf_counter())
            if i >= warmup:
                for step, (start, end) in zip(steps, pairwise(clock), strict=True):
                    samples[step].append(end - start)
            elif i == 0:
                assert len(json.loads(built[0][0])["features"]) == len(json.loads(body)["features"]) == len(rows_raw)
    finally:
        connection.close()
    result_ms = {"rows": len(rows_raw)}
    result_ms.update({step: statistics.median(values) * 1000 for step, values in samples.items()})
    return result_ms


def map_breakdown(app, n: int) -> dict:
    """What /map costs in-process, cached and not, and the cores' figures one query or one per core (medians, ms)."""
    from popup.communes import queries as commune_queries
    from popup.communes.models import Commune
    from popup.extensions import db
    from popup.maps.cache import shells
    from popup.units.models import Unit

    client = app.test_client()
    with app.test_request_context("/map"):
        dialect = db.engine.dialect.name
        communes = db.session.scalars(select(Commune)).all()
        cores = [core for c in communes for core in c.cores]
        in_cores = 0
        for core in cores:
            area = select(type(core).area).where(type(core).id == core.id).scalar_subquery()
            inside = geo_within(dialect, area)
            in_cores += db.session.scalar(select(func.count()).select_from(Unit).where(inside))
        grouped = _median_ms(lambda: commune_queries.figures_of_cores(), n)
        per_core = _median_ms(lambda: [commune_queries.core_figures(core) for core in cores], n)
        db.session.remove()

    def missed():
        shells.clear()
        contextvars.Context().run(client.get, "/map")

    contextvars.Context().run(client.get, "/map")
    cached_ms = _median_ms(lambda: contextvars.Context().run(client.get, "/map"), max(n, 10))
    return {
        "cores": len(cores),
        "units in cores": in_cores,
        "GET /map in-process (shell cached)": cached_ms,
        "GET /map in-process (cache missed)": _median_ms(missed, n),
        "figures of every core, one grouped query": grouped,
        "figures of every core, one query per core (before)": per_core,
        "GET /healthz in-process": _median_ms(lambda: contextvars.Context().run(client.get, "/healthz"), 10),
    }


def geo_within(dialect: str, area):
    from popup import geo
    from popup.units.models import Unit

    return geo.within_polygon(dialect, Unit.id, Unit.location, area)


def profile(app, path: str, n: int, name: str) -> str | None:
    """pyinstrument profile of ``n`` in-process requests, saved to bench/out; its text, or None."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return None
    client = app.test_client()
    contextvars.Context().run(client.get, path)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(n):
        contextvars.Context().run(client.get, path)
    profiler.stop()
    text_ = profiler.output_text(unicode=False, color=False)
    (OUT / f"profile-{name}.txt").write_text(text_)
    return text_


# -- (b) and (c) the map page ------------------------------------------------------


def wrk(url: str, seconds: int) -> dict:
    result = run(["wrk", *WRK, f"-d{seconds}s", "--latency", url], record=False)
    COMMANDS.append(f"wrk {' '.join(WRK)} -d{seconds}s --latency http://127.0.0.1:PORT{urlsplit(url).path}")
    out = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    latency = re.search(r"Latency\s+([\d.]+\w+)", out)
    return {
        "rps": rps,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(0) if errors else "",
        "mean_latency": latency.group(1) if latency else "",
    }


def page(base: str, path: str) -> dict:
    response = requests.get(base + path, timeout=120)
    body = response.content
    return {
        "path": path,
        "status": response.status_code,
        "bytes": len(body),
        "gzip_bytes": len(gzip.compress(body, 6)) if response.ok else None,
    }


def map_pages(base: str) -> list[dict]:
    return [page(base, "/map"), page(base, "/c/synth-gent/map")]


def settle(base: str) -> None:
    """Wait until the workers have worked off what wrk left queued (sync workers finish every accepted request)."""
    quick = 0
    deadline = time.monotonic() + 120
    while quick < 3 and time.monotonic() < deadline:
        started = perf_counter()
        requests.get(base + "/healthz", timeout=120)
        quick = quick + 1 if perf_counter() - started < 0.05 else 0


def map_load(base: str, seconds: int) -> dict:
    """/healthz, /map, /healthz again: the baseline before and after."""
    if requests.get(base + "/map", timeout=120).status_code != 200:
        return {"available": False}
    settle(base)
    first = wrk(base + "/healthz", seconds)
    settle(base)
    map_ = wrk(base + "/map", seconds)
    settle(base)
    second = wrk(base + "/healthz", seconds)
    settle(base)
    baseline = (first["rps"] + second["rps"]) / 2
    return {
        "available": True,
        "healthz": [first, second],
        "map": map_,
        "ratio": map_["rps"] / baseline,
        "met": map_["rps"] / baseline >= 0.20,
    }


# -- (d) import ----------------------------------------------------------------------

_STATUS_WORDS = {
    "vacant": "vide",
    "occupied": "occupé",
    "under_works": "en travaux",
    "popup": "éphémère",
    "unavailable": "indisponible",
}


def write_import_csv(path: Path, rows: int) -> None:
    """A commune's file as Excel writes it in Belgium: UTF-8 with BOM, semicolons, decimal commas."""
    from popup import synth

    town = synth.town_by_key("lessines")
    units = synth.generate_units(town, rows, start=0, seed=4242, today=date(2025, 6, 1))
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(["reference", "adresse", "latitude", "longitude", "statut", "surface_m2", "loyer", "activite"])
        for u in units:
            out.writerow(
                [
                    f"CSV-{u.number:06d}",
                    u.address,
                    f"{u.lat:.6f}".replace(".", ","),
                    f"{u.lon:.6f}".replace(".", ","),
                    _STATUS_WORDS[u.status],
                    f"{u.floor_area_m2:.0f}",
                    "" if u.asking_rent_cents is None else str(u.asking_rent_cents // 100),
                    u.activity or "",
                ]
            )


def import_csv(env: dict[str, str], rows: int) -> dict:
    """Time `flask popup import-units` on a CSV of ``rows`` rows, when the command exists."""
    probe = run([*FLASK, "popup", "import-units", "--help"], env, check=False, record=False)
    if probe.returncode != 0:
        return {"available": False, "why": (probe.stderr or probe.stdout).strip().splitlines()[-1:]}
    path = OUT / f"import-{rows // 1000}k.csv"
    if not path.exists():
        write_import_csv(path, rows)
    args = [*FLASK, "popup", "import-units", str(path), "--commune", "synth-lessines", "--apply"]
    started = perf_counter()
    result = run(args, env, check=False)
    elapsed = perf_counter() - started
    return {
        "available": True,
        "rows": rows,
        "exit_code": result.returncode,
        "seconds": elapsed,
        "rows_per_s": rows / elapsed,
        "help": probe.stdout,
        "output_tail": (result.stdout + result.stderr).strip().splitlines()[-8:],
    }


# -- one engine ----------------------------------------------------------------------


def bench_engine(name: str, url: str, mode: dict) -> dict:
    from popup import create_app

    env = {"DATABASE_URL": url, "POPUP_ENV": "production", "SECRET_KEY": secrets.token_hex(32)}
    os.environ.update(env)
    run([*FLASK, "db", "upgrade"], env)
    app = create_app()
    result: dict = {"engine": name, "url": url, "versions": engine_versions(app), "synth": [], "sizes": {}}

    log(f"{name}: ways of inserting units")
    inserted = run([sys.executable, "bench/insert_methods.py", str(mode["insert_units"]), "3"], env)
    result["insert_methods"] = json.loads(inserted.stdout)
    if name == "sqlite":
        log("sqlite: what SpatiaLite's triggers cost an insert (scratch database)")
        triggers = run([sys.executable, "bench/spatialite_triggers.py", str(mode["insert_units"]), "2"], env)
        result["triggers"] = json.loads(triggers.stdout)

    result["synth"].append(synth_units(env, SMALL))
    with gunicorn(env) as base:
        result["pages_small"] = map_pages(base)

    total = SMALL
    for size in mode["sizes"]:
        result["synth"].append(synth_units(env, size - total))
        total = size
        with app.app_context():
            from popup.extensions import db

            db.engine.dispose()  # fresh connections see the new rows' statistics
            if name == "postgis":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("VACUUM ANALYZE units"))
                    COMMANDS.append("VACUUM ANALYZE units  (PostGIS, after each fill)")
        viewports = find_viewports(app)
        log(f"{name} {size:,}: viewports {[(v['town'], v['units']) for v in viewports]}")
        entry: dict = {"viewports": viewports, "explain": explain(app, viewports[0]["bbox"])}
        with gunicorn(env) as base:
            entry["api"] = api_latency(app, base, viewports, mode["requests"], mode["warmup"])
            api = entry["api"]
            log(f"{name} {size:,}: api p95 {api['http']['p95']:.1f} ms, raw {api['raw']['p95']:.1f} ms")
            entry["map_load"] = map_load(base, mode["wrk_seconds"])
            entry["pages"] = map_pages(base)
        entry["api_breakdown"] = api_breakdown(app, viewports[0], mode["requests"], mode["warmup"])
        entry["profile_api"] = profile(
            app, f"/api/v1/units?bbox={','.join(map(str, viewports[0]['bbox']))}", 50, f"{name}-{size}-api"
        )
        if entry["map_load"]["available"]:
            entry["map_breakdown"] = map_breakdown(app, 3)
            entry["profile_map"] = profile(app, "/map", 5, f"{name}-{size}-map")
        result["sizes"][str(size)] = entry

    result["import"] = import_csv(env, IMPORT_ROWS)
    with app.app_context():
        from popup.extensions import db

        db.engine.dispose()
    return result


# -- report --------------------------------------------------------------------------


def _fmt_pages(pages: list[dict]) -> str:
    return "; ".join(
        f"`{p['path']}` {p['bytes'] / 1024:.1f} KB (gzip {p['gzip_bytes'] / 1024:.1f} KB)"
        if p["status"] == 200
        else f"`{p['path']}` HTTP {p['status']}"
        for p in pages
    )


def markdown(mode_name: str, info: dict, engines: list[dict], seconds: float) -> str:
    v = info["versions"]
    lines = [
        f"## {info['date']}: `bash bench/run.sh {mode_name}`",
        "",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gib']} GiB RAM, Linux {info['kernel']}; "
        f"load average at start {', '.join(f'{x:.2f}' for x in info['load_at_start'])}, "
        f"at end {', '.join(f'{x:.2f}' for x in os.getloadavg())} (shared machine). Run took {seconds / 60:.1f} min.",
        "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()),
        "",
    ]
    for e in engines:
        lines.append(f"- {e['engine']}: " + ", ".join(f"{k} {val}" for k, val in e["versions"].items()))
    lines += [
        "",
        "### (a) `/api/v1/units?bbox=…` for a viewport of about 300 units",
        "",
        f"{MODES[mode_name]['requests']} requests after {MODES[mode_name]['warmup']} of warm-up, one at a time, "
        "cycling over 3 viewports (town centres); all timings interleaved in one loop. "
        "http: through gunicorn (2 workers, gunicorn.conf.py: gthread, keep-alive), from a bare `http.client` "
        "connection kept alive (http /healthz: the fixed cost of any request there); view: the same URL "
        "in-process (Flask test client); sqlalchemy: the view's statement (the FeatureCollection joined by the "
        "database from the units' stored feature texts) through the session's connection; raw view: its SQL on "
        "the driver; raw: the plain query of the same rows on the driver cursor (the floor). "
        f"Target: http p95 ≤ {TARGET_P95_MS:.0f} ms and ≤ {TARGET_RATIO:.0f}× raw; "
        "the last column also against the view's own SQL.",
        "",
        "| engine | units | viewport units | http p50 / p95 / p99 ms | http /healthz p50 / p95 | view p50 / p95 "
        "| sqlalchemy p50 / p95 | raw view p50 / p95 | raw p50 / p95 | p95 http/raw | met | p95 http/raw view |",
        "|---|---:|---|---|---|---|---|---|---|---:|---|---:|",
    ]
    for e in engines:
        for size, s in e["sizes"].items():
            a = s["api"]
            counts = ", ".join(f"{vp['town']} {vp['units']}" for vp in s["viewports"])
            lines.append(
                f"| {e['engine']} | {int(size):,} | {counts} "
                f"| {a['http']['p50']:.1f} / {a['http']['p95']:.1f} / {a['http']['p99']:.1f} "
                f"| {a['http_healthz']['p50']:.1f} / {a['http_healthz']['p95']:.1f} "
                f"| {a['view']['p50']:.1f} / {a['view']['p95']:.1f} "
                f"| {a['sqlalchemy']['p50']:.1f} / {a['sqlalchemy']['p95']:.1f} "
                f"| {a['raw_view']['p50']:.2f} / {a['raw_view']['p95']:.2f} "
                f"| {a['raw']['p50']:.2f} / {a['raw']['p95']:.2f} "
                f"| {a['ratio_p95_http_raw']:.1f}× | {'yes' if a['met'] else '**no**'} "
                f"| {a['ratio_p95_http_raw_view']:.1f}× |"
            )
    lines += [
        "",
        "Where the view spends its time for the first viewport: its steps timed one by one in a request context, "
        "interleaved with the raw queries and the whole view in-process (medians, ms):",
        "",
    ]
    keys = [k for k in next(iter(next(iter(engines))["sizes"].values()))["api_breakdown"] if k != "rows"]
    header = [f"{e['engine']} {int(size):,}" for e in engines for size in e["sizes"]]
    lines += ["| step | " + " | ".join(header) + " |", "|---|" + "---:|" * len(header)]
    for key in keys:
        cells = [f"{s['api_breakdown'][key]:.2f}" for e in engines for s in e["sizes"].values()]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "### (b) requests per second, `/map` against `/healthz`",
        "",
        f"wrk {' '.join(WRK)} -d{MODES[mode_name]['wrk_seconds']}s against gunicorn with 2 workers (gunicorn.conf.py): "
        "/healthz, then /map, then /healthz again; the baseline is the mean of the two. "
        "Target: /map ≥ 20 % of /healthz.",
        "",
        "| engine | units | /healthz rps (before, after) | /map rps | ratio | met |",
        "|---|---:|---|---:|---:|---|",
    ]
    for e in engines:
        for size, s in e["sizes"].items():
            m = s["map_load"]
            if not m["available"]:
                lines.append(f"| {e['engine']} | {int(size):,} | – | /map not available | – | – |")
                continue
            h = m["healthz"]
            lines.append(
                f"| {e['engine']} | {int(size):,} | {h[0]['rps']:.0f}, {h[1]['rps']:.0f} | {m['map']['rps']:.0f} "
                f"| {m['ratio'] * 100:.0f} % | {'yes' if m['met'] else '**no**'} |"
            )
    lines += ["", "What one /map costs in-process (medians, ms):", ""]
    for e in engines:
        for size, s in e["sizes"].items():
            mb = s.get("map_breakdown")
            if mb:
                lines.append(
                    f"- {e['engine']}, {int(size):,} units ({mb['cores']} cores, {mb['units in cores']:,} in them): "
                    f"GET /map {mb['GET /map in-process (shell cached)']:.1f} ms with the shell cached, "
                    f"{mb['GET /map in-process (cache missed)']:.0f} ms on a miss; the figures of every core "
                    f"{mb['figures of every core, one grouped query']:.0f} ms in one grouped query "
                    f"({mb['figures of every core, one query per core (before)']:.0f} ms one query per core); "
                    f"GET /healthz {mb['GET /healthz in-process']:.1f} ms"
                )
    lines += ["", "### (c) HTML size of the map pages (target ≤ 100 KB whatever the count)", ""]
    for e in engines:
        lines.append(f"- {e['engine']}, {SMALL} units: {_fmt_pages(e['pages_small'])}")
        for size, s in e["sizes"].items():
            lines.append(f"- {e['engine']}, {int(size):,} units: {_fmt_pages(s['pages'])}")
    lines += ["", f"### (d) import of a {IMPORT_ROWS:,}-row CSV (UTF-8 with BOM, semicolons)", ""]
    for e in engines:
        imp = e["import"]
        if not imp["available"]:
            lines.append(f"- {e['engine']}: `flask popup import-units` not available ({' '.join(imp['why'])})")
        elif imp["exit_code"] != 0:
            tail = " / ".join(imp["output_tail"])
            lines.append(f"- {e['engine']}: failed (exit {imp['exit_code']}) after {imp['seconds']:.1f} s: {tail}")
        else:
            lines.append(
                f"- {e['engine']}: {imp['rows']:,} rows in {imp['seconds']:.1f} s, **{imp['rows_per_s']:,.0f} rows/s**"
            )
    lines += [
        "",
        "### `flask popup synth` (units per second, history included)",
        "",
        "| engine | units added | status changes | seconds | units/s |",
        "|---|---:|---:|---:|---:|",
    ]
    for e in engines:
        for step in e["synth"]:
            lines.append(
                f"| {e['engine']} | {step['units']:,} | {step['history']:,} | {step['seconds']:.1f} "
                f"| {step['units_per_s']:,} |"
            )
    lines += [
        "",
        "Ways of sending the geometry in a bulk insert (units/s, best of 3 rounds on an empty table, "
        "inside a rolled-back transaction; bench/insert_methods.py):",
        "",
        "| engine | units | " + " | ".join(next(iter(engines))["insert_methods"]["units_per_s"]) + " |",
        "|---|---:|" + "---:|" * len(next(iter(engines))["insert_methods"]["units_per_s"]),
    ]
    for e in engines:
        im = e["insert_methods"]
        lines.append(
            f"| {e['engine']} | {im['units']:,} | " + " | ".join(f"{x:,.0f}" for x in im["units_per_s"].values()) + " |"
        )
    for e in engines:
        if e.get("triggers"):
            t = e["triggers"]
            lines += [
                "",
                f"SpatiaLite {t['spatialite']}: raw `executemany` of {t['units']:,} units on a scratch database, "
                "with SpatiaLite's triggers on `units` and with groups of them dropped "
                "(rows/s, best of 2; bench/spatialite_triggers.py; the app keeps them all):",
                "",
                "| " + " | ".join(t["rows_per_s"]) + " |",
                "|" + "---:|" * len(t["rows_per_s"]),
                "| " + " | ".join(f"{x:,.0f}" for x in t["rows_per_s"].values()) + " |",
            ]
    lines += ["", "### Query plans (first viewport)", ""]
    for e in engines:
        for size, s in e["sizes"].items():
            lines += [f"{e['engine']}, {int(size):,} units:", "", "```", s["explain"], "```", ""]
    largest = [(e["engine"], size, s) for e in engines for size, s in e["sizes"].items()]
    for engine, size, s in largest:
        if s.get("profile_map"):
            lines += [
                f"<details><summary>pyinstrument, 5 requests of /map in-process: {engine}, {int(size):,} units"
                "</summary>",
                "",
                "```",
                *s["profile_map"].splitlines()[:60],
                "```",
                "</details>",
                "",
            ]
    lines += ["### Commands", "", "```sh", *COMMANDS, "```", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", nargs="?", default="quick", choices=sorted(MODES))
    parser.add_argument("--engines", default="sqlite,postgis", help="comma-separated: sqlite, postgis")
    options = parser.parse_args()
    mode = MODES[options.mode]
    OUT.mkdir(parents=True, exist_ok=True)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (bench/run.sh does it)")
    started = perf_counter()
    info = machine()
    engines = []
    for name in options.engines.split(","):
        if name == "sqlite":
            url = reset_sqlite(OUT / "bench.sqlite")
        elif name == "postgis":
            url = reset_postgis(os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG_URL))
        else:
            raise SystemExit(f"unknown engine {name}")
        engines.append(bench_engine(name, url, mode))
    seconds = perf_counter() - started
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    (OUT / f"results-{stamp}.json").write_text(
        json.dumps({"mode": options.mode, "machine": info, "engines": engines, "commands": COMMANDS}, indent=2)
    )
    section = markdown(options.mode, info, engines, seconds)
    (OUT / f"results-{stamp}.md").write_text(section)
    from results_md import add_run  # bench/results_md.py, beside this script

    add_run("Runs", section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
