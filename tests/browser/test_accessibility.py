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
    page.goto("/login")
    page.locator("#email").fill("staff@demo.popup.example")
    page.locator("#password").fill(demo_password)
    page.locator("form").last.get_by_role("button").click()
    page.wait_for_load_state("load")
    for path in LEASE_PAGES:
        page.goto(path)
        assert violations(page) == [], path
