from flask import Blueprint

from popup.auth import views

bp = Blueprint("auth", __name__)
bp.add_url_rule("/register", "register", views.register, methods=("GET", "POST"))
bp.add_url_rule("/login", "login", views.login, methods=("GET", "POST"))
bp.add_url_rule("/logout", "logout", views.logout, methods=("POST",))
bp.add_url_rule("/account", "account", views.account)
bp.add_url_rule("/account/password", "change_password", views.change_password, methods=("GET", "POST"))
bp.add_url_rule("/password-reset", "request_reset", views.request_reset, methods=("GET", "POST"))
bp.add_url_rule("/password-reset/<token>", "reset_password", views.reset_password, methods=("GET", "POST"))
bp.add_url_rule("/admin/users", "users", views.users)
bp.add_url_rule("/admin/users/new", "create_user", views.create_user, methods=("GET", "POST"))
