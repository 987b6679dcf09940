from flask import Blueprint

from popup.notifications import views

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
bp.add_url_rule("/", "index", views.index)
bp.add_url_rule("/read", "mark_read", views.mark_read, methods=("POST",))
