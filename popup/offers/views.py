from __future__ import annotations

from datetime import timedelta

from babel.dates import get_day_names
from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from popup.extensions import db
from popup.offers import operations, queries
from popup.offers.forms import OfferForm, offer_data
from popup.offers.policies import live_offer, manager_of_offer, offer_roles, public_offer
from popup.owners.policies import manager_of_unit
from popup.permissions import policy, public
from popup.units.policies import live_unit
from popup.units.queries import local_today

INVALID = 422
NEW_OFFER = {"stand_count": 1, "min_term_months": 1, "max_term_months": 6}


def _user():
    return current_user._get_current_object()


def _has_endpoint(name: str) -> bool:
    # The applications module is built separately: link to it once it exists.
    return name in current_app.view_functions


# -- the public list -----------------------------------------------------------


@policy(public)
def index():
    return render_template("offers/index.html", offers=queries.public_offers(local_today()))


@policy(public_offer)
def detail(offer_id: int):
    offer = live_offer(offer_id)
    return render_template(
        "offers/detail.html",
        offer=offer,
        photos=queries.unit_images(offer.unit_id),
        apply_url=url_for("applications.apply_offer", offer_id=offer.id)
        if _has_endpoint("applications.apply_offer")
        else None,
    )


# -- the owner's offers --------------------------------------------------------


@policy(offer_roles)
def mine():
    return render_template("offers/mine.html", offers=queries.managed_offers(current_user))


def _render_form(form: OfferForm, unit, offer=None):
    form.pad_stands()
    status = INVALID if form.is_submitted() else 200
    return render_template("offers/form.html", form=form, unit=unit, offer=offer), status


@policy(manager_of_unit)
def create(unit_id: int):
    unit = live_unit(unit_id)
    form = OfferForm(unit=unit, data=NEW_OFFER)
    if form.validate_on_submit():
        offer = operations.create_offer(unit, by=_user(), stands=form.stands_data(), **form.offer_fields())
        db.session.commit()
        flash(_("Offer saved as a draft: %(title)s. Publish it when it is ready.", title=offer.title), "success")
        return redirect(url_for("offers.manage", offer_id=offer.id))
    return _render_form(form, unit)


@policy(manager_of_offer)
def manage(offer_id: int):
    offer = live_offer(offer_id)
    return render_template(
        "offers/manage.html",
        offer=offer,
        applications=queries.applications_to(offer),
        application_links=_has_endpoint("applications.detail"),
        public=queries.is_public(offer, local_today()),
    )


@policy(manager_of_offer)
def edit(offer_id: int):
    offer = live_offer(offer_id)
    form = OfferForm(unit=offer.unit, data=offer_data(offer))
    if form.validate_on_submit():
        try:
            operations.update_offer(offer, by=_user(), stands=form.stands_data(), **form.offer_fields())
        except operations.StandInUse as exc:
            db.session.rollback()
            message = _(
                "The stand %(label)s cannot be removed: it is booked, proposed to an entrepreneur or let. "
                "Keep it in the list, or free it first.",
                label=exc.label,
            )
            form = OfferForm(unit=offer.unit, data=offer_data(live_offer(offer_id)))
            form.pad_stands()
            return render_template("offers/form.html", form=form, unit=offer.unit, offer=offer, error=message), 409
        db.session.commit()
        flash(_("Offer saved: %(title)s.", title=offer.title), "success")
        return redirect(url_for("offers.manage", offer_id=offer.id))
    return _render_form(form, offer.unit, offer)


def _publish_refusal(reason: str) -> str:
    return {
        "unit_not_approved": _(
            "The offer stays a draft: its unit is not approved yet. "
            "It can be published once the commune's staff approve the unit."
        ),
        "window_over": _("The offer cannot be published: its availability window is over. Change the dates first."),
        "already_published": _("The offer is already published."),
    }[reason]


@policy(manager_of_offer)
def publish(offer_id: int):
    offer = live_offer(offer_id)
    try:
        operations.publish_offer(offer, by=_user(), today=local_today())
    except operations.CannotPublish as refused:
        flash(_publish_refusal(refused.reason), "warning")
        return redirect(url_for("offers.manage", offer_id=offer.id))
    db.session.commit()
    flash(_("Offer published: %(title)s.", title=offer.title), "success")
    return redirect(url_for("offers.manage", offer_id=offer.id))


@policy(manager_of_offer)
def close(offer_id: int):
    offer = live_offer(offer_id)
    if operations.close_offer(offer, by=_user()):
        db.session.commit()
        flash(_("Offer closed: it no longer appears in the public list."), "success")
    else:
        flash(_("The offer was already closed."), "info")
    return redirect(url_for("offers.manage", offer_id=offer.id))


# -- template helpers ----------------------------------------------------------


def weekday_name(day: int) -> str:
    """The name of a weekday (0 = Monday) in the user's language."""
    return get_day_names("wide", locale=str(get_locale() or "fr"))[day].capitalize()


def offer_window(offer) -> str:
    """The availability window in words, with its last day (the stored end is exclusive)."""
    start = format_date(offer.available_from)
    if offer.available_until is None:
        return _("From %(start)s, with no end date", start=start)
    last = format_date(offer.available_until - timedelta(days=1))
    return _("From %(start)s to %(last)s", start=start, last=last)
