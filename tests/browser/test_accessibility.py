"""WCAG 2.1 A/AA checks with axe-core on every page, logged out and logged in."""

from __future__ import annotations

from pathlib import Path

import axe_playwright_python
import pytest

pytestmark = pytest.mark.browser

AXE_JS = Path(axe_playwright_python.__file__).parent / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PUBLIC_PAGES = ["/", "/c/lessines", "/login", "/register", "/password-reset", "/c/does-not-exist"]
STAFF_PAGES = ["/account", "/account/password"]


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE_JS))
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


def _log_in(page, email, password):
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form").last.get_by_role("button").click()
    page.wait_for_load_state("load")


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
    page.get_by_role("link", name="New rotation for Boutique partagée (rotation)").click()
    page.wait_for_load_state("load")
    assert violations(page) == [], "new rotation form"
    page.locator("form").last.get_by_role("button").click()  # the form with its errors
    page.wait_for_load_state("load")
    assert violations(page) == [], "new rotation form with errors"
    page.goto(f"/rotations/{demo_rotation}")
    page.get_by_role("button", name="Run the planner").click()
    page.wait_for_load_state("load")
    assert violations(page) == [], "proposed plan"


def test_my_calendar_has_no_wcag_violation(page, demo_password, demo_rotation):
    _log_in(page, "julie.carlier@demo.popup.example", demo_password)
    for path in ("/my/calendar", "/my/calendar?view=week"):
        page.goto(path)
        assert violations(page) == [], path
