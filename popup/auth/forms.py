from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from popup.i18n import LANGUAGE_NAMES
from popup.labels import ROLE_LABELS


def _role_labels():
    return ROLE_LABELS


def _language_choices():
    return [(code, name) for code, name in LANGUAGE_NAMES.items()]


def strip(value):
    return value.strip() if isinstance(value, str) else value


class StrongPassword:
    """At least PASSWORD_MIN_LENGTH characters, not only digits or only letters of one case."""

    def __call__(self, form, field):
        value = field.data or ""
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        if len(value) < minimum:
            raise ValidationError(_l("Use at least %(n)s characters.", n=minimum))
        if len(value) > 200:
            raise ValidationError(_l("Use at most 200 characters."))
        if value.isdigit() or len(set(value)) < 4:
            raise ValidationError(_l("This password is too easy to guess."))


class RegisterForm(FlaskForm):
    name = StringField(_l("Full name"), filters=[strip], validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("Email"), filters=[strip], validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), StrongPassword()],
        description=_l("At least 10 characters."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )
    role = SelectField(
        _l("I am"),
        choices=[("owner", _role_labels()["owner"]), ("entrepreneur", _role_labels()["entrepreneur"])],
        validators=[DataRequired()],
    )
    language = SelectField(_l("Language"), choices=_language_choices(), default="fr")
    submit = SubmitField(_l("Create my account"))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), filters=[strip], validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this device"))
    submit = SubmitField(_l("Log in"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), StrongPassword()])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Change my password"))


class RequestResetForm(FlaskForm):
    email = EmailField(
        _l("Email"), filters=[strip], validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    submit = SubmitField(_l("Send me a reset link"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), StrongPassword()])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Set my new password"))


class CreateUserForm(FlaskForm):
    name = StringField(_l("Full name"), filters=[strip], validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("Email"), filters=[strip], validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    role = SelectField(_l("Role"), choices=list(_role_labels().items()), validators=[DataRequired()])
    communes = SelectMultipleField(_l("Communes (for staff)"), coerce=int)
    language = SelectField(_l("Language"), choices=_language_choices(), default="fr")
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), StrongPassword()])
    submit = SubmitField(_l("Create the account"))
