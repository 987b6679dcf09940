from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from popup.form_fields import DayField, id_or_none

MAX_NOTE = 5000


def strip(value):
    return value.strip() if isinstance(value, str) else value


class AssignForm(FlaskForm):
    """Staff assign a coach to an entrepreneur; the choices are set by the view."""

    coach = SelectField(
        _l("Coach"),
        coerce=id_or_none,
        validators=[InputRequired(message=_l("Choose a coach."))],
        validate_choice=False,
    )
    entrepreneur = SelectField(
        _l("Entrepreneur"),
        coerce=id_or_none,
        validators=[InputRequired(message=_l("Choose an entrepreneur."))],
        validate_choice=False,
        description=_l("Entrepreneurs attached to the commune or who applied to its calls or offers."),
    )
    since = DayField(
        _l("Coached from"),
        validators=[InputRequired(message=_l("Give the first day of the coaching."))],
    )
    submit = SubmitField(_l("Assign the coach"))

    def validate_coach(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose one of the coaches listed."))

    def validate_entrepreneur(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose one of the entrepreneurs listed."))


class NoteForm(FlaskForm):
    met_on = DayField(
        _l("Date of the meeting"), validators=[InputRequired(message=_l("Give the date of the meeting."))]
    )
    text = TextAreaField(
        _l("Note"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Write what was said or decided.")),
            Length(max=MAX_NOTE, message=_l("Keep the note under %(max)d characters.", max=MAX_NOTE)),
        ],
        description=_l("The entrepreneur and the commune's staff read this note."),
    )
    next_meeting_on = DayField(_l("Next meeting"), description=_l("Optional."))
    submit = SubmitField(_l("Save the note"))

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def validate_met_on(self, field):
        if field.data is not None and self.today is not None and field.data > self.today:
            raise ValidationError(_l("A note is about a meeting that took place: give today's date or an earlier one."))

    def validate_next_meeting_on(self, field):
        if field.data is not None and self.met_on.data is not None and field.data < self.met_on.data:
            raise ValidationError(_l("The next meeting comes after this one."))


class EndForm(FlaskForm):
    submit = SubmitField(_l("End the coaching"))
