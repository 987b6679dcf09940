"""Response headers: a strict CSP with nonces, no framing, no caching of personal pages."""

from __future__ import annotations

import re

import pytest

from popup import create_app
from popup.config import TestingConfig
from popup.security import add_nonce, content_security_policy, tile_source

INLINE = re.compile(r"<(script|style)\b([^>]*)>", re.IGNORECASE)


def csp_of(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, _sep, value = part.strip().partition(" ")
        directives[name] = value
    return directives


def nonce_of(response) -> str:
    match = re.search(r"'nonce-([^']+)'", csp_of(response)["script-src"])
    assert match, response.headers["Content-Security-Policy"]
    return match.group(1)


def assert_every_inline_block_has_the_nonce(response) -> int:
    """Every inline <script>/<style> carries the header's nonce; no style="" attribute. Returns the count."""
    html = response.get_data(as_text=True)
    nonce = nonce_of(response)
    inline = [attrs for _tag, attrs in INLINE.findall(html) if "src=" not in attrs]
    for attrs in inline:
        assert f'nonce="{nonce}"' in attrs, attrs
    assert not re.search(r"<[^>]+\sstyle=", html), "inline style attributes are refused by the CSP"
    return len(inline)


def test_the_policy_allows_only_this_site_and_no_inline_code(client):
    response = client.get("/")
    csp = csp_of(response)
    assert csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert csp["img-src"] == "'self' data:"  # no tile host configured in the tests


def test_other_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # not https in the tests


def test_the_nonce_changes_with_every_request(client):
    assert nonce_of(client.get("/")) != nonce_of(client.get("/"))


@pytest.mark.parametrize("path", ["/map", "/c/lessines/map"])
def test_folium_inline_code_on_the_map_carries_the_nonce(client, make_core, make_unit, path):
    make_core()
    make_unit()
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    nonce = nonce_of(response)
    assert f'<script nonce="{nonce}">' in html and "window.popupMap.start(" in html
    # Folium's own head blocks for this map (its size, Leaflet's switches) are kept, with the nonce,
    # but not its full-page rules for html and body.
    assert f'<style nonce="{nonce}">' in html and "L_NO_TOUCH" in html
    assert "html, body" not in html
    assert assert_every_inline_block_has_the_nonce(response) >= 3


def test_pages_of_every_role_have_only_nonced_inline_code(client, auth, make_user, make_core, make_unit, commune):
    make_core()
    unit = make_unit()
    pages = ["/", "/c/lessines", "/login", "/register", "/offers", "/calls", f"/units/{unit.id}", "/nowhere"]
    for path in pages:
        assert_every_inline_block_has_the_nonce(client.get(path))
    auth.login(make_user(role="staff", communes=[commune]).email)
    for path in ["/account", "/units", "/c/lessines/cores", f"/units/{unit.id}/edit", "/data/import"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_every_inline_block_has_the_nonce(response)


def test_the_configured_tile_host_may_serve_images(app, client, make_core):
    make_core()
    old = app.config["TILE_URL"]
    app.config["TILE_URL"] = "https://{s}.tiles.example.test/{z}/{x}/{y}.png"
    try:
        response = client.get("/c/lessines/map")
    finally:
        app.config["TILE_URL"] = old
    csp = csp_of(response)
    assert csp["img-src"] == "'self' data: https://*.tiles.example.test"
    assert csp["connect-src"] == "'self'" and csp["default-src"] == "'self'"


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("http://tiles.local:8080/{z}/{x}/{y}.png", "http://tiles.local:8080"),
        ("https://a.{s}.example.org/{z}/{x}/{y}.png", "https://*.example.org"),
        ("", None),
        ("javascript:alert(1)", None),
        ("/tiles/{z}/{x}/{y}.png", None),  # same origin: 'self' covers it
    ],
)
def test_tile_source(url, source):
    assert tile_source(url) == source


def test_add_nonce_marks_inline_blocks_only():
    html = '<script>a()</script><script src="/x.js"></script><style>p{}</style><script nonce="n1">b()</script>'
    assert add_nonce(html, "N") == (
        '<script nonce="N">a()</script><script src="/x.js"></script><style nonce="N">p{}</style>'
        '<script nonce="n1">b()</script>'
    )
    assert "'nonce-N'" in content_security_policy("N", "")


def test_hsts_when_the_site_is_served_over_https(tmp_path):
    config = TestingConfig(str(tmp_path), database_url=f"sqlite:///{tmp_path}/h.sqlite")
    config.PREFERRED_URL_SCHEME = "https"
    response = create_app(config).test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_for_logged_in_users_are_not_stored(client, auth, make_user):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    user = make_user()
    auth.login(user.email)
    for path in ["/", "/account", "/my/units", "/nowhere"]:
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
        assert "Cookie" in response.headers["Vary"]


def test_a_password_reset_link_page_is_not_stored(client):
    response = client.get("/password-reset/not-a-valid-token")
    assert response.headers["Cache-Control"] == "no-store"


def test_a_view_that_chose_its_caching_keeps_it(client, auth, make_user, make_unit):
    # The vendor files (long cache) stay cacheable for a logged-in user.
    auth.login(make_user().email)
    response = client.get("/vendor/leaflet/leaflet.js")
    assert response.status_code == 200
    response.close()
    assert "no-store" not in response.headers["Cache-Control"]
