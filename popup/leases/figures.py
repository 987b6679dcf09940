"""The leases' figures on the staff dashboard: outcomes of the test periods and the graduation rate,
rent due against collected, and the subsidy the commune paid, over the dashboard's period.

Registered with ``popup.dashboard.figures.register``; imported once by ``popup/dashboard/views.py``.
Leases are the commune's, whatever commercial core is chosen (``whole_commune``).
"""

from __future__ import annotations

from datetime import date

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select

from popup.dashboard.figures import DashboardContext, Figure, Highlight, register
from popup.domain.lease_figures import outcomes, test_ended_on
from popup.domain.rentsplit import RentSplitError
from popup.domain.tables import Column, Table
from popup.extensions import db
from popup.i18n import euros, percent
from popup.leases.accounting import lease_account
from popup.leases.labels import graduation_label
from popup.leases.models import Lease, LeasePayment
from popup.leases.queries import commune_leases


def _signed_leases(ctx: DashboardContext) -> list[Lease]:
    """The commune's leases that were signed (drafts owe nothing) and overlap the period."""
    return [
        lease
        for lease in commune_leases(ctx.commune)
        if lease.status != "draft"
        and lease.tenants
        and lease.starts_on < ctx.period.end
        and lease.effective_end > ctx.period.start
    ]


def _payments_in_period(ctx: DashboardContext, lease_ids: list[int]) -> dict[tuple[int, bool], int]:
    """Net payments (reversals included) dated in the period: {(lease id, from the commune): cents}."""
    if not lease_ids:
        return {}
    commune = LeasePayment.tenant_id.is_(None)
    rows = db.session.execute(
        select(LeasePayment.lease_id, commune, func.coalesce(func.sum(LeasePayment.amount_cents), 0))
        .where(
            LeasePayment.lease_id.in_(lease_ids),
            LeasePayment.paid_on >= ctx.period.start,
            LeasePayment.paid_on < ctx.period.end,
        )
        .group_by(LeasePayment.lease_id, commune)
    ).all()
    return {(lease_id, bool(from_commune)): int(total) for lease_id, from_commune, total in rows}


def _dues_in_period(ctx: DashboardContext, lease: Lease) -> tuple[int, int] | None:
    """What the co-tenants and the commune owe for the lease's months in the period; None if it cannot be split."""
    try:
        account = lease_account(lease, ctx.today)
    except (RentSplitError, ValueError):
        return None
    tenants = commune = 0
    for statement in account.statements:
        if ctx.period.start <= date(statement.year, statement.month, 1) < ctx.period.end:
            tenants += sum(line.due_cents for line in statement.tenants)
            commune += statement.commune_cents
    return tenants, commune


def _lease_name(lease: Lease) -> str:
    return _("Lease no. %(id)d, %(address)s", id=lease.id, address=lease.unit.address)


@register
def graduation(ctx: DashboardContext) -> Figure:
    rows = []
    ended = []
    for lease in commune_leases(ctx.commune):
        if lease.status == "draft":
            continue
        for tenant in lease.tenants:
            on = test_ended_on(tenant.graduated_on, tenant.exit_on, lease.effective_end, lease.is_closed, ctx.today)
            if on is None or not (ctx.period.start <= on < ctx.period.end):
                continue
            ended.append(tenant.graduation_outcome)
            label = graduation_label(tenant.graduation_outcome) if tenant.graduation_outcome else _("Not recorded")
            rows.append((tenant.entrepreneur.name, lease.unit.address, on, label))
    rows.sort(key=lambda row: (row[2], row[0]))
    counts = outcomes(ended)
    rate = counts.graduation_rate
    return Figure(
        key="graduation",
        title=_("Outcomes of the test periods"),
        highlights=[
            Highlight(_("Tests ended in the period"), format_decimal(counts.ended), "tests-ended"),
            Highlight(_("Permanent lease"), format_decimal(counts.permanent_lease), "permanent"),
            Highlight(_("Stopped"), format_decimal(counts.stopped), "stopped"),
            Highlight(_("Moved elsewhere"), format_decimal(counts.elsewhere), "elsewhere"),
            Highlight(_("Outcome not recorded"), format_decimal(counts.not_recorded), "not-recorded"),
            Highlight(_("Graduation rate"), "–" if rate is None else percent(rate), "graduation-rate"),
        ],
        table=Table(
            _("Test periods that ended in the period"),
            [Column(_("Entrepreneur")), Column(_("Unit")), Column(_("Test ended on"), "date"), Column(_("Outcome"))],
            rows,
        ),
        note=_(
            "A test period ends on the day its outcome is recorded, or else when the co-tenant leaves the lease "
            "or the lease ends. The graduation rate is the share of permanent leases among the tests that ended "
            "in the period."
        ),
        whole_commune=True,
    )


@register
def rent_collection(ctx: DashboardContext) -> Figure:
    leases = _signed_leases(ctx)
    paid = _payments_in_period(ctx, [lease.id for lease in leases])
    rows = []
    unsplit = 0
    for lease in leases:
        dues = _dues_in_period(ctx, lease)
        if dues is None:
            unsplit += 1
            continue
        due_tenants, due_commune = dues
        rows.append(
            (
                _lease_name(lease),
                due_tenants,
                paid.get((lease.id, False), 0),
                due_commune,
                paid.get((lease.id, True), 0),
            )
        )
    due = sum(r[1] + r[3] for r in rows)
    collected = sum(r[2] + r[4] for r in rows)
    note = _(
        "Due: the statements of the months of the period (rent and charges after reductions), from the co-tenants "
        "and from the commune. Collected: the payments dated in the period, net of reversals."
    )
    if unsplit:
        note += " " + _("%(n)s lease(s) cannot be split and are left out.", n=unsplit)
    return Figure(
        key="collection",
        title=_("Rent due against collected"),
        highlights=[
            Highlight(_("Due in the period"), euros(due), "rent-due"),
            Highlight(_("Collected in the period"), euros(collected), "rent-collected"),
            Highlight(_("Share collected"), percent(collected / due) if due else "–", "collection-rate"),
        ],
        table=Table(
            _("Rent due and collected per lease in the period"),
            [
                Column(_("Lease")),
                Column(_("Due from the co-tenants"), "cents"),
                Column(_("Paid by the co-tenants"), "cents"),
                Column(_("Due from the commune"), "cents"),
                Column(_("Paid by the commune"), "cents"),
            ],
            rows,
        ),
        note=note,
        whole_commune=True,
    )


@register
def subsidy_paid(ctx: DashboardContext) -> Figure:
    leases = _signed_leases(ctx)
    paid = _payments_in_period(ctx, [lease.id for lease in leases])
    rows = []
    for lease in leases:
        dues = _dues_in_period(ctx, lease)
        owed = dues[1] if dues is not None else None
        paid_here = paid.get((lease.id, True), 0)
        if owed or paid_here:
            rows.append((_lease_name(lease), owed, paid_here))
    return Figure(
        key="subsidy",
        title=_("Subsidy paid by the commune"),
        highlights=[
            Highlight(_("Subsidy paid in the period"), euros(sum(r[2] for r in rows)), "subsidy-paid"),
            Highlight(_("Subsidy owed for the period"), euros(sum(r[1] or 0 for r in rows)), "subsidy-owed"),
        ],
        table=Table(
            _("Subsidies and stepped rent the commune owes and paid per lease in the period"),
            [Column(_("Lease")), Column(_("Owed for the period"), "cents"), Column(_("Paid in the period"), "cents")],
            rows,
        ),
        note=_(
            "What the commune owes: its share of the rent for subsidised co-tenants and for stepped rent, "
            "month by month; what it paid: its payments dated in the period, net of reversals."
        ),
        whole_commune=True,
    )
