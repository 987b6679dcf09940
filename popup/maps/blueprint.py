from flask import Blueprint

from popup.maps import views

bp = Blueprint("maps", __name__)
bp.add_url_rule("/map", "overview", views.overview)
bp.add_url_rule("/c/<slug>/map", "commune", views.commune)
