from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from popup.domain.ledger import account, lease_account, settle
from popup.domain.rentsplit import CoTenant, Lease, SplitKind
from tests.unit.test_rentsplit import leases, lessines


@pytest.mark.parametrize(
    ("dues", "paid", "parts"),
    [
        ([100, 100, 100], 0, [0, 0, 0]),
        ([100, 100, 100], 150, [100, 50, 0]),
        ([100, 100, 100], 300, [100, 100, 100]),
        ([100, 100, 100], 350, [100, 100, 150]),  # a credit on the last month
        ([0, 100], 30, [0, 30]),
        ([], 0, []),
    ],
)
def test_settle_pays_the_oldest_month_first(dues, paid, parts):
    assert settle(dues, paid) == parts


@pytest.mark.parametrize(("dues", "paid"), [([100], -1), ([-5, 10], 0), ([], 10)])
def test_settle_refuses_what_cannot_be(dues, paid):
    with pytest.raises(ValueError):
        settle(dues, paid)


@given(st.lists(st.integers(0, 10**7), min_size=1, max_size=24), st.integers(0, 10**8))
def test_settle_sums_exactly_and_never_overpays_a_month_but_the_last(dues, paid):
    parts = settle(dues, paid)
    assert sum(parts) == paid
    assert all(0 <= part <= due for part, due in zip(parts[:-1], dues[:-1], strict=True))
    # A month is paid only once every earlier month is paid in full.
    for i, part in enumerate(parts):
        if part:
            assert all(parts[j] == dues[j] for j in range(i))


def test_account_of_a_late_payer():
    dues = [((2025, 3), 1000), ((2025, 4), 1000), ((2025, 5), 1000)]
    late = account(dues, 500, current=(2025, 5))
    assert (late.due_total_cents, late.due_to_date_cents, late.due_past_cents) == (3000, 3000, 2000)
    assert (late.balance_cents, late.overdue_cents) == (2500, 1500)
    ahead = account(dues, 2500, current=(2025, 4))
    assert (ahead.balance_cents, ahead.overdue_cents) == (-500, 0)


def test_lessines_account_settles_payments_on_the_statements():
    lease = lessines()
    may = next(s for s in lease_account(lease, {}, 0, (2025, 6)).statements if s.month == 5)
    march_due = lease_account(lease, {}, 0, (2025, 6)).statement(2025, 3).lines_of(1).due_cents
    result = lease_account(lease, {1: march_due + 100}, 54_045, current=(2025, 6))
    assert result.statement(2025, 3).lines_of(1).paid_cents == march_due
    assert result.statement(2025, 4).lines_of(1).paid_cents == 100
    assert result.statement(2025, 4).lines_of(1).balance_cents == result.statement(2025, 4).lines_of(1).due_cents - 100
    assert result.statement(2025, 5).lines_of(1).due_cents == may.lines_of(1).due_cents == 9974
    first = result.tenants[1]
    assert first.paid_cents == march_due + 100
    assert first.overdue_cents == first.due_past_cents - march_due - 100 > 0
    # The commune's 54 045 are settled on its oldest months first.
    assert sum(result.commune_paid_by_month.values()) == 54_045
    assert result.commune_paid_by_month[2025, 3] == result.statement(2025, 3).commune_cents


def test_payments_from_someone_else_are_refused():
    lease = Lease(date(2025, 1, 1), date(2025, 3, 1), 1000, 0, [CoTenant(1, "A", 10, date(2025, 1, 1))])
    with pytest.raises(ValueError):
        lease_account(lease, {2: 100}, 0, (2025, 1))


@settings(deadline=None, max_examples=60)
@given(leases(rent_kinds=(SplitKind.EQUAL, SplitKind.AREA_DAYS)), st.integers(0, 10**8), st.integers(0, 10**8))
def test_every_payment_lands_on_some_statement(lease, paid, commune_paid):
    first = lease.tenants[0].id
    result = lease_account(lease, {first: paid}, commune_paid, lease.months()[0])
    assert (
        sum(s.lines_of(first).paid_cents for s in result.statements if first in {t.tenant_id for t in s.tenants})
        == paid
    )
    assert sum(result.commune_paid_by_month.values()) == commune_paid
    for statement in result.statements:
        for line in statement.tenants:
            assert line.balance_cents == line.due_cents - line.paid_cents
    assert result.tenants[first].due_total_cents == sum(
        line.due_cents for s in result.statements for line in s.tenants if line.tenant_id == first
    )
