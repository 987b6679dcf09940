"""Smoke tests through a real browser: what a visitor sees and does first."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

STAFF_EMAIL = "staff@demo.popup.example"
STAFF_NAME = "Catherine Delhaye"


def french(app, message: str) -> str:
    """``message`` as the app shows it in French (whatever the catalog holds today)."""
    with app.test_request_context(), force_locale("fr"):
        return _(message)


def path_of(url: str) -> str:
    return urlsplit(url).path


def assert_no_problems(page, *, except_for: str | None = None):
    """No failed, blocked or 4xx/5xx request and no console error (``except_for``: one URL expected to fail)."""
    problems = [p for p in page.problems if except_for is None or p.url != except_for]
    assert not problems, "the page had problems:\n" + "\n".join(map(str, problems))


def submit(page, button) -> None:
    """Click a form's button and wait until the page it leads to has fully loaded."""
    with page.expect_navigation(wait_until="load") as navigation:
        button.click()
    assert navigation.value.ok, f"{navigation.value.url} answered {navigation.value.status}"


def test_home_page_loads_in_french_with_local_assets_only(page, live_app, live_server):
    response = page.goto("/")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text(french(live_app, "Pop-up shops against empty shop cells"))
    expect(page.locator("main").get_by_role("link", name="Lessines", exact=True)).to_be_visible()

    assets = page.evaluate(
        """() => [
            ...[...document.querySelectorAll('link[rel~="stylesheet"]')].map(l => l.href),
            ...[...document.querySelectorAll('script[src]')].map(s => s.src),
        ]"""
    )
    assert any(path_of(url).endswith(".css") for url in assets), assets
    assert any(path_of(url).endswith(".js") for url in assets), assets
    foreign = [url for url in assets if urlsplit(url).hostname != "127.0.0.1"]
    assert not foreign, f"assets not served by the app: {foreign}"
    # The stylesheets were applied, not only requested.
    assert page.evaluate("() => document.styleSheets.length") >= sum(path_of(u).endswith(".css") for u in assets)
    page.wait_for_load_state("networkidle")
    assert_no_problems(page)


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_class(re.compile(r"\bskip-link\b"))
    expect(focused).to_have_attribute("href", "#main")
    expect(focused).to_be_in_viewport()  # visible when focused, not left off-screen
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.closest('#main') !== null"), "focus did not move into #main"
    assert_no_problems(page)


def test_staff_logs_in_sees_account_then_logs_out(page, demo_password):
    page.goto("/login")
    page.locator("#email").fill(STAFF_EMAIL)
    page.locator("#password").fill(demo_password)
    submit(page, page.locator("form:has(#password) [type=submit]"))

    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.locator("main")).to_contain_text(STAFF_NAME)
    expect(page.locator("header")).to_contain_text(STAFF_NAME)
    header_login = page.locator("header").locator("a[href='/login']")
    expect(header_login).to_have_count(0)

    submit(page, page.locator("header form[action='/logout'] [type=submit]"))
    expect(page).to_have_url(re.compile(r"/$"))
    expect(header_login).to_be_visible()
    expect(page.locator("header")).not_to_contain_text(STAFF_NAME)

    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)account$"))
    expect(page.locator("#email")).to_be_visible()
    assert_no_problems(page)


def test_language_choice_sets_lang_and_persists(page):
    html = page.locator("html")
    language_button = page.locator("header form.language-switch button[name=lang]")

    page.goto("/")
    expect(html).to_have_attribute("lang", "fr")
    submit(page, language_button.and_(page.locator("[value=nl]")))
    expect(html).to_have_attribute("lang", "nl")
    expect(page).to_have_url(re.compile(r"/$"))  # back where the visitor was

    page.goto("/c/lessines")
    expect(html).to_have_attribute("lang", "nl")
    expect(language_button.and_(page.locator("[value=nl]"))).to_have_attribute("aria-current", "true")

    submit(page, language_button.and_(page.locator("[value=en]")))
    expect(page).to_have_url(re.compile(r"/c/lessines$"))
    expect(html).to_have_attribute("lang", "en")
    page.goto("/")
    expect(html).to_have_attribute("lang", "en")
    assert_no_problems(page)


def test_commune_page_shows_the_three_key_figures(page):
    response = page.goto("/c/lessines")
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("Lessines")
    for name in ("units", "vacant", "rate"):
        figure = page.locator(f"[data-figure={name}]")
        expect(figure).to_be_visible()
        expect(figure).to_have_text(re.compile(r"\d"))
    assert_no_problems(page)


def test_unknown_commune_shows_the_404_page(page, live_app, live_server):
    response = page.goto("/c/does-not-exist")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text(french(live_app, "Page not found"))
    expect(page.locator("main a[href='/']")).to_be_visible()
    expect(page.locator("header nav")).to_be_visible()  # the full layout, not a bare error
    page.wait_for_load_state("networkidle")
    assert_no_problems(page, except_for=f"{live_server}/c/does-not-exist")
    # Chromium reports the 404 document itself; that is all it reports.
    assert {p.kind for p in page.problems} <= {"http", "console"}
