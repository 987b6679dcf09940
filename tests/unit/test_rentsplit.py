import calendar
import math
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from popup.domain.rentsplit import (
    ERROR_CODES,
    CoTenant,
    Lease,
    Payer,
    RentSplitError,
    SplitKind,
    SplitMethod,
    lease_statements,
    month_statement,
    prorate,
)

# -- Lessines: five co-tenants, 1 200 € rent, 150 € charges --------------------------------------------------------


def lessines(**overrides):
    """Rent by area × days, charges equal; #5 arrives on 10 May, #2 leaves on 20 May; 50 % subsidy for #1 and #5."""
    tenants = [
        CoTenant(1, "A", 12, date(2025, 3, 1), subsidy_percent=50),
        CoTenant(2, "B", 15, date(2025, 3, 1), exit_on=date(2025, 5, 20)),  # last day the 19th
        CoTenant(3, "C", 15, date(2025, 3, 1)),
        CoTenant(4, "D", 20, date(2025, 3, 1)),
        CoTenant(5, "E", 30, date(2025, 5, 10), subsidy_percent=50),
    ]
    values = {
        "start_on": date(2025, 3, 1),
        "end_on": date(2026, 3, 1),
        "monthly_rent_cents": 120_000,
        "monthly_charges_cents": 15_000,
        "tenants": tenants,
        "rent_split": SplitMethod(SplitKind.AREA_DAYS),
        "charges_split": SplitMethod(SplitKind.EQUAL),
        "rent_steps": [(0, 70), (3, 85), (6, 100)],
    }
    values.update(overrides)
    return Lease(**values)


def rows(statement):
    return [
        (
            t.tenant_id,
            t.rent_cents,
            t.charges_cents,
            t.step_reduction_cents,
            t.subsidy_cents,
            t.due_cents,
            t.commune_cents,
        )
        for t in statement.tenants
    ]


def test_lessines_may_every_line():
    may = month_statement(lessines(), 2025, 5)
    # Rent weights 12×31, 15×19, 15×31, 20×31, 30×22 (sum 2402); charges weights 31, 19, 31, 31, 22 (sum 134).
    # May is month 2 of the lease: the co-tenants pay 70 % of their rent, the commune the other 30 %, then half
    # of the rest for #1 and #5. 18 584 × 30 % = 5 575,2 → 5 575; (18 584 − 5 575) / 2 = 6 504,5 → 6 505.
    assert rows(may) == [
        (1, 18584, 3470, -5575, -6505, 9974, 12080),
        (2, 14238, 2127, -4271, 0, 12094, 4271),
        (3, 23231, 3470, -6969, 0, 19732, 6969),
        (4, 30974, 3470, -9292, 0, 25152, 9292),
        (5, 32973, 2463, -9892, -11541, 14003, 21433),
    ]
    assert [(t.held_days, t.present_days) for t in may.tenants] == [(31, 31), (19, 19), (31, 31), (31, 31), (22, 22)]
    assert may.step_percent == 70
    assert (may.rent_cents, may.charges_cents) == (120_000, 15_000)
    assert may.owner.from_tenants == ((1, 9974), (2, 12094), (3, 19732), (4, 25152), (5, 14003))
    assert may.owner.from_commune_cents == may.commune_cents == 54_045
    assert may.owner.total_cents == 135_000
    assert may.owner.reduction_cents == 0


def test_lessines_stand_empty_until_the_10th_is_carried_by_those_present():
    march = month_statement(lessines(), 2025, 3)
    assert [t.tenant_id for t in march.tenants] == [1, 2, 3, 4]
    # Areas 12, 15, 15, 20 of 62 m², all 31 days: 23 225,8 / 29 032,3 / 29 032,3 / 38 709,7.
    assert [t.rent_cents for t in march.tenants] == [23226, 29032, 29032, 38710]
    assert [t.charges_cents for t in march.tenants] == [3750, 3750, 3750, 3750]
    assert march.owner.total_cents == 135_000


def test_lessines_steps_follow_calendar_months_from_the_start():
    lease = lessines()
    percents = [month_statement(lease, y, m).step_percent for y, m in lease.months()]
    assert percents == [70, 70, 70, 85, 85, 85, 100, 100, 100, 100, 100, 100]
    june = month_statement(lease, 2025, 6)
    first = june.lines_of(1)  # 85 %: the commune pays 15 % of the rent share, then half of the rest
    assert first.step_reduction_cents == -math.floor(first.rent_cents * Fraction(15, 100) + Fraction(1, 2))
    assert first.due_cents == first.rent_cents + first.charges_cents + first.step_reduction_cents + first.subsidy_cents


def test_lessines_commune_total_over_the_lease():
    statements = lease_statements(lessines())
    assert len(statements) == 12
    assert sum(s.owner.total_cents for s in statements) == 12 * 135_000
    commune = sum(s.commune_cents for s in statements)
    tenants = sum(t.due_cents for s in statements for t in s.tenants)
    assert commune + tenants == 12 * 135_000
    assert statements[4].commune_cents == sum(t.commune_cents for t in statements[4].tenants)


def test_steps_granted_by_the_owner_are_not_owed_by_the_commune():
    may = month_statement(lessines(steps_paid_by=Payer.OWNER), 2025, 5)
    assert [t.due_cents for t in may.tenants] == [9974, 12094, 19732, 25152, 14003]
    assert may.commune_cents == 6505 + 11541  # the subsidies alone
    assert may.owner.reduction_cents == -(5575 + 4271 + 6969 + 9292 + 9892)
    assert may.owner.total_cents == 135_000 + may.owner.reduction_cents


def test_payments_and_balance():
    may = month_statement(lessines(), 2025, 5, paid_cents={1: 9974, 3: 10_000})
    assert [(t.paid_cents, t.balance_cents) for t in may.tenants] == [
        (9974, 0),
        (0, 12094),
        (10_000, 9732),
        (0, 25152),
        (0, 14003),
    ]


# -- prorating, presence, methods --------------------------------------------------------------------------------


def simple(tenants, **overrides):
    values = {
        "start_on": date(2025, 4, 1),
        "end_on": date(2025, 7, 1),
        "monthly_rent_cents": 10_000,
        "monthly_charges_cents": 0,
        "tenants": tenants,
    }
    values.update(overrides)
    return Lease(**values)


def test_partial_months_prorate_by_days_and_round_once():
    lease = Lease(
        start_on=date(2025, 3, 10),
        end_on=date(2025, 9, 10),
        monthly_rent_cents=120_000,
        monthly_charges_cents=15_000,
        tenants=[CoTenant(1, "A", 10, date(2025, 3, 10))],
    )
    statements = lease_statements(lease)
    assert [(s.year, s.month) for s in statements] == [(2025, m) for m in range(3, 10)]
    march, september = statements[0], statements[-1]
    assert (march.start_on, march.end_on, march.lease_days, march.days_in_month) == (
        date(2025, 3, 10),
        date(2025, 4, 1),
        22,
        31,
    )
    assert march.rent_cents == 85_161  # 120 000 × 22 / 31 = 85 161,29
    assert march.charges_cents == 10_645  # 15 000 × 22 / 31 = 10 645,16
    assert september.rent_cents == 36_000  # 9 of 30 days
    assert sum(s.rent_cents for s in statements) == 85_161 + 5 * 120_000 + 36_000


@pytest.mark.parametrize(("days", "days_in_month", "cents"), [(1, 2, 51), (1, 3, 34), (2, 3, 67), (3, 3, 101)])
def test_prorate_rounds_half_a_cent_up(days, days_in_month, cents):
    assert prorate(101, days, days_in_month) == cents


def test_equal_is_prorated_by_days_held():
    # April has 30 days; #2 arrives on the 16th and holds its stand 15 days: weights 30 and 15.
    lease = simple([CoTenant(1, "A", 10, date(2025, 4, 1)), CoTenant(2, "B", 10, date(2025, 4, 16))])
    april = month_statement(lease, 2025, 4)
    assert [t.rent_cents for t in april.tenants] == [6667, 3333]
    may = month_statement(lease, 2025, 5)
    assert [t.rent_cents for t in may.tenants] == [5000, 5000]


def test_area_and_custom_weights_are_prorated_by_days_held_too():
    tenants = [CoTenant(1, "A", 10, date(2025, 4, 1), weight=1), CoTenant(2, "B", 30, date(2025, 4, 16), weight=3)]
    by_area = month_statement(simple(tenants, rent_split="area"), 2025, 4)
    by_weight = month_statement(simple(tenants, rent_split="weights"), 2025, 4)
    # 10 × 30 against 30 × 15
    assert [t.rent_cents for t in by_area.tenants] == [t.rent_cents for t in by_weight.tenants] == [4000, 6000]


def test_days_present_from_bookings_change_the_days_methods_only():
    tenants = [
        CoTenant(1, "A", 10, date(2025, 4, 1)),
        CoTenant(2, "B", 30, date(2025, 4, 1), days_present={(2025, 4): 10}),
    ]
    assert [t.rent_cents for t in month_statement(simple(tenants), 2025, 4).tenants] == [5000, 5000]
    days = month_statement(simple(tenants, rent_split="days"), 2025, 4)
    assert [t.rent_cents for t in days.tenants] == [7500, 2500]  # 30 against 10 days
    assert [(t.held_days, t.present_days) for t in days.tenants] == [(30, 30), (30, 10)]
    area_days = month_statement(simple(tenants, rent_split="area_days"), 2025, 4)
    assert [t.rent_cents for t in area_days.tenants] == [5000, 5000]  # 10 × 30 against 30 × 10
    # Months without a booking figure fall back to the days held.
    assert [t.rent_cents for t in month_statement(simple(tenants, rent_split="days"), 2025, 5).tenants] == [5000, 5000]


def test_rent_and_charges_use_their_own_methods():
    tenants = [CoTenant(1, "A", 10, date(2025, 4, 1)), CoTenant(2, "B", 30, date(2025, 4, 1))]
    lease = simple(tenants, monthly_charges_cents=1000, rent_split="area", charges_split="equal")
    april = month_statement(lease, 2025, 4)
    assert [(t.rent_cents, t.charges_cents) for t in april.tenants] == [(2500, 500), (7500, 500)]


def test_fixed_amounts_then_the_remainder_by_area():
    tenants = [
        CoTenant(1, "A", 10, date(2025, 4, 1)),
        CoTenant(2, "B", 10, date(2025, 4, 1)),
        CoTenant(3, "C", 30, date(2025, 4, 1)),
    ]
    lease = simple(tenants, rent_split=SplitMethod.fixed_then({2: 1500}, "area"))
    april = month_statement(lease, 2025, 4)
    assert [t.rent_cents for t in april.tenants] == [2125, 1500, 6375]  # 8 500 split 10 : 30


def test_fixed_amounts_are_prorated_by_days_held():
    tenants = [
        CoTenant(1, "A", 10, date(2025, 4, 1)),
        CoTenant(2, "B", 10, date(2025, 4, 16)),  # 15 of 30 days in April
    ]
    lease = simple(tenants, rent_split=SplitMethod.fixed_then({2: 3000}, SplitMethod(SplitKind.EQUAL)))
    april = month_statement(lease, 2025, 4)
    assert [t.rent_cents for t in april.tenants] == [8500, 1500]
    # In a month that starts the lease on the 16th, the fixed co-tenant pays for its days only.
    late = simple(tenants[1:], start_on=date(2025, 4, 16), rent_split=SplitMethod.fixed_then({2: 3000}, "equal"))
    with pytest.raises(RentSplitError) as caught:  # 5 000 prorated rent, 1 500 fixed, nobody for the rest
        month_statement(late, 2025, 4)
    assert caught.value.code == "remainder_unassigned"


def test_fixed_amounts_that_take_everything_leave_nothing_to_split():
    lease = simple([CoTenant(1, "A", 10, date(2025, 4, 1))], rent_split=SplitMethod.fixed_then({1: 10_000}, "area"))
    assert [t.rent_cents for t in month_statement(lease, 2025, 4).tenants] == [10_000]


def test_ties_go_to_the_lower_id_whatever_the_input_order():
    tenants = [CoTenant(7, "A", 10, date(2025, 4, 1)), CoTenant(3, "B", 10, date(2025, 4, 1))]
    lease = simple(tenants, monthly_rent_cents=101)
    assert [(t.tenant_id, t.rent_cents) for t in month_statement(lease, 2025, 4).tenants] == [(3, 51), (7, 50)]
    assert lease == simple(tenants[::-1], monthly_rent_cents=101)


def test_string_ids_sort_too():
    tenants = [CoTenant("fleuriste", "A", 10, date(2025, 4, 1)), CoTenant("boulangerie", "B", 10, date(2025, 4, 1))]
    lease = simple(tenants, monthly_rent_cents=101)
    assert [(t.tenant_id, t.rent_cents) for t in month_statement(lease, 2025, 4).tenants] == [
        ("boulangerie", 51),
        ("fleuriste", 50),
    ]


def test_half_cents_of_step_and_subsidy_go_to_the_tenant():
    tenant = CoTenant(1, "A", 10, date(2025, 4, 1), subsidy_percent=50)
    lease = simple([tenant], monthly_rent_cents=101, rent_steps=[(0, 50)])
    (lines,) = month_statement(lease, 2025, 4).tenants
    # 101 × 50 % = 50,5 → the step takes 51; the 50 left, half of it → 25.
    assert (lines.step_reduction_cents, lines.subsidy_cents, lines.due_cents, lines.commune_cents) == (-51, -25, 25, 76)


def test_fraction_percents():
    tenant = CoTenant(1, "A", 10, date(2025, 4, 1), subsidy_percent=Fraction(100, 3))
    (lines,) = month_statement(simple([tenant], monthly_rent_cents=9000), 2025, 4).tenants
    assert (lines.subsidy_cents, lines.due_cents) == (-3000, 6000)


def test_steps_may_start_later_and_before_them_the_rent_is_full():
    lease = simple([CoTenant(1, "A", 10, date(2025, 4, 1))], rent_steps=[(1, 80)])
    assert [month_statement(lease, y, m).step_percent for y, m in lease.months()] == [100, 80, 80]


def test_a_stand_can_be_held_by_one_tenant_after_another():
    tenants = [
        CoTenant(1, "A", 10, date(2025, 4, 1), exit_on=date(2025, 5, 1)),
        CoTenant(2, "A", 10, date(2025, 5, 1)),
    ]
    lease = simple(tenants)
    assert [[t.tenant_id for t in s.tenants] for s in lease_statements(lease)] == [[1], [2], [2]]


def test_methods_from_strings():
    assert SplitMethod("area") == SplitMethod(SplitKind.AREA)
    method = SplitMethod.fixed_then({1: 100}, "days")
    assert method.remainder == SplitMethod(SplitKind.DAYS)
    assert method.fixed_cents == {1: 100}


def test_the_lease_is_not_changed_by_a_statement():
    lease = lessines()
    before = repr(lease)
    month_statement(lease, 2025, 5, paid_cents={1: 100})
    assert repr(lease) == before


# -- bad input ---------------------------------------------------------------------------------------------------


def tenant(**overrides):
    values = {"id": 1, "stand_id": "A", "area_m2": 10, "entry_on": date(2025, 4, 1)}
    values.update(overrides)
    return CoTenant(**values)


def raises(code, make):
    with pytest.raises(RentSplitError) as caught:
        make()
    assert caught.value.code == code
    assert code in ERROR_CODES
    return caught.value


@pytest.mark.parametrize(
    ("code", "make"),
    [
        ("negative_amount", lambda: simple([tenant()], monthly_rent_cents=-1)),
        ("negative_amount", lambda: simple([tenant()], monthly_charges_cents=-1)),
        ("negative_amount", lambda: SplitMethod.fixed_then({1: -5}, "equal")),
        ("no_tenants", lambda: simple([])),
        ("duplicate_tenant", lambda: simple([tenant(), tenant(stand_id="B")])),
        ("weight_negative", lambda: tenant(area_m2=-1)),
        ("weight_negative", lambda: tenant(weight=-1)),
        ("weight_missing", lambda: simple([tenant()], rent_split="weights")),
        ("weight_missing", lambda: simple([tenant()], charges_split=SplitMethod.fixed_then({}, "weights"))),
        ("tenant_outside_lease", lambda: simple([tenant(entry_on=date(2025, 3, 31))])),
        ("tenant_outside_lease", lambda: simple([tenant(exit_on=date(2025, 7, 2))])),
        ("tenant_outside_lease", lambda: simple([tenant(entry_on=date(2025, 7, 1))])),
        ("bad_period", lambda: tenant(exit_on=date(2025, 4, 1))),
        ("bad_period", lambda: simple([tenant()], end_on=date(2025, 4, 1))),
        (
            "stand_double_booked",
            lambda: simple([tenant(exit_on=date(2025, 5, 2)), tenant(id=2, entry_on=date(2025, 5, 1))]),
        ),
        ("stand_double_booked", lambda: simple([tenant(), tenant(id=2, entry_on=date(2025, 6, 1))])),
        ("fixed_exceeds_total", lambda: simple([tenant()], rent_split=SplitMethod.fixed_then({1: 10_001}, "area"))),
        ("unknown_tenant", lambda: simple([tenant()], rent_split=SplitMethod.fixed_then({9: 1}, "area"))),
        ("bad_percent", lambda: tenant(subsidy_percent=101)),
        ("bad_percent", lambda: tenant(subsidy_percent=-1)),
        ("bad_percent", lambda: simple([tenant()], rent_steps=[(0, 120)])),
        ("bad_steps", lambda: simple([tenant()], rent_steps=[(3, 80), (3, 90)])),
        ("bad_steps", lambda: simple([tenant()], rent_steps=[(-1, 80)])),
        ("bad_method", lambda: SplitMethod("by_height")),
        ("bad_method", lambda: SplitMethod(SplitKind.FIXED_THEN, {1: 100})),
        ("bad_method", lambda: SplitMethod.fixed_then({1: 100}, SplitMethod.fixed_then({}, "equal"))),
        ("bad_method", lambda: SplitMethod(SplitKind.AREA, {1: 100})),
        ("bad_days_present", lambda: tenant(days_present={(2025, 4): -1})),
    ],
)
def test_bad_lease_input_is_refused(code, make):
    raises(code, make)


@pytest.mark.parametrize(
    ("code", "lease", "year", "month", "paid"),
    [
        ("bad_month", simple([tenant()]), 2025, 3, None),
        ("bad_month", simple([tenant()]), 2025, 7, None),
        ("bad_month", simple([tenant()]), 2025, 13, None),
        ("no_tenants", simple([tenant(entry_on=date(2025, 5, 1))]), 2025, 4, None),
        ("weights_zero", simple([tenant(area_m2=0)], rent_split="area"), 2025, 4, None),
        ("weights_zero", simple([tenant(days_present={(2025, 4): 0})], charges_split="days"), 2025, 4, None),
        ("bad_days_present", simple([tenant(days_present={(2025, 4): 31})]), 2025, 4, None),
        ("unknown_tenant", simple([tenant()]), 2025, 4, {2: 100}),
        (
            "tenant_not_in_month",
            simple([tenant(entry_on=date(2025, 5, 1)), tenant(id=2, stand_id="B")]),
            2025,
            4,
            {1: 1},
        ),
        ("negative_amount", simple([tenant()]), 2025, 4, {1: -100}),
        (
            "fixed_exceeds_total",
            simple(
                [tenant(), tenant(id=2, stand_id="B"), tenant(id=3, stand_id="C")],
                rent_split=SplitMethod.fixed_then({1: 6000, 2: 6000}, "area"),
            ),
            2025,
            4,
            None,
        ),
    ],
)
def test_bad_month_input_is_refused(code, lease, year, month, paid):
    error = raises(code, lambda: month_statement(lease, year, month, paid_cents=paid))
    assert str(error).startswith(code)


def test_errors_carry_parameters_for_the_message():
    error = raises("stand_double_booked", lambda: simple([tenant(), tenant(id=2, entry_on=date(2025, 6, 1))]))
    assert error.params == {"stand_id": "A", "tenant_ids": (1, 2), "from_on": date(2025, 6, 1)}


# -- properties --------------------------------------------------------------------------------------------------

PLAIN = [SplitKind.EQUAL, SplitKind.AREA, SplitKind.DAYS, SplitKind.AREA_DAYS, SplitKind.WEIGHTS]
PERCENTS = st.integers(0, 100) | st.fractions(0, 100, max_denominator=12)


def month_bounds(year, month):
    first = date(year, month, 1)
    return first, first + timedelta(days=calendar.monthrange(year, month)[1])


def overlap(a_start, a_end, b_start, b_end):
    return max(0, (min(a_end, b_end) - max(a_start, b_start)).days)


def held(lease, co_tenant, year, month):
    first, after = month_bounds(year, month)
    exit_on = co_tenant.exit_on or lease.end_on
    return overlap(max(first, lease.start_on), min(after, lease.end_on), co_tenant.entry_on, exit_on)


def expected_weight(kind, lease, co_tenant, year, month):
    days = held(lease, co_tenant, year, month)
    present = (co_tenant.days_present or {}).get((year, month), days)
    return {
        SplitKind.EQUAL: days,
        SplitKind.AREA: co_tenant.area_m2 * days,
        SplitKind.WEIGHTS: (co_tenant.weight or 0) * days,
        SplitKind.DAYS: present,
        SplitKind.AREA_DAYS: co_tenant.area_m2 * present,
    }[kind]


@st.composite
def leases(draw, rent_kinds=(*PLAIN, SplitKind.FIXED_THEN), charges_kinds=tuple(PLAIN)):
    """Leases that always split: co-tenant 0 holds its stand the whole lease, with area and weight ≥ 1."""
    start_on = draw(st.dates(date(2024, 1, 1), date(2026, 12, 31)))
    length = draw(st.integers(1, 500))
    end_on = start_on + timedelta(days=length)
    rent = draw(st.integers(0, 10**7))
    count = draw(st.integers(1, 6))
    ids = draw(st.lists(st.integers(1, 99), min_size=count, max_size=count, unique=True))
    tenants = []
    for n, tenant_id in enumerate(ids):
        if n == 0:
            entry, exit_on, low = start_on, None, 1
        else:
            first = draw(st.integers(0, length - 1))
            entry = start_on + timedelta(days=first)
            exit_on = draw(st.none() | st.integers(first + 1, length).map(lambda d: start_on + timedelta(days=d)))
            low = 0
        ratio = draw(st.none() | st.fractions(0, 1)) if n else None
        days_present = None
        if ratio is not None:
            probe = Lease(start_on, end_on, 0, 0, [CoTenant(tenant_id, n, 1, entry, exit_on)])
            days_present = {ym: math.floor(ratio * held(probe, probe.tenants[0], *ym)) for ym in probe.months()}
        tenants.append(
            CoTenant(
                tenant_id,
                stand_id=n,
                area_m2=draw(st.integers(low, 200) | st.fractions(max(low, Fraction(1, 2)), 200, max_denominator=4)),
                entry_on=entry,
                exit_on=exit_on,
                weight=draw(st.integers(low, 50)),
                subsidy_percent=draw(st.none() | PERCENTS),
                days_present=days_present,
            )
        )
    rent_kind = draw(st.sampled_from(rent_kinds))
    if rent_kind is SplitKind.FIXED_THEN:
        fixed_ids = draw(st.lists(st.sampled_from(ids[1:]), unique=True)) if count > 1 else []
        cuts = sorted(draw(st.lists(st.integers(0, rent), min_size=len(fixed_ids), max_size=len(fixed_ids))))
        amounts = [b - a for a, b in zip([0, *cuts], cuts, strict=False)]  # they sum to at most the rent
        rent_split = SplitMethod.fixed_then(dict(zip(fixed_ids, amounts, strict=True)), draw(st.sampled_from(PLAIN)))
    else:
        rent_split = SplitMethod(rent_kind)
    steps = draw(st.none() | st.lists(PERCENTS, min_size=1, max_size=3))
    return Lease(
        start_on=start_on,
        end_on=end_on,
        monthly_rent_cents=rent,
        monthly_charges_cents=draw(st.integers(0, 10**6)),
        tenants=draw(st.permutations(tenants)),
        rent_split=rent_split,
        charges_split=SplitMethod(draw(st.sampled_from(charges_kinds))),
        rent_steps=[(3 * i, p) for i, p in enumerate(steps or [])],
        steps_paid_by=draw(st.sampled_from(Payer)),
    )


@st.composite
def lease_months(draw, **kinds):
    lease = draw(leases(**kinds))
    return lease, draw(st.sampled_from(lease.months()))


@settings(deadline=None)
@given(lease_months())
def test_every_cent_is_accounted_for(lease_month):
    lease, (year, month) = lease_month
    statement = month_statement(lease, year, month)
    lines = statement.tenants
    assert lines, "co-tenant 0 is always there"
    assert sum(t.rent_cents for t in lines) == statement.rent_cents
    assert sum(t.charges_cents for t in lines) == statement.charges_cents
    owner_pays_steps = lease.steps_paid_by is Payer.OWNER
    for t in lines:
        assert t.step_reduction_cents <= 0 and t.subsidy_cents <= 0 and t.commune_cents >= 0 and t.due_cents >= 0
        granted = t.step_reduction_cents if owner_pays_steps else 0
        assert t.due_cents + t.commune_cents == t.rent_cents + t.charges_cents + granted
        assert t.balance_cents == t.due_cents
    owner = statement.owner
    assert owner.total_cents == statement.rent_cents + statement.charges_cents + owner.reduction_cents
    assert owner.from_commune_cents == sum(t.commune_cents for t in lines)
    assert [cents for _, cents in owner.from_tenants] == [t.due_cents for t in lines]


@settings(deadline=None)
@given(lease_months(rent_kinds=PLAIN))
def test_each_share_is_within_a_cent_of_its_exact_share(lease_month):
    lease, (year, month) = lease_month
    statement = month_statement(lease, year, month)
    by_id = {t.id: t for t in lease.tenants}
    for method, total, share_of in [
        (lease.rent_split, statement.rent_cents, lambda t: t.rent_cents),
        (lease.charges_split, statement.charges_cents, lambda t: t.charges_cents),
    ]:
        weights = {
            t.tenant_id: expected_weight(method.kind, lease, by_id[t.tenant_id], year, month) for t in statement.tenants
        }
        weight_sum = sum(weights.values())
        for t in statement.tenants:
            assert abs(share_of(t) - Fraction(total) * weights[t.tenant_id] / weight_sum) < 1
    # Those who hold no stand this month get no line.
    assert {t.tenant_id for t in statement.tenants} == {t.id for t in lease.tenants if held(lease, t, year, month)}


@settings(deadline=None)
@given(lease_months())
def test_step_and_subsidy_are_rounded_to_the_nearest_cent(lease_month):
    lease, (year, month) = lease_month
    statement = month_statement(lease, year, month)
    for t in statement.tenants:
        exact_reduction = t.rent_cents * (100 - statement.step_percent) / 100
        assert -t.step_reduction_cents == math.floor(exact_reduction + Fraction(1, 2))
        stepped = t.rent_cents + t.step_reduction_cents
        assert -t.subsidy_cents == math.floor(stepped * t.subsidy_percent / 100 + Fraction(1, 2))


@settings(deadline=None)
@given(leases(), st.randoms(use_true_random=False))
def test_deterministic_and_independent_of_the_order_of_co_tenants(lease, random):
    shuffled = list(lease.tenants)
    random.shuffle(shuffled)
    again = Lease(
        start_on=lease.start_on,
        end_on=lease.end_on,
        monthly_rent_cents=lease.monthly_rent_cents,
        monthly_charges_cents=lease.monthly_charges_cents,
        tenants=shuffled,
        rent_split=lease.rent_split,
        charges_split=lease.charges_split,
        rent_steps=lease.rent_steps,
        steps_paid_by=lease.steps_paid_by,
    )
    assert lease_statements(again) == lease_statements(lease) == lease_statements(lease)


@settings(deadline=None)
@given(leases())
def test_months_of_a_lease_add_up_to_full_months_plus_rounded_partial_months(lease):
    statements = lease_statements(lease)
    assert sum(s.lease_days for s in statements) == (lease.end_on - lease.start_on).days
    for monthly, total_of in [
        (lease.monthly_rent_cents, lambda s: s.rent_cents),
        (lease.monthly_charges_cents, lambda s: s.charges_cents),
    ]:
        full = [s for s in statements if s.lease_days == s.days_in_month]
        partial = [s for s in statements if s.lease_days < s.days_in_month]
        rounded = sum(math.floor(Fraction(monthly * s.lease_days, s.days_in_month) + Fraction(1, 2)) for s in partial)
        assert sum(total_of(s) for s in statements) == monthly * len(full) + rounded
        exact = sum(Fraction(monthly * s.lease_days, s.days_in_month) for s in statements)
        assert abs(sum(total_of(s) for s in statements) - exact) <= Fraction(len(partial), 2)
        assert len(partial) <= 2


@settings(deadline=None)
@given(leases(rent_kinds=(SplitKind.FIXED_THEN,)))
def test_fixed_amounts_are_exact_in_full_months(lease):
    fixed = lease.rent_split.fixed_cents
    for statement in lease_statements(lease):
        if statement.lease_days < statement.days_in_month:
            continue
        for t in statement.tenants:
            if t.tenant_id in fixed and t.held_days == statement.days_in_month:
                assert t.rent_cents == fixed[t.tenant_id]
            elif t.tenant_id in fixed:
                exact = Fraction(fixed[t.tenant_id] * t.held_days, statement.days_in_month)
                assert abs(t.rent_cents - exact) < 1
