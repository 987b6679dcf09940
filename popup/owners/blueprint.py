from flask import Blueprint

from popup.owners import views

bp = Blueprint("owners", __name__)
bp.add_url_rule("/my/units", "units", views.units)
bp.add_url_rule("/my/units/new", "propose_unit", views.propose_unit, methods=("GET", "POST"))
bp.add_url_rule("/my/units/<int:unit_id>/edit", "edit_unit", views.edit_unit, methods=("GET", "POST"))
bp.add_url_rule("/moderation/units", "moderation", views.moderation)
bp.add_url_rule("/moderation/units/<int:unit_id>/approve", "approve", views.approve, methods=("POST",))
bp.add_url_rule("/moderation/units/<int:unit_id>/reject", "reject", views.reject, methods=("POST",))
bp.app_context_processor(views.header_counts)
