"""Forms of the staff inventory: a unit's facts, and a status change on many units."""

from __future__ import annotations

import math

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from shapely.geometry import Point
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import NumberInput

from popup import geo
from popup.domain.money import parse_euros
from popup.domain.vocabulary import SECTORS, UNIT_FEATURES
from popup.labels import FEATURE_LABELS, SECTOR_LABELS, STATUS_LABELS
from popup.units.filters import MAX_AREA_M2

MAX_FRONTAGE_M = 500
MAX_BULK_UNITS = 1000
WITHDRAWN = "unavailable"  # leaving the commercial stock always needs a reason


def strip(value):
    return value.strip() if isinstance(value, str) else value


def optional_int(value):
    """Coerce a select's value: "" (nothing chosen) is None."""
    if value is None or value == "":
        return None
    return int(value)


class NumberField(FloatField):
    """A number typed with a decimal dot or comma; refuses NaN and infinities."""

    widget = NumberInput(step="any")

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message or _l("Give a number.")

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = (valuelist[0] or "").strip().replace(",", ".")
        if not raw:
            self.data = None
            return
        try:
            value = float(raw)
        except ValueError:
            self.data = None
            raise ValueError(self.message) from None
        if not math.isfinite(value):
            self.data = None
            raise ValueError(self.message)
        self.data = value


class Between:
    """``low <= value <= high`` (or ``low < value`` when ``strict_low``); None is left to other validators."""

    def __init__(self, low: float, high: float, message, *, strict_low: bool = False) -> None:
        self.low, self.high, self.message, self.strict_low = low, high, message, strict_low

    def __call__(self, form, field):
        value = field.data
        if value is None:
            return
        too_low = value <= self.low if self.strict_low else value < self.low
        if too_low or value > self.high:
            raise ValidationError(self.message)


def _status_choices():
    return list(STATUS_LABELS.items())


def latitude_field(missing: str) -> NumberField:
    """A WGS84 latitude typed or set by a map picker; ``missing`` says what to do when empty."""
    return NumberField(
        _l("Latitude"),
        message=_l("Give the latitude as a number, such as 50.7117."),
        validators=[InputRequired(message=missing), Between(-90, 90, _l("A latitude lies between -90 and 90."))],
    )


def longitude_field(missing: str) -> NumberField:
    """A WGS84 longitude typed or set by a map picker; ``missing`` says what to do when empty."""
    return NumberField(
        _l("Longitude"),
        message=_l("Give the longitude as a number, such as 3.8357."),
        validators=[InputRequired(message=missing), Between(-180, 180, _l("A longitude lies between -180 and 180."))],
    )


class UnitFactsForm(FlaskForm):
    """The facts of a unit that staff and owners both enter; the point must lie in the unit's commune.

    Subclasses declare ``commune`` (its choices differ) and ``public_description``
    (its help differs), and what else their users may set.
    """

    address = StringField(
        _l("Address"),
        filters=[strip],
        validators=[DataRequired(message=_l("Give the address of the unit.")), Length(max=200)],
        description=_l("Street, number, postcode and town, e.g. Grand-Place 12, 7860 Lessines."),
    )
    latitude = latitude_field(_l("Give the latitude, or click on the map."))
    longitude = longitude_field(_l("Give the longitude, or click on the map."))
    floor_area_m2 = NumberField(
        _l("Floor area (m²)"),
        message=_l("Give the floor area in square metres, such as 85 or 85.5."),
        validators=[
            Optional(),
            Between(
                0,
                MAX_AREA_M2,
                _l("Give a floor area above 0 and at most %(max)s m².", max=MAX_AREA_M2),
                strict_low=True,
            ),
        ],
    )
    frontage_m = NumberField(
        _l("Frontage (m)"),
        message=_l("Give the frontage in metres, such as 6.5."),
        validators=[
            Optional(),
            Between(
                0,
                MAX_FRONTAGE_M,
                _l("Give a frontage above 0 and at most %(max)s m.", max=MAX_FRONTAGE_M),
                strict_low=True,
            ),
        ],
    )
    ground_floor = BooleanField(_l("On the ground floor"), default=True)
    asking_rent = StringField(
        _l("Asking rent (euros per month)"),
        filters=[strip],
        validators=[Length(max=40)],
        description=_l("For example 850, 850,50 or 1.250. Leave empty if unknown."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    has_water = BooleanField(FEATURE_LABELS["has_water"])
    has_kitchen = BooleanField(FEATURE_LABELS["has_kitchen"])
    step_free_access = BooleanField(FEATURE_LABELS["step_free_access"])
    has_shop_window = BooleanField(FEATURE_LABELS["has_shop_window"])

    def __init__(self, *args, communes=(), unit=None, **kwargs):
        """``communes``: those the user may choose; ``unit``: the unit being edited (its commune is fixed)."""
        super().__init__(*args, **kwargs)
        self.communes = {c.id: c for c in communes}
        self.fixed_commune = unit.commune if unit is not None else None
        self.asking_rent_cents = None
        if unit is not None:
            del self.commune  # a unit does not move to another commune

    def validate_asking_rent(self, field):
        self.asking_rent_cents = None
        if not field.data:
            return
        try:
            cents = parse_euros(field.data, allow_negative=True)
        except ValueError:
            raise ValidationError(_l("Give an amount in euros, such as 850, 850,50 or 1.250.")) from None
        if cents < 0:
            raise ValidationError(_l("The rent cannot be negative."))
        self.asking_rent_cents = cents

    def chosen_commune(self):
        if self.fixed_commune is not None:
            return self.fixed_commune
        return self.communes.get(self.commune.data)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        commune = self.chosen_commune()
        if self.latitude.errors or self.longitude.errors or commune is None or commune.boundary is None:
            return valid
        if self.latitude.data is None or self.longitude.data is None:
            return valid
        point = Point(self.longitude.data, self.latitude.data)
        if not geo.shape(commune.boundary).covers(point):
            message = _l("This point lies outside the commune of %(name)s.", name=commune.name)
            self.latitude.errors.append(message)
            self.longitude.errors.append(message)
            return False
        return valid

    def features(self) -> dict[str, bool]:
        return {code: bool(self[code].data) for code in UNIT_FEATURES}


class UnitForm(UnitFactsForm):
    """A unit's facts. The view sets the choices, the communes and, on edit, the current status."""

    commune = SelectField(_l("Commune"), coerce=optional_int)
    status = SelectField(_l("Status"), choices=_status_choices(), default="vacant")
    reason = StringField(
        _l("Reason for the status change"),
        filters=[strip],
        validators=[Length(max=500)],
        description=_l("Kept in the unit's history with your name and the date. Required when the unit is withdrawn."),
    )
    owner = SelectField(_l("Owner"), coerce=optional_int)
    public_description = TextAreaField(
        _l("Public description"),
        filters=[strip],
        validators=[Length(max=2000)],
        description=_l("Shown to everyone on the unit's page."),
        render_kw={"rows": 4},
    )
    activity = StringField(
        _l("Activity"),
        filters=[strip],
        validators=[Length(max=120)],
        description=_l("Current or last activity, e.g. bakery."),
    )
    sector = SelectField(
        _l("Sector of the activity"),
        validate_choice=False,
        description=_l("Residents' wishes are compared with the sectors of occupied units and pop-up shops."),
    )
    external_id = StringField(
        _l("External reference"),
        filters=[strip],
        validators=[Length(max=80)],
        description=_l("The commune's own reference for this unit, if any."),
    )
    submit = SubmitField(_l("Save the unit"))

    def __init__(self, *args, communes=(), owners=(), unit=None, **kwargs):
        super().__init__(*args, communes=communes, unit=unit, **kwargs)
        self.current_status = unit.status if unit is not None else None
        if unit is None:
            self.commune.choices = [(c.id, c.name) for c in communes]
        self.sector.choices = [("", _l("Not recorded"))] + [(code, SECTOR_LABELS[code]) for code in SECTORS]
        self.owner.choices = [("", _l("No owner recorded"))] + [(u.id, f"{u.name} ({u.email})") for u in owners]

    def validate_sector(self, field):
        if field.data and field.data not in SECTORS:
            raise ValidationError(_l("Choose a sector from the list."))

    def validate_reason(self, field):
        moving_out = self.status.data == WITHDRAWN and self.current_status != WITHDRAWN
        if moving_out and not field.data:
            raise ValidationError(_l("Say why the unit is withdrawn from the market."))


class BulkStatusForm(FlaskForm):
    """A new status, with its reason, for the units ticked in the inventory."""

    unit_ids = SelectMultipleField(
        _l("Units"),
        coerce=int,
        validate_choice=False,
        validators=[DataRequired(message=_l("Select at least one unit in the list."))],
    )
    status = SelectField(_l("New status"), choices=_status_choices(), id="bulk-status")
    reason = StringField(
        _l("Reason"),
        filters=[strip],
        validators=[Length(max=500)],
        id="bulk-reason",
        description=_l("Kept in each unit's history. Required when withdrawing units from the market."),
    )
    next = HiddenField()
    submit = SubmitField(_l("Change the status of the selected units"), id="bulk-submit")

    def validate_unit_ids(self, field):
        if len(field.data or []) > MAX_BULK_UNITS:
            raise ValidationError(_l("Select at most %(max)s units at a time.", max=MAX_BULK_UNITS))

    def validate_reason(self, field):
        if self.status.data == WITHDRAWN and not field.data:
            raise ValidationError(_l("Say why the units are withdrawn from the market."))
