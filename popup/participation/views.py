from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from popup.communes.models import Commune
from popup.communes.queries import commune_by_slug
from popup.domain import participation as rules
from popup.extensions import db, limiter
from popup.owners.policies import visible_unit
from popup.participation import operations, queries, voters
from popup.participation.forms import RejectReportForm, ReportForm, WishForm, fill_token
from popup.participation.policies import staff_of_wish, wish_from_url
from popup.permissions import policy, public, staff_of_commune
from popup.units.policies import live_unit, may_manage
from popup.units.views import unit_map_settings
from popup.uploads.processing import MAX_IMAGE_BYTES, UploadError, process_image
from popup.uploads.views import PRIVATE_CACHE, upload_message

INVALID = 422


def _commune(slug: str) -> Commune:
    commune = commune_by_slug(slug)
    if commune is None:
        abort(404)
    return commune


def _user():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _report_limit() -> str:
    return current_app.config["REPORT_RATE_LIMIT"]


def _wish_limit() -> str:
    return current_app.config["WISH_RATE_LIMIT"]


# -- a resident reports an empty unit ------------------------------------------


def _render_report(commune: Commune, form: ReportForm, status: int = 200, notice: str | None = None):
    if not form.started.data or notice:
        form.started.data = fill_token()
    settings = unit_map_settings([commune])
    return render_template("participation/report.html", commune=commune, form=form, map=settings, notice=notice), status


def _spam_message(reason: str) -> str:
    if reason == "too_fast":
        return _(
            "The form was sent a moment after it was shown, as robots do. "
            "Check what you wrote and send it again. Nothing was saved."
        )
    if reason == "stale":
        return _("This form is too old or was changed. Check what you wrote and send it again. Nothing was saved.")
    return _("Your report looks automatic and was not saved. Leave the field “Leave this field empty” empty.")


def _photo(form: ReportForm):
    """The checked, re-encoded photo, None without one; adds the error to the form when refused."""
    upload = form.photo.data
    if upload is None or not getattr(upload, "filename", ""):
        return None, True
    raw = upload.stream.read(MAX_IMAGE_BYTES + 1)
    try:
        return process_image(raw), True
    except UploadError as refused:
        form.photo.errors.append(upload_message(refused.code))
        return None, False


@policy(public)
@limiter.limit(_report_limit, methods=["POST"])
def report(slug: str):
    commune = _commune(slug)
    form = ReportForm(commune=commune)
    if not form.is_submitted():
        return _render_report(commune, form)
    spam = form.check_spam()
    if spam is not None:
        form.website.data = ""  # a person whose browser filled the hidden field can send again
        return _render_report(commune, form, INVALID, notice=_spam_message(spam))
    valid = form.validate()
    photo, photo_ok = _photo(form) if valid else (None, True)
    if not (valid and photo_ok):
        return _render_report(commune, form, INVALID)
    operations.submit_report(
        commune,
        address=form.address.data,
        lon=form.longitude.data,
        lat=form.latitude.data,
        description=form.description.data or "",
        email=form.email.data or "",
        language=str(get_locale() or "fr"),
        photo=photo,
    )
    db.session.commit()
    flash(
        _("Thank you! The commune's staff will check your report of %(address)s.", address=form.address.data), "success"
    )
    return redirect(url_for("communes.home", slug=commune.slug))


# -- the staff moderate the reports --------------------------------------------


def _render_queue(commune: Commune, failed_id: int | None = None, failed_form=None, status: int = 200):
    items = queries.pending_reports(commune)
    forms = {
        item.report.id: failed_form
        if item.report.id == failed_id and failed_form is not None
        else RejectReportForm(formdata=None, prefix=f"reject-{item.report.id}")
        for item in items
    }
    return render_template(
        "participation/reports.html", commune=commune, items=items, forms=forms, near_m=int(rules.NEAR_DUPLICATE_M)
    ), status


@policy(staff_of_commune)
def reports(slug: str):
    return _render_queue(_commune(slug))


def _pending_report(commune: Commune, report_id: int):
    found = queries.report_of(commune, report_id)
    if found is None:
        abort(404)
    return found


def _already_decided():
    flash(_("This report was already decided on: nothing changed."), "warning")


@policy(staff_of_commune)
def accept(slug: str, report_id: int):
    commune = _commune(slug)
    found = _pending_report(commune, report_id)
    try:
        done = operations.accept_report(found, by=_user())
    except operations.AlreadyDecided:
        _already_decided()
        return redirect(url_for("participation.reports", slug=commune.slug))
    db.session.commit()
    if done.created:
        flash(_("A new vacant unit is recorded: %(address)s.", address=done.unit.address), "success")
    elif done.status_changed:
        flash(
            _("%(address)s is now recorded as vacant, with the change in its history.", address=done.unit.address),
            "success",
        )
    else:
        flash(_("%(address)s was already recorded as vacant.", address=done.unit.address), "info")
    return redirect(url_for("participation.reports", slug=commune.slug))


@policy(staff_of_commune)
def reject(slug: str, report_id: int):
    commune = _commune(slug)
    found = _pending_report(commune, report_id)
    if found.status != operations.PENDING or found.merged_into_id is not None:
        _already_decided()
        return redirect(url_for("participation.reports", slug=commune.slug))
    form = RejectReportForm(prefix=f"reject-{found.id}")
    if not form.validate_on_submit():
        return _render_queue(commune, found.id, form, INVALID)
    try:
        recipients = operations.reject_report(found, by=_user(), reason=form.reason.data)
    except operations.AlreadyDecided:
        _already_decided()
        return redirect(url_for("participation.reports", slug=commune.slug))
    db.session.commit()
    failed = operations.tell_refusals(recipients, commune)
    flash(_("The report is refused."), "success")
    if failed:
        flash(_("The email to the resident could not be sent."), "warning")
    return redirect(url_for("participation.reports", slug=commune.slug))


@policy(staff_of_commune)
def report_photo(slug: str, report_id: int):
    found = _pending_report(_commune(slug), report_id)
    if found.photo_data is None:
        abort(404)
    response = make_response(found.photo_data)
    response.headers["Content-Type"] = found.photo_content_type
    response.headers["Content-Disposition"] = "inline"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = PRIVATE_CACHE
    return response


# -- wishes --------------------------------------------------------------------


def wish_panel(unit, user, manages: bool) -> dict:
    """What the unit page shows of wishes: counts, texts, the form or the visitor's own wish."""
    key = voters.voter_key(user, voters.cookie_token())
    return {
        "summary": queries.unit_wishes(unit, with_hidden=manages),
        "open": unit.status == "vacant" and unit.approval == "approved",
        "mine": queries.wish_by(unit, key) if key else None,
        "form": WishForm(formdata=None),
        "manages": manages,
    }


def _render_wish(unit, form: WishForm, status: int):
    panel = wish_panel(unit, current_user, may_manage(current_user, unit))
    panel["form"] = form
    return render_template("participation/wish.html", unit=unit, panel=panel), status


@policy(visible_unit)
@limiter.limit(_wish_limit, methods=["POST"])
def wish(unit_id: int):
    unit = live_unit(unit_id)
    form = WishForm()
    if not form.is_submitted():
        return _render_wish(unit, form, 200)
    if unit.status != "vacant" or unit.approval != "approved":
        flash(_("Wishes are for vacant units only: this one is not vacant."), "warning")
        return _render_wish(unit, form, 409)
    if not form.validate():
        return _render_wish(unit, form, INVALID)
    user = _user()
    token = voters.cookie_token()
    fresh_token = None
    if user is None and token is None:
        token = fresh_token = voters.new_token()
    try:
        operations.add_wish(
            unit,
            voter_key=voters.voter_key(user, token),
            sector=form.sector.data,
            text=form.text.data or "",
            user=user,
            ip_hash=voters.ip_hash() if user is None else "",
        )
    except operations.AlreadyWished:
        db.session.rollback()
        flash(_("You already made a wish for this unit: one per person."), "warning")
        return _render_wish(unit, form, 409)
    except operations.TooManyFromAddress:
        db.session.rollback()
        flash(
            _("Several wishes for this unit already came from your connection: thank you, that is enough."), "warning"
        )
        return _render_wish(unit, form, 429)
    db.session.commit()
    flash(_("Thank you! Your wish is counted."), "success")
    response = redirect(url_for("units.detail", unit_id=unit.id) + "#wishes-title")
    if fresh_token is not None:
        voters.set_cookie(response, fresh_token)
    return response


@policy(staff_of_wish)
def hide_wish(wish_id: int):
    found = wish_from_url(wish_id)
    operations.hide_wish_text(found, by=_user())
    db.session.commit()
    flash(_("The text is hidden; the wish still counts."), "success")
    return redirect(url_for("units.detail", unit_id=found.unit_id) + "#wishes-title")


@policy(public)
def wishes(slug: str):
    commune = _commune(slug)
    return render_template(
        "participation/wishes.html",
        commune=commune,
        sectors=queries.sector_table(commune),
        needs=queries.local_needs(commune),
        units=queries.most_wished_units(commune),
        share=int(rules.WELL_REPRESENTED_SHARE * 100),
        minimum=rules.MIN_WELL_REPRESENTED,
    )


def commune_links(commune: Commune) -> dict:
    """Counts the commune's pages show next to the participation links (staff only see reports)."""
    staff = current_user.is_authenticated and current_user.is_staff_of(commune)
    return {"pending_reports": queries.pending_count(commune) if staff else None}
