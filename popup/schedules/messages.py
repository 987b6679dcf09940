"""The words of the rules a booking breaks and of the planner's answers, in the user's language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _

from popup.domain.bookings import Fault
from popup.domain.rotation import Reason, RotationError
from popup.labels import sector_label
from popup.offers.views import weekday_name


def grains(count: int, grain: str) -> str:
    if grain == "day":
        return ngettext("%(num)d day", "%(num)d days", count)
    return ngettext("%(num)d week", "%(num)d weeks", count)


def fault_message(fault: Fault, who: str = "") -> str:
    p: Mapping[str, Any] = fault.params
    prefix = _("%(who)s: ", who=who) if who else ""
    code = fault.code
    if code == "end_not_after_start":
        text = _("The end must come after the start.")
    elif code == "stand_not_in_shop":
        text = _("This stand is not one of the shop's stands.")
    elif code == "outside_horizon":
        text = _(
            "The booking must lie within the rotation, from %(start)s to %(last)s.",
            start=format_date(p["starts_on"]),
            last=format_date(p["ends_on"] - timedelta(days=1)),
        )
    elif code == "not_whole_weeks":
        text = _(
            "This rotation counts in whole weeks: start and end on a %(weekday)s.", weekday=weekday_name(p["weekday"])
        )
    elif code == "duration_out_of_bounds":
        text = _(
            "The booking lasts %(length)s; this entrepreneur wants from %(low)s to %(high)s.",
            length=grains(p["grains"], p["grain"]),
            low=grains(p["min_grains"], p["grain"]),
            high=grains(p["max_grains"], p["grain"]),
        )
    elif code == "closed_day":
        text = _("A booking starts and ends on days the shop is open.")
    elif code == "not_available":
        text = _("The entrepreneur is not available over the whole period.")
    elif code == "stand_too_small":
        text = _(
            "The stand has %(area)s m², the entrepreneur needs %(needed)s m².",
            area=format_decimal(p["area_m2"]),
            needed=format_decimal(p["needed_m2"]),
        )
    elif code == "sector_not_admitted":
        text = _("The shop does not admit the sector %(sector)s.", sector=sector_label(p["sector"]))
    elif code == "stand_taken":
        text = _(
            "The stand is already booked from %(start)s to %(last)s.",
            start=format_date(p["start"]),
            last=format_date(p["end"] - timedelta(days=1)),
        )
    elif code == "tenant_elsewhere":
        text = _("The entrepreneur already has a stand during that period.")
    elif code == "sector_taken":
        text = _(
            "Only one business of the sector %(sector)s at a time in this shop, and another one is there then.",
            sector=sector_label(p["sector"]),
        )
    else:
        text = code
    return prefix + text


def conflict_message(kind: str) -> str:
    if kind == "entrepreneur":
        return _("This entrepreneur was booked elsewhere for these dates a moment ago. Nothing was saved.")
    return _("This stand was booked for these dates a moment ago by someone else. Nothing was saved.")


def _who(value: Any, names: Mapping[Any, str]) -> str:
    if isinstance(value, tuple | list):
        return ", ".join(_who(v, names) for v in value)
    return names.get(value, str(value))


def reason_message(reason: Reason, names: Mapping[Any, str]) -> str:
    """A planner's reason (why someone is not planned or no plan exists) in words."""
    p = reason.params
    who = _who(p.get("candidate", ""), names)
    grain = p.get("grain", "week")
    code = reason.code
    if code == "not_available_in_horizon":
        return _("%(who)s is available on no whole day or week of the rotation.", who=who)
    if code == "windows_too_short":
        return _(
            "%(who)s needs at least %(low)s in a row; their longest availability is %(longest)s.",
            who=who,
            low=grains(p["min_grains"], grain),
            longest=grains(p["longest_grains"], grain),
        )
    if code == "area_too_large":
        return _(
            "%(who)s needs %(needed)s m²; the largest stand has %(largest)s m².",
            who=who,
            needed=format_decimal(p["needed_m2"]),
            largest=format_decimal(p["largest_m2"]),
        )
    if code == "sector_not_allowed":
        return _("The shop does not admit %(who)s's sector (%(sector)s).", who=who, sector=sector_label(p["sector"]))
    if code == "no_opening_day_fits":
        return _("%(who)s's availability leaves no stay that starts and ends on an opening day.", who=who)
    if code == "not_chosen":
        return _("%(who)s was not chosen: the stands they fit went to candidates with a higher priority.", who=who)
    if code == "fixed_bookings_break_rule":
        return _(
            "The bookings already made for %(holders)s break the shop's sector rule from %(start)s.",
            holders=_who(p["holders"], names),
            start=format_date(p["start"]),
        )
    if code == "must_plan_conflict":
        blocking = [_blocking(b) for b in p.get("blocking", ("capacity",))]
        return _(
            "%(who)s must all be planned but cannot be together: %(why)s.",
            who=_who(p["candidates"], names),
            why=_(" or ").join(blocking),
        )
    if code == "no_plan_in_time":
        return _("No plan was found within %(seconds)s seconds.", seconds=p["seconds"])
    return code


def _blocking(code: str) -> str:
    return {
        "sector_rules": _("the sector rules keep them apart"),
        "fixed_bookings": _("bookings already made take the stands they need"),
        "availability": _("their availability leaves too little room"),
        "area": _("too few stands are large enough for them"),
        "opening_days": _("the opening days leave no stay of the right length"),
        "capacity": _("together they need more stand time than the shop has"),
    }.get(code, code)


def rotation_error_message(error: RotationError, names: Mapping[Any, str]) -> str:
    """Data the planner refuses, in words."""
    p = error.params
    who = _who(p.get("candidate", ""), names)
    code = error.code
    if code == "duration_longer_than_horizon":
        return _(
            "%(who)s wants at least %(low)s, longer than the rotation (%(horizon)s).",
            who=who,
            low=p["min_grains"],
            horizon=p["horizon_grains"],
        )
    if code == "empty_horizon":
        return _(
            "The rotation is shorter than one whole %(grain)s.", grain=_("week") if p["grain"] == "week" else _("day")
        )
    if code == "no_stands":
        return _("The offer has no stands to plan.")
    if code == "no_opening_days":
        return _("The rotation has no opening day.")
    if code == "fixed_bookings_overlap":
        return _("Two bookings already made overlap on one stand.")
    return _("The planner cannot use these data (%(code)s).", code=code)
