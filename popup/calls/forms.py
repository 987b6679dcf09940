"""A call for applications: its text, deadline, period, offers, jury criteria and jurors; jury scores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.form import Form
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from popup.domain.jury import MAX_SCORE, MIN_SCORE
from popup.form_fields import CheckboxesField, DayField, LocalDateTimeField, WholeNumberField, id_or_none
from popup.types import utcnow
from popup.units.forms import strip
from popup.units.queries import LOCAL_TZ

MIN_WEIGHT, MAX_WEIGHT = 1, 100
MAX_CRITERIA = 20
BLANK_CRITERIA_ROWS = 3


def local_to_utc(naive: datetime) -> datetime | None:
    """A wall-clock time in Brussels as an aware UTC datetime; None when that time does not
    exist (the hour skipped when clocks go forward). An hour that happens twice is the first."""
    local = naive.replace(tzinfo=LOCAL_TZ)
    utc = local.astimezone(UTC)
    if utc.astimezone(LOCAL_TZ).replace(tzinfo=None) != naive:
        return None
    return utc


def utc_to_local(at: datetime) -> datetime:
    return at.astimezone(LOCAL_TZ).replace(tzinfo=None)


class CriterionForm(Form):
    """One jury criterion; nested, so without a CSRF token of its own."""

    id = HiddenField(filters=[id_or_none])
    name = StringField(
        _l("Criterion"),
        filters=[strip],
        validators=[Length(max=120, message=_l("Keep the name of a criterion under 120 characters."))],
    )
    weight = WholeNumberField(_l("Weight"), message=_l("Give the weight as a whole number from 1 to 100."))

    def is_blank(self) -> bool:
        return not self.name.data and self.weight.data is None and not self.weight.errors


class CallForm(FlaskForm):
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Give the call a title.")),
            Length(max=160, message=_l("Keep the title under 160 characters.")),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip],
        validators=[Length(max=10000, message=_l("Keep the description under 10,000 characters."))],
        description=_l("Who may apply, what the programme offers, how the jury decides."),
        render_kw={"rows": 6},
    )
    deadline = LocalDateTimeField(
        _l("Deadline"),
        validators=[InputRequired(message=_l("Give the date and time of the deadline."))],
        description=_l(
            "Date and time in Brussels (Belgian time, summer or winter). Applications can be submitted until then."
        ),
    )
    starts_on = DayField(_l("First day of the programme"))
    last_day = DayField(_l("Last day of the programme"))
    offers = CheckboxesField(
        _l("Offers covered by the call"),
        message=_l("Choose among the published offers of this commune."),
        description=_l("The published pop-up offers of this commune's units."),
    )
    criteria = FieldList(FormField(CriterionForm), min_entries=1, max_entries=MAX_CRITERIA)
    jurors = CheckboxesField(
        _l("Jurors"),
        message=_l("Choose among the staff and coaches listed."),
        description=_l(
            "Commune staff and coaches invited to score the applications. The commune's staff can always score."
        ),
    )
    submit = SubmitField(_l("Save the call"))

    def __init__(self, *args, offers=(), jurors=(), call_is_open=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.offers.choices = [(o.id, f"{o.title}, {o.unit.address}") for o in offers]
        self.jurors.choices = [(u.id, f"{u.name} ({u.email})") for u in jurors]
        self.call_is_open = call_is_open
        self.deadline_at: datetime | None = None
        self.criteria_rows: list[tuple[int | None, str, int]] = []
        self.criteria_message = None  # what is wrong with the criteria as a whole

    def validate_deadline(self, field):
        if field.data is None:
            return
        at = local_to_utc(field.data)
        if at is None:
            raise ValidationError(_l("This time does not exist in Brussels (the clocks go forward): choose another."))
        if self.call_is_open and at <= utcnow():
            raise ValidationError(_l("The call is open: its deadline cannot be in the past."))
        self.deadline_at = at

    def validate_last_day(self, field):
        if field.data is not None and self.starts_on.data is not None and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day comes before the first day."))

    def validate_criteria(self, field):
        rows: list[tuple[int | None, str, int]] = []
        problems = False
        seen: set[str] = set()
        for entry in field.entries:
            sub = entry.form
            if sub.is_blank():
                continue
            if not sub.name.data:
                sub.name.errors.append(_l("Name this criterion, or clear its weight."))
                problems = True
            elif sub.name.data.casefold() in seen:
                sub.name.errors.append(_l("Two criteria have this name: give each a different one."))
                problems = True
            if sub.weight.data is None:
                if not sub.weight.errors:
                    sub.weight.errors.append(_l("Give the weight as a whole number from 1 to 100."))
                problems = True
            elif not MIN_WEIGHT <= sub.weight.data <= MAX_WEIGHT:
                sub.weight.errors.append(_l("Give the weight as a whole number from 1 to 100."))
                problems = True
            if sub.name.data:
                seen.add(sub.name.data.casefold())
                if sub.weight.data is not None and not sub.weight.errors and not sub.name.errors:
                    ident = sub.id.data if sub.id.data not in {r[0] for r in rows} else None  # an id twice: new
                    rows.append((ident, sub.name.data, sub.weight.data))
        if problems:
            self.criteria_message = _l("Correct the criteria marked.")
        elif not rows:
            self.criteria_message = _l("Give the jury at least one criterion with its weight.")
        if self.criteria_message:
            raise ValidationError(self.criteria_message)
        self.criteria_rows = rows

    def ends_on(self):
        """The period is stored half-open: the day after the last day."""
        return self.last_day.data + timedelta(days=1) if self.last_day.data else None


def score_choices():
    return [("", _l("Choose"))] + [(str(n), str(n)) for n in range(MIN_SCORE, MAX_SCORE + 1)]


def score_form(criteria, application_id: int, *, posted: bool = False, data=None) -> FlaskForm:
    """The form in which a juror scores one application: a score and a comment per criterion.

    ``posted``: read the request's form (the one being saved); the others show ``data``.
    """

    class ScoreForm(FlaskForm):
        submit = SubmitField(_l("Save my scores"))

    for criterion in criteria:
        setattr(
            ScoreForm,
            f"score_{criterion.id}",
            SelectField(
                _l("Score for %(criterion)s", criterion=criterion.name),
                choices=score_choices(),
                validate_choice=False,
            ),
        )
        setattr(
            ScoreForm,
            f"comment_{criterion.id}",
            StringField(
                _l("Comment on %(criterion)s", criterion=criterion.name),
                filters=[strip],
                validators=[Length(max=1000, message=_l("Keep the comment under 1,000 characters."))],
            ),
        )

    def validate(self, extra_validators=None):
        valid = FlaskForm.validate(self, extra_validators)
        self.scores = {}
        for criterion in criteria:
            field = self[f"score_{criterion.id}"]
            raw = (field.data or "").strip()
            if raw not in {str(n) for n in range(MIN_SCORE, MAX_SCORE + 1)}:
                field.errors = [*field.errors, _l("Give a score from 1 to 5.")]
                valid = False
                continue
            self.scores[criterion.id] = (int(raw), self[f"comment_{criterion.id}"].data or "")
        return valid

    ScoreForm.validate = validate
    if posted:
        return ScoreForm(prefix=f"a{application_id}", data=data or {})
    return ScoreForm(formdata=None, prefix=f"a{application_id}", data=data or {})
