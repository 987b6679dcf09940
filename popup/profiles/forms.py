"""The entrepreneur's profile: private facts for the commune and the jury, a public vitrine."""

from __future__ import annotations

from urllib.parse import urlsplit

from babel.dates import get_day_names
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from popup.domain.money import parse_euros
from popup.domain.vocabulary import SECTORS
from popup.form_fields import CheckboxesField, DayField, WholeNumberField
from popup.labels import SECTOR_LABELS
from popup.units.filters import MAX_AREA_M2
from popup.units.forms import Between, NumberField, strip

MIN_TEST_MONTHS, MAX_TEST_MONTHS = 1, 12
MAX_LINKS = 5
MAX_LINK_LENGTH = 300
WEEKDAYS = tuple(range(7))  # 0 = Monday, as date.weekday()


def weekday_names() -> dict[int, str]:
    """Monday (0) to Sunday (6) in the user's language (CLDR names: nothing to translate)."""
    return dict(get_day_names("wide", locale=str(get_locale() or "fr")))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def is_web_link(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in url)


class ProfileForm(FlaskForm):
    # -- private ------------------------------------------------------------
    business_name = StringField(
        _l("Business name"),
        filters=[strip],
        validators=[Length(max=160, message=_l("Keep the business name under 160 characters."))],
    )
    concept = TextAreaField(
        _l("Your concept"),
        filters=[strip],
        validators=[Length(max=5000, message=_l("Keep the concept under 5,000 characters."))],
        description=_l("What you sell or do, for whom, and what makes it different."),
        render_kw={"rows": 5},
    )
    sector = SelectField(_l("Sector"), validate_choice=False)
    area_min_m2 = NumberField(
        _l("Smallest area you need (m²)"),
        message=_l("Give an area in square metres, such as 12 or 12.5."),
        validators=[
            Optional(),
            Between(
                0, MAX_AREA_M2, _l("Give an area above 0 and at most %(max)s m².", max=MAX_AREA_M2), strict_low=True
            ),
        ],
    )
    area_max_m2 = NumberField(
        _l("Largest area you need (m²)"),
        message=_l("Give an area in square metres, such as 12 or 12.5."),
        validators=[
            Optional(),
            Between(
                0, MAX_AREA_M2, _l("Give an area above 0 and at most %(max)s m².", max=MAX_AREA_M2), strict_low=True
            ),
        ],
    )
    budget = StringField(
        _l("Monthly budget for the premises (euros)"),
        filters=[strip],
        validators=[Length(max=40)],
        description=_l("For example 450, 450,50 or 1.200."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    wanted_start_on = DayField(_l("When you would like to start"))
    test_months = WholeNumberField(
        _l("Test duration (months)"),
        message=_l("Give the test duration in whole months, from 1 to 12."),
        description=_l("Usually 1 to 6 months; at most 12."),
        render_kw={"min": MIN_TEST_MONTHS, "max": MAX_TEST_MONTHS},
    )
    preferred_cores = CheckboxesField(
        _l("Preferred commercial cores"), message=_l("Choose among the commercial cores shown.")
    )
    opening_days = CheckboxesField(_l("Days you can open"), message=_l("Choose among the days of the week."))

    # -- public vitrine ------------------------------------------------------------
    public_name = StringField(
        _l("Public name"),
        filters=[strip],
        validators=[Length(max=160, message=_l("Keep the public name under 160 characters."))],
        description=_l("Your vitrine is public only when this name is filled in."),
    )
    public_description = TextAreaField(
        _l("Public description"),
        filters=[strip],
        validators=[Length(max=2000, message=_l("Keep the public description under 2,000 characters."))],
        render_kw={"rows": 4},
    )
    links = TextAreaField(
        _l("Links"),
        validators=[Length(max=MAX_LINKS * (MAX_LINK_LENGTH + 2))],
        description=_l("Your website or social pages: one address per line, starting with https://, at most 5."),
        render_kw={"rows": 3},
    )
    photo = FileField(
        _l("Vitrine photo"),
        description=_l("JPEG, PNG or WebP, at most 5 MB. Its location data (EXIF) is removed."),
    )
    photo_alt = StringField(
        _l("What the photo shows"),
        filters=[strip],
        validators=[Length(max=300, message=_l("Keep the description of the photo under 300 characters."))],
        description=_l("Read aloud to people who cannot see the photo."),
    )
    remove_photo = BooleanField(_l("Remove the current photo"))
    submit = SubmitField(_l("Save my profile"))

    def __init__(self, *args, cores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.budget_cents: int | None = None
        self.sector.choices = [("", _l("Choose a sector"))] + [(code, SECTOR_LABELS[code]) for code in SECTORS]
        self.preferred_cores.choices = [(core.id, core.name) for core in cores]
        days = weekday_names()
        self.opening_days.choices = [(day, days[day]) for day in WEEKDAYS]

    def validate_sector(self, field):
        if field.data and field.data not in SECTORS:
            raise ValidationError(_l("Choose a sector from the list."))

    def validate_area_max_m2(self, field):
        low = self.area_min_m2.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError(_l("The largest area is smaller than the smallest."))

    def validate_budget(self, field):
        self.budget_cents = None
        if not field.data:
            return
        try:
            self.budget_cents = parse_euros(field.data)
        except ValueError:
            raise ValidationError(_l("Give an amount in euros, such as 450, 450,50 or 1.200.")) from None

    def validate_test_months(self, field):
        if field.data is not None and not MIN_TEST_MONTHS <= field.data <= MAX_TEST_MONTHS:
            raise ValidationError(_l("Give the test duration in whole months, from 1 to 12."))

    def validate_links(self, field):
        links = _lines(field.data)
        if len(links) > MAX_LINKS:
            raise ValidationError(_l("Give at most 5 links."))
        for link in links:
            if len(link) > MAX_LINK_LENGTH or not is_web_link(link):
                raise ValidationError(
                    _l("Each link must be a web address starting with http:// or https://: %(link)s", link=link[:80])
                )

    def link_list(self) -> list[str]:
        return _lines(self.links.data)


class DocumentForm(FlaskForm):
    file = FileField(
        _l("Business plan (PDF)"),
        validators=[FileRequired(message=_l("Choose a PDF file."))],
        description=_l("A PDF of at most 10 MB. It replaces the business plan you uploaded before."),
    )
    submit = SubmitField(_l("Upload the business plan"))


PDF_MESSAGES = {
    "empty": _l("The file is empty."),
    "too_large": _l("The file is larger than 10 MB."),
    "not_pdf": _l("This file is not a PDF, whatever its name says."),
    "broken": _l("This PDF is damaged or incomplete: export it again and retry."),
}
IMAGE_MESSAGES = {
    "empty": _l("The file is empty."),
    "too_large": _l("The photo is larger than 5 MB."),
    "not_image": _l("This file is not an image."),
    "format": _l("Send a JPEG, PNG or WebP photo."),
    "broken": _l("This image is damaged or incomplete."),
    "bomb": _l("This image has too many pixels."),
}
