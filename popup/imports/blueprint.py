from flask import Blueprint

from popup.imports import views

bp = Blueprint("imports", __name__, url_prefix="/data")
bp.add_url_rule("/import", "upload", views.upload, methods=("GET", "POST"))
bp.add_url_rule("/import/<int:upload_id>", "mapping", views.mapping, methods=("GET", "POST"))
bp.add_url_rule("/import/<int:upload_id>/confirm", "confirm", views.confirm, methods=("POST",))
bp.add_url_rule("/export.csv", "export_csv", views.export_csv)
bp.add_url_rule("/export.geojson", "export_geojson", views.export_geojson)
bp.url_value_preprocessor(views.allow_big_uploads)
bp.register_error_handler(413, views.too_large)
