"""The owner's form: the descriptive facts of a unit, never its status or approval."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from shapely.geometry import Point
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from popup import geo
from popup.domain.money import parse_euros
from popup.domain.vocabulary import UNIT_FEATURES
from popup.labels import FEATURE_LABELS
from popup.units.filters import MAX_AREA_M2
from popup.units.forms import MAX_FRONTAGE_M, Between, NumberField, strip


def id_or_none(value):
    """Coerce a select's value to an id; anything that is not one is None (and refused by the form)."""
    if isinstance(value, int):
        return value
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


class OwnerUnitForm(FlaskForm):
    """A unit as its owner describes it. The commune is chosen when proposing, fixed afterwards."""

    commune = SelectField(_l("Commune"), coerce=id_or_none, validate_choice=False)
    address = StringField(
        _l("Address"),
        filters=[strip],
        validators=[DataRequired(message=_l("Give the address of the unit.")), Length(max=200)],
        description=_l("Street, number, postcode and town, e.g. Grand-Place 12, 7860 Lessines."),
    )
    latitude = NumberField(
        _l("Latitude"),
        message=_l("Give the latitude as a number, such as 50.7117."),
        validators=[
            InputRequired(message=_l("Give the latitude, or click on the map.")),
            Between(-90, 90, _l("A latitude lies between -90 and 90.")),
        ],
    )
    longitude = NumberField(
        _l("Longitude"),
        message=_l("Give the longitude as a number, such as 3.8357."),
        validators=[
            InputRequired(message=_l("Give the longitude, or click on the map.")),
            Between(-180, 180, _l("A longitude lies between -180 and 180.")),
        ],
    )
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
    has_water = BooleanField(FEATURE_LABELS["has_water"])
    has_kitchen = BooleanField(FEATURE_LABELS["has_kitchen"])
    step_free_access = BooleanField(FEATURE_LABELS["step_free_access"])
    has_shop_window = BooleanField(FEATURE_LABELS["has_shop_window"])
    public_description = TextAreaField(
        _l("Public description"),
        filters=[strip],
        validators=[Length(max=2000)],
        description=_l("Shown to everyone on the unit's page once the unit is approved."),
        render_kw={"rows": 4},
    )
    asking_rent = StringField(
        _l("Asking rent (euros per month)"),
        filters=[strip],
        validators=[Length(max=40)],
        description=_l("For example 850, 850,50 or 1.250. Leave empty if unknown."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    submit = SubmitField(_l("Save the unit"))

    def __init__(self, *args, communes=(), unit=None, **kwargs):
        """``communes``: those to choose from when proposing; ``unit``: the unit edited (its commune is fixed)."""
        super().__init__(*args, **kwargs)
        self.communes = {c.id: c for c in communes}
        self.fixed_commune = unit.commune if unit is not None else None
        self.asking_rent_cents = None
        if unit is not None:
            del self.commune
        else:
            self.commune.choices = [("", _l("Choose a commune"))] + [(c.id, c.name) for c in communes]
            self.submit.label.text = _l("Propose the unit")

    def validate_commune(self, field):
        if field.data not in self.communes:
            raise ValidationError(_l("Choose the commune of the unit."))

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
        if not geo.shape(commune.boundary).covers(Point(self.longitude.data, self.latitude.data)):
            message = _l("This point lies outside the commune of %(name)s.", name=commune.name)
            self.latitude.errors.append(message)
            self.longitude.errors.append(message)
            return False
        return valid

    def facts(self) -> dict:
        """The unit's fields as popup.units.operations takes them."""
        return {
            "address": self.address.data,
            "location": geo.point(self.longitude.data, self.latitude.data),
            "floor_area_m2": self.floor_area_m2.data,
            "frontage_m": self.frontage_m.data,
            "ground_floor": bool(self.ground_floor.data),
            "asking_rent_cents": self.asking_rent_cents,
            "public_description": self.public_description.data or "",
            **{code: bool(self[code].data) for code in UNIT_FEATURES},
        }


class RejectForm(FlaskForm):
    """Why staff refuse a proposed unit; the owner reads it."""

    reason = TextAreaField(
        _l("Reason for refusing"),
        filters=[strip],
        validators=[DataRequired(message=_l("Say why the unit is refused: the owner will read it.")), Length(max=500)],
        description=_l("Sent to the owner."),
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Refuse"))
