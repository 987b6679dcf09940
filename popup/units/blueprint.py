from flask import Blueprint

from popup.units import views

bp = Blueprint("units", __name__, url_prefix="/units")
bp.add_url_rule("", "index", views.index)
bp.add_url_rule("/new", "create", views.create, methods=("GET", "POST"))
bp.add_url_rule("/bulk-status", "bulk_status", views.bulk_status, methods=("POST",))
bp.add_url_rule("/<int:unit_id>", "detail", views.detail)
bp.add_url_rule("/<int:unit_id>/edit", "edit", views.edit, methods=("GET", "POST"))
bp.add_url_rule("/<int:unit_id>/archive", "archive", views.archive, methods=("POST",))
