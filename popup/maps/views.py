from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from popup import geo
from popup.communes import queries as commune_queries
from popup.communes.models import Commune
from popup.domain.vacancy import VacancyFigures
from popup.domain.vocabulary import UNIT_FEATURES, UNIT_STATUSES
from popup.extensions import db
from popup.i18n import select_locale
from popup.labels import FEATURE_LABELS, STATUS_LABELS
from popup.maps.cache import shells
from popup.maps.folium_map import RATE_CLASSES, CoreShape, MapParts, rate_class, vacancy_map
from popup.permissions import policy, public
from popup.units.filters import FilterError, parse_filters

UNITS_PER_REQUEST = 2000
STREETS_ON_MAP = 10  # the streets with the most vacant units; the commune's home page lists them all


@dataclass(frozen=True)
class CoreInfo:
    id: int
    name: str


@dataclass(frozen=True)
class CoreLine:
    """A core and its figures, as the page shows them: plain values, safe to keep between requests."""

    core: CoreInfo
    figures: VacancyFigures


@dataclass(frozen=True)
class PlaceLine:
    """A commune or a street and its figures (plain values, safe to keep between requests)."""

    name: str
    figures: VacancyFigures
    slug: str | None = None  # a commune's, for the link to its home page


@dataclass(frozen=True)
class Shell:
    title: str
    parts: MapParts
    summaries: tuple[CoreLine, ...]
    cores_legend: Markup  # the cores' colour key, formatted in the shell's language
    figures: Markup  # the vacancy tables per commune, core and street, in the shell's language
    content: Markup  # the page's content for a request without filters (most requests)
    commune_slug: str | None = None  # a commune's map links to its residents' pages


def _core_shapes(summaries) -> list[CoreShape]:
    shapes = []
    for s in summaries:
        polygon = geo.shape(s.core.area)
        geometry = {"type": "Polygon", "coordinates": [[list(p) for p in polygon.exterior.coords]]}
        rate = None if s.figures.rate is None else float(s.figures.rate)
        shapes.append(CoreShape(id=s.core.id, geometry=geometry, rate=rate))
    return shapes


def _build(
    *,
    title: str,
    commune: Commune | None,
    centre: tuple[float, float],
    zoom: int,
    summaries,
    places: tuple[PlaceLine, ...] = (),
    streets: tuple[PlaceLine, ...] = (),
    more_streets: int = 0,
) -> Shell:
    """The Folium shell and the vacancy tables: the same for every request until the data stamp changes.

    ``places``: the communes of the map with their figures; ``streets``: the
    commune's streets with the most vacant units (``more_streets`` left out).
    """
    config = {
        "api": url_for("api.units"),
        "apiParams": {"commune": commune.slug} if commune else {},
        "limit": UNITS_PER_REQUEST,
        "formId": "map-filters",
        "listId": "unit-list",
        "statusId": "map-status",
        "locale": f"{select_locale()}-BE",
        "statuses": {code: str(STATUS_LABELS[code]) for code in UNIT_STATUSES},
        "features": {code: str(FEATURE_LABELS[code]) for code in UNIT_FEATURES},
        "cores": {
            str(s.core.id): {"name": s.core.name, "vacant": s.figures.vacant, "units": s.figures.units}
            for s in summaries
        },
        "text": {
            "units": _("Units"),
            "area": _("Floor area"),
            "rent": _("Asking rent"),
            "perMonth": _("per month"),
            "open": _("See the unit"),
            "loading": _("Loading the units…"),
            "none": _("No unit matches in this part of the map."),
            "count": _("%(n)s units in view.", n="{n}"),
            "truncated": _("Showing the first %(n)s units: zoom in or filter to see all.", n="{n}"),
            "failed": _("The units could not be loaded."),
            "more": _("and %(n)s more on the map", n="{n}"),
            "vacancy": _("Vacancy rate"),
        },
    }
    parts = vacancy_map(
        centre=centre,
        zoom=zoom,
        cores=_core_shapes(summaries),
        tile_url=current_app.config["TILE_URL"],
        tile_attribution=current_app.config["TILE_ATTRIBUTION"],
        labels={"base_layer": _("Street map"), "cores": _("Commercial cores")},
        assets={
            "leaflet_js": url_for("vendor.file", package="leaflet", filename="leaflet.js"),
            "leaflet_css": url_for("vendor.file", package="leaflet", filename="leaflet.css"),
        },
        config=config,
    )
    lines = tuple(CoreLine(CoreInfo(s.core.id, s.core.name), s.figures) for s in summaries)
    slug = commune.slug if commune else None
    legend = render_template(
        "maps/_cores_legend.html", summaries=lines, rate_classes=[(bound, colour) for bound, colour in RATE_CLASSES]
    )
    tables = render_template(
        "maps/_figures.html",
        summaries=lines,
        rate_class=rate_class,
        places=places,
        streets=streets,
        more_streets=more_streets,
        commune_slug=slug,
    )
    # Markup: the output of autoescaping templates, not raw user text.
    cores_legend, figures = Markup(legend), Markup(tables)  # noqa: S704
    context = _page_context(parts, lines, cores_legend, figures, MultiDict(), None)
    content = render_template("maps/_content.html", title=title, commune_slug=slug, **context)
    return Shell(
        title=title,
        parts=parts,
        summaries=lines,
        cores_legend=cores_legend,
        figures=figures,
        content=Markup(content),  # noqa: S704
        commune_slug=slug,
    )


def _page_context(parts: MapParts, summaries, cores_legend: Markup, figures: Markup, args, filter_error) -> dict:
    return {
        "map": parts,
        "summaries": summaries,
        "cores_legend": cores_legend,
        "figures": figures,
        "statuses": UNIT_STATUSES,
        "features": UNIT_FEATURES,
        "args": args,
        "filter_error": filter_error,
    }


def _shell(scope: str | None, build) -> Shell | None:
    """The shell of a scope (a commune's slug, or None for the overview), from the cache when it is current."""
    config = current_app.config
    key = ("map", scope, str(select_locale()), config["TILE_URL"], config["TILE_ATTRIBUTION"], request.script_root)
    return shells.get_or_build(key, build)


def _render(shell: Shell | None):
    if shell is None:
        abort(404)
    filter_error = None
    try:
        parse_filters(request.args)
    except FilterError as exc:
        filter_error = exc
    status = 400 if filter_error else 200
    context = _page_context(shell.parts, shell.summaries, shell.cores_legend, shell.figures, request.args, filter_error)
    # Without a query string the content is the shell's own: only base.html is rendered.
    content = shell.content if not request.args else None
    return (
        render_template(
            "maps/map.html", title=shell.title, content=content, commune_slug=shell.commune_slug, **context
        ),
        status,
    )


def _commune_shell(slug: str) -> Shell | None:
    found = commune_queries.commune_by_slug(slug)
    if found is None:
        return None
    lon, lat = geo.lonlat(found.centre)
    summaries = commune_queries.cores_with_figures(found)
    title = _("Map of %(name)s", name=found.name)
    figures = commune_queries.commune_figures(found)
    streets = commune_queries.street_figures(found)
    return _build(
        title=title,
        commune=found,
        centre=(lon, lat),
        zoom=16,
        summaries=summaries,
        places=(PlaceLine(found.name, figures, found.slug),),
        streets=tuple(PlaceLine(name, f) for name, f in streets[:STREETS_ON_MAP]),
        more_streets=max(0, len(streets) - STREETS_ON_MAP),
    )


def _overview_shell() -> Shell:
    communes = db.session.scalars(select(Commune).order_by(Commune.name)).all()
    if len(communes) == 1:
        return _commune_shell(communes[0].slug)
    if communes:
        lon, lat = db.session.execute(
            select(func.avg(func.ST_X(Commune.centre)), func.avg(func.ST_Y(Commune.centre)))
        ).one()
        centre, zoom = (float(lon), float(lat)), 9
    else:
        centre, zoom = (4.47, 50.5), 8  # Belgium
    summaries = commune_queries.cores_of_communes(communes)
    lines = commune_queries.summaries_of_communes(communes)
    places = tuple(PlaceLine(line.commune.name, line.figures, line.commune.slug) for line in lines)
    return _build(
        title=_("Map of empty shops"), commune=None, centre=centre, zoom=zoom, summaries=summaries, places=places
    )


@policy(public)
def commune(slug: str):
    return _render(_shell(slug, lambda: _commune_shell(slug)))


@policy(public)
def overview():
    return _render(_shell(None, _overview_shell))
