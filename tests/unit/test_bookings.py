"""The rules one booking must keep, days present per month, calendar parameters (no app)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from popup.domain.bookings import (
    Held,
    ShopRules,
    Tenant,
    check_booking,
    days_present_by_month,
    month_weeks,
    parse_month,
    parse_week,
    subtract,
)

MONDAY = date(2027, 1, 4)


def week(n: int) -> date:
    return MONDAY + timedelta(weeks=n)


RULES = ShopRules(
    starts_on=MONDAY,
    ends_on=week(12),
    grain="week",
    opening_days=frozenset({2, 4, 5}),
    stand_areas={1: 15, 2: 25},
    excluded_sectors=frozenset({"restaurant"}),
    exclusive_sectors=frozenset({"food"}),
)
ANA = Tenant("ana", "crafts", 12, 2, 4, ((week(0), week(8)),))


def codes(*args, **kw) -> list[str]:
    return [f.code for f in check_booking(*args, **kw)]


def test_a_booking_that_keeps_every_rule():
    assert codes(RULES, ANA, 1, week(0), week(3)) == []


@pytest.mark.parametrize(
    ("tenant", "stand", "start", "end", "expected"),
    [
        (ANA, 1, week(3), week(2), ["end_not_after_start"]),
        (ANA, 9, week(0), week(2), ["stand_not_in_shop"]),
        (ANA, 1, week(-1), week(1), ["outside_horizon", "not_available"]),
        (ANA, 1, week(0), week(2) + timedelta(days=1), ["not_whole_weeks"]),
        (ANA, 1, week(0), week(6), ["duration_out_of_bounds"]),
        (ANA, 1, week(6), week(9), ["not_available"]),
        (Tenant("big", "crafts", 20, 1, 4, ((week(0), week(8)),)), 1, week(0), week(2), ["stand_too_small"]),
        (Tenant("cook", "restaurant", 5, 1, 4, ((week(0), week(8)),)), 1, week(0), week(2), ["sector_not_admitted"]),
    ],
)
def test_each_rule_is_named(tenant, stand, start, end, expected):
    assert codes(RULES, tenant, stand, start, end) == expected


def test_windows_that_touch_make_one():
    split = Tenant("ana", "crafts", 0, 1, 8, ((week(0), week(2)), (week(2), week(5))))
    assert codes(RULES, split, 1, week(1), week(4)) == []


def test_overlaps_on_the_stand_the_tenant_and_the_sector():
    others = [
        Held(10, 1, "bob", "food", week(0), week(2)),
        Held(11, None, "ana", None, week(6), week(7)),  # Ana elsewhere
    ]
    assert codes(RULES, ANA, 1, week(1), week(3), others) == ["stand_taken"]
    assert codes(RULES, ANA, 1, week(1), week(3), others, ignore=[10]) == []
    assert codes(RULES, ANA, 2, week(5), week(7), others) == ["tenant_elsewhere"]
    baker = Tenant("cy", "food", 0, 1, 4, ((week(0), week(8)),))
    assert codes(RULES, baker, 2, week(1), week(3), others) == ["sector_taken"]
    assert codes(RULES, baker, 2, week(2), week(4), others) == []  # half-open: Bob left


def test_a_day_grain_starts_and_ends_on_opening_days():
    rules = ShopRules(MONDAY, week(4), "day", frozenset({2, 4, 5}), {1: 15})
    tenant = Tenant("ana", "crafts", 0, 1, 30, ((MONDAY, week(4)),))
    assert codes(rules, tenant, 1, MONDAY + timedelta(days=2), MONDAY + timedelta(days=6)) == []  # Wed to Sat
    assert codes(rules, tenant, 1, MONDAY, MONDAY + timedelta(days=3)) == ["closed_day"]


def test_subtract_periods():
    assert subtract([(week(0), week(6))], [(week(2), week(3)), (week(5), week(9))]) == [
        (week(0), week(2)),
        (week(3), week(5)),
    ]


def test_days_present_by_month_counts_each_day_once():
    bookings = [
        ("ana", date(2027, 1, 25), date(2027, 2, 8)),
        ("ana", date(2027, 2, 8), date(2027, 2, 10)),
        ("bob", date(2027, 2, 1), date(2027, 3, 1)),
        ("cy", date(2027, 3, 1), date(2027, 3, 5)),
    ]
    assert days_present_by_month(bookings, date(2027, 2, 14)) == {"ana": 9, "bob": 28}
    assert days_present_by_month(bookings, date(2027, 1, 1)) == {"ana": 7}


@given(st.lists(st.tuples(st.sampled_from("ab"), st.integers(0, 90), st.integers(1, 40)), max_size=8))
def test_days_present_never_exceed_the_month(rows):
    bookings = [
        (who, date(2027, 1, 1) + timedelta(days=s), date(2027, 1, 1) + timedelta(days=s + n)) for who, s, n in rows
    ]
    for month in (date(2027, 1, 1), date(2027, 2, 1), date(2027, 3, 1)):
        found = days_present_by_month(bookings, month)
        days_in_month = ((month + timedelta(days=32)).replace(day=1) - month).days
        assert all(0 < d <= days_in_month for d in found.values())


@pytest.mark.parametrize("raw", ["2026-13", "2026-00", "26-01", "junk", "2026-1", "２０２６-01"])
def test_bad_months_are_refused(raw):
    with pytest.raises(ValueError):
        parse_month(raw, MONDAY)


def test_months_and_weeks_are_read():
    assert parse_month("2026-05", MONDAY) == date(2026, 5, 1)
    assert parse_month(None, date(2027, 1, 20)) == date(2027, 1, 1)
    assert parse_week("2027-01-08", MONDAY) == MONDAY
    with pytest.raises(ValueError):
        parse_week("2027-02-30", MONDAY)
    weeks = month_weeks(date(2027, 2, 1))
    assert weeks[0][0] == date(2027, 2, 1) and all(len(w) == 7 for w in weeks)
    assert sum(d is not None for w in weeks for d in w) == 28
