"""The owner's form: the descriptive facts of a unit, never its status or approval."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from popup import geo
from popup.units.forms import UnitFactsForm, strip


def id_or_none(value):
    """Coerce a select's value to an id; anything that is not one is None (and refused by the form)."""
    if isinstance(value, int):
        return value
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


class OwnerUnitForm(UnitFactsForm):
    """A unit as its owner describes it. The commune is chosen when proposing, fixed afterwards."""

    commune = SelectField(_l("Commune"), coerce=id_or_none, validate_choice=False)
    public_description = TextAreaField(
        _l("Public description"),
        filters=[strip],
        validators=[Length(max=2000)],
        description=_l("Shown to everyone on the unit's page once the unit is approved."),
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Save the unit"))

    def __init__(self, *args, communes=(), unit=None, **kwargs):
        super().__init__(*args, communes=communes, unit=unit, **kwargs)
        if unit is None:
            self.commune.choices = [("", _l("Choose a commune"))] + [(c.id, c.name) for c in communes]
            self.submit.label.text = _l("Propose the unit")

    def validate_commune(self, field):
        if field.data not in self.communes:
            raise ValidationError(_l("Choose the commune of the unit."))

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
            **self.features(),
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
