"""Response headers of every answer: CSP with per-request nonces, framing, caching.

All of it is here and registered once by ``create_app``:

- ``Content-Security-Policy``: only this origin (plus the configured tile host
  for images), no ``'unsafe-inline'``. Every inline ``<script>`` and ``<style>``
  carries the request's nonce: templates write ``nonce="{{ csp_nonce() }}"``,
  and HTML produced by a library (Folium) goes through :func:`add_nonce`.
  Inline ``style=""`` attributes are refused (``style-src-attr 'none'``): the
  templates use classes; scripts set styles through the CSSOM, which CSP allows.
- ``X-Content-Type-Options``, ``Referrer-Policy``, ``frame-ancestors 'none'``
  (and ``X-Frame-Options: DENY`` for old browsers); HSTS when the configuration
  says the site is served over https (production).
- ``Cache-Control: no-store`` on every answer to a logged-in user and on pages
  a view marks with :func:`no_store` (personal data), unless the view chose its
  own caching (photos, downloads).
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g
from flask_login import current_user

HSTS = "max-age=31536000; includeSubDomains"
REFERRER_POLICY = "strict-origin-when-cross-origin"
_INLINE_TAG = re.compile(r"<(script|style)(?![^>]*\bsrc=)(?![^>]*\bnonce=)([^>]*)>", re.IGNORECASE)


def csp_nonce() -> str:
    """This request's nonce (made on first use), for inline ``<script>`` and ``<style>``."""
    nonce = g.get("_csp_nonce")
    if nonce is None:
        nonce = g._csp_nonce = secrets.token_urlsafe(18)
    return nonce


def add_nonce(html: str, nonce: str | None = None) -> str:
    """Give every inline ``<script>``/``<style>`` tag of ``html`` the request's nonce.

    For HTML that a library renders (Folium): tags loading a ``src`` and tags
    that already carry a nonce are left alone.
    """
    value = nonce or csp_nonce()
    return _INLINE_TAG.sub(lambda m: f'<{m.group(1)} nonce="{value}"{m.group(2)}>', html)


def no_store() -> None:
    """Mark this answer as personal: browsers and proxies must not keep a copy."""
    g._no_store = True


def tile_source(tile_url: str) -> str | None:
    """The CSP source of a Leaflet tile URL template, or None when there are no tiles.

    ``https://{s}.tile.example.org/{z}/{x}/{y}.png`` gives
    ``https://*.tile.example.org``: a ``{placeholder}`` in the host becomes a
    wildcard label.
    """
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    labels = ["*" if "{" in label else label for label in parts.netloc.split(".")]
    if "*" in labels[1:]:
        # CSP allows a wildcard only as the first label: keep what follows the last one.
        labels = ["*", *labels[len(labels) - labels[::-1].index("*") :]]
    return f"{parts.scheme}://{'.'.join(labels)}"


def content_security_policy(nonce: str, tile_url: str) -> str:
    tiles = tile_source(tile_url)
    images = "'self' data:" + (f" {tiles}" if tiles else "")
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": f"'self' 'nonce-{nonce}'",
        "style-src-attr": "'none'",
        "img-src": images,
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _https(app: Flask) -> bool:
    return app.config.get("PREFERRED_URL_SCHEME") == "https" or app.config.get("ENV_NAME") == "production"


def set_headers(response: Response) -> Response:
    app = current_app
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(csp_nonce(), app.config.get("TILE_URL", ""))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = REFERRER_POLICY
    if _https(app):
        headers["Strict-Transport-Security"] = HSTS
    # A view that chose its caching (files, photos) keeps it; the user is only looked up otherwise.
    chose = "Cache-Control" in headers
    if not chose and (g.get("_no_store", False) or (current_user and current_user.is_authenticated)):
        headers["Cache-Control"] = "no-store"
    response.vary.add("Cookie")
    return response


def register(app: Flask) -> None:
    app.after_request(set_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.filters["with_nonce"] = add_nonce
