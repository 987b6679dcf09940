"""Figures of the shared leases for the dashboard: when a test period ended, the graduation rate, sums per month.

Pure: plain values in and out; amounts are integer cents; periods are half-open ``[start, end)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

OUTCOMES = ("permanent_lease", "stopped", "elsewhere")


def test_ended_on(
    graduated_on: date | None, exit_on: date | None, lease_end: date, lease_closed: bool, today: date
) -> date | None:
    """The day a co-tenant's test period ended (exclusive end), or None while it goes on.

    A recorded outcome dates it; otherwise the co-tenant's exit, or the end of a
    closed lease; an exit still to come is no end yet.
    """
    if graduated_on is not None:
        return graduated_on
    end = exit_on if exit_on is not None and exit_on < lease_end else (lease_end if lease_closed else None)
    if end is None or end > today:
        return None
    return end


@dataclass(frozen=True)
class Outcomes:
    permanent_lease: int
    stopped: int
    elsewhere: int
    not_recorded: int

    @property
    def ended(self) -> int:
        return self.permanent_lease + self.stopped + self.elsewhere + self.not_recorded

    @property
    def graduation_rate(self) -> Fraction | None:
        """Permanent leases among the tests that ended; None when none ended."""
        return Fraction(self.permanent_lease, self.ended) if self.ended else None


def outcomes(ended: Iterable[str | None]) -> Outcomes:
    """Count the outcomes of the tests that ended (None: the outcome is not recorded yet)."""
    values = list(ended)
    return Outcomes(
        permanent_lease=values.count("permanent_lease"),
        stopped=values.count("stopped"),
        elsewhere=values.count("elsewhere"),
        not_recorded=sum(1 for v in values if v not in OUTCOMES),
    )
