"""Why a lease operation was refused, in the user's language."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import gettext as _

from popup.domain.rentsplit import RentSplitError


class LeaseError(ValueError):
    """A refused lease operation; ``code`` names why, ``params`` fill the message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _d(value) -> str:
    return format_date(value) if value is not None else ""


def split_message(error: RentSplitError) -> str:
    p = error.params
    messages = {
        "bad_days_present": _("The days present do not fit the days the stand is held."),
        "bad_method": _("That split method cannot be used this way: choose the remainder method for fixed amounts."),
        "bad_month": _("That month has no day inside the lease."),
        "bad_percent": _("A percentage must lie between 0 and 100."),
        "bad_period": _("The exit date must come after the entry date."),
        "bad_steps": _("The steps of the rent must start at month 0 or later and go up month after month."),
        "duplicate_tenant": _("The same co-tenant appears twice."),
        "fixed_exceeds_total": _("The fixed amounts add up to more than the amount they come out of."),
        "negative_amount": _("Amounts cannot be negative."),
        "no_tenants": _("Some month of the lease has no co-tenant to pay it (%(when)s).", when=_month(p))
        if "month" in p
        else _("The lease has no co-tenant yet."),
        "remainder_unassigned": _(
            "After the fixed amounts, nobody is left to pay the rest (%(when)s).", when=_month(p)
        ),
        "stand_double_booked": _(
            "Two co-tenants would hold the same stand at once (from %(date)s).", date=_d(p.get("from_on"))
        ),
        "tenant_not_in_month": _("That co-tenant holds no stand in that month."),
        "tenant_outside_lease": _(
            "A co-tenant's dates must lie inside the lease, from %(start)s to %(end)s (exclusive).",
            start=_d(p.get("start_on")),
            end=_d(p.get("end_on")),
        ),
        "unknown_tenant": _("That co-tenant is not part of this lease."),
        "weight_missing": _("The custom weights method needs a weight for every co-tenant."),
        "weight_negative": _("Areas and weights cannot be negative."),
        "weights_zero": _("Every weight of a split is zero (%(when)s): give an area or a weight.", when=_month(p)),
    }
    return messages.get(error.code, _("The rent cannot be split this way."))


def _month(params) -> str:
    year, month = params.get("year"), params.get("month")
    if not year or not month:
        return ""
    from datetime import date

    return format_date(date(int(year), int(month), 1), "MMMM y")


def lease_message(error: LeaseError) -> str:
    p = error.params
    messages = {
        "not_draft": _("Only a draft lease can be changed this way."),
        "closed": _("This lease has ended: it can no longer be changed."),
        "not_signed": _("Only a signed lease can start."),
        "not_running": _("Only a running lease can end or be terminated this way."),
        "not_signable": _("Only a draft lease can be signed."),
        "no_tenants": _("Add at least one co-tenant before signing the lease."),
        "unit_taken": _("The unit already has another signed or running lease over these dates."),
        "over": _("The lease's period is over: it cannot start any more."),
        "too_early_to_end": _(
            "The lease runs until %(date)s. To stop it before, terminate it early with a date and a reason.",
            date=_d(p.get("last_day")),
        ),
        "termination_date": _(
            "The termination date must lie after the start of the lease (%(start)s), "
            "by its end (%(end)s) and not in the future.",
            start=_d(p.get("start")),
            end=_d(p.get("end")),
        ),
        "reason_required": _("Give a reason."),
        "entrepreneur_twice": _("This entrepreneur is already a co-tenant of this lease over these dates."),
        "not_entrepreneur": _("Choose an entrepreneur's account."),
        "stand_not_of_offer": _("That stand does not belong to the offer of this lease."),
        "stand_taken": _("That stand was just given to another co-tenant for these dates: choose another."),
        "has_payments": _("This co-tenant has payments in the ledger: give an exit date instead of removing them."),
        "payment_closed": _("Payments can be recorded only on a signed or running lease."),
        "payment_future": _("A payment cannot be dated in the future."),
        "payment_before": _("A payment cannot be dated before the lease was created."),
        "amount_positive": _("Give an amount above zero."),
        "already_reversed": _("This entry was already reversed."),
        "reversal_of_reversal": _("A reversal cannot be reversed: record a new payment instead."),
        "graduation_date": _("The date must come after the co-tenant's entry (%(date)s).", date=_d(p.get("entry_on"))),
        "graduation_unit": _("Choose a unit of this commune."),
        "graduation_where": _("Give the unit or the address of the permanent lease."),
        "already_graduated": _("The outcome of this co-tenant's test period is already recorded."),
        "no_offer_tenants": _("Give at least one co-tenant."),
    }
    return messages.get(error.code, _("This cannot be done."))


def message(error: Exception) -> str:
    if isinstance(error, RentSplitError):
        return split_message(error)
    if isinstance(error, LeaseError):
        return lease_message(error)
    raise error
