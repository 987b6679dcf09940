"""Fixed codes of the domain. Labels are translated in the UI, not here."""

from __future__ import annotations

from typing import Final

UNIT_STATUSES: Final = ("vacant", "under_works", "popup", "occupied", "unavailable")
ROLES: Final = ("admin", "staff", "owner", "entrepreneur", "coach")
SELF_REGISTER_ROLES: Final = ("owner", "entrepreneur")
LANGUAGES: Final = ("fr", "nl", "en")
UNIT_FEATURES: Final = ("has_water", "has_kitchen", "step_free_access", "has_shop_window")
SECTORS: Final = (
    "food",
    "food_fresh",
    "restaurant",
    "fashion",
    "crafts",
    "culture",
    "health_beauty",
    "home",
    "services",
    "second_hand",
    "other",
)
