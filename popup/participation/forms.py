"""Residents' forms: a report of an empty unit, a wish; the staff's refusal of a report."""

from __future__ import annotations

import time

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from itsdangerous import BadSignature, URLSafeTimedSerializer
from shapely.geometry import Point
from wtforms import EmailField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from popup import geo
from popup.domain.participation import MAX_WISH_TEXT
from popup.domain.vocabulary import SECTORS
from popup.labels import SECTOR_LABELS
from popup.units.forms import latitude_field, longitude_field, strip

FILL_SALT = "popup-report-form-started"
FILL_TOKEN_MAX_AGE_S = 24 * 3600  # an older form is stale: reload it


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=FILL_SALT)


def fill_token(started_at: float | None = None) -> str:
    """A signed timestamp of when the form was shown (a bot sends the form at once)."""
    return _serializer().dumps(int(started_at if started_at is not None else time.time()))


class ReportForm(FlaskForm):
    """An empty unit seen by a resident: where it is, optionally a photo and a contact email."""

    address = StringField(
        _l("Address"),
        filters=[strip],
        validators=[DataRequired(message=_l("Give the address of the empty unit.")), Length(max=200)],
        description=_l("Street and number, e.g. Rue de Grammont 8."),
    )
    latitude = latitude_field(_l("Click on the map to place the unit, or give its latitude."))
    longitude = longitude_field(_l("Click on the map to place the unit, or give its longitude."))
    description = TextAreaField(
        _l("What did you see? (optional)"),
        filters=[strip],
        validators=[Length(max=500, message=_l("Keep it under 500 characters."))],
        description=_l("For example: shutters closed since March, a “to let” sign."),
        render_kw={"rows": 3, "maxlength": 500},
    )
    photo = FileField(
        _l("Photo (optional)"),
        description=_l("JPEG, PNG or WebP, at most 5 MB. Location data (GPS) is removed from the photo."),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    email = EmailField(
        _l("Your email (optional)"),
        filters=[strip],
        validators=[
            Optional(),
            Email(message=_l("Give a valid email address, or leave it empty."), check_deliverability=False),
            Length(max=254),
        ],
        description=_l("Only to tell you if the commune cannot use your report; erased once the report is decided."),
        render_kw={"autocomplete": "email"},
    )
    # A field people do not see: bots fill every field.
    website = StringField(_l("Leave this field empty"), render_kw={"autocomplete": "off", "tabindex": "-1"})
    started = HiddenField()
    submit = SubmitField(_l("Send the report"))

    def __init__(self, *args, commune=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.commune = commune
        self.spam_reason: str | None = None

    def check_spam(self) -> str | None:
        """``honeypot``, ``too_fast``, ``stale`` or None: whether the form looks sent by a bot."""
        if (self.website.data or "").strip():
            return "honeypot"
        try:
            started = _serializer().loads(self.started.data or "", max_age=FILL_TOKEN_MAX_AGE_S)
        except BadSignature:  # SignatureExpired included
            return "stale"
        if not isinstance(started, int):
            return "stale"
        elapsed = time.time() - started
        if elapsed > FILL_TOKEN_MAX_AGE_S:
            return "stale"
        if elapsed < current_app.config["REPORT_MIN_FILL_S"]:
            return "too_fast"
        return None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        commune = self.commune
        if self.latitude.errors or self.longitude.errors or commune is None or commune.boundary is None:
            return valid
        if self.latitude.data is None or self.longitude.data is None:
            return valid
        if not geo.shape(commune.boundary).covers(Point(self.longitude.data, self.latitude.data)):
            message = _l(
                "This point lies outside the commune of %(name)s: report units of %(name)s only.", name=commune.name
            )
            self.latitude.errors.append(message)
            self.longitude.errors.append(message)
            return False
        return valid


class RejectReportForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for refusing"),
        filters=[strip],
        validators=[DataRequired(message=_l("Say why the report is refused.")), Length(max=500)],
        description=_l("Emailed to the resident if they left an address."),
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Refuse"))


def _sector_choices():
    return [("", _l("Choose a sector"))] + [(code, SECTOR_LABELS[code]) for code in SECTORS]


class WishForm(FlaskForm):
    sector = SelectField(_l("I wish this was…"), choices=_sector_choices(), validate_choice=False)
    text = TextAreaField(
        _l("In a few words (optional)"),
        filters=[strip],
        validators=[Length(max=MAX_WISH_TEXT, message=_l("Keep it under %(max)d characters.", max=MAX_WISH_TEXT))],
        description=_l("At most %(max)d characters, shown on this page.", max=MAX_WISH_TEXT),
        render_kw={"rows": 2, "maxlength": MAX_WISH_TEXT},
    )
    submit = SubmitField(_l("Send my wish"))

    def validate_sector(self, field):
        if field.data not in SECTORS:
            raise ValidationError(_l("Choose a sector from the list."))
