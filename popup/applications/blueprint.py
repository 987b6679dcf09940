from flask import Blueprint

from popup.applications import views
from popup.labels import application_status_label

bp = Blueprint("applications", __name__)
bp.add_url_rule("/offers/<int:offer_id>/apply", "apply_offer", views.apply_offer, methods=("GET", "POST"))
bp.add_url_rule("/calls/<int:call_id>/apply", "apply_call", views.apply_call, methods=("GET", "POST"))
bp.add_url_rule("/applications/<int:application_id>", "detail", views.detail)
bp.add_url_rule("/applications/<int:application_id>/edit", "edit", views.edit, methods=("GET", "POST"))
bp.add_url_rule("/applications/<int:application_id>/status", "transition", views.transition, methods=("POST",))
bp.add_url_rule("/my/applications", "mine", views.mine)
bp.add_app_template_filter(application_status_label, "application_status_label")
