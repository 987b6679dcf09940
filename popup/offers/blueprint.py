from flask import Blueprint

from popup.labels import sector_label
from popup.offers import views

bp = Blueprint("offers", __name__)
bp.add_url_rule("/offers", "index", views.index)
bp.add_url_rule("/offers/<int:offer_id>", "detail", views.detail)
bp.add_url_rule("/my/offers", "mine", views.mine)
bp.add_url_rule("/my/units/<int:unit_id>/offers/new", "create", views.create, methods=("GET", "POST"))
bp.add_url_rule("/my/offers/<int:offer_id>", "manage", views.manage)
bp.add_url_rule("/my/offers/<int:offer_id>/edit", "edit", views.edit, methods=("GET", "POST"))
bp.add_url_rule("/my/offers/<int:offer_id>/publish", "publish", views.publish, methods=("POST",))
bp.add_url_rule("/my/offers/<int:offer_id>/close", "close", views.close, methods=("POST",))
bp.add_app_template_filter(sector_label, "sector_label")
bp.add_app_template_filter(views.weekday_name, "weekday_name")
bp.add_app_template_filter(views.offer_window, "offer_window")
