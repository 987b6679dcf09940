from flask import Blueprint

from popup.uploads import views

bp = Blueprint("uploads", __name__)
bp.add_url_rule("/units/<int:unit_id>/photos", "unit_photos", views.unit_photos, methods=("GET", "POST"))
bp.add_url_rule(
    "/units/<int:unit_id>/photos/<int:image_id>/alt", "update_alt_text", views.update_alt_text, methods=("POST",)
)
bp.add_url_rule(
    "/units/<int:unit_id>/photos/<int:image_id>/delete", "delete_photo", views.delete_photo, methods=("POST",)
)
bp.add_url_rule("/images/<token>.<ext>", "image", views.image)
bp.add_app_template_global(views.image_url, "image_url")
