"""Rent and charges of a shared lease, split between co-tenants month by month.

A statement for one calendar month is computed in this order; every split of
an amount goes through ``money.allocate``, so no cent is lost or made up.

1. **Prorating.** Of the month's M days, L lie inside the lease. The lease's
   monthly rent and monthly charges are each prorated to L/M and rounded once,
   half a cent up: ``allocate(monthly, [L, M - L])[0]``. A full month is
   exactly the monthly amount, so over a lease the totals are the monthly
   amounts times the full months plus each partial month rounded on its own.
2. **Who pays.** A co-tenant *holds* its stand H days of the month: the days
   inside the lease, the month and its own ``[entry_on, exit_on)``. Every
   co-tenant with H ≥ 1 gets a line. Its days *present* P are the month's
   ``days_present`` entry when bookings give one (0 ≤ P ≤ H), else H.
3. **Split.** The prorated total is split by ``allocate`` with these weights:
   equal → H, area → area × H, weights → weight × H, days → P,
   area_days → area × P. So every method is prorated by presence: a co-tenant
   who holds its stand half the month pays half of what it would pay for the
   whole month next to the same co-tenants (an equal share per day held, not
   per head). Without a ``days_present`` entry, equal gives the same split as
   days, and area the same as area_days; they differ once bookings say a
   co-tenant comes only some of the days it holds its stand. The co-tenants
   of the month always carry the whole prorated total between them: a day when
   a stand stands empty is shared by the others, never charged to the owner
   or the commune.
4. **Fixed amounts.** ``fixed_then`` gives some co-tenants a fixed monthly
   amount F, prorated to their days held (F × H / M). The prorated total is
   first split between the fixed co-tenants and one remainder with weights
   F × H and (monthly × L − Σ F × H): within a cent of F × H / M when the
   lease covers the whole month (exactly F for a co-tenant there all month),
   less than a cent and a half off it in a partial month of the lease, and
   never more than the total.
   The remainder is then split among the other co-tenants by the remainder
   method; if none of them holds a stand that month, that is an error.
5. **Ties.** Co-tenants are sorted by id before anything is split, so the
   result does not depend on their input order; a cent that two co-tenants
   could equally claim goes to the lower id (and, in ``fixed_then``, to the
   fixed co-tenants before the remainder).
6. **Stepped rent.** ``rent_steps`` lists (months from the lease's start,
   percent of the rent the co-tenants pay), e.g. ((0, 70), (3, 85), (6, 100)).
   Months are calendar months: the month the lease starts in is month 0, even
   when the lease starts mid-month. Before the first step the percent is 100;
   the last step holds to the end. Each co-tenant's rent share is split by
   ``allocate(share, [100 - p, p])`` into the step reduction and the stepped
   rent: the reduction is rounded half a cent up, to the co-tenant's benefit.
   By default the commune pays the reduction (DESIGN §5 counts a stepped rent
   as a commune subsidy); with ``steps_paid_by=Payer.OWNER`` the owner grants
   it and simply receives less. Steps never touch the charges.
7. **Subsidy.** A co-tenant's ``subsidy_percent`` is a share of its *stepped
   rent* (its rent share after the step reduction), never of the charges; it
   is rounded half a cent up to the co-tenant's benefit. With a 70 % step and a
   50 % subsidy the co-tenant pays 35 % of its rent share and the commune 65 %.
8. **Lines.** Per co-tenant: rent share, charges share, step reduction (≤ 0),
   subsidy (≤ 0), due = the sum of these four, paid, balance = due − paid (for
   this month alone), and what the commune owes for it (≥ 0).
9. **Owner.** The amounts due from each co-tenant plus the commune's sum
   exactly to the prorated rent plus charges, less the step reductions when
   the owner grants them; this is asserted on every statement.

Bad input raises ``RentSplitError`` with a stable ``code`` (see
``ERROR_CODES``) and parameters for the message; nothing here has effects.
Amounts are integer cents; format them for display with ``popup.i18n.euros``.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from itertools import pairwise
from types import MappingProxyType
from typing import Final

from popup.domain.money import allocate

TenantId = int | str  # identifies one tenancy: one co-tenant on one stand for one period
StandId = int | str
Number = int | Fraction | Decimal
YearMonth = tuple[int, int]

ERROR_CODES: Final = frozenset(
    {
        "bad_days_present",  # days present below zero or above the days the stand is held
        "bad_method",  # unknown kind, or fixed amounts / remainder where they do not belong
        "bad_month",  # not a month, or a month with no day inside the lease
        "bad_percent",  # a subsidy or step percent outside 0–100
        "bad_period",  # an end on or before its start
        "bad_steps",  # step months negative or not strictly increasing
        "duplicate_tenant",  # two co-tenants with one id
        "fixed_exceeds_total",  # fixed amounts above the rent or charges they come out of
        "negative_amount",  # rent, charges, fixed amount or payment below zero
        "no_tenants",  # a lease without co-tenants, or a month where nobody holds a stand
        "remainder_unassigned",  # fixed_then leaves a remainder and nobody else to pay it
        "stand_double_booked",  # two co-tenants on one stand at once
        "tenant_not_in_month",  # a payment from a co-tenant who holds no stand that month
        "tenant_outside_lease",  # a co-tenant dated before the lease starts or after it ends
        "unknown_tenant",  # a fixed amount or payment for an id that is not a co-tenant
        "weight_missing",  # the weights method and a co-tenant without a weight
        "weight_negative",  # an area or weight below zero
        "weights_zero",  # every weight of a split is zero
    }
)


class RentSplitError(ValueError):
    """Input that cannot be split; ``code`` is one of ERROR_CODES, ``params`` fill the message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(f"{code}: {params}" if params else code)
        self.code = code
        self.params = params


class SplitKind(StrEnum):
    EQUAL = "equal"
    AREA = "area"
    DAYS = "days"
    AREA_DAYS = "area_days"
    WEIGHTS = "weights"
    FIXED_THEN = "fixed_then"


class Payer(StrEnum):
    COMMUNE = "commune"
    OWNER = "owner"


@dataclass(frozen=True)
class SplitMethod:
    """How one monthly amount (the rent, or the charges) is split; see the module's rules 3 and 4."""

    kind: SplitKind
    fixed_cents: Mapping[TenantId, int] = field(default_factory=dict, hash=False)  # fixed_then only
    remainder: SplitMethod | None = None  # fixed_then only: splits what the fixed amounts leave

    def __post_init__(self) -> None:
        try:
            kind = SplitKind(self.kind)
        except ValueError:
            raise RentSplitError("bad_method", kind=self.kind) from None
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "fixed_cents", MappingProxyType(dict(self.fixed_cents)))
        if kind is SplitKind.FIXED_THEN:
            if self.remainder is None or self.remainder.kind is SplitKind.FIXED_THEN:
                raise RentSplitError("bad_method", kind=kind, reason="remainder")
        elif self.fixed_cents or self.remainder is not None:
            raise RentSplitError("bad_method", kind=kind, reason="fixed_without_fixed_then")
        for tenant_id, cents in self.fixed_cents.items():
            if cents < 0:
                raise RentSplitError("negative_amount", field="fixed_cents", tenant_id=tenant_id, cents=cents)

    @classmethod
    def fixed_then(cls, fixed_cents: Mapping[TenantId, int], remainder: SplitMethod | str) -> SplitMethod:
        """Fixed monthly amounts for some co-tenants, the rest split among the others by ``remainder``."""
        return cls(SplitKind.FIXED_THEN, fixed_cents, _method(remainder))

    def uses(self, kind: SplitKind) -> bool:
        return self.kind is kind or (self.remainder is not None and self.remainder.kind is kind)


def _method(value: SplitMethod | str) -> SplitMethod:
    return value if isinstance(value, SplitMethod) else SplitMethod(SplitKind(value))


def _percent(value: Number, **where: object) -> Fraction:
    percent = Fraction(value)
    if not 0 <= percent <= 100:
        raise RentSplitError("bad_percent", percent=value, **where)
    return percent


@dataclass(frozen=True)
class CoTenant:
    """One co-tenant on one stand for ``[entry_on, exit_on)``; no exit means until the lease ends."""

    id: TenantId
    stand_id: StandId
    area_m2: Number
    entry_on: date
    exit_on: date | None = None
    weight: Number | None = None  # for the weights method
    subsidy_percent: Number | None = None  # share of the stepped rent the commune pays, 0–100
    days_present: Mapping[YearMonth, int] | None = field(default=None, hash=False)  # (year, month) → days

    def __post_init__(self) -> None:
        if self.exit_on is not None and self.exit_on <= self.entry_on:
            raise RentSplitError("bad_period", tenant_id=self.id, start_on=self.entry_on, end_on=self.exit_on)
        object.__setattr__(self, "area_m2", Fraction(self.area_m2))
        if self.area_m2 < 0:
            raise RentSplitError("weight_negative", tenant_id=self.id, field="area_m2", value=self.area_m2)
        if self.weight is not None:
            object.__setattr__(self, "weight", Fraction(self.weight))
            if self.weight < 0:
                raise RentSplitError("weight_negative", tenant_id=self.id, field="weight", value=self.weight)
        if self.subsidy_percent is not None:
            object.__setattr__(self, "subsidy_percent", _percent(self.subsidy_percent, tenant_id=self.id))
        if self.days_present is not None:
            object.__setattr__(self, "days_present", MappingProxyType(dict(self.days_present)))
            for (year, month), days in self.days_present.items():
                if days < 0:
                    raise RentSplitError("bad_days_present", tenant_id=self.id, year=year, month=month, days=days)


def _tenant_key(tenant: CoTenant) -> tuple[bool, TenantId]:
    return (isinstance(tenant.id, str), tenant.id)  # ints before strings if a caller mixes them


@dataclass(frozen=True)
class Lease:
    """A shared lease over ``[start_on, end_on)``; construction checks everything that does not depend on a month.

    The co-tenants are kept sorted by id (rule 5), so two leases that differ
    only in the order of their co-tenants are equal.
    """

    start_on: date
    end_on: date
    monthly_rent_cents: int
    monthly_charges_cents: int
    tenants: Sequence[CoTenant]
    rent_split: SplitMethod | str = SplitKind.EQUAL
    charges_split: SplitMethod | str = SplitKind.EQUAL
    rent_steps: Sequence[tuple[int, Number]] = ()  # (months from the start, percent the co-tenants pay)
    steps_paid_by: Payer = Payer.COMMUNE

    def __post_init__(self) -> None:
        if self.end_on <= self.start_on:
            raise RentSplitError("bad_period", start_on=self.start_on, end_on=self.end_on)
        for name in ("monthly_rent_cents", "monthly_charges_cents"):
            if getattr(self, name) < 0:
                raise RentSplitError("negative_amount", field=name, cents=getattr(self, name))
        object.__setattr__(self, "rent_split", _method(self.rent_split))
        object.__setattr__(self, "charges_split", _method(self.charges_split))
        object.__setattr__(self, "steps_paid_by", Payer(self.steps_paid_by))
        object.__setattr__(self, "rent_steps", _check_steps(self.rent_steps))
        tenants = tuple(sorted(self.tenants, key=_tenant_key))
        object.__setattr__(self, "tenants", tenants)
        if not tenants:
            raise RentSplitError("no_tenants")
        ids = [t.id for t in tenants]
        for earlier, later in pairwise(ids):
            if earlier == later:
                raise RentSplitError("duplicate_tenant", tenant_id=later)
        for tenant in tenants:
            if not self.start_on <= tenant.entry_on < self.end_on or self.exit_of(tenant) > self.end_on:
                raise RentSplitError(
                    "tenant_outside_lease",
                    tenant_id=tenant.id,
                    entry_on=tenant.entry_on,
                    exit_on=tenant.exit_on,
                    start_on=self.start_on,
                    end_on=self.end_on,
                )
        self._check_stands()
        self._check_method(self.rent_split, self.monthly_rent_cents, "rent")
        self._check_method(self.charges_split, self.monthly_charges_cents, "charges")

    def exit_of(self, tenant: CoTenant) -> date:
        return tenant.exit_on or self.end_on

    def _check_stands(self) -> None:
        by_stand: dict[StandId, list[CoTenant]] = {}
        for tenant in self.tenants:
            by_stand.setdefault(tenant.stand_id, []).append(tenant)
        for stand_id, holders in by_stand.items():
            holders.sort(key=lambda t: (t.entry_on, _tenant_key(t)))
            for earlier, later in pairwise(holders):
                if later.entry_on < self.exit_of(earlier):
                    raise RentSplitError(
                        "stand_double_booked",
                        stand_id=stand_id,
                        tenant_ids=(earlier.id, later.id),
                        from_on=later.entry_on,
                    )

    def _check_method(self, method: SplitMethod, monthly_cents: int, part: str) -> None:
        ids = {t.id for t in self.tenants}
        for tenant_id, cents in method.fixed_cents.items():
            if tenant_id not in ids:
                raise RentSplitError("unknown_tenant", tenant_id=tenant_id, part=part)
            # Together they are checked month by month, where their days held are known.
            if cents > monthly_cents:
                raise RentSplitError("fixed_exceeds_total", part=part, tenant_id=tenant_id, cents=cents)
        if method.uses(SplitKind.WEIGHTS):
            for tenant in self.tenants:
                if tenant.weight is None and tenant.id not in method.fixed_cents:
                    raise RentSplitError("weight_missing", tenant_id=tenant.id, part=part)

    def months(self) -> list[YearMonth]:
        """Every (year, month) with at least one day in the lease, in order."""
        last = date.fromordinal(self.end_on.toordinal() - 1)
        index, last_index = _month_index(self.start_on), _month_index(last)
        return [(i // 12, i % 12 + 1) for i in range(index, last_index + 1)]

    def step_percent(self, year: int, month: int) -> Fraction:
        """The percent of the rent the co-tenants pay in that month (rule 6)."""
        months_from_start = year * 12 + month - 1 - _month_index(self.start_on)
        percent = Fraction(100)
        for from_month, step in self.rent_steps:
            if months_from_start >= from_month:
                percent = step
        return percent


def _check_steps(steps: Iterable[tuple[int, Number]]) -> tuple[tuple[int, Fraction], ...]:
    checked: list[tuple[int, Fraction]] = []
    for from_month, percent in steps:
        if from_month < 0 or (checked and from_month <= checked[-1][0]):
            raise RentSplitError("bad_steps", from_month=from_month)
        checked.append((from_month, _percent(percent, from_month=from_month)))
    return tuple(checked)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _days(start: date, end: date) -> int:
    return max(0, (end - start).days)


# -- statements ------------------------------------------------------------------


@dataclass(frozen=True)
class TenantLines:
    """One co-tenant's lines for a month; reductions are negative, what the commune owes is positive."""

    tenant_id: TenantId
    stand_id: StandId
    held_days: int
    present_days: int
    rent_cents: int  # rent share before step and subsidy
    charges_cents: int
    step_percent: Fraction
    step_reduction_cents: int  # ≤ 0
    subsidy_percent: Fraction
    subsidy_cents: int  # ≤ 0
    due_cents: int  # rent + charges + step reduction + subsidy
    paid_cents: int
    balance_cents: int  # due − paid, this month alone
    commune_cents: int  # ≥ 0: − subsidy, and − step reduction when the commune pays the steps


@dataclass(frozen=True)
class OwnerView:
    """What the owner is owed for the month, and by whom."""

    rent_cents: int
    charges_cents: int
    reduction_cents: int  # ≤ 0: step reductions the owner grants (steps_paid_by=owner), else 0
    from_tenants: tuple[tuple[TenantId, int], ...]
    from_commune_cents: int

    @property
    def total_cents(self) -> int:
        return sum(cents for _, cents in self.from_tenants) + self.from_commune_cents


@dataclass(frozen=True)
class MonthStatement:
    year: int
    month: int
    start_on: date  # the part of the month inside the lease: [start_on, end_on)
    end_on: date
    days_in_month: int
    lease_days: int
    rent_cents: int  # prorated (rule 1)
    charges_cents: int
    step_percent: Fraction
    tenants: tuple[TenantLines, ...]  # by id
    owner: OwnerView

    @property
    def commune_cents(self) -> int:
        return self.owner.from_commune_cents

    def lines_of(self, tenant_id: TenantId) -> TenantLines:
        for lines in self.tenants:
            if lines.tenant_id == tenant_id:
                return lines
        raise KeyError(tenant_id)


@dataclass(frozen=True)
class _Holder:
    tenant: CoTenant
    held_days: int
    present_days: int


def prorate(monthly_cents: int, days: int, days_in_month: int) -> int:
    """The monthly amount for ``days`` of the month's days, rounded half a cent up (rule 1)."""
    if days == days_in_month:
        return monthly_cents
    return allocate(monthly_cents, [days, days_in_month - days])[0]


def month_statement(
    lease: Lease, year: int, month: int, *, paid_cents: Mapping[TenantId, int] | None = None
) -> MonthStatement:
    """The statement of one calendar month of the lease; ``paid_cents`` is what each co-tenant paid for it."""
    if not 1 <= month <= 12:
        raise RentSplitError("bad_month", year=year, month=month)
    days_in_month = calendar.monthrange(year, month)[1]
    first = date(year, month, 1)
    after = date(year + month // 12, month % 12 + 1, 1)
    start_on, end_on = max(first, lease.start_on), min(after, lease.end_on)
    lease_days = _days(start_on, end_on)
    if lease_days == 0:
        raise RentSplitError("bad_month", year=year, month=month, start_on=lease.start_on, end_on=lease.end_on)

    holders = []
    for tenant in lease.tenants:
        held = _days(max(start_on, tenant.entry_on), min(end_on, lease.exit_of(tenant)))
        present = held
        if tenant.days_present is not None and (year, month) in tenant.days_present:
            present = tenant.days_present[year, month]
            if present > held:
                raise RentSplitError(
                    "bad_days_present", tenant_id=tenant.id, year=year, month=month, days=present, held_days=held
                )
        if held:
            holders.append(_Holder(tenant, held, present))
    if not holders:
        raise RentSplitError("no_tenants", year=year, month=month)

    paid_cents = dict(paid_cents or {})
    known = {t.id for t in lease.tenants}
    holding = {h.tenant.id for h in holders}
    for tenant_id, cents in paid_cents.items():
        if tenant_id not in known:
            raise RentSplitError("unknown_tenant", tenant_id=tenant_id)
        if tenant_id not in holding:
            raise RentSplitError("tenant_not_in_month", tenant_id=tenant_id, year=year, month=month)
        if cents < 0:
            raise RentSplitError("negative_amount", field="paid_cents", tenant_id=tenant_id, cents=cents)

    def split(method: SplitMethod, monthly_cents: int, part: str) -> tuple[int, list[int]]:
        total = prorate(monthly_cents, lease_days, days_in_month)
        where = {"part": part, "year": year, "month": month}
        shares = _split(total, monthly_cents * lease_days, days_in_month, method, holders, where)
        return total, shares

    rent_total, rent_shares = split(lease.rent_split, lease.monthly_rent_cents, "rent")
    charges_total, charges_shares = split(lease.charges_split, lease.monthly_charges_cents, "charges")
    step = lease.step_percent(year, month)

    lines = []
    for holder, rent, charges in zip(holders, rent_shares, charges_shares, strict=True):
        tenant = holder.tenant
        reduction, stepped_rent = allocate(rent, [100 - step, step])
        subsidy_percent = Fraction(tenant.subsidy_percent or 0)
        subsidy, _ = allocate(stepped_rent, [subsidy_percent, 100 - subsidy_percent])
        due = rent + charges - reduction - subsidy
        paid = paid_cents.get(tenant.id, 0)
        commune = subsidy + (reduction if lease.steps_paid_by is Payer.COMMUNE else 0)
        lines.append(
            TenantLines(
                tenant_id=tenant.id,
                stand_id=tenant.stand_id,
                held_days=holder.held_days,
                present_days=holder.present_days,
                rent_cents=rent,
                charges_cents=charges,
                step_percent=step,
                step_reduction_cents=-reduction,
                subsidy_percent=subsidy_percent,
                subsidy_cents=-subsidy,
                due_cents=due,
                paid_cents=paid,
                balance_cents=due - paid,
                commune_cents=commune,
            )
        )

    owner_reduction = 0 if lease.steps_paid_by is Payer.COMMUNE else sum(line.step_reduction_cents for line in lines)
    owner = OwnerView(
        rent_cents=rent_total,
        charges_cents=charges_total,
        reduction_cents=owner_reduction,
        from_tenants=tuple((line.tenant_id, line.due_cents) for line in lines),
        from_commune_cents=sum(line.commune_cents for line in lines),
    )
    assert owner.total_cents == rent_total + charges_total + owner_reduction, "a cent was lost in the split"
    return MonthStatement(
        year=year,
        month=month,
        start_on=start_on,
        end_on=end_on,
        days_in_month=days_in_month,
        lease_days=lease_days,
        rent_cents=rent_total,
        charges_cents=charges_total,
        step_percent=step,
        tenants=tuple(lines),
        owner=owner,
    )


def lease_statements(lease: Lease) -> list[MonthStatement]:
    """The statements of every month of the lease, in order (without payments)."""
    return [month_statement(lease, year, month) for year, month in lease.months()]


def _split(
    total_cents: int,
    exact_total: int,
    days_in_month: int,
    method: SplitMethod,
    holders: Sequence[_Holder],
    where: Mapping[str, object],
) -> list[int]:
    """Split the month's prorated total among the holders, in their order; ``exact_total`` is monthly × lease days."""
    if method.kind is not SplitKind.FIXED_THEN:
        return _allocate_by(total_cents, [_weight(method.kind, h) for h in holders], where)
    assert method.remainder is not None  # SplitMethod guarantees it
    fixed = [i for i, h in enumerate(holders) if h.tenant.id in method.fixed_cents]
    others = [i for i, h in enumerate(holders) if h.tenant.id not in method.fixed_cents]
    # Weights are the exact prorated amounts times the month's days (rule 4).
    fixed_weights = [method.fixed_cents[holders[i].tenant.id] * holders[i].held_days for i in fixed]
    remainder_weight = exact_total - sum(fixed_weights)
    if remainder_weight < 0:
        raise RentSplitError("fixed_exceeds_total", **where)
    weights = [*fixed_weights, remainder_weight]
    parts = allocate(total_cents, weights) if any(weights) else [0] * len(weights)
    shares = [0] * len(holders)
    *fixed_parts, remainder = parts
    for i, part in zip(fixed, fixed_parts, strict=True):
        shares[i] = part
    if not others:
        if remainder:
            raise RentSplitError("remainder_unassigned", **where)
        return shares
    rest = _allocate_by(remainder, [_weight(method.remainder.kind, holders[i]) for i in others], where)
    for i, part in zip(others, rest, strict=True):
        shares[i] = part
    return shares


def _weight(kind: SplitKind, holder: _Holder) -> Fraction:
    tenant = holder.tenant
    match kind:
        case SplitKind.EQUAL:
            return Fraction(holder.held_days)
        case SplitKind.AREA:
            return Fraction(tenant.area_m2) * holder.held_days
        case SplitKind.WEIGHTS:
            assert tenant.weight is not None  # Lease checks it
            return Fraction(tenant.weight) * holder.held_days
        case SplitKind.DAYS:
            return Fraction(holder.present_days)
        case SplitKind.AREA_DAYS:
            return Fraction(tenant.area_m2) * holder.present_days
    raise AssertionError(kind)  # pragma: no cover - fixed_then never reaches here


def _allocate_by(total_cents: int, weights: Sequence[Fraction], where: Mapping[str, object]) -> list[int]:
    if not any(weights):
        raise RentSplitError("weights_zero", **where)
    return allocate(total_cents, weights)
