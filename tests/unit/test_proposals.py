"""The proposal state machine and the period a confirmed match reserves (no app, no database)."""

from datetime import date

import pytest

from popup.domain.proposals import (
    LIVE_STATUSES,
    ProposalError,
    ProposalStatus,
    Side,
    confirm,
    decline,
    reservation_period,
    side_confirmed,
    withdraw,
)

P = ProposalStatus


@pytest.mark.parametrize(
    ("status", "side", "after"),
    [
        (P.PROPOSED, Side.OWNER, P.OWNER_CONFIRMED),
        (P.PROPOSED, Side.ENTREPRENEUR, P.ENTREPRENEUR_CONFIRMED),
        (P.OWNER_CONFIRMED, Side.ENTREPRENEUR, P.CONFIRMED),
        (P.ENTREPRENEUR_CONFIRMED, Side.OWNER, P.CONFIRMED),
    ],
)
def test_both_sides_confirm_in_either_order(status, side, after):
    assert confirm(status, side) == after
    assert side_confirmed(after, side)


@pytest.mark.parametrize(
    ("status", "side", "code"),
    [
        (P.OWNER_CONFIRMED, Side.OWNER, "already_confirmed"),
        (P.ENTREPRENEUR_CONFIRMED, Side.ENTREPRENEUR, "already_confirmed"),
        (P.CONFIRMED, Side.OWNER, "already_confirmed"),
        (P.DECLINED, Side.OWNER, "declined"),
        (P.WITHDRAWN, Side.ENTREPRENEUR, "withdrawn"),
        ("nonsense", Side.OWNER, "unknown_status"),
    ],
)
def test_a_side_cannot_confirm_twice_or_a_closed_proposal(status, side, code):
    with pytest.raises(ProposalError) as caught:
        confirm(status, side)
    assert caught.value.code == code


@pytest.mark.parametrize("step", [decline, withdraw])
def test_declining_and_withdrawing_only_while_someone_waits(step):
    for status in (P.PROPOSED, P.OWNER_CONFIRMED, P.ENTREPRENEUR_CONFIRMED):
        assert step(status) in (P.DECLINED, P.WITHDRAWN)
    for status, code in ((P.CONFIRMED, "confirmed"), (P.DECLINED, "declined"), (P.WITHDRAWN, "withdrawn")):
        with pytest.raises(ProposalError) as caught:
            step(status)
        assert caught.value.code == code


def test_live_proposals_are_those_not_declined_or_withdrawn():
    assert set(LIVE_STATUSES) == {s.value for s in P} - {"declined", "withdrawn"}


SEP, JAN = date(2026, 9, 1), date(2027, 1, 1)


@pytest.mark.parametrize(
    ("window", "max_months", "start", "months", "period"),
    [
        ((SEP, None), 6, SEP, 4, (SEP, JAN)),  # the wanted length
        ((SEP, None), 3, SEP, 4, (SEP, date(2026, 12, 1))),  # at most the offer's longest term
        ((SEP, None), 6, None, None, (SEP, date(2027, 3, 1))),  # nothing wanted: the longest term from the window
        ((SEP, date(2026, 11, 15)), 6, SEP, 4, (SEP, date(2026, 11, 15))),  # ends with the window
        ((SEP, None), 6, date(2026, 10, 31), 1, (date(2026, 10, 31), date(2026, 11, 30))),  # month ends
        ((SEP, None), 6, date(2026, 5, 1), 2, (SEP, date(2026, 11, 1))),  # a start before the window
        ((SEP, date(2026, 12, 1)), 6, date(2027, 2, 1), 2, (SEP, date(2026, 11, 1))),  # a start after it
    ],
)
def test_the_reserved_period(window, max_months, start, months, period):
    assert reservation_period(window[0], window[1], max_months, start, months) == period


def test_the_reserved_period_is_never_empty_and_inside_the_window():
    for day in range(1, 29):
        for months in (None, 1, 3, 12):
            start, end = reservation_period(SEP, date(2027, 3, 1), 6, date(2026, 9, day), months)
            assert SEP <= start < end <= date(2027, 3, 1)
