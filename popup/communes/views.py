from __future__ import annotations

import json

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from shapely.geometry import mapping

from popup import geo
from popup.communes import operations, queries, showcase
from popup.communes.forms import CoreForm, geometry_message
from popup.communes.models import CommercialCore, Commune
from popup.domain import ics
from popup.extensions import db
from popup.permissions import policy, public, staff_of_commune
from popup.units.queries import local_today

INVALID = 422


def _commune(slug: str) -> Commune:
    commune = queries.commune_by_slug(slug)
    if commune is None:
        abort(404)
    return commune


def _core(commune: Commune, core_id: int) -> CommercialCore:
    core = db.session.get(CommercialCore, core_id)
    if core is None or core.commune_id != commune.id:
        abort(404)
    return core


@policy(public)
def home(slug: str):
    commune = _commune(slug)
    return render_template(
        "communes/home.html",
        commune=commune,
        figures=queries.commune_figures(commune),
        cores=queries.cores_with_figures(commune),
        streets=queries.street_figures(commune),
        can_manage=current_user.is_authenticated and current_user.is_staff_of(commune),
        shops=showcase.shops(commune, local_today()),
        offers=showcase.open_offers(commune, local_today()),
        today=local_today(),
    )


def _holder_names(holders) -> str:
    return ", ".join(p.public_name if p is not None else _("a business in test") for p in holders)


@policy(public)
def openings(slug: str):
    """The iCalendar feed of the commune's pop-up openings over the next weeks: public, no token."""
    commune = _commune(slug)
    host = current_app.config.get("ICS_UID_DOMAIN") or request.host.split(":")[0]
    events = []
    for opening in showcase.openings(commune, local_today()):
        shop = opening.shop
        stamp = shop.lease.started_at or shop.lease.created_at
        who = _holder_names(opening.holders)
        if opening.stand:
            summary = _("%(shop)s, %(stand)s: %(who)s", shop=shop.title, stand=opening.stand, who=who)
        else:
            summary = _("Pop-up shop open: %(shop)s", shop=shop.title)
        events.append(
            ics.Event(
                uid=f"{opening.uid}@{host}",
                start=opening.start,
                end=opening.end,
                summary=summary,
                stamp=stamp,
                location=shop.address,
                description=_("In the shop: %(who)s", who=who) if who else "",
            )
        )
    name = _("Pop-up shops in %(commune)s", commune=commune.name)
    response = Response(ics.feed(name, events, prodid="-//popup//openings//FR"), mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "public, max-age=900"
    return response


@policy(staff_of_commune)
def cores(slug: str):
    commune = _commune(slug)
    return render_template(
        "communes/cores.html",
        commune=commune,
        cores=queries.cores_with_figures(commune),
        streets=queries.street_figures(commune),
    )


def _map_settings(commune: Commune, core: CommercialCore | None = None) -> dict:
    lon, lat = geo.lonlat(commune.centre)
    settings = {
        "centre": [lat, lon],
        "tileUrl": current_app.config["TILE_URL"],
        "tileAttribution": current_app.config["TILE_ATTRIBUTION"],
        "boundary": mapping(geo.shape(commune.boundary)) if commune.boundary is not None else None,
    }
    if core is not None:
        settings["current"] = mapping(geo.shape(core.area))
    return settings


def _render_form(commune, form, core=None, status=200):
    return (
        render_template(
            "communes/core_form.html",
            commune=commune,
            form=form,
            core=core,
            map_settings=json.dumps(_map_settings(commune, core)),
        ),
        status,
    )


@policy(staff_of_commune)
def core_new(slug: str):
    commune = _commune(slug)
    form = CoreForm()
    if form.validate_on_submit():
        several = len(form.polygons) > 1
        base = (form.name.data or "").strip()
        try:
            for index, named in enumerate(form.polygons, start=1):
                name = named.name or (f"{base} {index}" if several else base)
                operations.create_core(commune, name, named.polygon)
        except operations.CoreError as exc:
            db.session.rollback()
            form.geometry.errors.append(geometry_message(exc.code))
            return _render_form(commune, form, status=INVALID)
        db.session.commit()
        flash(_("%(n)s commercial core(s) saved.", n=len(form.polygons)), "success")
        return redirect(url_for("communes.cores", slug=commune.slug))
    return _render_form(commune, form, status=INVALID if form.is_submitted() else 200)


@policy(staff_of_commune)
def core_edit(slug: str, core_id: int):
    commune = _commune(slug)
    core = _core(commune, core_id)
    form = CoreForm(require_geometry=False, data={"name": core.name})
    if form.validate_on_submit():
        if len(form.polygons) > 1:
            form.geometry.errors.append(geometry_message("one_only"))
            return _render_form(commune, form, core, INVALID)
        try:
            operations.update_core(
                core, form.name.data or core.name, form.polygons[0].polygon if form.polygons else None
            )
        except operations.CoreError as exc:
            db.session.rollback()
            form.geometry.errors.append(geometry_message(exc.code))
            return _render_form(commune, form, core, INVALID)
        db.session.commit()
        flash(_("The commercial core is saved."), "success")
        return redirect(url_for("communes.cores", slug=commune.slug))
    return _render_form(commune, form, core, INVALID if form.is_submitted() else 200)


@policy(staff_of_commune)
def core_delete(slug: str, core_id: int):
    commune = _commune(slug)
    core = _core(commune, core_id)
    name = core.name
    operations.delete_core(core)
    db.session.commit()
    flash(_("The commercial core %(name)s is deleted; its units are kept.", name=name), "info")
    return redirect(url_for("communes.cores", slug=commune.slug))
