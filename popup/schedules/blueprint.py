from flask import Blueprint

from popup.schedules import views

bp = Blueprint("schedules", __name__)
bp.add_url_rule("/rotations", "index", views.index)
bp.add_url_rule("/offers/<int:offer_id>/rotations/new", "create", views.create, methods=("GET", "POST"))
bp.add_url_rule("/rotations/<int:rotation_id>", "detail", views.detail)
bp.add_url_rule("/rotations/<int:rotation_id>/lease", "set_lease", views.set_lease, methods=("POST",))
bp.add_url_rule("/rotations/<int:rotation_id>/candidates", "add_candidate", views.add_candidate, methods=("POST",))
bp.add_url_rule(
    "/rotations/<int:rotation_id>/candidates/<int:candidate_id>/remove",
    "remove_candidate",
    views.remove_candidate,
    methods=("POST",),
)
bp.add_url_rule("/rotations/<int:rotation_id>/plan", "plan", views.plan, methods=("POST",))
bp.add_url_rule("/rotations/<int:rotation_id>/accept", "accept", views.accept, methods=("POST",))
bp.add_url_rule("/rotations/<int:rotation_id>/bookings", "add_booking", views.add_booking, methods=("POST",))
bp.add_url_rule(
    "/rotations/<int:rotation_id>/bookings/<int:booking_id>/edit",
    "edit_booking",
    views.edit_booking,
    methods=("GET", "POST"),
)
bp.add_url_rule(
    "/rotations/<int:rotation_id>/bookings/<int:booking_id>/free", "free_booking", views.free_booking, methods=("POST",)
)
bp.add_url_rule("/rotations/<int:rotation_id>/swap", "swap", views.swap, methods=("POST",))
bp.add_url_rule(
    "/rotations/<int:rotation_id>/swaps/<int:swap_id>/decide", "decide_swap", views.decide_swap, methods=("POST",)
)
bp.add_url_rule("/rotations/<int:rotation_id>/calendar", "calendar", views.calendar)
bp.add_url_rule(
    "/rotations/<int:rotation_id>/feed", "reset_rotation_feed", views.reset_rotation_feed, methods=("POST",)
)
bp.add_url_rule("/my/calendar", "my_calendar", views.my_calendar)
bp.add_url_rule("/my/calendar/feed", "reset_my_feed", views.reset_my_feed, methods=("POST",))
bp.add_url_rule("/my/bookings/<int:booking_id>/swap", "request_swap", views.request_swap, methods=("POST",))
bp.add_url_rule("/ics/<token>.ics", "feed", views.feed)
bp.add_app_template_filter(views.last_day, "last_day")
bp.add_app_template_filter(views.grains, "grains")
