from flask import Blueprint

from popup.audit import views

bp = Blueprint("audit", __name__)
# Read only: there is no route that changes or deletes an entry.
bp.add_url_rule("/audit", "index", views.index)
