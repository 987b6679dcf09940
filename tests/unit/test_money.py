from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from popup.domain.money import allocate, parse_euros


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        (1000, [1, 1, 1], [334, 333, 333]),
        (1, [1, 1], [1, 0]),
        (100, [0, 1], [0, 100]),
        (10, [Fraction(1, 3), Fraction(2, 3)], [3, 7]),
        (-1000, [1, 1, 1], [-334, -333, -333]),
        (0, [5, 7], [0, 0]),
        (101, [50, 50, 1], [50, 50, 1]),
    ],
)
def test_allocate(total, weights, parts):
    assert allocate(total, weights) == parts


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1]])
def test_allocate_refuses_bad_weights(weights):
    with pytest.raises(ValueError):
        allocate(100, weights)


@given(st.integers(-(10**9), 10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=20))
def test_allocate_sums_exactly_and_stays_within_a_cent(total, weights):
    if sum(weights) == 0:
        return
    parts = allocate(total, weights)
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - Fraction(total * weight, sum(weights))) < 1


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1234,50", 123450),
        ("1 234,50", 123450),
        ("1.234,50", 123450),
        ("1,234.50", 123450),
        ("1234.5", 123450),
        ("€ 12", 1200),
        ("12 €", 1200),
        ("0,01", 1),
        ("950", 95000),
        ("1\u202f234,56", 123456),
        ("12.999", 1299900),  # Belgian thousands separator
    ],
)
def test_parse_euros(text, cents):
    assert parse_euros(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "12,345", "1,2,3", "-5", "1e5", "12.9999", "1.23,4", "99999999999999"])
def test_parse_euros_refuses(text):
    with pytest.raises(ValueError):
        parse_euros(text)


def test_parse_euros_allows_credits_when_asked():
    assert parse_euros("-5", allow_negative=True) == -500
