from flask import Blueprint

from popup.privacy import views

bp = Blueprint("privacy", __name__)
bp.add_url_rule("/account/data", "data", views.data)
bp.add_url_rule("/account/data.zip", "download", views.download)
bp.add_url_rule("/account/erase", "erase", views.erase, methods=("GET", "POST"))
