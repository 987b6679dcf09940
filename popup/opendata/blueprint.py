from flask import Blueprint

from popup.opendata import views

bp = Blueprint("opendata", __name__, url_prefix="/c/<slug>/open-data")
bp.add_url_rule("", "index", views.index)
bp.add_url_rule("/units.<any(csv, geojson):fmt>", "units", views.units)
bp.add_url_rule("/vacancy-monthly.<any(csv, geojson):fmt>", "vacancy", views.vacancy)
