"""The words for the import's problem codes (popup.domain.importing speaks in codes)."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

FIELD_LABELS = {
    "external_id": _l("External id"),
    "address": _l("Address"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
    "wkt": _l("WKT point (instead of latitude and longitude)"),
    "status": _l("Status"),
    "floor_area_m2": _l("Floor area (m²)"),
    "asking_rent": _l("Asking rent (euros per month)"),
    "activity": _l("Activity"),
}

ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": _l("UTF-8 with BOM"),
    "cp1252": _l("Windows-1252 (not UTF-8): check the accented letters in the preview"),
}

_MESSAGES = {
    # reading the file
    "empty_file": _l("The file is empty."),
    "no_rows": _l("The file has no data rows."),
    "spreadsheet": _l('This is a spreadsheet, not a CSV file: save it as "CSV UTF-8" first.'),
    "utf16": _l('The file is in UTF-16 ("Unicode text"): save it as "CSV UTF-8".'),
    "binary": _l("This is not a text file."),
    "not_utf8": _l('The file is neither UTF-8 nor Windows-1252 text (line %(line)s): save it as "CSV UTF-8".'),
    "bad_csv": _l("Line %(line)s cannot be read: %(detail)s."),
    "unclosed_quote": _l("The quote opened on line %(line)s is never closed."),
    "bad_json": _l("This is not valid JSON (line %(line)s: %(detail)s)."),
    "not_feature_collection": _l("A GeoJSON file must hold a FeatureCollection."),
    "unsupported_crs": _l(
        "The coordinates are in %(crs)s; GeoJSON (RFC 7946) uses WGS84 longitudes and latitudes: reproject the file."
    ),
    # the mapping
    "unknown_field": _l("Unknown field %(field)s."),
    "unknown_column": _l("The file has no column %(column)s (chosen for %(field)s)."),
    "address_not_mapped": _l("Choose the column that holds the address."),
    "latitude_longitude_pair": _l("Choose both the latitude and the longitude columns."),
    "coordinates_not_mapped": _l("Choose the latitude and longitude columns, or a WKT column."),
    # rows
    "missing_address": _l("The address is missing."),
    "too_long": _l("Too long: at most %(max)s characters."),
    "missing_coordinates": _l("The coordinates are missing."),
    "bad_coordinates": _l("Bad coordinates: %(value)s is not a number of decimal degrees."),
    "coordinates_out_of_range": _l(
        "Bad coordinates: latitudes lie between -90 and 90, longitudes between -180 and 180."
    ),
    "bad_wkt": _l("Bad coordinates: %(value)s is not a WKT point such as POINT (3.8357 50.7117)."),
    "bad_point": _l("Bad coordinates: the point needs a longitude and a latitude in decimal degrees."),
    "not_a_point": _l("The geometry is not a Point."),
    "not_a_feature": _l("This element is not a GeoJSON Feature."),
    "outside_commune": _l("The coordinates lie outside %(commune)s (latitude and longitude swapped?)."),
    "unknown_status": _l("Unknown status %(value)s: choose which of our statuses it means."),
    "missing_status": _l("No status is given for this new unit."),
    "duplicate_external_id": _l("Duplicate external id: already on line %(first_line)s."),
    "archived_unit": _l("The unit with this external id is archived."),
    "bad_area": _l("Bad area: %(value)s is not a number of square metres."),
    "area_out_of_range": _l("The area must be above 0 and at most %(max)s m²."),
    "bad_rent": _l("Bad rent: %(value)s is not an amount in euros."),
    "too_many_values": _l(
        "%(values)s values for %(columns)s columns: put quotes around values that contain the separator."
    ),
}


def describe(code: str, params: Mapping[str, object] | None = None) -> str:
    """The problem in the user's language."""
    message = _MESSAGES.get(code)
    if message is None:
        return code
    params = {k: (f'"{v}"' if k in ("value", "column", "crs") else v) for k, v in (params or {}).items()}
    if "field" in params:
        params["field"] = str(FIELD_LABELS.get(str(params["field"]), params["field"]))
    try:
        return str(message) % params if params else str(message)
    except (KeyError, TypeError, ValueError):
        return str(message)


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def encoding_label(encoding: str) -> str:
    return str(ENCODING_LABELS.get(encoding, encoding))
