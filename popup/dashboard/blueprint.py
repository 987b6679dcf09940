from flask import Blueprint

from popup.dashboard import views

bp = Blueprint("dashboard", __name__, url_prefix="/c")
bp.add_url_rule("/<slug>/dashboard", "index", views.index)
bp.add_url_rule("/<slug>/dashboard/<key>.csv", "csv", views.csv)
