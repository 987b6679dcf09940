"""The owner's pop-up offer: window, terms, amounts, stands, sectors, opening days."""

from __future__ import annotations

from babel.dates import get_day_names
from flask_babel import format_decimal, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, StringField, SubmitField, TextAreaField
from wtforms.form import Form
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from popup.domain.money import parse_euros
from popup.domain.vocabulary import SECTORS
from popup.form_fields import CheckboxesField, DayField, WholeNumberField
from popup.i18n import euros_input
from popup.labels import SECTOR_LABELS
from popup.units.filters import MAX_AREA_M2
from popup.units.forms import Between, NumberField, strip

MIN_TERM_MONTHS, MAX_TERM_MONTHS = 1, 24
MAX_STANDS = 12
WEEKDAYS = tuple(range(7))  # 0 = Monday, as date.weekday()


def _weekday(value) -> int:
    return int(value)


class StandForm(Form):
    """One stand: a label and an area. Nested, so it has no CSRF token of its own."""

    label = StringField(_l("Label"), filters=[strip], validators=[Length(max=40)])
    area_m2 = NumberField(
        _l("Area (m²)"),
        message=_l("Give the area of the stand in square metres, such as 12 or 12.5."),
        validators=[
            Optional(),
            Between(
                0, MAX_AREA_M2, _l("Give an area above 0 and at most %(max)s m².", max=MAX_AREA_M2), strict_low=True
            ),
        ],
    )

    def is_blank(self) -> bool:
        return not self.label.data and self.area_m2.data is None and not self.area_m2.errors


def _amount(label, description, required_message=None):
    validators = [Length(max=40)]
    if required_message:
        validators.insert(0, DataRequired(message=required_message))
    return StringField(
        label,
        filters=[strip],
        validators=validators,
        description=description,
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


class OfferForm(FlaskForm):
    """An offer of one unit. The view passes the unit: its floor area bounds the stands."""

    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[DataRequired(message=_l("Give the offer a title.")), Length(max=160)],
        description=_l("For example: Shared shop on the Grand-Place, 4 stands."),
    )
    available_from = DayField(
        _l("Available from"),
        message=_l("Give a date such as 2025-06-01."),
        validators=[InputRequired(message=_l("Give the first day the unit is available."))],
    )
    available_until = DayField(
        _l("Available until (exclusive)"),
        message=_l("Give a date such as 2025-06-01."),
        validators=[Optional()],
        description=_l("The first day it is no longer available. Leave empty if open-ended."),
    )
    min_term_months = WholeNumberField(
        _l("Minimum term (months)"),
        signed=True,
        message=_l("Give the minimum term as a whole number of months, from 1 to 24."),
        validators=[
            InputRequired(message=_l("Give the minimum term in months.")),
            Between(MIN_TERM_MONTHS, MAX_TERM_MONTHS, _l("A term lasts from 1 to 24 months.")),
        ],
    )
    max_term_months = WholeNumberField(
        _l("Maximum term (months)"),
        signed=True,
        message=_l("Give the maximum term as a whole number of months, from 1 to 24."),
        validators=[
            InputRequired(message=_l("Give the maximum term in months.")),
            Between(MIN_TERM_MONTHS, MAX_TERM_MONTHS, _l("A term lasts from 1 to 24 months.")),
        ],
    )
    rent = _amount(
        _l("Monthly rent (euros)"),
        _l("For the whole unit, e.g. 850 or 850,50. Give 0 if it is free."),
        _l("Give the monthly rent in euros (0 if it is free)."),
    )
    charges = _amount(_l("Monthly charges (euros)"), _l("Water, energy, common costs. Empty means none."))
    deposit = _amount(_l("Deposit (euros)"), _l("Empty means no deposit."))
    stand_count = WholeNumberField(
        _l("Number of stands"),
        signed=True,
        message=_l("Give the number of stands as a whole number, from 1 to 12."),
        validators=[
            InputRequired(message=_l("Give the number of stands.")),
            Between(1, MAX_STANDS, _l("A unit holds from 1 to 12 stands.")),
        ],
        description=_l("How many businesses can share the unit at the same time."),
    )
    stands = FieldList(FormField(StandForm), min_entries=1, max_entries=MAX_STANDS)
    allowed_sectors = CheckboxesField(
        _l("Sectors welcome"),
        coerce=str,
        message=_l("Choose sectors from the list."),
        description=_l("Tick none to welcome every sector."),
    )
    excluded_sectors = CheckboxesField(
        _l("Sectors excluded"),
        coerce=str,
        message=_l("Choose sectors from the list."),
    )
    opening_days = CheckboxesField(
        _l("Opening days"),
        coerce=_weekday,
        message=_l("Choose days of the week from the list."),
    )
    conditions = TextAreaField(
        _l("Conditions"),
        filters=[strip],
        validators=[Length(max=5000)],
        description=_l("Anything else tenants should know: insurance, works, opening hours."),
        render_kw={"rows": 5},
    )
    submit = SubmitField(_l("Save the offer"))

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.rent_cents = self.charges_cents = self.deposit_cents = None
        sectors = [(code, SECTOR_LABELS[code]) for code in SECTORS]
        self.allowed_sectors.choices = sectors
        self.excluded_sectors.choices = sectors
        names = get_day_names("wide", locale=str(get_locale() or "fr"))
        self.opening_days.choices = [(day, names[day].capitalize()) for day in WEEKDAYS]

    # -- amounts -----------------------------------------------------------

    @staticmethod
    def _cents(field, negative_message) -> int:
        if not field.data:
            return 0
        try:
            cents = parse_euros(field.data, allow_negative=True)
        except ValueError:
            raise ValidationError(_l("Give an amount in euros, such as 850, 850,50 or 1.250.")) from None
        if cents < 0:
            raise ValidationError(negative_message)
        return cents

    def validate_rent(self, field):
        self.rent_cents = self._cents(field, _l("The rent cannot be negative."))

    def validate_charges(self, field):
        self.charges_cents = self._cents(field, _l("The charges cannot be negative."))

    def validate_deposit(self, field):
        self.deposit_cents = self._cents(field, _l("The deposit cannot be negative."))

    # -- rules across fields -----------------------------------------------

    def validate_available_until(self, field):
        start = self.available_from.data
        if field.data is not None and start is not None and field.data <= start:
            raise ValidationError(_l("The end of the window must come after its start."))

    def validate_max_term_months(self, field):
        low = self.min_term_months.data
        if field.data is not None and low is not None and not self.min_term_months.errors and field.data < low:
            raise ValidationError(_l("The maximum term cannot be shorter than the minimum term."))

    def validate_excluded_sectors(self, field):
        both = set(field.data or []) & set(self.allowed_sectors.data or [])
        if both:
            labels = ", ".join(str(SECTOR_LABELS[c]) for c in SECTORS if c in both)
            raise ValidationError(_l("A sector cannot be both welcome and excluded: %(sectors)s.", sectors=labels))

    def filled_stands(self) -> list[StandForm]:
        """The stand rows, without blank ones at the end."""
        rows = [entry.form for entry in self.stands.entries]
        while rows and rows[-1].is_blank():
            rows.pop()
        return rows

    def validate_stands(self, field):
        count = self.stand_count.data
        if count is None or self.stand_count.errors:
            return
        rows = self.filled_stands()
        if len(rows) != count or any(row.area_m2.data is None and not row.area_m2.errors for row in rows):
            raise ValidationError(_l("Give the area of each of the %(count)s stands, one line per stand.", count=count))
        total = sum(row.area_m2.data or 0 for row in rows)
        area = self.unit.floor_area_m2
        if area and total > area + 1e-9:
            raise ValidationError(
                _l(
                    "The stands add up to %(total)s m², more than the unit's floor area (%(area)s m²).",
                    total=format_decimal(round(total, 2)),
                    area=format_decimal(round(area, 2)),
                )
            )

    def stands_data(self) -> list[tuple[str, float]]:
        return [(row.label.data or "", row.area_m2.data) for row in self.filled_stands()]

    def pad_stands(self) -> None:
        """Show as many stand lines as the number of stands asks for (when re-displaying the form)."""
        want = self.stand_count.data if isinstance(self.stand_count.data, int) else 1
        want = max(1, min(MAX_STANDS, want))
        while len(self.stands.entries) < want:
            self.stands.append_entry()

    def offer_fields(self) -> dict:
        """The offer's columns as popup.offers.operations takes them."""
        return {
            "title": self.title.data,
            "available_from": self.available_from.data,
            "available_until": self.available_until.data,
            "min_term_months": self.min_term_months.data,
            "max_term_months": self.max_term_months.data,
            "rent_cents": self.rent_cents,
            "charges_cents": self.charges_cents,
            "deposit_cents": self.deposit_cents,
            "allowed_sectors": [c for c in SECTORS if c in set(self.allowed_sectors.data or [])],
            "excluded_sectors": [c for c in SECTORS if c in set(self.excluded_sectors.data or [])],
            "opening_days": sorted(set(self.opening_days.data or [])),
            "conditions": self.conditions.data or "",
        }


def offer_data(offer) -> dict:
    """The form's data from an existing offer."""
    return {
        "title": offer.title,
        "available_from": offer.available_from,
        "available_until": offer.available_until,
        "min_term_months": offer.min_term_months,
        "max_term_months": offer.max_term_months,
        "rent": euros_input(offer.rent_cents),
        "charges": euros_input(offer.charges_cents) if offer.charges_cents else "",
        "deposit": euros_input(offer.deposit_cents) if offer.deposit_cents else "",
        "stand_count": len(offer.stands) or 1,
        "stands": [{"label": s.label, "area_m2": s.area_m2} for s in offer.stands],
        "allowed_sectors": list(offer.allowed_sectors or []),
        "excluded_sectors": list(offer.excluded_sectors or []),
        "opening_days": list(offer.opening_days or []),
        "conditions": offer.conditions,
    }
