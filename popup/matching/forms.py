"""The matching settings of a call, the pairs staff accept, reject or force, and the two sides' answers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import Length, ValidationError

from popup.domain.matching import COMPONENTS, MAX_WEIGHT, Weights
from popup.domain.vocabulary import SECTORS
from popup.form_fields import WholeNumberField, id_or_none
from popup.labels import sector_label
from popup.matching.queries import MODES, Settings
from popup.units.forms import strip

COMPONENT_LABELS = {
    "area": _l("Area fit"),
    "budget": _l("Budget fit"),
    "dates": _l("Dates in the offer's window"),
    "sector": _l("Sector accepted by the owner"),
    "local_need": _l("Local needs of the commune"),
    "diversity": _l("Diversity in the shop"),
    "core": _l("Preferred commercial core"),
    "days": _l("Opening days in common"),
    "jury": _l("Jury score"),
}
MODE_LABELS = {
    "optimal": _l("Optimal: the highest total score"),
    "stable": _l("Stable: no applicant and stand would both rather be together"),
}
BLANK_NEEDS = 3
WEIGHT_MESSAGE = _l("Give the weight as a whole number from 0 to %(max)d.", max=MAX_WEIGHT)


def component_label(name: str) -> str:
    return str(COMPONENT_LABELS.get(name, name))


class ChoiceField(SelectField):
    """A select whose unknown values get our translated message (WTForms' own is English only)."""

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        super().__init__(label, validators, validate_choice=False, **kwargs)
        self.message = message or _l("Choose among the options shown.")

    def pre_validate(self, form):
        if self.data not in {value for value, _label in self.choices}:
            raise ValidationError(self.message)


class SettingsForm(FlaskForm):
    area = WholeNumberField(COMPONENT_LABELS["area"], signed=True, message=WEIGHT_MESSAGE)
    budget = WholeNumberField(COMPONENT_LABELS["budget"], signed=True, message=WEIGHT_MESSAGE)
    dates = WholeNumberField(COMPONENT_LABELS["dates"], signed=True, message=WEIGHT_MESSAGE)
    sector = WholeNumberField(COMPONENT_LABELS["sector"], signed=True, message=WEIGHT_MESSAGE)
    local_need = WholeNumberField(COMPONENT_LABELS["local_need"], signed=True, message=WEIGHT_MESSAGE)
    diversity = WholeNumberField(COMPONENT_LABELS["diversity"], signed=True, message=WEIGHT_MESSAGE)
    core = WholeNumberField(COMPONENT_LABELS["core"], signed=True, message=WEIGHT_MESSAGE)
    days = WholeNumberField(COMPONENT_LABELS["days"], signed=True, message=WEIGHT_MESSAGE)
    jury = WholeNumberField(COMPONENT_LABELS["jury"], signed=True, message=WEIGHT_MESSAGE)
    min_score = WholeNumberField(
        _l("Minimum score (%)"),
        signed=True,
        message=_l("Give the minimum score as a whole number from 0 to 100."),
        description=_l("No pair scoring less than this is proposed."),
    )
    mode = ChoiceField(
        _l("Mode"),
        choices=[(m, MODE_LABELS[m]) for m in MODES],
        message=_l("Choose the optimal or the stable mode."),
        description=_l(
            "Stable mode ranks each side from the scores (best first, ties to the earlier application or stand)."
        ),
    )
    needs = FieldList(
        ChoiceField(_l("Local need"), message=_l("Choose a sector from the list.")),
        min_entries=1,
        max_entries=len(SECTORS),
    )
    submit = SubmitField(_l("Run the matching"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _l("(none)"))] + [(s, sector_label(s)) for s in SECTORS]
        for entry in self.needs:
            entry.choices = choices
        self.weights_message = None  # what is wrong with the weights as a whole
        self.settings: Settings | None = None
        self.chosen_needs: list[str] = []

    @classmethod
    def data_of(cls, settings: Settings, needs: tuple[str, ...]) -> dict:
        rows = list(needs) + [""] * BLANK_NEEDS
        return settings.weights.as_dict() | {
            "min_score": settings.min_score_percent,
            "mode": settings.mode,
            "needs": rows[: len(SECTORS)],
        }

    def weight_fields(self):
        return [self[name] for name in COMPONENTS]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        weights = {}
        for name in COMPONENTS:
            field = self[name]
            if field.errors:
                continue
            if field.data is None or not 0 <= field.data <= MAX_WEIGHT:
                field.errors = [*field.errors, str(WEIGHT_MESSAGE)]
                ok = False
            else:
                weights[name] = field.data
        if len(weights) == len(COMPONENTS) and not any(weights.values()):
            self.weights_message = _l(
                "Give at least one component a weight above zero: nothing can be scored otherwise."
            )
            ok = False
        score = self.min_score
        if not score.errors and (score.data is None or not 0 <= score.data <= 100):
            score.errors = [*score.errors, str(score.message)]
            ok = False
        chosen = [entry.data for entry in self.needs if entry.data]
        if len(set(chosen)) != len(chosen):
            self.needs.errors = [_l("Each sector may be listed once among the local needs.")]
            ok = False
        if ok:
            self.settings = Settings(Weights(**weights), score.data, self.mode.data)
            self.chosen_needs = chosen
        return ok


class PairForm(FlaskForm):
    """An application and a stand of the call: to propose (accept, force) or to reject."""

    application_id = HiddenField(filters=[id_or_none])
    stand_id = HiddenField(filters=[id_or_none])
    accept_rules = BooleanField(_l("I know this pair breaks a hard rule and propose it anyway"))
    submit = SubmitField(_l("Propose this pair"))

    def ids(self) -> tuple[int, int] | None:
        a, s = self.application_id.data, self.stand_id.data
        return (a, s) if isinstance(a, int) and isinstance(s, int) else None


class ReasonForm(FlaskForm):
    """A yes, or a no with an optional reason (declining, withdrawing)."""

    reason = TextAreaField(
        _l("Reason (optional)"),
        filters=[strip],
        validators=[Length(max=1000, message=_l("Keep the reason under 1,000 characters."))],
        render_kw={"rows": 2, "maxlength": 1000},
    )
    submit = SubmitField(_l("Send"))
