from flask import Blueprint

from popup.labels import sector_label
from popup.participation import views

bp = Blueprint("participation", __name__)
bp.add_url_rule("/c/<slug>/report", "report", views.report, methods=("GET", "POST"))
bp.add_url_rule("/c/<slug>/reports", "reports", views.reports)
bp.add_url_rule("/c/<slug>/reports/<int:report_id>/accept", "accept", views.accept, methods=("POST",))
bp.add_url_rule("/c/<slug>/reports/<int:report_id>/reject", "reject", views.reject, methods=("POST",))
bp.add_url_rule("/c/<slug>/reports/<int:report_id>/photo", "report_photo", views.report_photo)
bp.add_url_rule("/c/<slug>/wishes", "wishes", views.wishes)
bp.add_url_rule("/units/<int:unit_id>/wish", "wish", views.wish, methods=("GET", "POST"))
bp.add_url_rule("/wishes/<int:wish_id>/hide", "hide_wish", views.hide_wish, methods=("POST",))
bp.add_app_template_filter(sector_label, "sector_label")
bp.add_app_template_global(views.commune_links, "participation_links")
