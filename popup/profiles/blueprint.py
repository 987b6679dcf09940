from flask import Blueprint

from popup.labels import sector_label
from popup.profiles import views
from popup.profiles.forms import is_web_link, weekday_names

bp = Blueprint("profiles", __name__)
bp.add_url_rule("/my/profile", "edit", views.edit, methods=("GET", "POST"))
bp.add_url_rule("/my/profile/documents", "documents", views.documents, methods=("GET", "POST"))
bp.add_url_rule("/my/profile/documents/<token>/delete", "delete_document", views.delete_document, methods=("POST",))
bp.add_url_rule("/documents/<token>", "document", views.document)
bp.add_url_rule("/entrepreneurs/<int:user_id>", "vitrine", views.vitrine)
bp.add_url_rule("/entrepreneurs/<int:user_id>/photo", "photo", views.photo)
bp.add_app_template_filter(sector_label, "sector_label")
bp.add_app_template_global(weekday_names, "weekday_names")
# A stored link becomes a link only if it is a web address (a restored or imported "javascript:" stays text).
bp.add_app_template_test(is_web_link, "web_link")
