from flask import Blueprint

from popup.communes import views

bp = Blueprint("communes", __name__, url_prefix="/c")
bp.add_url_rule("/<slug>", "home", views.home)
