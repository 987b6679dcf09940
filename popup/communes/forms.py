from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from popup.domain.geometry import GeometryError, NamedPolygon, polygons_from_geojson

MAX_GEOJSON_BYTES = 2 * 1024 * 1024


def geometry_message(code: str) -> str:
    messages = {
        "not_geojson": _l("This is not GeoJSON."),
        "not_polygon": _l("The GeoJSON holds no polygon."),
        "too_few_points": _l("A polygon needs at least three distinct points."),
        "bad_position": _l("A position is not a pair of numbers (longitude, latitude)."),
        "out_of_range": _l("A position lies outside the world's longitudes and latitudes."),
        "invalid": _l("The polygon crosses itself."),
        "multipolygon": _l("Give one polygon per core, not a multi-polygon."),
        "empty": _l("The file holds no feature."),
        "outside_commune": _l("The polygon goes outside the commune."),
        "too_large": _l("The file is larger than 2 MB."),
        "empty_file": _l("The file is empty."),
        "missing": _l("Draw the polygon on the map, paste it as GeoJSON or choose a GeoJSON file."),
        "one_only": _l("The file holds several polygons: import them from the list of cores."),
    }
    return str(messages.get(code, code))


class CoreForm(FlaskForm):
    """A core's name and polygon, drawn on the map (the textarea) or from a GeoJSON file."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    geometry = TextAreaField(
        _l("Polygon (GeoJSON)"),
        validators=[Length(max=MAX_GEOJSON_BYTES)],  # no Optional(): it would skip the file check
        description=_l("Filled in when you draw on the map; you may also paste a GeoJSON polygon here."),
    )
    file = FileField(_l("Or a GeoJSON file"))
    submit = SubmitField(_l("Save the core"))

    def __init__(self, *args, require_geometry: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_geometry = require_geometry
        self.polygons: list[NamedPolygon] = []

    def validate_geometry(self, field):
        raw = (field.data or "").strip()
        upload = self.file.data
        if upload and getattr(upload, "filename", ""):
            content = upload.read(MAX_GEOJSON_BYTES + 1)
            if len(content) > MAX_GEOJSON_BYTES:
                raise ValidationError(geometry_message("too_large"))
            raw = content.decode("utf-8-sig", errors="replace")
            if not raw.strip():
                raise ValidationError(geometry_message("empty_file"))
        if not raw:
            if self.require_geometry:
                raise ValidationError(geometry_message("missing"))
            return
        try:
            self.polygons = polygons_from_geojson(json.loads(raw))
        except (json.JSONDecodeError, RecursionError):
            raise ValidationError(geometry_message("not_geojson")) from None
        except GeometryError as exc:
            raise ValidationError(geometry_message(exc.code)) from None

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not (self.name.data or "").strip() and not all(p.name for p in self.polygons):
            self.name.errors.append(_l("Give the core a name."))
            return False
        return True
