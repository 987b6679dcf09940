"""Forms of the leases: the lease, a co-tenant, a payment, a reversal, a termination, a graduation."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from popup.domain.money import parse_euros
from popup.form_fields import DayField, WholeNumberField, id_or_none
from popup.i18n import euros_input
from popup.leases.labels import GRADUATION_LABELS, LANGUAGE_LABELS, METHOD_LABELS, PAYMENT_METHOD_LABELS
from popup.leases.models import GRADUATION_OUTCOMES, LANGUAGES, PAYMENT_METHODS, REMAINDER_METHODS, SPLIT_METHODS
from popup.units.filters import MAX_AREA_M2
from popup.units.forms import Between, NumberField, strip

AMOUNT_MESSAGE = _l("Give an amount in euros, such as 850, 850,50 or 1.250.")
DATE_MESSAGE = _l("Give a date such as 2026-06-01.")
MAX_STEPS = 12


def _amount(label, description=None, required=None):
    validators = [Length(max=40)]
    if required:
        validators.insert(0, DataRequired(message=required))
    return StringField(
        label,
        filters=[strip],
        validators=validators,
        description=description,
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


def cents_of(field, *, negative_message, zero_ok: bool = True) -> int | None:
    """The field's amount in cents (None when empty); a ValidationError with a clear message otherwise."""
    if not field.data:
        return None
    try:
        cents = parse_euros(field.data, allow_negative=True)
    except ValueError:
        raise ValidationError(AMOUNT_MESSAGE) from None
    if cents < 0 or (cents == 0 and not zero_ok):
        raise ValidationError(negative_message)
    return cents


class IdSelectField(SelectField):
    """A select of ids; a posted value that is not one of the choices gets the field's message."""

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        kwargs.setdefault("coerce", id_or_none)
        kwargs.setdefault("validate_choice", False)
        super().__init__(label, validators, **kwargs)
        self.type = "SelectField"  # styled as a select by the form macros
        self.message = message or _l("Choose from the list.")

    def pre_validate(self, form):
        known = {self.coerce(value) for value, _label in self.choices}
        if self.data not in known:
            raise ValidationError(self.message)


def parse_steps(text: str) -> list[list[int]]:
    """ "0:70, 3:85, 6:100" → [[0, 70], [3, 85], [6, 100]]; ValueError with a reason otherwise."""
    steps: list[list[int]] = []
    for part in filter(None, (p.strip() for p in re.split(r"[;,\n]", text or ""))):
        match = re.fullmatch(r"(\d{1,3})\s*[:=]\s*(\d{1,3})\s*%?", part)
        if not match:
            raise ValueError("format")
        months, percent = int(match.group(1)), int(match.group(2))
        if percent > 100:
            raise ValueError("percent")
        if steps and months <= steps[-1][0]:
            raise ValueError("order")
        steps.append([months, percent])
    if len(steps) > MAX_STEPS:
        raise ValueError("format")
    return steps


def steps_text(steps) -> str:
    return ", ".join(f"{months}:{percent}" for months, percent in steps or [])


class LeaseForm(FlaskForm):
    unit = IdSelectField(_l("Unit"), message=_l("Choose a unit of this commune from the list."))
    owner = IdSelectField(
        _l("Owner"),
        message=_l("Choose an owner from the list."),
        description=_l("Leave on the unit's recorded owner unless someone else signs for it."),
    )
    starts_on = DayField(
        _l("First day"), message=DATE_MESSAGE, validators=[InputRequired(message=_l("Give the lease's first day."))]
    )
    ends_on = DayField(
        _l("End (exclusive)"),
        message=DATE_MESSAGE,
        validators=[InputRequired(message=_l("Give the first day after the lease."))],
        description=_l("The first day after the lease: 2026-07-01 for a lease that runs to the end of June."),
    )
    rent = _amount(
        _l("Monthly rent (euros)"),
        _l("For the whole unit, e.g. 850 or 850,50."),
        _l("Give the monthly rent in euros (0 if it is free)."),
    )
    charges = _amount(_l("Monthly charges (euros)"), _l("Empty means none."))
    deposit = _amount(_l("Deposit (euros)"), _l("Empty means no deposit."))
    rent_method = SelectField(_l("Rent split"), validate_choice=True)
    rent_remainder_method = SelectField(
        _l("Rent: split of the remainder"),
        validate_choice=True,
        description=_l("Only with fixed amounts: how the rest is split among the others."),
    )
    charges_method = SelectField(_l("Charges split"), validate_choice=True)
    charges_remainder_method = SelectField(_l("Charges: split of the remainder"), validate_choice=True)
    presence_from_bookings = BooleanField(
        _l("The split by days present follows the bookings of its rotation(s)"),
        description=_l(
            "For the methods by days present and by area × days: each co-tenant's days present in a month are "
            "the days the lease's rotations book them, instead of their entry and exit dates. "
            "A month without any booking keeps the dates."
        ),
    )
    subsidy_percent = WholeNumberField(
        _l("Commune subsidy (percentage of the rent)"),
        signed=True,
        message=_l("Give a whole percentage from 0 to 100."),
        validators=[Optional(), Between(0, 100, _l("Give a whole percentage from 0 to 100."))],
        description=_l("Paid by the commune for the co-tenants marked as subsidised."),
    )
    rent_steps = StringField(
        _l("Stepped rent"),
        filters=[strip],
        validators=[Length(max=200)],
        description=_l("Month from the start and percent of the rent paid, e.g. 0:70, 3:85, 6:100. Empty: no steps."),
    )
    language = SelectField(_l("Language of the lease"), validate_choice=True)
    submit = SubmitField(_l("Save the lease"))

    def __init__(self, *args, units=(), owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit.choices = [(u.id, u.address) for u in units]
        self.owner.choices = [("", _l("The unit's recorded owner"))] + [(o.id, o.name) for o in owners]
        methods = [(code, METHOD_LABELS[code]) for code in SPLIT_METHODS]
        remainders = [(code, METHOD_LABELS[code]) for code in REMAINDER_METHODS]
        self.rent_method.choices = methods
        self.charges_method.choices = methods
        self.rent_remainder_method.choices = remainders
        self.charges_remainder_method.choices = remainders
        self.language.choices = [(code, LANGUAGE_LABELS[code]) for code in LANGUAGES]
        self.rent_cents = self.charges_cents = self.deposit_cents = 0
        self.steps: list[list[int]] = []

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data <= self.starts_on.data:
            raise ValidationError(_l("The end must come after the first day."))

    def validate_rent(self, field):
        self.rent_cents = cents_of(field, negative_message=_l("The rent cannot be negative.")) or 0

    def validate_charges(self, field):
        self.charges_cents = cents_of(field, negative_message=_l("The charges cannot be negative.")) or 0

    def validate_deposit(self, field):
        self.deposit_cents = cents_of(field, negative_message=_l("The deposit cannot be negative.")) or 0

    def validate_rent_steps(self, field):
        try:
            self.steps = parse_steps(field.data)
        except ValueError as error:
            raise ValidationError(
                {
                    "percent": _l("A step's percent must lie between 0 and 100."),
                    "order": _l("The steps' months must go up: 0:70, 3:85, 6:100."),
                }.get(str(error), _l("Write the steps as month:percent, separated by commas: 0:70, 3:85, 6:100."))
            ) from None

    def lease_fields(self) -> dict:
        return {
            "owner_id": self.owner.data,
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "rent_cents": self.rent_cents,
            "charges_cents": self.charges_cents,
            "deposit_cents": self.deposit_cents,
            "rent_method": self.rent_method.data,
            "rent_remainder_method": self.rent_remainder_method.data if self.rent_method.data == "fixed_then" else None,
            "charges_method": self.charges_method.data,
            "charges_remainder_method": self.charges_remainder_method.data
            if self.charges_method.data == "fixed_then"
            else None,
            "presence_from_bookings": bool(self.presence_from_bookings.data),
            "subsidy_percent": self.subsidy_percent.data or 0,
            "rent_steps": self.steps,
            "language": self.language.data,
        }


def lease_data(lease) -> dict:
    return {
        "unit": lease.unit_id,
        "owner": lease.owner_id,
        "starts_on": lease.starts_on,
        "ends_on": lease.ends_on,
        "rent": euros_input(lease.rent_cents),
        "charges": euros_input(lease.charges_cents) if lease.charges_cents else "",
        "deposit": euros_input(lease.deposit_cents) if lease.deposit_cents else "",
        "rent_method": lease.rent_method,
        "rent_remainder_method": lease.rent_remainder_method or "equal",
        "charges_method": lease.charges_method,
        "charges_remainder_method": lease.charges_remainder_method or "equal",
        "presence_from_bookings": lease.presence_from_bookings,
        "subsidy_percent": lease.subsidy_percent,
        "rent_steps": steps_text(lease.rent_steps),
        "language": lease.language,
    }


class TenantForm(FlaskForm):
    entrepreneur = IdSelectField(_l("Entrepreneur"), message=_l("Choose an entrepreneur from the list."))
    stand = IdSelectField(
        _l("Stand"),
        message=_l("Choose a stand of this unit from the list."),
        description=_l("Leave empty when the unit's stands are not described."),
    )
    area_m2 = NumberField(
        _l("Area (m²)"),
        message=_l("Give the area in square metres, such as 12 or 12.5."),
        validators=[Optional(), Between(0, MAX_AREA_M2, _l("Give an area from 0 to %(max)s m².", max=MAX_AREA_M2))],
        description=_l("Empty: the stand's area."),
    )
    entry_on = DayField(
        _l("Entry"), message=DATE_MESSAGE, validators=[InputRequired(message=_l("Give the co-tenant's first day."))]
    )
    exit_on = DayField(
        _l("Exit (exclusive)"),
        message=DATE_MESSAGE,
        validators=[Optional()],
        description=_l("The first day without the co-tenant. Empty: until the lease ends."),
    )
    weight = NumberField(
        _l("Weight"),
        message=_l("Give a number, such as 1 or 1.5."),
        validators=[Optional(), Between(0, 10_000, _l("Give a weight from 0 to 10 000."))],
        description=_l("Only for the custom weights method."),
    )
    fixed_rent = _amount(_l("Fixed monthly rent (euros)"), _l("Only for the fixed amounts method. Empty: none."))
    fixed_charges = _amount(_l("Fixed monthly charges (euros)"), _l("Only for the fixed amounts method. Empty: none."))
    subsidised = BooleanField(_l("Subsidised by the commune (test phase)"))
    submit = SubmitField(_l("Save the co-tenant"))

    def __init__(self, *args, entrepreneurs=(), stands=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.entrepreneur.choices = [(e.id, e.name) for e in entrepreneurs]
        self.stand.choices = [("", _l("No stand"))] + [(s.id, s.label) for s in stands]
        self.stands = {s.id: s for s in stands}
        self.fixed_rent_cents = self.fixed_charges_cents = None

    def validate_exit_on(self, field):
        if field.data and self.entry_on.data and field.data <= self.entry_on.data:
            raise ValidationError(_l("The exit must come after the entry."))

    def validate_fixed_rent(self, field):
        self.fixed_rent_cents = cents_of(field, negative_message=_l("A fixed amount cannot be negative."))

    def validate_fixed_charges(self, field):
        self.fixed_charges_cents = cents_of(field, negative_message=_l("A fixed amount cannot be negative."))

    def tenant_fields(self) -> dict:
        stand = self.stands.get(self.stand.data)
        area = self.area_m2.data
        if area is None:
            area = stand.area_m2 if stand is not None else 0
        return {
            "stand": stand,
            "area_m2": area,
            "entry_on": self.entry_on.data,
            "exit_on": self.exit_on.data,
            "weight": self.weight.data,
            "fixed_rent_cents": self.fixed_rent_cents,
            "fixed_charges_cents": self.fixed_charges_cents,
            "subsidised": bool(self.subsidised.data),
        }


def tenant_data(tenant) -> dict:
    return {
        "entrepreneur": tenant.entrepreneur_id,
        "stand": tenant.stand_id,
        "area_m2": tenant.area_m2,
        "entry_on": tenant.entry_on,
        "exit_on": tenant.exit_on,
        "weight": tenant.weight,
        "fixed_rent": euros_input(tenant.fixed_rent_cents) if tenant.fixed_rent_cents is not None else "",
        "fixed_charges": euros_input(tenant.fixed_charges_cents) if tenant.fixed_charges_cents is not None else "",
        "subsidised": tenant.subsidised,
    }


COMMUNE = 0  # the payer "commune" in the payer select


class PaymentForm(FlaskForm):
    payer_id = IdSelectField(_l("Paid by"), message=_l("Choose who paid from the list."))
    amount = _amount(_l("Amount (euros)"), _l("For example 250 or 250,50."), _l("Give the amount paid."))
    paid_on = DayField(
        _l("Paid on"), message=DATE_MESSAGE, validators=[InputRequired(message=_l("Give the day of the payment."))]
    )
    payer = StringField(
        _l("Name on the payment"),
        filters=[strip],
        validators=[Length(max=200)],
        description=_l("Empty: the co-tenant's or the commune's name."),
    )
    method = SelectField(_l("Method"), validate_choice=True)
    reference = StringField(_l("Reference"), filters=[strip], validators=[Length(max=140)])
    submit = SubmitField(_l("Record the payment"))

    def __init__(self, *args, tenants=(), commune_name="", **kwargs):
        super().__init__(*args, **kwargs)
        self.payer_id.choices = [(t.id, t.entrepreneur.name) for t in tenants] + [
            (COMMUNE, _l("The commune (%(name)s)", name=commune_name))
        ]
        self.method.choices = [(code, PAYMENT_METHOD_LABELS[code]) for code in PAYMENT_METHODS]
        self.amount_cents = 0

    def validate_amount(self, field):
        self.amount_cents = cents_of(field, negative_message=_l("Give an amount above zero."), zero_ok=False) or 0


class ReverseForm(FlaskForm):
    reason = StringField(
        _l("Reason"),
        filters=[strip],
        validators=[DataRequired(message=_l("Give the reason of the reversal.")), Length(max=500)],
    )
    submit = SubmitField(_l("Reverse"))


class TerminateForm(FlaskForm):
    terminated_on = DayField(
        _l("Last day (exclusive)"),
        message=DATE_MESSAGE,
        validators=[InputRequired(message=_l("Give the day the lease stops."))],
        description=_l("The first day without the lease."),
    )
    reason = TextAreaField(
        _l("Reason"),
        filters=[strip],
        validators=[DataRequired(message=_l("Give the reason of the early termination.")), Length(max=1000)],
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Terminate the lease"))


class GraduationForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), validate_choice=True)
    on = DayField(_l("Date"), message=DATE_MESSAGE, validators=[InputRequired(message=_l("Give the date."))])
    unit = IdSelectField(
        _l("Unit of the permanent lease"),
        message=_l("Choose a unit of this commune from the list."),
        description=_l("When the permanent lease is in this commune."),
    )
    address = StringField(
        _l("Address"),
        filters=[strip],
        validators=[Length(max=300)],
        description=_l("When the business settles elsewhere."),
    )
    submit = SubmitField(_l("Record the outcome"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = [(code, GRADUATION_LABELS[code]) for code in GRADUATION_OUTCOMES]
        self.unit.choices = [("", _l("None"))] + [(u.id, u.address) for u in units]
