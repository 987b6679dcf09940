"""WCAG 2.1 A/AA checks with axe-core on every page, logged out and logged in."""

from __future__ import annotations

from pathlib import Path

import axe_playwright_python
import pytest

pytestmark = pytest.mark.browser

AXE_JS = Path(axe_playwright_python.__file__).parent / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PUBLIC_PAGES = ["/", "/c/lessines", "/login", "/register", "/password-reset", "/c/does-not-exist"]
STAFF_PAGES = [
    "/account",
    "/account/password",
    "/account/data",
    "/account/erase",
    "/audit",
    "/audit?since=2020-13-01",
    "/c/lessines/dashboard",
    "/c/lessines/coaching",
    "/coaching/1",
]
PUBLIC_PAGES += ["/c/lessines/report", "/c/lessines/wishes", "/c/lessines/open-data", "/units/1/wish"]
STAFF_PAGES += ["/c/lessines/reports"]


def violations(page) -> list[str]:
    # Evaluated through the DevTools protocol: a <script> tag without the page's
    # nonce would be refused by the Content-Security-Policy, as it should be.
    page.evaluate("source => { if (!window.axe) { (0, eval)(source); } }", AXE_JS.read_text())
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_public_pages_have_no_wcag_violation(page, path, lang):
    page.goto("/")
    if lang != "fr":
        page.get_by_role("button", name="Nederlands").click()
        page.wait_for_load_state("load")
    page.goto(path)
    assert violations(page) == []


def test_unit_page_has_no_wcag_violation(page):
    page.goto("/units/1")
    assert violations(page) == []


def test_form_errors_are_accessible(page):
    page.goto("/register")
    page.locator("#email").fill("not an email")
    page.locator("form").last.get_by_role("button").click()
    page.wait_for_load_state("load")
    assert page.locator(".invalid-feedback").first.is_visible()
    assert violations(page) == []


def test_logged_in_pages_have_no_wcag_violation(page, demo_password):
    page.goto("/login")
    page.locator("#email").fill("staff@demo.popup.example")
    page.locator("#password").fill(demo_password)
    page.locator("form").last.get_by_role("button").click()
    page.wait_for_load_state("load")
    for path in STAFF_PAGES:
        page.goto(path)
        assert violations(page) == [], path


@pytest.mark.parametrize(
    ("email", "paths"),
    [
        ("olivier.vanderstraeten@demo.popup.example", ["/coaching", "/coaching/1", "/coaching/notes/1/edit"]),
        ("julie.carlier@demo.popup.example", ["/my/coaching"]),
    ],
)
def test_coaching_pages_have_no_wcag_violation(page, demo_password, email, paths):
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(demo_password)
    page.locator("form").last.get_by_role("button").click()
    page.wait_for_load_state("load")
    for path in paths:
        page.goto(path)
        assert violations(page) == [], path


def test_dashboard_with_a_bad_period_has_no_wcag_violation(page, demo_password):
    page.goto("/login")
    page.locator("#email").fill("staff@demo.popup.example")
    page.locator("#password").fill(demo_password)
    page.locator("form").last.get_by_role("button").click()
    page.wait_for_load_state("load")
    page.goto("/c/lessines/dashboard?from=2026-13&to=2026-01")
    assert page.locator("#period-from-error").is_visible()
    assert violations(page) == []


def _log_in(page, email, password):
    page.context.clear_cookies()
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form").last.get_by_role("button").click()
    page.wait_for_load_state("load")


def test_matching_pages_have_no_wcag_violation(page, live_app, demo_password):
    from sqlalchemy import select

    from popup.calls.models import Call
    from popup.extensions import db

    with live_app.app_context():
        call_id = db.session.scalars(select(Call.id).filter_by(title="Boutique à l'essai Grand-Place 2027")).one()
    _log_in(page, "staff@demo.popup.example", demo_password)
    page.goto(f"/calls/{call_id}/matching")
    page.locator("form.matching-settings #submit").click()  # the result: pairs, reasons, what is left
    page.wait_for_load_state("load")
    assert violations(page) == [], "matching screen"
    page.locator("#weights input").first.fill("-1")  # an error tied to its field
    page.locator("form.matching-settings #submit").click()
    page.wait_for_load_state("load")
    assert violations(page) == [], "matching settings with an error"
    # A pair by hand that breaks a hard rule (the owner excludes restaurants): confirmed, then proposed.
    page.goto(f"/calls/{call_id}/matching")
    page.locator("#force-application").select_option(label="Nathan's Coffee Corner (Nathan Claes)")
    page.locator("#force-stand option").last.wait_for(state="attached")
    page.locator("#force-stand").select_option(index=4)
    page.locator("form[action$='/matching/pair'] button").click()
    page.wait_for_load_state("load")
    assert violations(page) == [], "a pair by hand"
    page.locator("#accept_rules").check()
    page.locator("form[action$='/matching/propose'] #submit").click()
    page.wait_for_load_state("load")
    assert "/proposals/" in page.url
    assert violations(page) == [], "a proposal seen by staff"
    proposal_url = page.url
    _log_in(page, "jean-pierre.lemaire@demo.popup.example", demo_password)
    for path in ("/my/matches", proposal_url):
        page.goto(path)
        assert violations(page) == [], path
    _log_in(page, "nathan.claes@demo.popup.example", demo_password)
    page.goto("/my/matches")
    assert violations(page) == [], "an entrepreneur's matches"
    # Staff withdraw the forced pair: the demo call is as it was for the other browser tests.
    _log_in(page, "staff@demo.popup.example", demo_password)
    page.goto(proposal_url)
    page.locator("form[action$='/withdraw'] button").click()
    page.wait_for_load_state("load")
    assert page.locator(".proposal-status-withdrawn").count() == 1


def test_rotation_pages_have_no_wcag_violation(page, demo_password, demo_rotation):
    _log_in(page, "staff@demo.popup.example", demo_password)
    for path in (
        "/rotations",
        f"/rotations/{demo_rotation}",
        f"/rotations/{demo_rotation}/calendar",
        f"/rotations/{demo_rotation}/calendar?view=week",
        f"/rotations/{demo_rotation}/calendar?month=2026-13",
    ):
        page.goto(path)
        assert violations(page) == [], path
    page.goto("/rotations")
    page.get_by_role("link", name="Nouvelle rotation pour Boutique partagée (rotation)").click()
    page.wait_for_load_state("load")
    assert violations(page) == [], "new rotation form"
    page.locator("form").last.get_by_role("button").click()  # the form with its errors
    page.wait_for_load_state("load")
    assert violations(page) == [], "new rotation form with errors"
    page.goto(f"/rotations/{demo_rotation}")
    page.get_by_role("button", name="Lancer le planificateur").click()
    page.wait_for_load_state("load")
    assert violations(page) == [], "proposed plan"


def test_my_calendar_has_no_wcag_violation(page, demo_password, demo_rotation):
    _log_in(page, "julie.carlier@demo.popup.example", demo_password)
    for path in ("/my/calendar", "/my/calendar?view=week"):
        page.goto(path)
        assert violations(page) == [], path


LEASE_PAGES = [
    "/leases/",
    "/c/lessines/leases",
    "/c/lessines/leases/new",
    "/c/lessines/leases/subsidies",
    "/c/lessines/leases/overdue",
    "/leases/1",
    "/leases/1/payments",
    "/leases/1/payments/new",
    "/leases/1/statements/2026/10",
    "/leases/1/document",
    "/leases/1/terminate",
]


def test_lease_pages_have_no_wcag_violation(page, demo_password):
    """The Lessines demo lease (five co-tenants on Grand-Place 9) as its commune's staff sees it."""
    _log_in(page, "staff@demo.popup.example", demo_password)
    for path in LEASE_PAGES:
        page.goto(path)
        assert violations(page) == [], path
