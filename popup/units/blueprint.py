from flask import Blueprint

from popup.units import views

bp = Blueprint("units", __name__, url_prefix="/units")
bp.add_url_rule("/<int:unit_id>", "detail", views.detail)
