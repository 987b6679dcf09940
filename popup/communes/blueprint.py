from flask import Blueprint

from popup.communes import views

bp = Blueprint("communes", __name__, url_prefix="/c")
bp.add_url_rule("/<slug>", "home", views.home)
bp.add_url_rule("/<slug>/openings.ics", "openings", views.openings)
bp.add_url_rule("/<slug>/cores", "cores", views.cores)
bp.add_url_rule("/<slug>/cores/new", "core_new", views.core_new, methods=("GET", "POST"))
bp.add_url_rule("/<slug>/cores/<int:core_id>/edit", "core_edit", views.core_edit, methods=("GET", "POST"))
bp.add_url_rule("/<slug>/cores/<int:core_id>/delete", "core_delete", views.core_delete, methods=("POST",))
