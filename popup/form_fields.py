"""Form fields that speak the user's language when the input cannot be read.

WTForms' own messages ("Not a valid integer value") are English only; these
fields carry our translated message instead.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from wtforms import Field, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, DateInput, DateTimeLocalInput, ListWidget, NumberInput


def id_or_none(value):
    """Coerce a posted id; anything that is not one becomes None (refused by the field)."""
    if isinstance(value, int):
        return value
    value = (value or "").strip() if isinstance(value, str) else ""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


class WholeNumberField(Field):
    """A whole number typed in a box; ``signed`` reads "-3" (then a range validator answers)."""

    widget = NumberInput(step=1)

    def __init__(self, label=None, validators=None, message=None, signed=False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message or _l("Give a whole number.")
        self.signed = signed

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = (valuelist[0] or "").strip()
        if not raw:
            self.data = None
            return
        digits = raw.lstrip("+-") if self.signed else raw
        if not (raw.isascii() and digits.isdigit() and len(raw) <= 9):
            self.data = None
            raise ValueError(self.message)
        self.data = int(raw)


class DayField(Field):
    """A date as a date input sends it (YYYY-MM-DD)."""

    widget = DateInput()

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message or _l("Give a date such as 2026-06-01.")

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if self.data else ""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = (valuelist[0] or "").strip()
        self.data = None
        if not raw:
            return
        try:
            self.data = date.fromisoformat(raw) if len(raw) == 10 else None
        except ValueError:
            self.data = None
        if self.data is None:
            raise ValueError(self.message)


class LocalDateTimeField(Field):
    """A local date and time (naive), as a datetime-local input sends it: 2026-06-01T17:00."""

    widget = DateTimeLocalInput()
    FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message or _l("Give a date and time such as 2026-06-01T17:00.")

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%Y-%m-%dT%H:%M") if self.data else ""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = (valuelist[0] or "").strip()
        self.data = None
        if not raw:
            return
        for fmt in self.FORMATS:
            try:
                self.data = datetime.strptime(raw, fmt)
                return
            except ValueError:
                continue
        raise ValueError(self.message)


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes; an unknown value is refused with the field's own message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        kwargs.setdefault("coerce", id_or_none)
        super().__init__(label, validators, **kwargs)
        self.message = message or _l("Choose among the boxes shown.")

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = []
            raise ValueError(self.message) from None

    def pre_validate(self, form):
        known = {value for value, _label in self.choices}
        if any(value not in known for value in self.data or []):
            raise ValidationError(self.message)
