from __future__ import annotations

import dataclasses
from urllib.parse import parse_qsl, urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from popup import geo
from popup.domain.vocabulary import UNIT_FEATURES, UNIT_STATUSES
from popup.extensions import db
from popup.i18n import euros_input
from popup.owners.policies import visible_unit
from popup.permissions import any_staff, policy
from popup.units import operations, queries
from popup.units.filters import FilterError, parse_filters
from popup.units.forms import BulkStatusForm, UnitForm
from popup.units.policies import live_unit, may_manage, staff_of_unit
from popup.uploads.operations import unit_photos
from popup.urls import safe_next

INVALID = 422  # a form that did not validate: shown again with its errors
BAD_QUERY = 400  # a list address whose filters, sort or page cannot be read
# Query parameters the inventory keeps in its sort and page links.
FILTER_PARAMETERS = ("q", "commune", "status", "area_min", "area_max", "rent_min", "rent_max", "core", "features")
LIST_PARAMETERS = (*FILTER_PARAMETERS, "sort", "dir", "page")
DEFAULT_SORT = "address"
MAX_ID = 2**31 - 1  # ids beyond this cannot exist (and PostgreSQL's integer refuses them)


# -- the inventory -------------------------------------------------------------


def _small_int(raw: str) -> int | None:
    raw = raw.strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 9:
        return int(raw)
    return None


def _parse_inventory(args: MultiDict, communes, cores) -> tuple:
    """Filters, sort and page from the query string; raises FilterError on a bad one."""
    core_raw = (args.get("core") or "").strip()
    if core_raw and _small_int(core_raw) not in {c.id for c in cores}:
        raise FilterError("core", _("Unknown commercial core."))
    filters = parse_filters(args)
    slug = (args.get("commune") or "").strip()
    if slug:
        chosen = [c for c in communes if c.slug == slug]
        if not chosen:
            raise FilterError("commune", _("Unknown commune, or not one of yours."))
        commune_ids = (chosen[0].id,)
    else:
        commune_ids = tuple(c.id for c in communes)
    filters = dataclasses.replace(filters, commune_ids=commune_ids)
    sort = (args.get("sort") or DEFAULT_SORT).strip()
    if sort not in queries.SORTS:
        raise FilterError("sort", _("Unknown sort order."))
    direction = (args.get("dir") or "asc").strip()
    if direction not in ("asc", "desc"):
        raise FilterError("dir", _("Sort in ascending (asc) or descending (desc) order."))
    page_raw = (args.get("page") or "1").strip()
    page = _small_int(page_raw)
    if page is None or page < 1:
        raise FilterError("page", _("Give a page number: a whole number from 1."))
    return filters, sort, direction == "desc", page


def _given(args: MultiDict, names) -> dict[str, list[str]]:
    """The query parameters among ``names`` that hold a value, with their non-blank values."""
    given = {name: [v for v in args.getlist(name) if v.strip()] for name in names}
    return {name: values for name, values in given.items() if values}


def _list_url_builder(args: MultiDict):
    """A function building inventory links that keep the current filters."""
    kept = _given(args, LIST_PARAMETERS)

    def list_url(**changes) -> str:
        params = {name: values for name, values in kept.items() if name not in changes}
        params.update({name: value for name, value in changes.items() if value not in (None, "")})
        return url_for("units.index", **params)

    return list_url


def _export_urls(args: MultiDict) -> dict[str, str]:
    """The CSV and GeoJSON exports of the units the current filters select (every page, in any order)."""
    params = _given(args, FILTER_PARAMETERS)
    return {kind: url_for(f"imports.export_{kind}", **params) for kind in ("csv", "geojson")}


def _render_inventory(args: MultiDict, bulk_form: BulkStatusForm, status: int = 200):
    communes = queries.managed_communes(current_user)
    cores = queries.cores_of(communes)
    errors: dict[str, str] = {}
    page = None
    sort, descending = DEFAULT_SORT, False
    try:
        filters, sort, descending, page_number = _parse_inventory(args, communes, cores)
        page = queries.inventory_page(
            filters, sort=sort, descending=descending, page=page_number, dialect=db.engine.dialect.name
        )
    except FilterError as exc:
        errors[exc.parameter] = exc.message
    except queries.PageOutOfRange as exc:
        errors["page"] = ngettext(
            "There is no such page: the list has %(num)d page.",
            "There is no such page: the list has %(num)d pages.",
            exc.pages,
        )
    if errors and status == 200:
        status = BAD_QUERY
    if not bulk_form.next.data:
        bulk_form.next.data = request.full_path.rstrip("?") if request.method == "GET" else url_for("units.index")
    selected = {i for i in (bulk_form.unit_ids.data or []) if isinstance(i, int)}
    return (
        render_template(
            "units/index.html",
            page=page,
            errors=errors,
            args=args,
            chosen_statuses=_codes(args, "status"),
            chosen_features=_codes(args, "features"),
            communes=communes,
            cores=cores,
            sort=sort,
            descending=descending,
            list_url=_list_url_builder(args),
            export_urls=_export_urls(args),
            bulk_form=bulk_form,
            selected=selected,
            STATUS_CODES=UNIT_STATUSES,
            FEATURE_CODES=UNIT_FEATURES,
        ),
        status,
    )


def _codes(args: MultiDict, name: str) -> set[str]:
    return {v.strip() for raw in args.getlist(name) for v in raw.split(",") if v.strip()}


@policy(any_staff)
def index():
    return _render_inventory(request.args, BulkStatusForm(formdata=None))


def _back_to_list(target: str | None) -> str:
    target = safe_next(target, url_for("units.index"))
    return target if urlsplit(target).path == url_for("units.index") else url_for("units.index")


@policy(any_staff)
def bulk_status():
    form = BulkStatusForm()
    back = _back_to_list(form.next.data)
    if not form.validate_on_submit():
        list_args = MultiDict(parse_qsl(urlsplit(back).query, keep_blank_values=True))
        return _render_inventory(list_args, form, status=INVALID)
    ids = [i for i in form.unit_ids.data if 0 < i <= MAX_ID]
    units = [u for u in queries.units_by_ids(ids) if may_manage(current_user, u)]
    changed = operations.bulk_change_status(
        units, form.status.data, by=current_user._get_current_object(), reason=form.reason.data
    )
    db.session.commit()
    if changed:
        flash(ngettext("%(num)d unit changed status.", "%(num)d units changed status.", changed), "success")
    unchanged = len(units) - changed
    if unchanged:
        flash(
            ngettext("%(num)d unit already had this status.", "%(num)d units already had this status.", unchanged),
            "info",
        )
    refused = len(set(form.unit_ids.data)) - len(units)
    if refused:
        flash(
            ngettext(
                "%(num)d unit was left unchanged: it is not one you manage, or it no longer exists.",
                "%(num)d units were left unchanged: they are not ones you manage, or they no longer exist.",
                refused,
            ),
            "warning",
        )
    return redirect(back)


# -- one unit ------------------------------------------------------------------


def _unit_data(unit) -> dict:
    lon, lat = geo.lonlat(unit.location)
    return {
        "address": unit.address,
        "latitude": round(lat, 7),
        "longitude": round(lon, 7),
        "floor_area_m2": unit.floor_area_m2,
        "frontage_m": unit.frontage_m,
        "ground_floor": unit.ground_floor,
        "status": unit.status,
        "asking_rent": euros_input(unit.asking_rent_cents),
        "owner": unit.owner_id,
        "public_description": unit.public_description,
        "activity": unit.activity or "",
        "sector": unit.sector or "",
        "external_id": unit.external_id or "",
        **{code: getattr(unit, code) for code in UNIT_FEATURES},
    }


def _fields(form: UnitForm, owners) -> dict:
    owner = next((u for u in owners if u.id == form.owner.data), None)
    return {
        "address": form.address.data,
        "location": geo.point(form.longitude.data, form.latitude.data),
        "floor_area_m2": form.floor_area_m2.data,
        "frontage_m": form.frontage_m.data,
        "ground_floor": bool(form.ground_floor.data),
        "asking_rent_cents": form.asking_rent_cents,
        "owner": owner,
        "public_description": form.public_description.data or "",
        "activity": form.activity.data or None,
        "sector": form.sector.data or None,
        "external_id": form.external_id.data or None,
        **form.features(),
    }


def _external_id_free(form: UnitForm, commune_id: int, unit_id: int | None = None) -> bool:
    ref = form.external_id.data
    if ref and queries.external_id_taken(commune_id, ref, except_unit_id=unit_id):
        form.external_id.errors.append(_("Another unit of this commune already has this reference."))
        return False
    return True


def unit_map_settings(communes, unit=None) -> dict:
    centres = {}
    for commune in communes:
        lon, lat = geo.lonlat(commune.centre)
        centres[str(commune.id)] = [round(lat, 7), round(lon, 7)]
    if unit is not None:
        lon, lat = geo.lonlat(unit.location)
        centre, zoom = [round(lat, 7), round(lon, 7)], 18
    else:
        centre, zoom = (next(iter(centres.values())) if centres else [50.5, 4.5]), 16
    return {
        "tile_url": current_app.config.get("TILE_URL") or "",
        "tile_attribution": current_app.config.get("TILE_ATTRIBUTION") or "",
        "centre": centre,
        "zoom": zoom,
        "commune_centres": centres,
    }


@policy(any_staff)
def create():
    communes = queries.managed_communes(current_user)
    owners = queries.owners()
    form = UnitForm(communes=communes, owners=owners)
    if not communes:
        flash(_("You are not staff of any commune yet: ask an administrator to add you to one."), "warning")
    if form.validate_on_submit() and _external_id_free(form, form.commune.data):
        unit = operations.create_unit(
            commune=form.chosen_commune(),
            status=form.status.data,
            reason=form.reason.data or "",
            by=current_user._get_current_object(),
            **_fields(form, owners),
        )
        db.session.commit()
        flash(_("Unit created: %(address)s.", address=unit.address), "success")
        return redirect(url_for("units.detail", unit_id=unit.id))
    status = INVALID if form.is_submitted() else 200
    return render_template("units/form.html", form=form, unit=None, map=unit_map_settings(communes)), status


@policy(staff_of_unit)
def edit(unit_id: int):
    unit = live_unit(unit_id)
    owners = queries.owners()
    form = UnitForm(owners=owners, unit=unit, data=_unit_data(unit))
    if form.validate_on_submit() and _external_id_free(form, unit.commune_id, unit.id):
        operations.update_unit(
            unit,
            by=current_user._get_current_object(),
            status=form.status.data,
            reason=form.reason.data or "",
            **_fields(form, owners),
        )
        db.session.commit()
        flash(_("Unit saved: %(address)s.", address=unit.address), "success")
        return redirect(url_for("units.detail", unit_id=unit.id))
    status = INVALID if form.is_submitted() else 200
    return render_template("units/form.html", form=form, unit=unit, map=unit_map_settings([unit.commune], unit)), status


@policy(staff_of_unit)
def archive(unit_id: int):
    unit = live_unit(unit_id)
    operations.archive_unit(unit, by=current_user._get_current_object())
    db.session.commit()
    flash(
        _("Unit archived: %(address)s. It no longer appears in lists, maps or figures.", address=unit.address),
        "success",
    )
    return redirect(url_for("units.index"))


@policy(visible_unit)
def detail(unit_id: int):
    unit = live_unit(unit_id)
    manages = may_manage(current_user, unit)
    history = list(reversed(unit.history)) if manages else []
    from popup.participation.views import wish_panel  # the participation module imports this one

    return render_template(
        "units/detail.html",
        unit=unit,
        manages=manages,
        owns=current_user.is_authenticated and unit.owner_id == current_user.id,
        photos=unit_photos(unit.id),
        history=history,
        vacancy_days=queries.unit_vacancy_days(unit) if manages else None,
        wish_panel=wish_panel(unit, current_user, manages),
    )
