"""Translated labels of the domain's codes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "vacant": _l("Vacant"),
    "under_works": _l("Under works"),
    "popup": _l("Pop-up shop"),
    "occupied": _l("Occupied"),
    "unavailable": _l("Withdrawn from the market"),
}

FEATURE_LABELS = {
    "has_water": _l("Water supply"),
    "has_kitchen": _l("Kitchen"),
    "step_free_access": _l("Step-free access"),
    "has_shop_window": _l("Shop window"),
}

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "staff": _l("Commune staff"),
    "owner": _l("Owner of premises"),
    "entrepreneur": _l("Entrepreneur (test phase)"),
    "coach": _l("Coach"),
}


def status_label(code: str) -> str:
    return str(STATUS_LABELS.get(code, code))


def feature_label(code: str) -> str:
    return str(FEATURE_LABELS.get(code, code))


def role_label(code: str) -> str:
    return str(ROLE_LABELS.get(code, code))


APPLICATION_STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "under_review": _l("Under review"),
    "shortlisted": _l("Shortlisted"),
    "accepted": _l("Accepted"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}


def application_status_label(code: str) -> str:
    return str(APPLICATION_STATUS_LABELS.get(code, code))


SECTOR_LABELS = {
    "food": _l("Food"),
    "food_fresh": _l("Fresh food"),
    "restaurant": _l("Restaurant and café"),
    "fashion": _l("Fashion"),
    "crafts": _l("Crafts"),
    "culture": _l("Culture"),
    "health_beauty": _l("Health and beauty"),
    "home": _l("Home and decoration"),
    "services": _l("Services"),
    "second_hand": _l("Second hand"),
    "other": _l("Other"),
}


def sector_label(code: str) -> str:
    return str(SECTOR_LABELS.get(code, code))


CALL_STATUS_LABELS = {
    "draft": _l("Draft (not public)"),
    "open": _l("Open for applications"),
    "closed": _l("Applications closed"),
}


def call_status_label(code: str) -> str:
    return str(CALL_STATUS_LABELS.get(code, code))
