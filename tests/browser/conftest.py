"""Browser fixtures: the app served on 127.0.0.1, Debian's Chromium driven by Playwright.

The server here has its own database file and its own app (CSRF on, as in
production); it does not use the ``app`` fixture of tests/conftest.py, which is
parametrized over two backends and wraps each test in a rolled-back transaction.
Browser tests must therefore never request ``app``, ``db`` or ``client``.
"""

from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from popup import create_app
from popup.config import TestingConfig
from popup.extensions import db as _db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
LOCAL_HOST = "127.0.0.1"
SEED_FILE = Path(__file__).resolve().parents[2] / "seed_data" / "lessines.json"
TIMEOUT_MS = 10_000
# Reports every Content-Security-Policy violation of a page to the test (see open_page).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
    window.__popupCspViolation({
        directive: event.effectiveDirective || event.violatedDirective,
        blocked: event.blockedURI || "inline",
        source: event.sourceFile,
        line: event.lineNumber,
        page: location.href,
        sample: event.sample,
    });
});
"""


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


# -- the server ----------------------------------------------------------------


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app behind the live server, with the Lessines demo loaded."""
    if not SEED_FILE.exists():
        pytest.fail(f"the browser tests serve the demo data and {SEED_FILE} is missing")
    from popup.seed import load_demo

    tmp = tmp_path_factory.mktemp("browser")
    config = TestingConfig(str(tmp / "instance"), database_url=f"sqlite:///{tmp / 'browser.sqlite'}")
    application = create_app(config)  # CSRF stays on: a real browser sends the tokens
    with application.app_context():
        upgrade()
        report = load_demo()
        _db.session.commit()
    application.config["DEMO_PASSWORD"] = report.password
    yield application
    with application.app_context():
        _db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    """Base URL of the app served by werkzeug on a free local port."""
    server = make_server(LOCAL_HOST, 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-live-server", daemon=True)
    thread.start()
    yield f"http://{LOCAL_HOST}:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def demo_password(live_app) -> str:
    return live_app.config["DEMO_PASSWORD"]


# -- the browser ---------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium); browser tests need it")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


@dataclass(frozen=True)
class Problem:
    """Something a user would notice went wrong while loading a page."""

    kind: str  # "failed", "http", "external", "console", "pageerror", "csp"
    url: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.url} {self.detail}".strip()


def open_page(browser, base_url: str, *, record_dialogs: bool = False):
    """A page in a fresh context set up that blocks and records anything going wrong.

    ``page.problems`` lists failed requests, responses >= 400, requests to any
    host but 127.0.0.1 (aborted), console errors, uncaught page errors and
    Content-Security-Policy violations (the page's ``securitypolicyviolation`` events);
    with ``record_dialogs``, ``page.dialogs`` the message of every JavaScript
    dialog (dismissed); without it a test may answer dialogs itself.
    """
    context = browser.new_context(locale="fr-BE", base_url=base_url)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    problems: list[Problem] = []
    dialogs: list[str] = []
    blocked: set[str] = set()

    def only_local(route):
        url = route.request.url
        if urlsplit(url).hostname == LOCAL_HOST:
            route.continue_()
        else:
            blocked.add(url)
            problems.append(Problem("external", url, "blocked: not served by the app"))
            route.abort("blockedbyclient")

    def on_failed(request):
        # A request cut short because the test moved on to the next page is no fault.
        if request.failure and "ERR_ABORTED" in request.failure:
            return
        if request.url not in blocked:  # already recorded as "external"
            problems.append(Problem("failed", request.url, request.failure or ""))

    def on_response(response):
        if response.status >= 400:
            problems.append(Problem("http", response.url, str(response.status)))

    def on_console(message):
        if message.type == "error":
            problems.append(Problem("console", message.location.get("url", ""), message.text))

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    def on_csp_violation(source, violation):
        where = f"{violation['source']}:{violation['line']}" if violation.get("source") else violation.get("page", "")
        problems.append(Problem("csp", where, f"{violation['directive']} blocked {violation['blocked']}"))

    context.route("**/*", only_local)
    context.expose_binding("__popupCspViolation", on_csp_violation)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(Problem("pageerror", page.url, str(error))))
    if record_dialogs:
        page.on("dialog", on_dialog)
    page.problems = problems
    page.dialogs = dialogs
    return context, page


@pytest.fixture
def page(browser, live_server):
    """A page in a fresh context (fr-BE), see open_page."""
    context, new_page = open_page(browser, live_server)
    yield new_page
    context.close()


@pytest.fixture(scope="session")
def demo_rotation(live_app):
    """A rotation of a (draft) shared shop on a demo unit, with three demo entrepreneurs as candidates.

    Returns the rotation's id. Starts on this week's Monday, so this month's calendar shows it.
    """
    from datetime import timedelta

    from sqlalchemy import select

    from popup.auth.models import User
    from popup.offers.models import Offer, Stand
    from popup.schedules.models import Rotation, RotationCandidate
    from popup.units.models import Unit
    from popup.units.queries import local_today

    live_app.config["ROTATION_TIME_LIMIT_S"] = 3.0
    monday = local_today() - timedelta(days=local_today().weekday())
    with live_app.app_context():
        unit = _db.session.scalar(select(Unit).where(Unit.approval == "approved").order_by(Unit.id))
        offer = Offer(unit=unit, title="Boutique partagée (rotation)", available_from=monday, status="draft")
        offer.stands = [Stand(label=f"Stand {n}", area_m2=15, position=n) for n in (1, 2)]
        rotation = Rotation(
            offer=offer, title="Rotation de démonstration", starts_on=monday, ends_on=monday + timedelta(weeks=8)
        )
        rotation.opening_days, rotation.grain = [2, 4, 5], "week"
        _db.session.add(rotation)
        people = _db.session.scalars(select(User).where(User.role == "entrepreneur").order_by(User.id).limit(3))
        for n, person in enumerate(people):
            window = [monday.isoformat(), (monday + timedelta(weeks=8)).isoformat()]
            _db.session.add(
                RotationCandidate(
                    rotation=rotation,
                    entrepreneur=person,
                    sector=("food", "crafts", "fashion")[n],
                    area_m2=10,
                    min_grains=2,
                    max_grains=4,
                    windows=[window],
                    priority=3 - n,
                )
            )
        _db.session.commit()
        return rotation.id
