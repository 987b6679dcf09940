"""Vacancy month by month from the dated status history (pure, no database)."""

from datetime import date
from fractions import Fraction

import pytest

from popup.domain.vacancy_history import (
    MAX_MONTHS,
    MonthPeriod,
    PeriodError,
    Spell,
    Timeline,
    default_period,
    duration_figures,
    monthly_vacancy,
    months_between,
    parse_month,
    parse_period,
    spells_in_period,
    vacancy_spells,
)

JAN, FEB, MAR, APR = (date(2024, m, 1) for m in (1, 2, 3, 4))
TODAY = date(2024, 4, 10)


def rates(timelines, months=(JAN, FEB, MAR, APR), today=TODAY):
    return [m.figures.rate for m in monthly_vacancy(timelines, months, today)]


def test_a_change_on_the_first_of_a_month_counts_for_that_month_not_the_one_before():
    unit = Timeline(1, [(date(2020, 1, 1), "occupied"), (date(2024, 3, 1), "vacant")])
    other = Timeline(2, [(date(2020, 1, 1), "occupied")])
    assert rates([unit, other]) == [0, 0, Fraction(1, 2), Fraction(1, 2)]


def test_a_change_on_the_last_day_of_a_month_counts_for_that_month():
    unit = Timeline(1, [(date(2020, 1, 1), "vacant"), (date(2024, 1, 31), "occupied")])
    other = Timeline(2, [(date(2020, 1, 1), "vacant")])
    assert rates([unit, other]) == [Fraction(1, 2)] * 4


def test_a_unit_created_mid_period_joins_the_stock_from_its_month():
    old = Timeline(1, [(date(2020, 1, 1), "vacant")])
    new = Timeline(2, [(date(2024, 2, 15), "occupied")])
    months = monthly_vacancy([old, new], [JAN, FEB, MAR], TODAY)
    assert [m.figures.in_stock for m in months] == [1, 2, 2]
    assert [m.figures.rate for m in months] == [1, Fraction(1, 2), Fraction(1, 2)]


def test_an_archived_unit_leaves_the_stock_on_its_archiving_day():
    archived = Timeline(1, [(date(2020, 1, 1), "vacant")], archived_on=date(2024, 3, 1))
    kept = Timeline(2, [(date(2020, 1, 1), "occupied")])
    assert rates([archived, kept]) == [Fraction(1, 2), Fraction(1, 2), 0, 0]


def test_withdrawn_units_leave_the_stock_and_popups_are_not_vacant():
    units = [
        Timeline(1, [(date(2020, 1, 1), "vacant"), (date(2024, 2, 10), "unavailable")]),
        Timeline(2, [(date(2020, 1, 1), "vacant"), (date(2024, 3, 5), "popup")]),
        Timeline(3, [(date(2020, 1, 1), "occupied")]),
    ]
    months = monthly_vacancy(units, [JAN, FEB, MAR], TODAY)
    assert [m.figures.rate for m in months] == [Fraction(2, 3), Fraction(1, 2), 0]
    assert months[2].counts == {"unavailable": 1, "popup": 1, "occupied": 1}


def test_the_current_month_is_taken_today_and_future_months_are_left_out():
    unit = Timeline(1, [(date(2020, 1, 1), "occupied"), (date(2024, 4, 20), "vacant")])
    months = monthly_vacancy([unit], [MAR, APR, date(2024, 5, 1)], TODAY)
    assert [m.month for m in months] == [MAR, APR]
    assert months[-1].figures.rate == 0  # the change of 20 April has not happened yet


def test_an_empty_stock_has_no_rate_rather_than_zero():
    assert rates([], months=[JAN]) == [None]


def test_the_history_may_come_in_any_order():
    unit = Timeline(1, [(date(2024, 2, 1), "vacant"), (date(2020, 1, 1), "occupied")])
    assert rates([unit], months=[JAN, FEB]) == [0, 1]


def test_spells_merge_repeated_vacant_entries_and_end_at_archiving():
    unit = Timeline(
        1,
        [
            (date(2020, 1, 1), "vacant"),
            (date(2021, 1, 1), "vacant"),
            (date(2022, 1, 1), "popup"),
            (date(2023, 1, 1), "vacant"),
        ],
        archived_on=date(2023, 7, 1),
    )
    assert vacancy_spells(unit) == [
        Spell(1, date(2020, 1, 1), date(2022, 1, 1)),
        Spell(1, date(2023, 1, 1), date(2023, 7, 1)),
    ]


def test_durations_count_ongoing_spells_up_to_the_end_of_the_period():
    units = [
        Timeline(1, [(date(2024, 1, 1), "vacant"), (date(2024, 1, 31), "occupied")]),  # 30 days
        Timeline(2, [(date(2024, 3, 1), "vacant")]),  # ongoing: 40 days to 10 April
        Timeline(3, [(date(2020, 1, 1), "vacant"), (date(2023, 1, 1), "occupied")]),  # before the period
    ]
    spells = spells_in_period(units, JAN, TODAY)
    assert [s.unit_id for s in spells] == [2, 1]  # longest first
    figures = duration_figures(spells, TODAY)
    assert (figures.spells, figures.ongoing, figures.longest_days) == (2, 1, 40)
    assert figures.average_days == pytest.approx(35)


def test_a_spell_that_ends_after_the_period_is_measured_up_to_its_end():
    unit = Timeline(1, [(date(2024, 1, 1), "vacant"), (date(2024, 6, 1), "occupied")])
    spells = spells_in_period([unit], JAN, FEB)
    assert duration_figures(spells, FEB).longest_days == 31


def test_no_spell_gives_no_average():
    assert duration_figures([], TODAY).average_days is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03", date(2026, 3, 1)),
        (" 2026-12 ", date(2026, 12, 1)),
        ("2026-13", None),
        ("2026-00", None),
        ("2026-3", None),
        ("26-03", None),
        ("2026/03", None),
        ("２０２６-03", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_month(raw, expected):
    assert parse_month(raw) == expected


def test_the_default_period_is_the_last_twelve_months():
    period = parse_period("", None, date(2026, 11, 22))
    assert period == default_period(date(2026, 11, 22))
    assert (period.first, period.last, period.end) == (date(2025, 12, 1), date(2026, 11, 1), date(2026, 12, 1))
    assert len(period.months()) == 12


@pytest.mark.parametrize(
    ("first", "last", "code"),
    [
        ("2026-13", "", "bad_from"),
        ("", "nope", "bad_to"),
        ("2026-05", "2026-01", "inverted"),
        ("2027-01", "2027-02", "future"),
        ("2000-01", "2026-01", "too_long"),
    ],
)
def test_bad_periods_say_why(first, last, code):
    with pytest.raises(PeriodError) as caught:
        parse_period(first, last, date(2026, 11, 22))
    assert caught.value.code == code


def test_a_period_of_the_longest_length_is_accepted():
    period = parse_period("2016-12", "2026-11", date(2026, 11, 22))
    assert len(period.months()) == MAX_MONTHS


def test_months_between_crosses_years():
    assert months_between(date(2025, 11, 15), date(2026, 2, 3)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert MonthPeriod(date(2025, 12, 1), date(2025, 12, 1)).end == date(2026, 1, 1)
