"""Coaching in a real browser: the coach's view and notes, the entrepreneur's notes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_dashboard import log_in

pytestmark = pytest.mark.browser

COACH = "olivier.vanderstraeten@demo.popup.example"
OTHER_COACH = "sophie.lambert@demo.popup.example"
JULIE = "julie.carlier@demo.popup.example"


def test_the_coach_writes_a_note_with_the_keyboard_and_the_entrepreneur_reads_it(
    page, demo_password, browser, live_server
):
    log_in(page, COACH, demo_password)
    with page.expect_navigation(wait_until="load"):
        page.locator('header a[href="/coaching"]').click()
    entrepreneurs = page.locator("main table tbody")
    expect(entrepreneurs).to_contain_text("Julie Carlier")
    expect(entrepreneurs).to_contain_text("Mehdi Bouazza")
    expect(entrepreneurs).not_to_contain_text("Aurélie Wauters")  # Sophie's
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="Julie Carlier").click()
    expect(page.locator("h1")).to_contain_text("Julie Carlier")
    expect(page.locator(".coaching-notes li")).to_have_count(4)

    page.locator("#met_on").fill("2026-01-20")  # a date input's segments take Tab themselves
    page.locator("#text").focus()
    page.keyboard.type("Rendez-vous test au navigateur : vitrine de printemps.")
    page.keyboard.press("Tab")
    expect(page.locator(".coaching-note-form button, .coaching-note-form input[type=submit]")).to_be_focused()
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    expect(page.locator(".coaching-notes")).to_contain_text("vitrine de printemps")
    assert page.problems == []

    context = browser.new_context(locale="fr-BE", base_url=live_server)
    other = context.new_page()
    log_in(other, JULIE, demo_password)
    other.goto("/my/coaching")
    expect(other.locator(".coaching-notes")).to_contain_text("vitrine de printemps")
    expect(other.locator(".coaching-notes a")).to_have_count(0)  # no edit link: only the author edits
    context.close()


def test_a_bad_note_is_explained_next_to_its_field(page, demo_password):
    log_in(page, COACH, demo_password)
    page.goto("/coaching")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="Mehdi Bouazza").click()
    page.locator("#met_on").fill("")  # it starts on today's date
    with page.expect_navigation(wait_until="load"):
        page.locator(".coaching-note-form [type=submit]").click()
    expect(page.locator("#met_on-error")).to_be_visible()
    expect(page.locator("#text-error")).to_be_visible()
    expect(page.locator("#text")).to_have_attribute("aria-invalid", "true")


def test_another_coach_cannot_open_julies_coaching(page, demo_password):
    log_in(page, OTHER_COACH, demo_password)
    page.goto("/coaching")
    expect(page.locator("main")).not_to_contain_text("Julie Carlier")
    response = page.goto("/coaching/1")
    assert response.status == 404
