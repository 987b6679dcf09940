"""Applying, editing a draft, and moving an application along its workflow."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from popup.units.forms import strip

MAX_MOTIVATION = 5000
MAX_REASON = 1000

# What each button says: the step, not the status it leads to.
ACTION_LABELS = {
    "submitted": _l("Submit the application"),
    "under_review": _l("Start the review"),
    "shortlisted": _l("Shortlist"),
    "accepted": _l("Accept"),
    "rejected": _l("Reject"),
    "withdrawn": _l("Withdraw the application"),
}


def _motivation():
    return TextAreaField(
        _l("Your motivation"),
        filters=[strip],
        validators=[Length(max=MAX_MOTIVATION, message=_l("Keep the motivation under 5,000 characters."))],
        description=_l("Why this place, why now, and what you expect from the test."),
        render_kw={"rows": 8},
    )


class ApplyForm(FlaskForm):
    motivation = _motivation()
    save_draft = SubmitField(_l("Save as a draft"))
    submit_now = SubmitField(_l("Submit now"))


class DraftForm(FlaskForm):
    motivation = _motivation()
    save = SubmitField(_l("Save the draft"))


class TransitionForm(FlaskForm):
    status = StringField(validators=[Length(max=20)])
    reason = TextAreaField(
        _l("Reason"),
        filters=[strip],
        validators=[Length(max=MAX_REASON, message=_l("Keep the reason under 1,000 characters."))],
        description=_l(
            "Kept in the history with your name and the date. Required for a rejection: the applicant reads it."
        ),
        render_kw={"rows": 3},
    )
