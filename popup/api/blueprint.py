from flask import Blueprint

from popup.api import views

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.add_url_rule("/units", "units", views.units)
bp.add_url_rule("/units/<int:unit_id>", "unit", views.unit)
bp.add_url_rule("/cores", "cores", views.cores)
bp.add_url_rule("/stats", "stats", views.stats)
bp.add_url_rule("/openapi.json", "openapi", views.openapi)


@bp.after_request
def _open_data(response):
    # Public, read-only open data: any site may read it.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
