from flask import Blueprint

from popup.calls import views
from popup.labels import call_status_label

bp = Blueprint("calls", __name__)
bp.add_url_rule("/calls", "index", views.index)
bp.add_url_rule("/calls/<int:call_id>", "detail", views.detail)
bp.add_url_rule("/c/<slug>/calls/new", "create", views.create, methods=("GET", "POST"))
bp.add_url_rule("/calls/<int:call_id>/edit", "edit", views.edit, methods=("GET", "POST"))
bp.add_url_rule("/calls/<int:call_id>/open", "open", views.open_call, methods=("POST",))
bp.add_url_rule("/calls/<int:call_id>/close", "close", views.close_call, methods=("POST",))
bp.add_url_rule("/calls/<int:call_id>/jury", "jury", views.jury)
bp.add_url_rule("/calls/<int:call_id>/jury/<int:application_id>", "score", views.score, methods=("POST",))
bp.add_app_template_filter(call_status_label, "call_status_label")
