from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from popup import geo
from popup.domain.vocabulary import UNIT_FEATURES
from popup.extensions import db
from popup.i18n import euros_input
from popup.owners import operations, queries
from popup.owners.forms import OwnerUnitForm, RejectForm
from popup.owners.policies import owner_of_unit, owner_role
from popup.permissions import any_staff, policy
from popup.units.policies import live_unit, staff_of_unit
from popup.units.views import unit_map_settings as map_settings

INVALID = 422


def _user():
    return current_user._get_current_object()


# -- the owner's units ---------------------------------------------------------


@policy(owner_role)
def units():
    return render_template("owners/units.html", units=queries.units_of_owner(current_user))


@policy(owner_role)
def propose_unit():
    communes = queries.all_communes()
    form = OwnerUnitForm(communes=communes)
    if form.validate_on_submit():
        unit = operations.propose_unit(_user(), form.chosen_commune(), **form.facts())
        db.session.commit()
        flash(
            _(
                "Unit proposed: %(address)s. The commune's staff will check it before it appears on the map.",
                address=unit.address,
            ),
            "success",
        )
        return redirect(url_for("owners.units"))
    status = INVALID if form.is_submitted() else 200
    return render_template("owners/unit_form.html", form=form, unit=None, map=map_settings(communes)), status


def _unit_data(unit) -> dict:
    lon, lat = geo.lonlat(unit.location)
    return {
        "address": unit.address,
        "latitude": round(lat, 7),
        "longitude": round(lon, 7),
        "floor_area_m2": unit.floor_area_m2,
        "frontage_m": unit.frontage_m,
        "ground_floor": unit.ground_floor,
        "asking_rent": euros_input(unit.asking_rent_cents),
        "public_description": unit.public_description,
        **{code: getattr(unit, code) for code in UNIT_FEATURES},
    }


@policy(owner_of_unit)
def edit_unit(unit_id: int):
    unit = live_unit(unit_id)
    form = OwnerUnitForm(unit=unit, data=_unit_data(unit))
    if form.validate_on_submit():
        operations.update_owned_unit(unit, by=_user(), **form.facts())
        db.session.commit()
        flash(_("Unit saved: %(address)s.", address=unit.address), "success")
        return redirect(url_for("owners.units"))
    status = INVALID if form.is_submitted() else 200
    return render_template(
        "owners/unit_form.html", form=form, unit=unit, map=map_settings([unit.commune], unit)
    ), status


# -- moderation ----------------------------------------------------------------


def _render_moderation(failed_unit_id: int | None = None, failed_form: RejectForm | None = None, status: int = 200):
    items = queries.pending_units(current_user)
    forms = {
        item.unit.id: failed_form
        if item.unit.id == failed_unit_id and failed_form is not None
        else RejectForm(formdata=None, prefix=f"reject-{item.unit.id}")
        for item in items
    }
    return render_template("owners/moderation.html", items=items, forms=forms), status


@policy(any_staff)
def moderation():
    return _render_moderation()


def _already_decided(unit) -> object:
    flash(_("%(address)s was already decided on: nothing changed.", address=unit.address), "warning")
    return redirect(url_for("owners.moderation"))


@policy(staff_of_unit)
def approve(unit_id: int):
    unit = live_unit(unit_id)
    try:
        operations.approve_unit(unit, by=_user())
    except operations.AlreadyDecided:
        return _already_decided(unit)
    db.session.commit()
    flash(_("%(address)s is approved: it now appears on the map.", address=unit.address), "success")
    return redirect(url_for("owners.moderation"))


@policy(staff_of_unit)
def reject(unit_id: int):
    unit = live_unit(unit_id)
    form = RejectForm(prefix=f"reject-{unit.id}")
    if unit.approval != operations.PENDING:
        return _already_decided(unit)
    if not form.validate_on_submit():
        return _render_moderation(unit.id, form, INVALID)
    try:
        operations.reject_unit(unit, by=_user(), reason=form.reason.data)
    except operations.AlreadyDecided:
        return _already_decided(unit)
    db.session.commit()
    flash(_("%(address)s is refused; the owner is told why.", address=unit.address), "success")
    return redirect(url_for("owners.moderation"))


def header_counts() -> dict:
    """How many proposed units await the staff member (the header shows it)."""
    if g.get("db_unavailable"):  # an error page while the database does not answer
        return {"pending_moderation": 0}
    if current_user and current_user.is_authenticated and current_user.role in ("staff", "admin"):
        return {"pending_moderation": queries.pending_count(current_user)}
    return {"pending_moderation": 0}
