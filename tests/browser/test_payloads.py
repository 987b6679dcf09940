"""Hostile text in every free-text field, rendered in Chromium on every page that shows it: no script runs.

A separate app on its own copy of the Lessines demo (the session's ``live_app``
stays untouched) has each user-typed field overwritten with a payload that
combines an HTML tag with an inline handler, a template-literal ``${...}``, a
backtick and a ``</script>`` that would close an inline script. Every GET page
of the app is then opened in Chromium, logged out and as each role that sees
the data, with the Content-Security-Policy bypassed: the policy must not be the
only thing between a payload and its execution, so an escaping mistake shows
as a dialog or as an injected element in the DOM.
"""

from __future__ import annotations

import io
import itertools
import re
import threading
from datetime import date, timedelta

import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from popup import create_app, geo
from popup.config import TestingConfig
from popup.extensions import db
from popup.types import utcnow
from tests.browser.conftest import LOCAL_HOST, open_page

pytestmark = pytest.mark.browser

HTML_TAG = "<img src=x onerror=alert(1)>"


def payload(tag: str) -> str:
    """The hostile text for one field; ``tag`` says which field it is, so a page can be checked for it."""
    return f"{HTML_TAG} ${{alert(1)}} ` </script><script>alert(2)</script> {tag}"


# Endpoints that serve no HTML page (files, feeds, exports, the API) or need a secret token.
SKIPPED_ENDPOINTS = {
    "static",
    "vendor.file",
    "bootstrap.static",
    "core.healthz",
    "uploads.image",
    "profiles.document",
    "profiles.photo",
    "participation.report_photo",
    "schedules.feed",
    "auth.reset_password",
    "privacy.download",
    "imports.mapping",
    "dashboard.csv",
    "opendata.units",
    "opendata.vacancy",
    "communes.openings",
    "leases.ledger_export",
    "imports.export_csv",
    "imports.export_geojson",
}

# What the page holds that a payload would have put there: none of it may exist.
INJECTED = """() => ({
    images: document.querySelectorAll('img[src="x"]').length,
    handlers: document.querySelectorAll('[onerror]').length,
    scripts: [...document.scripts].filter((s) => s.textContent.trim() === 'alert(2)').length,
    javascript_links: [...document.querySelectorAll('a[href]')]
        .filter((a) => a.getAttribute('href').trim().toLowerCase().startsWith('javascript:')).length,
})"""
NOTHING_INJECTED = {"images": 0, "handlers": 0, "scripts": 0, "javascript_links": 0}


# -- the hostile demo ------------------------------------------------------------


def _poison(ids: dict[str, list[int]]) -> None:
    """Overwrite every user-typed free-text field of the demo with a payload, and add what the demo lacks."""
    from PIL import Image as PILImage

    from popup.applications.models import Application, ApplicationEvent, EntrepreneurProfile
    from popup.auth.models import User
    from popup.calls.models import Call
    from popup.coaching.models import CoachAssignment, CoachingNote
    from popup.communes.models import CommercialCore
    from popup.leases.models import Lease, LeasePayment, LeaseTenant
    from popup.matching.models import MatchProposal
    from popup.notifications.operations import notify
    from popup.offers.models import Offer, Stand
    from popup.participation.models import VacancyReport, Wish
    from popup.schedules.models import Booking, Rotation, SwapRequest
    from popup.units.models import Unit
    from popup.uploads.operations import add_unit_photo

    def all_of(model):
        return list(db.session.scalars(select(model).order_by(model.id)))

    for user in all_of(User):
        user.name = payload(f"user{user.id}-name")
    for core in all_of(CommercialCore):
        core.name = payload(f"core{core.id}-name")
    units = all_of(Unit)
    for unit in units:
        unit.address = payload(f"unit{unit.id}-address")
        unit.activity = payload(f"unit{unit.id}-activity")
        unit.public_description = payload(f"unit{unit.id}-description")
    for offer in all_of(Offer):
        offer.title = payload(f"offer{offer.id}-title")
        offer.conditions = payload(f"offer{offer.id}-conditions")
    for stand in all_of(Stand):
        stand.label = payload(f"stand{stand.id}-label")
        stand.description = payload(f"stand{stand.id}-description")
    for call in all_of(Call):
        call.title = payload(f"call{call.id}-title")
        call.description = payload(f"call{call.id}-description")
    for profile in db.session.scalars(select(EntrepreneurProfile)):
        n = profile.user_id
        profile.business_name = payload(f"profile{n}-business")
        profile.concept = payload(f"profile{n}-concept")
        profile.public_name = payload(f"profile{n}-public-name")
        profile.public_description = payload(f"profile{n}-public-description")
        profile.links = ["javascript:alert(3)", payload(f"profile{n}-link"), "https://example.org/?q=\"'><b>x</b>"]
    for application in all_of(Application):
        application.motivation = payload(f"application{application.id}-motivation")
    for event in all_of(ApplicationEvent):
        event.reason = payload(f"event{event.id}-reason")
    for lease in all_of(Lease):
        lease.termination_reason = payload(f"lease{lease.id}-termination")
    for tenant in all_of(LeaseTenant):
        tenant.graduation_address = payload(f"tenant{tenant.id}-graduation")
    for payment in all_of(LeasePayment):
        payment.payer = payload(f"payment{payment.id}-payer")
        payment.reference = payload(f"payment{payment.id}-reference")
        payment.reason = payload(f"payment{payment.id}-reason")
    for rotation in all_of(Rotation):
        rotation.title = payload(f"rotation{rotation.id}-title")
    for note in all_of(CoachingNote):
        note.text = payload(f"note{note.id}-text")

    staff = db.session.scalar(select(User).where(User.email == "staff@demo.popup.example"))
    # What the demo has none of: a declined proposal, a swap request, wishes, reports, a photo, notifications.
    application = db.session.scalar(select(Application).order_by(Application.id))
    stand = db.session.scalar(select(Stand).order_by(Stand.id))
    if application is not None and stand is not None and application.call_id is not None:
        proposal = MatchProposal(
            call_id=application.call_id,
            application_id=application.id,
            stand_id=stand.id,
            status="declined",
            proposed_by=staff,
            declined_by=staff,
            declined_side="owner",
            declined_at=utcnow(),
            decline_reason=payload("proposal-decline"),
            withdraw_reason=payload("proposal-withdraw"),
        )
        db.session.add(proposal)
        db.session.flush()
        ids["proposal_id"] = [proposal.id]
    bookings = all_of(Booking)
    if len(bookings) >= 2:
        db.session.add(
            SwapRequest(
                rotation_id=bookings[0].rotation_id,
                booking_id=bookings[0].id,
                other_booking_id=bookings[1].id,
                requested_by_id=bookings[0].entrepreneur_id,
                message=payload("swap-message"),
            )
        )
    vacant = [unit for unit in units if unit.status == "vacant" and unit.approval == "approved"]
    wished = vacant[0]
    for n, sector in enumerate(("food", "crafts")):
        db.session.add(Wish(unit=wished, voter_key=f"xss:{n}", sector=sector, text=payload(f"wish{n}-text")))
    commune = wished.commune
    db.session.add(
        VacancyReport(
            commune=commune,
            address=payload("report-address"),
            description=payload("report-description"),
            location=geo.point(3.8829, 50.7117),
        )
    )
    raw = io.BytesIO()
    PILImage.new("RGB", (40, 30), (200, 80, 40)).save(raw, "PNG")
    add_unit_photo(wished, raw.getvalue(), alt_text=payload("photo-alt"), by=staff)
    ids["unit_id"] = sorted({wished.id} | {offer.unit_id for offer in all_of(Offer)})
    name = payload("notification-name")
    keys = ("title", "applicant", "owner", "address", "who", "call", "offer", "stand", "reason", "name")
    params = dict.fromkeys(keys, name)
    params |= {
        "status": "accepted",
        "start": date.today().isoformat(),
        "end": (date.today() + timedelta(30)).isoformat(),
    }
    kinds = (
        "unit_proposed",
        "unit_approved",
        "application_submitted",
        "offer_application",
        "application_status",
        "match_proposed_owner",
        "match_proposed_entrepreneur",
        "match_side_confirmed",
        "match_confirmed",
        "match_declined",
        "match_withdrawn",
    )
    for user in all_of(User):
        for kind in kinds:
            notify(user, kind, dict(params), link="/", email=False)

    ids["offer_id"] = [offer.id for offer in all_of(Offer)]
    ids["call_id"] = [call.id for call in all_of(Call)]
    ids["application_id"] = [a.id for a in all_of(Application)]
    ids["user_id"] = [p.user_id for p in db.session.scalars(select(EntrepreneurProfile))]
    ids["lease_id"] = [lease.id for lease in all_of(Lease)]
    ids["tenant_id"] = [tenant.id for tenant in all_of(LeaseTenant)]
    ids["rotation_id"] = [rotation.id for rotation in all_of(Rotation)]
    ids["booking_id"] = [booking.id for booking in bookings]
    ids["assignment_id"] = [a.id for a in all_of(CoachAssignment)]
    ids["note_id"] = [note.id for note in all_of(CoachingNote)]
    ids["core_id"] = [core.id for core in all_of(CommercialCore)]
    ids["report_id"] = [report.id for report in all_of(VacancyReport)]
    starts = [lease.starts_on for lease in all_of(Lease)] + [date.today()]
    ids["year"] = sorted({d.year for d in starts})
    ids["month"] = sorted({d.month for d in starts})


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """(base URL, demo password, ids of the poisoned records, app) of a server of its own on a poisoned demo."""
    from popup.seed import load_demo

    tmp = tmp_path_factory.mktemp("payloads")
    config = TestingConfig(str(tmp / "instance"), database_url=f"sqlite:///{tmp / 'payloads.sqlite'}")
    application = create_app(config)
    ids: dict[str, list[int]] = {}
    with application.app_context():
        upgrade()
        report = load_demo()
        db.session.commit()
        _poison(ids)
        db.session.commit()
    server = make_server(LOCAL_HOST, 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="payloads-live-server", daemon=True)
    thread.start()
    yield f"http://{LOCAL_HOST}:{server.server_port}", report.password, ids, application
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with application.app_context():
        db.engine.dispose()


class _NoCsp:
    """The browser, opening contexts that ignore the Content-Security-Policy (see the module docstring)."""

    def __init__(self, browser) -> None:
        self._browser = browser

    def new_context(self, **kwargs):
        return self._browser.new_context(bypass_csp=True, **kwargs)


def _urls(application, ids: dict[str, list[int]]) -> list[str]:
    """Every GET page of the app, with its ids filled in from the poisoned records."""
    values = dict(ids, slug=["lessines"])
    urls: list[str] = []
    with application.test_request_context():
        from flask import url_for

        for rule in sorted(application.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint in SKIPPED_ENDPOINTS or rule.endpoint.startswith("api."):
                continue
            names = sorted(rule.arguments)
            if any(name not in values for name in names):
                continue
            for combination in itertools.product(*(values[name] for name in names)):
                urls.append(url_for(rule.endpoint, **dict(zip(names, combination, strict=True))))
    return urls


def _log_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form").last.get_by_role("button").click()
    page.wait_for_load_state("load")
    assert "/login" not in page.url, f"{email} could not log in"


def _open_map_popups(page) -> list[str]:
    """Open the popup of a few unit markers and the tooltip of the cores; return the texts shown."""
    expect(page.locator("#unit-list li").first).to_be_visible()
    texts = page.evaluate(
        """() => {
            const map = Object.values(window).find((v) => v instanceof L.Map);
            const shown = [];
            map.eachLayer((layer) => {
                if (layer.getTooltip && layer.getTooltip() && layer.feature) {
                    layer.openTooltip(layer.getBounds ? layer.getBounds().getCenter() : undefined);
                    const tip = document.querySelector('.leaflet-tooltip');
                    if (tip) { shown.push(tip.innerText); }
                }
            });
            let cluster = null;
            map.eachLayer((layer) => { if (layer.zoomToShowLayer) { cluster = layer; } });
            // The markers sit in clusters; open each one's popup (built by unit-map.js) on the map directly.
            const markers = cluster ? cluster.getLayers().slice(0, 5) : [];
            for (const marker of markers) {
                map.openPopup(marker.getPopup()._content(marker), marker.getLatLng());
                const popup = document.querySelector('.leaflet-popup-content');
                if (popup) { shown.push(popup.innerText); }
            }
            return shown;
        }"""
    )
    return texts


ROLES = [
    None,
    "staff@demo.popup.example",
    "jean-pierre.lemaire@demo.popup.example",
    "martine.deschamps@demo.popup.example",
    "julie.carlier@demo.popup.example",
    "mehdi.bouazza@demo.popup.example",
    "olivier.vanderstraeten@demo.popup.example",
]


@pytest.mark.parametrize("email", ROLES, ids=lambda e: (e or "anonymous").split("@")[0])
def test_no_payload_runs_on_any_page(browser, hostile, email):
    base_url, password, ids, application = hostile
    context, page = open_page(_NoCsp(browser), base_url, record_dialogs=True)
    try:
        if email:
            _log_in(page, email, password)
        seen: list[str] = []
        injected: dict[str, dict] = {}
        errors: list[str] = []
        shown_as_text = 0
        for url in _urls(application, ids):
            response = context.request.get(url, max_redirects=0)
            if response.status != 200 or not response.headers.get("content-type", "").startswith("text/html"):
                continue
            page.goto(url)
            page.wait_for_load_state("load")
            if url.endswith("/map"):
                texts = _open_map_popups(page)
                assert any(HTML_TAG in text for text in texts), f"{url}: no popup or tooltip shows the payload"
            found = page.evaluate(INJECTED)
            if found != NOTHING_INJECTED:
                injected[url] = found
            errors += [str(p) for p in page.problems if p.kind in ("pageerror", "csp")]
            page.problems.clear()
            if HTML_TAG in page.locator("body").inner_text():
                shown_as_text += 1
            seen.append(url)
        assert page.dialogs == [], f"a payload opened a dialog: {page.dialogs}"
        assert injected == {}, f"a payload became markup: {injected}"
        assert errors == [], errors
        # The crawl did reach pages, and the payloads are there, written out as text.
        assert len(seen) >= 8, seen
        assert shown_as_text >= len(seen) // 3, (shown_as_text, seen)
    finally:
        context.close()


def test_payloads_show_as_text(browser, hostile):
    """A sample of pages writes out the hostile text literally, where a reader expects it."""
    base_url, password, ids, _ = hostile
    context, page = open_page(_NoCsp(browser), base_url, record_dialogs=True)
    try:
        unit_id = ids["unit_id"][0]
        page.goto(f"/units/{unit_id}")
        expect(page.locator("h1")).to_have_text(re.compile(re.escape(payload(f"unit{unit_id}-address"))))
        body = page.locator("main")
        expect(body).to_contain_text(payload(f"unit{unit_id}-description"))
        expect(body).to_contain_text(payload("wish0-text"))
        assert page.locator("main img").evaluate_all("(images) => images.map((i) => i.alt)").count(
            payload("photo-alt")
        ) >= 1 or payload("photo-alt") in page.content().replace("&lt;", "<").replace("&gt;", ">")
        offer_id = ids["offer_id"][0]
        page.goto(f"/offers/{offer_id}")
        expect(page.locator("main")).to_contain_text(payload(f"offer{offer_id}-title"))
        page.goto(f"/calls/{ids['call_id'][0]}")
        expect(page.locator("main")).to_contain_text(payload(f"call{ids['call_id'][0]}-title"))
        page.goto("/c/lessines/map")
        expect(page.locator("#unit-list li a").first).to_contain_text(HTML_TAG)
        _log_in(page, "staff@demo.popup.example", password)
        page.goto("/notifications/")
        expect(page.locator("main")).to_contain_text(payload("notification-name"))
        page.goto("/c/lessines/reports")
        expect(page.locator("main")).to_contain_text(payload("report-address"))
        assert page.dialogs == []
    finally:
        context.close()
