from flask import Blueprint

from popup.matching import views
from popup.matching.forms import component_label

bp = Blueprint("matching", __name__)
bp.add_url_rule("/calls/<int:call_id>/matching", "screen", views.screen)
bp.add_url_rule("/calls/<int:call_id>/matching", "run", views.run, methods=("POST",))
bp.add_url_rule("/calls/<int:call_id>/matching/pair", "pair", views.pair)
bp.add_url_rule("/calls/<int:call_id>/matching/propose", "propose", views.propose, methods=("POST",))
bp.add_url_rule("/calls/<int:call_id>/matching/reject", "reject", views.reject, methods=("POST",))
bp.add_url_rule("/proposals/<int:proposal_id>", "proposal", views.proposal)
bp.add_url_rule("/proposals/<int:proposal_id>/confirm", "confirm", views.confirm, methods=("POST",))
bp.add_url_rule("/proposals/<int:proposal_id>/decline", "decline", views.decline, methods=("POST",))
bp.add_url_rule("/proposals/<int:proposal_id>/withdraw", "withdraw", views.withdraw, methods=("POST",))
bp.add_url_rule("/my/matches", "mine", views.mine)
bp.add_app_template_filter(views.proposal_status_label, "proposal_status_label")
bp.add_app_template_filter(component_label, "component_label")
bp.add_app_template_filter(views.as_day, "as_day")
