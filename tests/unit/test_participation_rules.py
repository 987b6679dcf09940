"""Pure rules of participation and open data: distances, local needs, monthly status counts."""

from __future__ import annotations

from datetime import date

import pytest

from popup.domain.opendata import MAX_MONTHS, monthly_status_counts
from popup.domain.participation import distance_m, local_needs, well_represented_threshold


def test_distance_in_metres():
    assert distance_m(3.8357, 50.7117, 3.8357, 50.7117) == 0
    assert distance_m(3.8357, 50.7117, 3.8357, 50.7117 + 25 / 111_195) == pytest.approx(25, abs=0.01)
    assert distance_m(0, 0, 1, 0) == pytest.approx(111_195, rel=1e-3)


def test_well_represented_is_ten_percent_and_at_least_two():
    assert well_represented_threshold({}) == 2
    assert well_represented_threshold({"food": 10, "home": 10}) == 2
    assert well_represented_threshold({"food": 30, "home": 11}) == 5  # ceil(4.1)


def test_local_needs_most_wished_lacking_sectors_first():
    wished = {"food": 4, "fashion": 9, "crafts": 4, "culture": 1, "other": 20, "unknown": 50, "home": 0}
    present = {"fashion": 3, "crafts": 1}
    # fashion is well represented (3 >= 2); crafts and food tie on 4 wishes: food has fewer units
    assert local_needs(wished, present) == ["food", "crafts", "culture"]
    assert local_needs(wished, present, limit=2) == ["food", "crafts"]
    assert local_needs({}, present) == []
    # equal wishes and units: the taxonomy's order
    assert local_needs({"services": 1, "food_fresh": 1}, {}) == ["food_fresh", "services"]


def test_monthly_counts_follow_the_history():
    changes = [
        (1, date(2024, 1, 15), "vacant"),
        (2, date(2024, 1, 1), "occupied"),
        (2, date(2024, 2, 20), "vacant"),
        (1, date(2024, 3, 10), "occupied"),
        (1, date(2024, 3, 10), "popup"),  # same day: the later one wins
    ]
    months = monthly_status_counts(changes, today=date(2024, 4, 5))
    assert [(m.month, m.as_of) for m in months] == [
        (date(2024, 1, 1), date(2024, 1, 31)),
        (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2024, 3, 1), date(2024, 3, 31)),
        (date(2024, 4, 1), date(2024, 4, 5)),
    ]
    assert [dict(m.counts) for m in months] == [
        {"vacant": 1, "occupied": 1},
        {"vacant": 2},
        {"vacant": 1, "popup": 1},
        {"vacant": 1, "popup": 1},
    ]
    assert months[1].row()["vacancy_rate"] == 1.0


def test_monthly_counts_ignore_the_future_and_stay_bounded():
    assert monthly_status_counts([], today=date(2024, 1, 1)) == []
    assert monthly_status_counts([(1, date(2030, 1, 1), "vacant")], today=date(2024, 1, 1)) == []
    months = monthly_status_counts([(1, date(1900, 1, 1), "vacant")], today=date(2024, 1, 1))
    assert len(months) == MAX_MONTHS and months[-1].month == date(2024, 1, 1)
    assert dict(months[0].counts) == {"vacant": 1}
    later = monthly_status_counts(
        [(1, date(2023, 12, 1), "vacant")], today=date(2024, 1, 1), first_month=date(2023, 10, 9)
    )
    assert [m.month for m in later] == [date(2023, 10, 1), date(2023, 11, 1), date(2023, 12, 1), date(2024, 1, 1)]
    assert dict(later[0].counts) == {}
