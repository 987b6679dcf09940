"""Read-only public API, version 1. JSON errors; never personal data."""

from __future__ import annotations

import dataclasses

from flask import Response, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from popup.api import features
from popup.api.limits import DEFAULT_LIMIT, MAX_LIMIT
from popup.api.openapi import openapi_document
from popup.communes import queries as commune_queries
from popup.communes.models import Commune
from popup.extensions import db
from popup.permissions import policy, public
from popup.units.filters import FilterError, parse_filters
from popup.units.models import Unit


def _geojson(obj):
    response = jsonify(obj)
    response.mimetype = "application/geo+json"
    return response


def _error(message: str, parameter: str | None = None, status: int = 400):
    body = {"error": message, "status": status}
    if parameter:
        body["parameter"] = parameter
    return jsonify(body), status


def _limit() -> int:
    raw = request.args.get("limit", "").strip()
    if not raw:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise FilterError("limit", _("Give a whole number between 1 and %(max)s.", max=MAX_LIMIT))
    return int(raw)


def _commune_ids() -> tuple[int, ...] | None:
    slug = request.args.get("commune", "").strip()
    if not slug:
        return None
    commune = commune_queries.commune_by_slug(slug)
    if commune is None:
        raise FilterError("commune", _("Unknown commune."))
    return (commune.id,)


@policy(public)
def units():
    try:
        filters = parse_filters(request.args)
        limit = _limit()
        commune_ids = _commune_ids()
    except FilterError as exc:
        return _error(exc.message, exc.parameter)
    if commune_ids is not None:
        filters = dataclasses.replace(filters, commune_ids=commune_ids)
    stmt, params = features.units_collection(filters, db.engine.dialect.name, limit, features.unit_url_prefix())
    # The database writes the whole FeatureCollection: its text is the body.
    body = db.session.connection().execute(stmt, params).scalar_one()
    return Response(body, mimetype="application/geo+json")


@policy(public)
def unit(unit_id: int):
    stmt = features.public_units_select().where(
        Unit.id == unit_id, Unit.archived_at.is_(None), Unit.approval == "approved"
    )
    row = db.session.execute(stmt).first()
    if row is None:
        return _error(_("No public unit has this id."), status=404)
    feature = features.unit_feature(row, features.unit_url_prefix())
    feature["properties"]["wishes"] = _wishes(unit_id)
    return _geojson(feature)


def _wishes(unit_id: int) -> dict:
    from popup.participation.queries import unit_wish_counts

    counts = unit_wish_counts(unit_id)
    return {"total": sum(counts.values()), "by_sector": counts}


def _core_feature(summary) -> dict:
    from popup import geo

    core = summary.core
    shape = geo.shape(core.area)
    return {
        "type": "Feature",
        "id": core.id,
        "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in shape.exterior.coords]]},
        "properties": {
            "id": core.id,
            "name": core.name,
            "slug": core.slug,
            "commune": core.commune.slug,
            **_figures(summary.figures),
        },
    }


def _figures(figures) -> dict:
    return {
        "units": figures.units,
        "in_stock": figures.in_stock,
        "vacant": figures.vacant,
        "vacancy_rate": None if figures.rate is None else round(float(figures.rate), 4),
    }


@policy(public)
def cores():
    slug = request.args.get("commune", "").strip()
    stmt = select(Commune).order_by(Commune.name)
    if slug:
        stmt = stmt.where(Commune.slug == slug)
    communes = db.session.scalars(stmt).all()
    if slug and not communes:
        return _error(_("Unknown commune."), "commune", 404)
    summaries = [s for commune in communes for s in commune_queries.cores_with_figures(commune)]
    return _geojson({"type": "FeatureCollection", "features": [_core_feature(s) for s in summaries]})


@policy(public)
def stats():
    slug = request.args.get("commune", "").strip()
    if not slug:
        return _error(_("Give the commune, e.g. ?commune=lessines."), "commune")
    commune = commune_queries.commune_by_slug(slug)
    if commune is None:
        return _error(_("Unknown commune."), "commune", 404)
    return jsonify(
        {
            "commune": commune.slug,
            "name": commune.name,
            **_figures(commune_queries.commune_figures(commune)),
            "by_status": commune_queries.status_counts_of_commune(commune),
            "cores": [
                {"id": s.core.id, "name": s.core.name, **_figures(s.figures)}
                for s in commune_queries.cores_with_figures(commune)
            ],
            "streets": [
                {"street": street, **_figures(figures)} for street, figures in commune_queries.street_figures(commune)
            ],
        }
    )


@policy(public)
def openapi():
    return jsonify(openapi_document())
