from __future__ import annotations

from flask import Response, abort, jsonify, render_template

from popup.communes.models import Commune
from popup.communes.queries import commune_by_slug
from popup.domain import opendata
from popup.opendata import queries
from popup.permissions import policy, public

CACHE = "public, max-age=900"


def _commune(slug: str) -> Commune:
    commune = commune_by_slug(slug)
    if commune is None:
        abort(404)
    return commune


def _download(body, mimetype: str, filename: str, licence: opendata.Licence) -> Response:
    response = jsonify(body) if isinstance(body, dict) else Response(body)
    response.mimetype = mimetype
    if mimetype == "text/csv":
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = CACHE
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    response.headers["X-Licence"] = licence.licence
    return response


@policy(public)
def index(slug: str):
    commune = _commune(slug)
    return render_template(
        "opendata/index.html",
        commune=commune,
        licence=queries.licence(commune),
        cores=commune.cores,
    )


@policy(public)
def units(slug: str, fmt: str):
    commune = _commune(slug)
    licence = queries.licence(commune)
    rows = queries.unit_features(commune)
    name = f"{commune.slug}-units"
    if fmt == "csv":
        return _download(opendata.units_csv(rows, licence), "text/csv", f"{name}.csv", licence)
    collection = {"type": "FeatureCollection", **licence.members(), "features": rows}
    return _download(collection, "application/geo+json", f"{name}.geojson", licence)


@policy(public)
def vacancy(slug: str, fmt: str):
    commune = _commune(slug)
    licence = queries.licence(commune)
    series = queries.vacancy_series(commune)
    name = f"{commune.slug}-vacancy-monthly"
    if fmt == "csv":
        return _download(opendata.stats_csv(series, licence), "text/csv", f"{name}.csv", licence)
    return _download(opendata.stats_geojson(series, licence), "application/geo+json", f"{name}.geojson", licence)
