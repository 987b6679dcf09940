from __future__ import annotations

from dataclasses import dataclass, field

from flask import Response, abort, render_template, request
from flask_babel import gettext as _

from popup.communes.models import CommercialCore, Commune
from popup.communes.queries import commune_by_slug
from popup.dashboard import queries
from popup.dashboard.figures import DashboardContext, figure, figures
from popup.domain.tables import table_csv
from popup.domain.vacancy_history import MAX_MONTHS, PeriodError, default_period, parse_period
from popup.leases import figures as _lease_figures  # noqa: F401  (registers the leases' figures)
from popup.permissions import policy, staff_of_commune

BAD_REQUEST = 400


@dataclass
class Filters:
    context: DashboardContext
    raw: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def query(self) -> dict[str, str]:
        """The filters as query parameters (for the CSV links), blank ones left out."""
        return {k: v for k, v in self.raw.items() if v}


def _commune(slug: str) -> Commune:
    commune = commune_by_slug(slug)
    if commune is None:
        abort(404)
    return commune


def _period_message(code: str) -> tuple[str, str]:
    """(field, message) for a period that cannot be used."""
    return {
        "bad_from": ("from", _("Give the first month as year and month, for example 2026-01.")),
        "bad_to": ("to", _("Give the last month as year and month, for example 2026-12.")),
        "inverted": ("to", _("The last month comes before the first month: swap them.")),
        "future": ("from", _("The period starts after the current month: nothing is known of it yet.")),
        "too_long": ("to", _("Choose a period of at most %(n)s months.", n=MAX_MONTHS)),
    }.get(code, ("from", _("This period cannot be shown.")))


def _read_filters(commune: Commune) -> Filters:
    """The period and core asked for; on bad input, the defaults and a message per field."""
    today = queries.local_today()
    raw = {name: (request.args.get(name) or "").strip()[:20] for name in ("from", "to", "core")}
    errors: dict[str, str] = {}
    try:
        period = parse_period(raw["from"], raw["to"], today)
    except PeriodError as exc:
        name, message = _period_message(exc.code)
        errors[name] = message
        period = default_period(today)
    core: CommercialCore | None = None
    if raw["core"]:
        ident = raw["core"]
        core = queries.core_of(commune, int(ident)) if ident.isascii() and ident.isdigit() and len(ident) <= 9 else None
        if core is None:
            errors["core"] = _("Choose one of the commune's commercial cores, or the whole commune.")
    return Filters(DashboardContext(commune, core, period, today), raw, errors)


@policy(staff_of_commune)
def index(slug: str):
    commune = _commune(slug)
    filters = _read_filters(commune)
    return (
        render_template(
            "dashboard/index.html",
            commune=commune,
            filters=filters,
            ctx=filters.context,
            figures=figures(filters.context),
        ),
        BAD_REQUEST if filters.errors else 200,
    )


@policy(staff_of_commune)
def csv(slug: str, key: str):
    commune = _commune(slug)
    filters = _read_filters(commune)
    if filters.errors:
        message = " ".join(filters.errors.values())
        return Response(message, status=BAD_REQUEST, mimetype="text/plain")
    found = figure(filters.context, key)
    if found is None:
        abort(404)
    period = filters.context.period
    name = f"{commune.slug}-{key}-{period.first:%Y-%m}-{period.last:%Y-%m}.csv"
    response = Response(table_csv(found.table), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
