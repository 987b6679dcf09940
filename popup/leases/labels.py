"""Translated labels of the leases' codes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LEASE_STATUS_LABELS = {
    "draft": _l("Draft"),
    "signed": _l("Signed"),
    "running": _l("Running"),
    "ended": _l("Ended"),
    "terminated": _l("Terminated early"),
}

METHOD_LABELS = {
    "equal": _l("Equal shares (by days held)"),
    "area": _l("By area"),
    "days": _l("By days present"),
    "area_days": _l("By area × days present"),
    "weights": _l("By custom weights"),
    "fixed_then": _l("Fixed amounts, then the rest"),
}

PAYMENT_METHOD_LABELS = {
    "transfer": _l("Bank transfer"),
    "cash": _l("Cash"),
    "card": _l("Card"),
    "direct_debit": _l("Direct debit"),
    "other": _l("Other"),
}

GRADUATION_LABELS = {
    "permanent_lease": _l("Stays with a permanent lease"),
    "stopped": _l("Stops the activity"),
    "elsewhere": _l("Moves elsewhere"),
}

LANGUAGE_LABELS = {"fr": "Français", "nl": "Nederlands", "en": "English"}


def _label(table):
    def label(code) -> str:
        return str(table.get(code, code or ""))

    return label


lease_status_label = _label(LEASE_STATUS_LABELS)
method_label = _label(METHOD_LABELS)
payment_method_label = _label(PAYMENT_METHOD_LABELS)
graduation_label = _label(GRADUATION_LABELS)
