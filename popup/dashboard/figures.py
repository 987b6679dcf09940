"""The dashboard is a list of figure providers.

A provider takes the dashboard's context (commune, optional commercial core,
period, today) and returns a Figure: a title, a few headline values, the
table of its data (shown under the chart and downloaded as CSV) and an
optional chart; or None when it has nothing to say (its data source does not
exist in this installation, or it does not apply). A figure is never made of
invented zeros.

Other modules add their own figures (leases: outcomes of test periods and the
graduation rate, rent due against collected, subsidy paid) by writing
providers decorated with ``register`` in their own module::

    # popup/leases/figures.py
    from popup.dashboard.figures import DashboardContext, Figure, register

    @register
    def rent_collected(ctx: DashboardContext) -> Figure | None: ...

and importing that module once in ``popup/dashboard/views.py``
(``from popup.leases import figures as _lease_figures  # noqa: F401``).
A provider's table feeds both the HTML table and its CSV download; a chart
(``popup.domain.charts``) is optional.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _

from popup.coaching import queries as coaching
from popup.communes.models import CommercialCore, Commune
from popup.dashboard import queries
from popup.domain.charts import Chart, bar_chart, line_chart, nice_ceiling
from popup.domain.tables import Column, Table
from popup.domain.vacancy import vacancy_figures
from popup.domain.vacancy_history import (
    MonthPeriod,
    Timeline,
    duration_figures,
    monthly_vacancy,
    spells_in_period,
)
from popup.domain.vocabulary import UNIT_STATUSES
from popup.i18n import percent
from popup.labels import status_label


@dataclass
class DashboardContext:
    commune: Commune
    core: CommercialCore | None
    period: MonthPeriod
    today: date

    @cached_property
    def timelines(self) -> list[Timeline]:
        return queries.timelines(self.commune, self.core)

    @property
    def until(self) -> date:
        """Where the period stops counting: its end, or today if that comes first."""
        return min(self.period.end, self.today)


@dataclass(frozen=True)
class Highlight:
    label: str
    value: str
    key: str = ""


@dataclass(frozen=True)
class Figure:
    key: str  # unique, URL-safe: names the section and the CSV file
    title: str
    table: Table
    highlights: list[Highlight] = field(default_factory=list)
    chart: Chart | None = None
    chart_title: str = ""
    note: str = ""
    whole_commune: bool = False  # not narrowed to the chosen commercial core


Provider = Callable[[DashboardContext], Figure | None]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider at the end of the dashboard (decorator)."""
    PROVIDERS.append(provider)
    return provider


def figures(ctx: DashboardContext) -> list[Figure]:
    found = (provider(ctx) for provider in PROVIDERS)
    return [f for f in found if f is not None]


def figure(ctx: DashboardContext, key: str) -> Figure | None:
    return next((f for f in figures(ctx) if f.key == key), None)


def _month(month: date) -> str:
    return format_date(month, "MMM yyyy")


def _days(days: float | None) -> str:
    if days is None:
        return "–"
    return ngettext("%(count)s day", "%(count)s days", round(days), count=format_decimal(round(days)))


# -- the providers ---------------------------------------------------------------------


@register
def units_by_status(ctx: DashboardContext) -> Figure:
    counts = queries.current_status_counts(ctx.commune, ctx.core)
    now = vacancy_figures(counts)
    rows = [(status_label(s), counts.get(s, 0)) for s in UNIT_STATUSES]
    return Figure(
        key="status",
        title=_("Vacancy now and units by status"),
        highlights=[
            Highlight(_("Vacancy rate now"), percent(now.rate), "rate-now"),
            Highlight(_("Vacant units"), format_decimal(now.vacant), "vacant-now"),
            Highlight(_("Units in the commercial stock"), format_decimal(now.in_stock), "stock-now"),
        ],
        table=Table(_("Units by status today"), [Column(_("Status")), Column(_("Units"), "int")], rows),
        chart=bar_chart(
            [(label, n) for label, n in rows],
            value_format=lambda v: format_decimal(int(v)),
            top_value=max(5.0, nice_ceiling(max(n for _label, n in rows))),
        ),
        chart_title=_("Units by status today (bar chart)"),
        note=_(
            "The vacancy rate is the share of vacant units among the units in the commercial stock "
            "(units withdrawn from the market are left out; pop-up shops count as occupied)."
        ),
    )


@register
def vacancy_by_month(ctx: DashboardContext) -> Figure:
    months = monthly_vacancy(ctx.timelines, ctx.period.months(), ctx.today)
    rows = [(m.month, m.figures.in_stock, m.figures.vacant, m.counts.get("popup", 0), m.figures.rate) for m in months]
    return Figure(
        key="monthly",
        title=_("Vacancy rate month by month"),
        table=Table(
            _("Vacancy at the end of each month"),
            [
                Column(_("Month"), "month"),
                Column(_("Units in the stock"), "int"),
                Column(_("Vacant units"), "int"),
                Column(_("Pop-up shops"), "int"),
                Column(_("Vacancy rate"), "percent"),
            ],
            rows,
        ),
        chart=line_chart(
            [(_month(m.month), None if m.figures.rate is None else float(m.figures.rate)) for m in months],
            value_format=lambda v: percent(v),
            axis_format=lambda v: percent(v, 0),
        ),
        chart_title=_("Vacancy rate at the end of each month (line chart)"),
        note=_(
            "Each month shows the units as they stood on its last day (today for the current month), "
            "from the dated history of their status."
        ),
    )


@register
def vacancy_duration(ctx: DashboardContext) -> Figure:
    spells = spells_in_period(ctx.timelines, ctx.period.start, ctx.until)
    stats = duration_figures(spells, ctx.until)
    where = queries.addresses(sorted({s.unit_id for s in spells}))
    rows = [(where.get(s.unit_id, ""), s.start, s.end, s.days(ctx.until)) for s in spells]
    return Figure(
        key="duration",
        title=_("How long units stay vacant"),
        highlights=[
            Highlight(_("Average vacancy"), _days(stats.average_days), "average-days"),
            Highlight(_("Longest vacancy"), _days(stats.longest_days), "longest-days"),
            Highlight(_("Vacancies in the period"), format_decimal(stats.spells), "spells"),
        ],
        table=Table(
            _("Vacancies that overlap the period, longest first"),
            [
                Column(_("Unit")),
                Column(_("Vacant since"), "date"),
                Column(_("Vacant until"), "date"),
                Column(_("Days vacant"), "days"),
            ],
            rows,
        ),
        note=_(
            "A vacancy runs from the day a unit became vacant to the day it stopped being vacant; "
            "one still going on is counted up to the end of the period or today."
        ),
    )


@register
def popups_running(ctx: DashboardContext) -> Figure:
    units = queries.running_popups(ctx.commune, ctx.core)
    rows = [(u.address, queries.local_date(u.status_changed_at)) for u in units]
    return Figure(
        key="popups",
        title=_("Pop-up shops running"),
        highlights=[Highlight(_("Pop-up shops running today"), format_decimal(len(units)), "popups")],
        table=Table(_("Units in pop-up use today"), [Column(_("Unit")), Column(_("Pop-up since"), "date")], rows),
    )


@register
def entrepreneurs_tested(ctx: DashboardContext) -> Figure:
    accepted = queries.accepted_applications(ctx.commune, ctx.period.start, ctx.period.end)
    people = {a.entrepreneur_id for a in accepted}
    return Figure(
        key="entrepreneurs",
        title=_("Entrepreneurs tested"),
        highlights=[Highlight(_("Entrepreneurs accepted in the period"), format_decimal(len(people)), "tested")],
        table=Table(
            _("Applications accepted in the period"),
            [Column(_("Entrepreneur")), Column(_("Business")), Column(_("For")), Column(_("Accepted on"), "date")],
            [(a.entrepreneur, a.business, a.title, a.accepted_on) for a in accepted],
        ),
        whole_commune=True,
    )


@register
def coaching_activity(ctx: DashboardContext) -> Figure:
    start, end = ctx.period.start, ctx.period.end
    assignments = coaching.assignments_in_period(ctx.commune, start, end)
    meetings = coaching.meetings_in_period(ctx.commune, start, end)
    per_assignment = Counter(a for a, _on in meetings)
    coached = {a.entrepreneur_id for a in assignments}
    rows = [
        (a.entrepreneur.name, a.coach.name, a.since_on, a.until_on, per_assignment.get(a.id, 0)) for a in assignments
    ]
    return Figure(
        key="coaching",
        title=_("Coaching"),
        highlights=[
            Highlight(_("Entrepreneurs coached in the period"), format_decimal(len(coached)), "coached"),
            Highlight(_("Coaching meetings in the period"), format_decimal(len(meetings)), "meetings"),
        ],
        table=Table(
            _("Coaching in the period"),
            [
                Column(_("Entrepreneur")),
                Column(_("Coach")),
                Column(_("Coached since"), "date"),
                Column(_("Coached until"), "date"),
                Column(_("Meetings in the period"), "int"),
            ],
            rows,
        ),
        whole_commune=True,
    )
