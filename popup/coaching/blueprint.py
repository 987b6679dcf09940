from flask import Blueprint

from popup.coaching import views

bp = Blueprint("coaching", __name__)
bp.add_url_rule("/c/<slug>/coaching", "commune", views.commune, methods=("GET", "POST"))
bp.add_url_rule("/c/<slug>/coaching/<int:assignment_id>/end", "end", views.end, methods=("POST",))
bp.add_url_rule("/coaching", "mine", views.mine)
bp.add_url_rule("/coaching/<int:assignment_id>", "detail", views.detail)
bp.add_url_rule("/coaching/<int:assignment_id>/notes", "add_note", views.add_note, methods=("POST",))
bp.add_url_rule("/coaching/notes/<int:note_id>/edit", "edit_note", views.edit_note, methods=("GET", "POST"))
bp.add_url_rule("/my/coaching", "my_notes", views.my_notes)
