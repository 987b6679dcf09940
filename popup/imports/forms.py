from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SubmitField
from wtforms.validators import InputRequired

from popup.domain.importing import FIELDS
from popup.domain.vocabulary import UNIT_STATUSES
from popup.imports.messages import FIELD_LABELS
from popup.labels import STATUS_LABELS

MAX_STATUS_WORDS = 50  # more distinct words: the column chosen is not a status


class UploadForm(FlaskForm):
    commune = SelectField(_l("Commune"), coerce=int, validators=[InputRequired()])
    file = FileField(
        _l("File"),
        validators=[FileRequired(message=_l("Choose a file."))],
        description=_l("CSV (separated by semicolons or commas, UTF-8) or GeoJSON, up to 20 MB."),
    )
    submit = SubmitField(_l("Upload and choose the columns"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Import"))


def column_field_name(name: str) -> str:
    return f"column_{name}"


def status_field_name(word: str) -> str:
    """A field name for a status word of the file (any text: hashed)."""
    return "status_" + hashlib.sha256(word.encode("utf-8")).hexdigest()[:16]


class MappingForm(FlaskForm):
    """One select per field listing the file's headers, one per status word; built per file."""

    default_status = SelectField(
        _l("Status of new units when the file gives none"),
        choices=[("", _l("Reject the row"))] + [(code, label) for code, label in STATUS_LABELS.items()],
        default="vacant",
    )
    all_or_nothing = BooleanField(_l("All or nothing: import nothing if any row is rejected"))
    save_mapping = BooleanField(_l("Remember these choices for this commune's next import"), default=True)
    submit = SubmitField(_l("Preview the import"))

    status_words: Sequence[str] = ()

    def columns(self) -> dict[str, str]:
        chosen = {name: self[column_field_name(name)].data for name in FIELDS}
        return {name: header for name, header in chosen.items() if header}

    def status_values(self) -> dict[str, str | None]:
        """The statuses chosen for the words shown; a word without a choice sent is left out.

        (After the status column changed, its words were never shown: the
        words we know then still count.)
        """
        values: dict[str, str | None] = {}
        for word in self.status_words:
            field = self[status_field_name(word)]
            if field.raw_data:
                values[word] = field.data or None
        return values

    def status_fields(self) -> list[tuple[str, object]]:
        return [(word, self[status_field_name(word)]) for word in self.status_words]


def mapping_form(
    headers: Sequence[str], status_words: Sequence[str], data: Mapping[str, object] | None = None
) -> MappingForm:
    """A MappingForm for this file's headers and status words; ``data`` pre-fills it (GET)."""
    column_choices = [("", _l("(not in the file)"))] + [(h, h) for h in headers]
    status_choices = [("", _l("(unknown: reject these rows)"))] + [(s, STATUS_LABELS[s]) for s in UNIT_STATUSES]
    fields: dict[str, object] = {
        column_field_name(name): SelectField(FIELD_LABELS[name], choices=column_choices, default="") for name in FIELDS
    }
    words = list(status_words)[:MAX_STATUS_WORDS]
    for word in words:
        fields[status_field_name(word)] = SelectField(word, choices=status_choices, default="")
    form_class = type("FileMappingForm", (MappingForm,), {**fields, "status_words": tuple(words)})
    return form_class(data=data) if data is not None else form_class()
