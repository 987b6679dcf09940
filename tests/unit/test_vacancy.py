from datetime import date
from fractions import Fraction

import pytest

from popup.domain.vacancy import vacancy_days, vacancy_figures


def test_rate_leaves_withdrawn_units_out_of_the_stock():
    figures = vacancy_figures({"vacant": 3, "occupied": 5, "popup": 1, "under_works": 1, "unavailable": 2})
    assert figures.units == 12
    assert figures.in_stock == 10
    assert figures.vacant == 3
    assert figures.rate == Fraction(3, 10)
    assert figures.percent == pytest.approx(30.0)


def test_rate_of_an_empty_stock_is_unknown_not_zero():
    assert vacancy_figures({}).rate is None
    assert vacancy_figures({"unavailable": 4}).rate is None


def test_popup_shops_do_not_count_as_vacant():
    assert vacancy_figures({"popup": 2, "vacant": 2}).rate == Fraction(1, 2)


@pytest.mark.parametrize(
    ("history", "today", "days"),
    [
        ([(date(2024, 1, 1), "occupied"), (date(2024, 3, 1), "vacant")], date(2024, 3, 31), 30),
        # two vacant entries in a row (e.g. re-confirmed) keep counting from the first
        ([(date(2024, 1, 1), "vacant"), (date(2024, 2, 1), "vacant")], date(2024, 3, 1), 60),
        ([(date(2024, 1, 1), "vacant"), (date(2024, 2, 1), "popup")], date(2024, 3, 1), None),
        ([], date(2024, 3, 1), None),
        # order of the input does not matter
        ([(date(2024, 3, 1), "vacant"), (date(2024, 1, 1), "occupied")], date(2024, 3, 2), 1),
    ],
)
def test_vacancy_days(history, today, days):
    assert vacancy_days(history, today) == days
