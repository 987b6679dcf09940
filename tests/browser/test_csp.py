"""The Content-Security-Policy holds in Chromium: no page of any role triggers a violation."""

from __future__ import annotations

import pytest

from tests.browser.conftest import open_page

pytestmark = pytest.mark.browser

PUBLIC = [
    "/",
    "/c/lessines",
    "/map",
    "/c/lessines/map",
    "/offers",
    "/calls",
    "/units/1",
    "/login",
    "/register",
    "/password-reset",
]
BY_ROLE = {
    "staff@demo.popup.example": [
        "/account",
        "/account/data",
        "/units",
        "/units/new",
        "/units/1",
        "/units/1/edit",
        "/c/lessines/cores",
        "/c/lessines/cores/new",
        "/data/import",
        "/moderation/units",
        "/c/lessines/map",
        "/notifications/",
    ],
    "jean-pierre.lemaire@demo.popup.example": [
        "/account",
        "/account/erase",
        "/my/units",
        "/my/units/new",
        "/my/offers",
        "/offers",
    ],
    "julie.carlier@demo.popup.example": [
        "/account",
        "/my/profile",
        "/my/profile/documents",
        "/my/applications",
        "/calls",
    ],
    "olivier.vanderstraeten@demo.popup.example": ["/account", "/map"],
}


def visit(page, path):
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    page.wait_for_load_state("networkidle")


def log_in(page, email, password):
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    with page.expect_navigation(wait_until="load"):
        page.locator("form:has(#password) [type=submit]").click()
    assert page.url.endswith("/account"), page.url


def test_public_pages_raise_no_csp_violation(page):
    for path in PUBLIC:
        visit(page, path)
    visit(page, "/c/lessines/map")
    assert page.locator(".leaflet-container").count() == 1  # the map ran under the policy
    page.wait_for_function("() => document.querySelectorAll('#unit-list li').length > 0")
    assert not page.problems, "\n".join(map(str, page.problems))


@pytest.mark.parametrize("email", list(BY_ROLE))
def test_pages_of_each_role_raise_no_csp_violation(browser, live_server, demo_password, email):
    context, page = open_page(browser, live_server)
    try:
        log_in(page, email, demo_password)
        for path in BY_ROLE[email]:
            visit(page, path)
        assert not page.problems, "\n".join(map(str, page.problems))
    finally:
        context.close()


def test_the_listener_reports_an_injected_inline_script(page):
    # The check above cannot pass by not listening: code injected without the nonce is blocked and reported.
    visit(page, "/")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.appendChild(script);
            const div = document.createElement("div");
            div.setAttribute("style", "color: red");
            document.body.appendChild(div);
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.injected") is None
    kinds = {(p.kind, p.detail.split(" ")[0]) for p in page.problems}
    assert ("csp", "script-src-elem") in kinds
    assert ("csp", "style-src-attr") in kinds
