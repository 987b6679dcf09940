"""The photo upload form: a file (judged by its content, not its name) and its text alternative."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from popup.units.forms import strip

ALT_TEXT = {
    "filters": [strip],
    "validators": [
        DataRequired(message=_l("Describe the photo in a few words for people who cannot see it.")),
        Length(max=300, message=_l("Keep the description under 300 characters.")),
    ],
}


class PhotoForm(FlaskForm):
    photo = FileField(
        _l("Photo"),
        validators=[FileRequired(message=_l("Choose a photo to send."))],
        description=_l("JPEG, PNG or WebP, at most 5 MB. Location data (GPS) is removed from the photo."),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    alt_text = StringField(
        _l("Description of the photo"),
        description=_l("For people who cannot see it, e.g. “Shop window seen from the street”."),
        **ALT_TEXT,
    )
    submit = SubmitField(_l("Add the photo"))


class AltTextForm(FlaskForm):
    alt_text = StringField(_l("Description of the photo"), **ALT_TEXT)
    submit = SubmitField(_l("Save the description"))
