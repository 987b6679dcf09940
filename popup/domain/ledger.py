"""What each payer of a shared lease owes, has paid and is late with, month by month.

Payments are not tied to a month: a co-tenant's (or the commune's) payments are
applied to its months oldest first (``settle``); whatever is paid beyond every
month it owes is a credit shown on its last month. So a statement of any month
says how much of that month is paid, and the account says how much is due so
far, paid, and overdue (due for months that are over, not paid).

Pure: plain values in and out; amounts are integer cents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from popup.domain.rentsplit import Lease, MonthStatement, TenantId, YearMonth, lease_statements


def settle(dues: Sequence[int], paid_cents: int) -> list[int]:
    """Apply ``paid_cents`` to ``dues`` oldest first; the parts sum exactly to ``paid_cents``.

    Every part but the last lies between 0 and its due; what is paid beyond
    the sum of the dues goes to the last one (a credit). Negative dues or a
    negative payment total raise ValueError, as does money paid with nothing due.
    """
    if paid_cents < 0:
        raise ValueError("the payments sum to less than zero")
    if any(due < 0 for due in dues):
        raise ValueError("a due amount is negative")
    if not dues:
        if paid_cents:
            raise ValueError("money paid with nothing due")
        return []
    parts = []
    left = paid_cents
    for due in dues:
        part = min(due, left)
        parts.append(part)
        left -= part
    parts[-1] += left
    return parts


@dataclass(frozen=True)
class Account:
    """One payer's account: everything in cents; ``balance`` > 0 is owed, < 0 a credit."""

    due_total_cents: int  # every month of the lease
    due_to_date_cents: int  # the months up to and including the current one
    due_past_cents: int  # the months that are over
    paid_cents: int

    @property
    def balance_cents(self) -> int:
        return self.due_to_date_cents - self.paid_cents

    @property
    def overdue_cents(self) -> int:
        return max(0, self.due_past_cents - self.paid_cents)


def account(dues: Sequence[tuple[YearMonth, int]], paid_cents: int, current: YearMonth) -> Account:
    """The account of one payer from its dues by (year, month) and what it paid, seen in month ``current``."""
    return Account(
        due_total_cents=sum(due for _, due in dues),
        due_to_date_cents=sum(due for month, due in dues if month <= current),
        due_past_cents=sum(due for month, due in dues if month < current),
        paid_cents=paid_cents,
    )


@dataclass(frozen=True)
class LeaseAccount:
    statements: tuple[MonthStatement, ...]  # every month of the lease, with the payments applied
    tenants: Mapping[TenantId, Account]
    commune: Account
    commune_paid_by_month: Mapping[YearMonth, int]

    def statement(self, year: int, month: int) -> MonthStatement:
        for statement in self.statements:
            if (statement.year, statement.month) == (year, month):
                return statement
        raise KeyError((year, month))


def lease_account(
    lease: Lease, paid_by_tenant: Mapping[TenantId, int], commune_paid_cents: int, current: YearMonth
) -> LeaseAccount:
    """Every statement of the lease with the payments settled on it, and each payer's account.

    Raises ``RentSplitError`` when a month cannot be split, ValueError for a
    payment from someone who is not a co-tenant or totals below zero.
    """
    statements = lease_statements(lease)
    dues: dict[TenantId, list[tuple[YearMonth, int]]] = {t.id: [] for t in lease.tenants}
    for statement in statements:
        for line in statement.tenants:
            dues[line.tenant_id].append(((statement.year, statement.month), line.due_cents))
    unknown = set(paid_by_tenant) - set(dues)
    if unknown:
        raise ValueError(f"payments from unknown co-tenants: {sorted(map(str, unknown))}")
    settled: dict[tuple[TenantId, YearMonth], int] = {}
    for tenant_id, months in dues.items():
        parts = settle([due for _, due in months], paid_by_tenant.get(tenant_id, 0))
        for (month, _), part in zip(months, parts, strict=True):
            settled[tenant_id, month] = part
    commune_dues = [((s.year, s.month), s.commune_cents) for s in statements]
    commune_parts = settle([due for _, due in commune_dues], commune_paid_cents)
    paid_statements = []
    for statement in statements:
        month = (statement.year, statement.month)
        lines = tuple(
            replace(
                line,
                paid_cents=settled[line.tenant_id, month],
                balance_cents=line.due_cents - settled[line.tenant_id, month],
            )
            for line in statement.tenants
        )
        paid_statements.append(replace(statement, tenants=lines))
    return LeaseAccount(
        statements=tuple(paid_statements),
        tenants={
            tenant_id: account(months, paid_by_tenant.get(tenant_id, 0), current) for tenant_id, months in dues.items()
        },
        commune=account(commune_dues, commune_paid_cents, current),
        commune_paid_by_month={month: part for (month, _), part in zip(commune_dues, commune_parts, strict=True)},
    )


# -- the ledger as CSV -------------------------------------------------------------------


def _amount(cents: int, decimal_mark: str) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}{decimal_mark}{abs(cents) % 100:02d}"


def ledger_csv(header: Sequence[str], rows: Sequence[Sequence[str | int]], *, language: str, money_columns=()) -> bytes:
    """CSV that Excel opens cleanly: UTF-8 with BOM, CRLF, and for French and Dutch ";" with a decimal comma.

    Cells in ``money_columns`` are cents, written as euros ("-1250,50"); text
    that a spreadsheet would run as a formula gets an apostrophe in front.
    """
    import csv
    import io

    from popup.domain.exporting import escape_formula

    comma = language in ("fr", "nl")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if comma else ",", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([escape_formula(str(h)) for h in header])
    for row in rows:
        writer.writerow(
            [
                _amount(int(cell), "," if comma else ".") if i in money_columns else escape_formula(str(cell))
                for i, cell in enumerate(row)
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
