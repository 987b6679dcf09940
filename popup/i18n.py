"""Language choice and locale-aware formatting for templates."""

from __future__ import annotations

from flask import Flask, current_app, g, session
from flask_babel import format_currency, format_date, format_datetime, format_decimal, format_percent, get_locale
from flask_login import current_user

LANGUAGE_NAMES = {"fr": "Français", "nl": "Nederlands", "en": "English"}


def select_locale() -> str:
    """The user's saved language, else the one chosen in this session, else French."""
    languages = current_app.config["LANGUAGES"]
    if g.get("db_unavailable"):  # reading the account would ask the database again
        return session.get("lang") if session.get("lang") in languages else current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def euros(cents: int | None) -> str:
    """Format an amount in cents as euros in the current locale (1 234,50 €)."""
    if cents is None:
        return ""
    return format_currency(cents / 100, "EUR")


def euros_input(cents: int | None) -> str:
    """An amount for a form field that parse_euros reads back ("850", "850,50"; "850.50" in English)."""
    if cents is None:
        return ""
    whole, rest = divmod(cents, 100)
    if not rest:
        return str(whole)
    mark = "." if str(get_locale() or "fr").startswith("en") else ","
    return f"{whole}{mark}{rest:02d}"


def percent(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    return format_percent(float(value), format="#,##0." + "0" * digits + " %" if digits else "#,##0 %")


def register_template_helpers(app: Flask) -> None:
    from popup.labels import feature_label, role_label, status_label

    app.jinja_env.filters["status_label"] = status_label
    app.jinja_env.filters["feature_label"] = feature_label
    app.jinja_env.filters["role_label"] = role_label
    app.jinja_env.filters["euros"] = euros
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["number"] = format_decimal

    @app.context_processor
    def _languages():
        return {"LANGUAGE_NAMES": LANGUAGE_NAMES, "current_language": select_locale()}
