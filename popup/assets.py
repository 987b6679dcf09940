"""Third-party browser assets served from pip packages (no CDN)."""

from __future__ import annotations

import xstatic.pkg.jquery
import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from flask import Blueprint, Flask, send_from_directory

from popup import permissions

PACKAGES = {
    "leaflet": xstatic.pkg.leaflet.BASE_DIR,
    "markercluster": xstatic.pkg.leaflet_markercluster.BASE_DIR,
    "jquery": xstatic.pkg.jquery.BASE_DIR,
}

bp = Blueprint("vendor", __name__, url_prefix="/vendor")


@permissions.policy(permissions.public)
def vendor_file(package: str, filename: str):
    base = PACKAGES.get(package)
    if base is None:
        from flask import abort

        abort(404)
    return send_from_directory(base, filename, max_age=7 * 24 * 3600)


bp.add_url_rule("/<package>/<path:filename>", "file", vendor_file)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
