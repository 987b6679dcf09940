"""Match proposals, as a pure state machine, and the period a confirmed match reserves.

Staff propose a pair (an application, a stand); the owner of the offer and the
entrepreneur each confirm or decline their side:

    proposed → owner_confirmed | entrepreneur_confirmed → confirmed
    proposed, owner_confirmed, entrepreneur_confirmed → declined (by a side) | withdrawn (by staff)

A proposal is *live* until it is declined or withdrawn: one live proposal per
stand and per application (the database enforces it).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Final

from popup.domain.matching import add_months


class ProposalStatus(StrEnum):
    PROPOSED = "proposed"
    OWNER_CONFIRMED = "owner_confirmed"
    ENTREPRENEUR_CONFIRMED = "entrepreneur_confirmed"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Side(StrEnum):
    OWNER = "owner"
    ENTREPRENEUR = "entrepreneur"


PROPOSAL_STATUSES: Final = tuple(s.value for s in ProposalStatus)
LIVE: Final = (
    ProposalStatus.PROPOSED,
    ProposalStatus.OWNER_CONFIRMED,
    ProposalStatus.ENTREPRENEUR_CONFIRMED,
    ProposalStatus.CONFIRMED,
)
LIVE_STATUSES: Final = tuple(s.value for s in LIVE)
# Waiting for at least one side: these may still be declined or withdrawn.
PENDING: Final = frozenset(LIVE) - {ProposalStatus.CONFIRMED}


class ProposalError(ValueError):
    """A step that is not possible; ``code`` names why (for the message).

    Codes: ``already_confirmed`` (this side already said yes), ``confirmed`` (both
    sides did: nothing left to decide), ``declined``, ``withdrawn``, ``unknown_status``.
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _status(status: str) -> ProposalStatus:
    try:
        return ProposalStatus(status)
    except ValueError:
        raise ProposalError("unknown_status") from None


def _closed(status: ProposalStatus) -> None:
    if status == ProposalStatus.DECLINED:
        raise ProposalError("declined")
    if status == ProposalStatus.WITHDRAWN:
        raise ProposalError("withdrawn")
    if status == ProposalStatus.CONFIRMED:
        raise ProposalError("confirmed")


def side_confirmed(status: str, side: Side) -> bool:
    """Whether this side has said yes (a confirmed proposal: both sides have)."""
    s = _status(status)
    if s == ProposalStatus.CONFIRMED:
        return True
    return s == (ProposalStatus.OWNER_CONFIRMED if side == Side.OWNER else ProposalStatus.ENTREPRENEUR_CONFIRMED)


def confirm(status: str, side: Side) -> ProposalStatus:
    """The status after ``side`` confirms; raises ProposalError when it cannot."""
    s = _status(status)
    if s == ProposalStatus.CONFIRMED:
        raise ProposalError("already_confirmed")
    _closed(s)
    if side_confirmed(s, side):
        raise ProposalError("already_confirmed")
    if s == ProposalStatus.PROPOSED:
        return ProposalStatus.OWNER_CONFIRMED if side == Side.OWNER else ProposalStatus.ENTREPRENEUR_CONFIRMED
    return ProposalStatus.CONFIRMED  # the other side had confirmed


def decline(status: str) -> ProposalStatus:
    """Either side may decline while the proposal waits for someone."""
    _closed(_status(status))
    return ProposalStatus.DECLINED


def withdraw(status: str) -> ProposalStatus:
    """Staff may withdraw a proposal while it waits for someone."""
    _closed(_status(status))
    return ProposalStatus.WITHDRAWN


def reservation_period(
    window_from: date,
    window_until: date | None,
    max_term_months: int,
    wanted_start_on: date | None,
    test_months: int | None,
) -> tuple[date, date]:
    """The half-open period [start, end) a confirmed match reserves the stand for.

    It starts on the wanted start, or on the first day of the offer's window when
    the start is not given or falls outside the window; it lasts the wanted test
    length, at most the offer's longest term (the longest term when no length is
    given), and ends at the latest with the window.
    """
    if max_term_months < 1:
        raise ValueError("the offer's longest term must be at least one month")
    start = wanted_start_on or window_from
    if start < window_from or (window_until is not None and start >= window_until):
        start = window_from
    months = min(test_months, max_term_months) if test_months and test_months > 0 else max_term_months
    end = add_months(start, months)
    if window_until is not None and end > window_until:
        end = window_until
    return start, end
