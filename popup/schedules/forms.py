"""Forms of the rotations: the rotation itself, its candidates, bookings, swaps."""

from __future__ import annotations

from babel.dates import get_day_names
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from popup.domain.vocabulary import SECTORS
from popup.form_fields import CheckboxesField, DayField, WholeNumberField, id_or_none
from popup.labels import SECTOR_LABELS
from popup.units.forms import Between, NumberField, strip

MAX_GRAINS = 366
MAX_PRIORITY = 100
MAX_HORIZON_DAYS = 3 * 366


class ChoiceField(SelectField):
    """A select whose unknown value is refused with a translated message."""

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        kwargs.setdefault("coerce", id_or_none)
        super().__init__(label, validators, **kwargs)
        self.message = message or _l("Choose from the list.")

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None

    def pre_validate(self, form):
        if self.data is None or self.data not in {value for value, _label in self.choices}:
            raise ValidationError(self.message)


class LeaseChoiceField(ChoiceField):
    """The shared lease a rotation belongs to, among the leases of the shop's unit; empty: none."""

    raw = ""

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "").strip()
        super().process_formdata(valuelist)

    def pre_validate(self, form):
        if self.data is None and not self.raw:
            return  # no lease
        if self.data not in {value for value, _label in self.choices}:
            raise ValidationError(self.message)


def _lease_field():
    return LeaseChoiceField(
        _l("Shared lease of the shop"),
        message=_l("Choose a lease of this shop's unit from the list."),
        description=_l("A lease whose rent is split by days present can follow this rotation's bookings."),
    )


def _weekdays():
    names = get_day_names("wide", locale=str(get_locale() or "fr"))
    return [(day, names[day].capitalize()) for day in range(7)]


def _sectors():
    return [(code, SECTOR_LABELS[code]) for code in SECTORS]


class Period:
    """Mixin check: the end after the start."""

    def check_end(self, start_field, end_field) -> None:
        if start_field.data and end_field.data and end_field.data <= start_field.data:
            raise ValidationError(_l("The end must come after the start."))


class RotationForm(FlaskForm, Period):
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[DataRequired(message=_l("Give the rotation a title.")), Length(max=160)],
        description=_l("For example: Grand-Place shop, spring season."),
    )
    starts_on = DayField(_l("First day"), validators=[InputRequired(message=_l("Give the first day."))])
    ends_on = DayField(
        _l("End (exclusive)"),
        validators=[InputRequired(message=_l("Give the end of the rotation."))],
        description=_l("The first day after the rotation."),
    )
    grain = ChoiceField(
        _l("Bookings count in"),
        coerce=str,
        message=_l("Choose days or weeks."),
        choices=[("week", _l("Weeks")), ("day", _l("Days"))],
    )
    opening_days = CheckboxesField(_l("Opening days"), coerce=int, message=_l("Choose days of the week from the list."))
    exclusive_sectors = CheckboxesField(
        _l("One business at a time in these sectors"),
        coerce=str,
        message=_l("Choose sectors from the list."),
        description=_l("For example: no two bakeries at once."),
    )
    lease = _lease_field()
    submit = SubmitField(_l("Save the rotation"))

    def __init__(self, *args, leases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.opening_days.choices = _weekdays()
        self.exclusive_sectors.choices = _sectors()
        self.lease.choices = [("", _l("No lease")), *leases]

    def validate_ends_on(self, field):
        self.check_end(self.starts_on, field)
        if self.starts_on.data and field.data and (field.data - self.starts_on.data).days > MAX_HORIZON_DAYS:
            raise ValidationError(_l("A rotation lasts at most three years."))
        if (
            self.grain.data == "week"
            and self.starts_on.data
            and field.data
            and (field.data - self.starts_on.data).days < 7
        ):
            raise ValidationError(_l("A rotation in weeks lasts at least one week."))

    def validate_opening_days(self, field):
        if not field.data:
            raise ValidationError(_l("Tick at least one opening day."))

    def fields(self) -> dict:
        return {
            "title": self.title.data,
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "grain": self.grain.data,
            "opening_days": sorted(set(self.opening_days.data or [])),
            "exclusive_sectors": [c for c in SECTORS if c in set(self.exclusive_sectors.data or [])],
            "lease_id": self.lease.data,
        }


class RotationLeaseForm(FlaskForm):
    lease = _lease_field()
    submit = SubmitField(_l("Save the lease"))

    def __init__(self, *args, leases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lease.choices = [("", _l("No lease")), *leases]


def _grains(label, message):
    return WholeNumberField(
        label,
        signed=True,
        message=message,
        validators=[InputRequired(message=message), Between(1, MAX_GRAINS, _l("Give a duration from 1 to 366."))],
    )


class CandidateForm(FlaskForm, Period):
    entrepreneur = ChoiceField(_l("Entrepreneur"), message=_l("Choose an entrepreneur from the list."))
    sector = ChoiceField(_l("Sector"), coerce=str, message=_l("Choose a sector from the list."))
    area_m2 = NumberField(
        _l("Area needed (m²)"),
        message=_l("Give the area in square metres, such as 12 or 12.5."),
        validators=[Optional(), Between(0, 10_000, _l("Give an area from 0 to 10000 m²."))],
    )
    min_grains = _grains(_l("Shortest stay"), _l("Give the shortest stay as a whole number."))
    max_grains = _grains(_l("Longest stay"), _l("Give the longest stay as a whole number."))
    window_start = DayField(
        _l("Available from"), validators=[InputRequired(message=_l("Give the first day available."))]
    )
    window_end = DayField(
        _l("Available until (exclusive)"),
        validators=[InputRequired(message=_l("Give the end of the availability."))],
        description=_l("The first day no longer available."),
    )
    window2_start = DayField(_l("Also available from (optional)"), validators=[Optional()])
    window2_end = DayField(_l("Until (exclusive, optional)"), validators=[Optional()])
    priority = WholeNumberField(
        _l("Priority"),
        signed=True,
        message=_l("Give the priority as a whole number from 0 to 100."),
        validators=[Optional(), Between(0, MAX_PRIORITY, _l("Give the priority as a whole number from 0 to 100."))],
        description=_l("Higher goes first: from the jury's ranking or matching."),
    )
    waitlist_position = WholeNumberField(
        _l("Position on the waitlist (optional)"),
        signed=True,
        message=_l("Give the position as a whole number from 1."),
        validators=[Optional(), Between(1, 10_000, _l("Give the position as a whole number from 1."))],
        description=_l("Leave empty if they are not on the waitlist."),
    )
    required = BooleanField(_l("Must be planned (already accepted)"))
    submit = SubmitField(_l("Add the candidate"))

    def __init__(self, *args, entrepreneurs, **kwargs):
        super().__init__(*args, **kwargs)
        self.entrepreneur.choices = entrepreneurs
        self.sector.choices = _sectors()

    def validate_max_grains(self, field):
        low = self.min_grains.data
        if field.data is not None and low is not None and not self.min_grains.errors and field.data < low:
            raise ValidationError(_l("The longest stay cannot be shorter than the shortest."))

    def validate_window_end(self, field):
        self.check_end(self.window_start, field)

    def validate_window2_end(self, field):
        if bool(self.window2_start.data) != bool(field.data):
            raise ValidationError(_l("Give both days of the second window, or neither."))
        self.check_end(self.window2_start, field)

    def fields(self) -> dict:
        windows = [[self.window_start.data.isoformat(), self.window_end.data.isoformat()]]
        if self.window2_start.data and self.window2_end.data:
            windows.append([self.window2_start.data.isoformat(), self.window2_end.data.isoformat()])
        return {
            "sector": self.sector.data,
            "area_m2": self.area_m2.data or 0.0,
            "min_grains": self.min_grains.data,
            "max_grains": self.max_grains.data,
            "windows": windows,
            "priority": self.priority.data or 0,
            "waitlist_position": self.waitlist_position.data,
            "required": bool(self.required.data),
        }


class BookingForm(FlaskForm, Period):
    """A booking made by hand, or a booking moved or resized (then without the candidate)."""

    candidate = ChoiceField(_l("Entrepreneur"), message=_l("Choose a candidate from the list."))
    stand = ChoiceField(_l("Stand"), message=_l("Choose a stand of the shop."))
    starts_on = DayField(_l("First day"), validators=[InputRequired(message=_l("Give the first day."))])
    ends_on = DayField(
        _l("End (exclusive)"),
        validators=[InputRequired(message=_l("Give the end of the booking."))],
        description=_l("The first day after the booking."),
    )
    submit = SubmitField(_l("Book"))

    def __init__(self, *args, candidates=None, stands, **kwargs):
        super().__init__(*args, **kwargs)
        self.stand.choices = stands
        if candidates is None:
            del self.candidate
        else:
            self.candidate.choices = candidates

    def validate_ends_on(self, field):
        self.check_end(self.starts_on, field)


class SwapForm(FlaskForm):
    first = ChoiceField(_l("First booking"), message=_l("Choose a booking from the list."))
    second = ChoiceField(_l("Second booking"), message=_l("Choose a booking from the list."))
    submit = SubmitField(_l("Swap the two entrepreneurs"))

    def __init__(self, *args, bookings, **kwargs):
        super().__init__(*args, **kwargs)
        self.first.choices = bookings
        self.second.choices = bookings

    def validate_second(self, field):
        if field.data is not None and field.data == self.first.data:
            raise ValidationError(_l("Choose two different bookings."))


class SwapRequestForm(FlaskForm):
    other = ChoiceField(_l("Swap with"), message=_l("Choose a booking from the list."))
    message = StringField(_l("Message to the staff (optional)"), filters=[strip], validators=[Length(max=500)])
    submit = SubmitField(_l("Ask for the swap"))

    def __init__(self, *args, bookings, **kwargs):
        super().__init__(*args, **kwargs)
        self.other.choices = bookings
