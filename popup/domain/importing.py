"""Reading files of commercial units (CSV, GeoJSON) and checking their rows.

Pure: bytes and plain values in, plain values out; no Flask, no database.
Problems are codes with parameters (``Problem``, ``RowError``); the UI words
them in the user's language.

Encoding: UTF-8, with or without BOM. A file that is not valid UTF-8 is read
as Windows-1252 (what Excel writes for "CSV (séparateur: point-virgule)" in
Belgium and France) only when every non-ASCII character it then holds is a
letter or sign of Western European text; anything else (UTF-16, DOS or Mac
encodings, binary, spreadsheets) is refused with a clear reason. Invalid
UTF-8 is a reliable test: accented text in another encoding is practically
never valid UTF-8.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from popup.domain.money import parse_euros
from popup.domain.vocabulary import UNIT_STATUSES

# Our fields, in the order the mapping page shows them.
FIELDS: Final = (
    "external_id",
    "address",
    "latitude",
    "longitude",
    "wkt",
    "status",
    "floor_area_m2",
    "asking_rent",
    "activity",
)
MAX_LENGTHS: Final = {"external_id": 80, "address": 200, "activity": 120}
MAX_AREA_M2: Final = 100_000.0
DELIMITERS: Final = (";", ",", "\t")  # ties go to the first: Belgian Excel writes ";"
GEOMETRY: Final = "geometry"  # the column name given to a GeoJSON feature's geometry

# Headers we recognise, normalised (see normalise_header), per field.
HEADER_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "external_id": (
        "external_id",
        "id",
        "ref",
        "reference",
        "referentie",
        "identifiant",
        "id_externe",
        "extern_id",
        "kenmerk",
        "code",
        "unit_id",
        "id_cellule",
        "cellule_id",
        "ref_cellule",
    ),
    "address": ("address", "adresse", "adres", "adresse_complete", "adresse_postale", "volledig_adres", "full_address"),
    "latitude": ("latitude", "lat", "breedtegraad", "breedte", "y_wgs84", "lat_wgs84"),
    "longitude": ("longitude", "lon", "lng", "long", "lengtegraad", "lengte", "x_wgs84", "lon_wgs84"),
    "wkt": ("wkt", "geom", "geometry", "geometrie", "the_geom", "geom_wkt", "wkt_geom", "point", "punt"),
    "status": ("status", "statut", "etat", "toestand", "situation", "state"),
    "floor_area_m2": (
        "floor_area_m2",
        "surface",
        "surface_m2",
        "superficie",
        "superficie_m2",
        "oppervlakte",
        "oppervlakte_m2",
        "opp",
        "area",
        "area_m2",
        "floor_area",
        "m2",
    ),
    "asking_rent": (
        "asking_rent",
        "asking_rent_eur",
        "rent",
        "rent_eur",
        "loyer",
        "loyer_eur",
        "loyer_mensuel",
        "loyer_demande",
        "huur",
        "huur_eur",
        "huurprijs",
        "maandhuur",
    ),
    "activity": ("activity", "activite", "activiteit", "activite_actuelle", "commerce", "handelszaak", "enseigne"),
}

# Status words we recognise without being told, normalised (see normalise_word).
STATUS_SYNONYMS: Final[dict[str, str]] = {
    **{code: code for code in UNIT_STATUSES},
    "under works": "under_works",
    "pop up": "popup",
    "vide": "vacant",
    "libre": "vacant",
    "inoccupe": "vacant",
    "inoccupee": "vacant",
    "disponible": "vacant",
    "a louer": "vacant",
    "leeg": "vacant",
    "leegstand": "vacant",
    "leegstaand": "vacant",
    "te huur": "vacant",
    "empty": "vacant",
    "occupe": "occupied",
    "occupee": "occupied",
    "loue": "occupied",
    "bezet": "occupied",
    "in gebruik": "occupied",
    "verhuurd": "occupied",
    "filled": "occupied",
    "let": "occupied",
    "travaux": "under_works",
    "en travaux": "under_works",
    "renovation": "under_works",
    "werken": "under_works",
    "in werken": "under_works",
    "verbouwing": "under_works",
    "works": "under_works",
    "ephemere": "popup",
    "boutique ephemere": "popup",
    "indisponible": "unavailable",
    "retire": "unavailable",
    "hors marche": "unavailable",
    "niet beschikbaar": "unavailable",
    "onbeschikbaar": "unavailable",
}

# Letters and signs of Western European text, besides ASCII: the test that a
# file which is not UTF-8 is Windows-1252 (DOS and Mac encodings map their
# accented letters onto other characters of Windows-1252, which fail it).
_WESTERN = frozenset("àâäáãåæçéèêëíìîïñóòôöõøœúùûüýÿßÀÂÄÁÃÅÆÇÉÈÊËÍÌÎÏÑÓÒÔÖÕØŒÚÙÛÜÝŸ€’‘“”«»–—…°²³µ·×\xa0")


_ACCENTED_RUN = re.compile(r"[^\x00-\x7f\W\d_]{3,}")

# -- problems ------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something wrong with a whole file or mapping: a code and its parameters."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)


class ImportFileError(ValueError):
    """The file cannot be read at all; ``problem`` says why."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(f"{code}: {params}" if params else code)
        self.problem = Problem(code, params)


@dataclass(frozen=True)
class RowError:
    """One reason to reject a row: the file's column (header) and a code."""

    column: str
    code: str
    params: Mapping[str, object] = field(default_factory=dict)


# -- tables --------------------------------------------------------------------

Cell = str | int | float | None


@dataclass(frozen=True)
class Record:
    """One data row: its line in the file and its cells by header."""

    line: int
    cells: Mapping[str, Cell]
    point: tuple[float, float] | None = None  # a GeoJSON feature's Point (lon, lat)
    errors: tuple[RowError, ...] = ()  # problems found while reading it


@dataclass(frozen=True)
class Table:
    format: str  # "csv" or "geojson"
    headers: tuple[str, ...]
    records: list[Record]
    encoding: str = "utf-8"  # "utf-8", "utf-8-sig" (with BOM) or "cp1252"
    delimiter: str | None = None

    @property
    def has_geometry(self) -> bool:
        return self.format == "geojson"


def read_table(data: bytes, filename: str = "", *, delimiter: str | None = None) -> Table:
    """Read a CSV or GeoJSON file; raises ImportFileError when it cannot be read."""
    text, encoding = decode(data)
    if filename.lower().endswith((".geojson", ".json")) or text.lstrip().startswith("{"):
        return read_geojson(text, encoding)
    return read_csv(text, encoding, delimiter=delimiter)


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the encoding it was read with (see the module docstring)."""
    if not data.strip():
        raise ImportFileError("empty_file")
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportFileError("spreadsheet")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError("utf16")
    if b"\x00" in data:
        raise ImportFileError("binary")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise ImportFileError("not_utf8", line=_line_of(data, exc.start)) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error_line = _line_of(data, exc.start)
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError("not_utf8", line=utf8_error_line) from None
    for position, char in enumerate(text):
        if ord(char) > 127 and char not in _WESTERN:
            raise ImportFileError("not_utf8", line=text.count("\n", 0, position) + 1)
    # Other Windows code pages (Cyrillic, Greek...) decode to runs of accented
    # letters; French, Dutch and German words have at most two in a row.
    run = _ACCENTED_RUN.search(text)
    if run:
        raise ImportFileError("not_utf8", line=text.count("\n", 0, run.start()) + 1)
    return text, "cp1252"


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def sniff_delimiter(header_line: str) -> str:
    """The separator of a CSV file, read from its header line (outside quotes)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # max keeps the first of equals
    return best if counts[best] else ","


def normalise_header(text: str) -> str:
    """Trimmed, lower case, without accents; runs of other characters become "_"."""
    text = unicodedata.normalize("NFKD", text.replace("\ufeff", ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def normalise_word(text: str) -> str:
    """A status word for comparison: lower case, no accents, "-" and "_" as spaces."""
    return " ".join(normalise_header(text).split("_"))


def _unique_headers(raw: Sequence[str]) -> tuple[str, ...]:
    headers: list[str] = []
    for index, name in enumerate(raw, start=1):
        label = " ".join(name.replace("\ufeff", "").split()) or f"#{index}"
        candidate, n = label, 2
        while candidate in headers:
            candidate, n = f"{label} ({n})", n + 1
        headers.append(candidate)
    return tuple(headers)


_SEP_LINE = re.compile(r"^sep=(.)\s*$", re.IGNORECASE)


def read_csv(text: str, encoding: str = "utf-8", *, delimiter: str | None = None) -> Table:
    """Read CSV text: separator sniffed, blank lines skipped, real line numbers kept.

    A record's line is the physical line where it starts (a quoted cell may
    span lines; CRLF, LF and CR all end lines). Short rows are padded; a row
    with more values than headers is kept with an error.
    """
    physical = io.StringIO(text, newline="").readlines()  # the lines csv counts
    offset = 0
    # Excel understands a first line "sep=;" and some exports write one.
    sep_line = _SEP_LINE.match(physical[0].rstrip("\r\n")) if physical else None
    if sep_line:
        delimiter = delimiter or sep_line.group(1)
        offset = 1
    if delimiter is None:
        delimiter = sniff_delimiter(next((line for line in physical[offset:] if line.strip()), ""))
    reader = csv.reader(physical[offset:], delimiter=delimiter)
    headers: tuple[str, ...] | None = None
    records: list[Record] = []
    previous_end = offset
    try:
        for row in reader:
            start, previous_end = previous_end + 1, reader.line_num + offset
            if not any(cell.strip() for cell in row):
                continue
            if headers is None:
                headers = _unique_headers(row)
                continue
            records.append(_csv_record(start, headers, row))
    except csv.Error as exc:  # a field over the size limit
        raise ImportFileError("bad_csv", line=previous_end + 1, detail=str(exc)) from None
    if headers is None:
        raise ImportFileError("empty_file")
    if records and _unclosed_quote(physical[records[-1].line - 1 :], delimiter):
        raise ImportFileError("unclosed_quote", line=records[-1].line)
    if not records:
        raise ImportFileError("no_rows")
    return Table("csv", headers, records, encoding, delimiter)


def _unclosed_quote(tail: list[str], delimiter: str) -> bool:
    """Whether the last record ran to the end of the file inside quotes.

    The lenient reader closes such a cell silently, swallowing every line
    after the quote; the strict one says so.
    """
    if len(tail) < 2:
        return False
    try:
        for _row in csv.reader(tail, delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "end of data" in str(exc)
    return False


def _csv_record(line: int, headers: tuple[str, ...], row: list[str]) -> Record:
    errors: tuple[RowError, ...] = ()
    extra = row[len(headers) :]
    if any(cell.strip() for cell in extra):
        errors = (RowError("", "too_many_values", {"values": len(row), "columns": len(headers)}),)
    cells = dict(zip(headers, row, strict=False))
    for header in headers[len(row) :]:
        cells[header] = ""
    return Record(line, cells, errors=errors)


def read_geojson(text: str, encoding: str = "utf-8") -> Table:
    """Read an RFC 7946 FeatureCollection of Points; a feature's line is its index + 1.

    Properties become the columns; the geometry is the feature's location.
    A "crs" member other than WGS84 (RFC 7946 has none) is refused.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError("bad_json", line=exc.lineno, detail=exc.msg) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ImportFileError("not_feature_collection")
    features = document.get("features")
    if not isinstance(features, list):
        raise ImportFileError("not_feature_collection")
    _check_crs(document.get("crs"))
    headers: dict[str, None] = {}
    records: list[Record] = []
    for index, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            records.append(Record(index, {}, errors=(RowError(GEOMETRY, "not_a_feature"),)))
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            properties = {}
        cells: dict[str, Cell] = {}
        for key, value in properties.items():
            name = " ".join(str(key).split()) or "#"
            headers.setdefault(name, None)
            cells[name] = _cell(value)
        point, problem = _feature_point(feature.get("geometry"))
        errors = (RowError(GEOMETRY, problem),) if problem else ()
        records.append(Record(index, cells, point=point, errors=errors))
    if not records:
        raise ImportFileError("no_rows")
    return Table("geojson", tuple(headers), records, encoding, None)


def _check_crs(crs: object) -> None:
    if crs is None:
        return
    name = ""
    if isinstance(crs, dict) and isinstance(crs.get("properties"), dict):
        name = str(crs["properties"].get("name", ""))
    if not re.search(r"(CRS84|EPSG:*4326)$", name):
        raise ImportFileError("unsupported_crs", crs=name or "?")


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    return json.dumps(value, ensure_ascii=False)


def _feature_point(geometry: object) -> tuple[tuple[float, float] | None, str | None]:
    if not isinstance(geometry, dict):
        return None, "missing_coordinates"
    if geometry.get("type") != "Point":
        return None, "not_a_point"
    coordinates = geometry.get("coordinates")
    if (
        not isinstance(coordinates, list)
        or len(coordinates) not in (2, 3)
        or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates)
    ):
        return None, "bad_point"
    lon, lat = float(coordinates[0]), float(coordinates[1])
    if not _valid_lonlat(lon, lat):
        return None, "bad_point"
    return (lon, lat), None


# -- mapping -------------------------------------------------------------------


def find_header(headers: Iterable[str], wanted: str) -> str | None:
    """The header that matches ``wanted`` exactly, else once normalised."""
    headers = list(headers)
    if wanted in headers:
        return wanted
    key = normalise_header(wanted)
    return next((h for h in headers if normalise_header(h) == key), None) if key else None


def suggest_mapping(headers: Iterable[str]) -> dict[str, str]:
    """Guess which header holds which field from usual French, Dutch and English names.

    Exact names first, earlier synonyms winning ("external_id" over "id");
    then a header whose first word is a known name ("loyer_mensuel_htva").
    """
    normalised = {h: normalise_header(h) for h in headers}
    taken: set[str] = set()
    mapping: dict[str, str] = {}
    for exact in (True, False):
        for name in FIELDS:
            if name in mapping:
                continue
            for synonym in HEADER_SYNONYMS[name]:
                header = next(
                    (
                        h
                        for h, key in normalised.items()
                        if h not in taken and (key == synonym if exact else key.split("_")[0] == synonym)
                    ),
                    None,
                )
                if header is not None:
                    mapping[name] = header
                    taken.add(header)
                    break
    return {name: mapping[name] for name in FIELDS if name in mapping}


def overlay_mapping(
    headers: Sequence[str], mapping: Mapping[str, str], overrides: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Lay ``overrides`` (field → header, matched as find_header does) over ``mapping``.

    A header an override takes leaves the field that had it. Returns the new
    mapping and the overrides whose header the file lacks (not applied).
    """
    result = dict(mapping)
    missing: dict[str, str] = {}
    for name, wanted in overrides.items():
        header = find_header(headers, wanted)
        if header is None:
            missing[name] = wanted
            continue
        result = {field: h for field, h in result.items() if h != header}
        result[name] = header
    ordered = {name: result[name] for name in FIELDS if name in result}
    ordered.update(result)  # fields we do not know last: mapping_problems names them
    return ordered, missing


def mapping_problems(table: Table, mapping: Mapping[str, str]) -> list[Problem]:
    """What is missing or wrong in a mapping before any row is read."""
    problems = [Problem("unknown_field", {"field": name}) for name in mapping if name not in FIELDS]
    problems += [
        Problem("unknown_column", {"field": name, "column": header})
        for name, header in mapping.items()
        if name in FIELDS and header not in table.headers
    ]
    if "address" not in mapping:
        problems.append(Problem("address_not_mapped"))
    has_lat, has_lon = "latitude" in mapping, "longitude" in mapping
    if has_lat != has_lon:
        problems.append(Problem("latitude_longitude_pair"))
    elif not (has_lat or "wkt" in mapping or table.has_geometry):
        problems.append(Problem("coordinates_not_mapped"))
    return problems


def status_words(table: Table, column: str | None) -> list[str]:
    """The distinct status words of a column, trimmed, in order of first appearance."""
    if not column:
        return []
    words: dict[str, None] = {}
    for record in table.records:
        word = _text(record.cells.get(column))
        if word:
            words.setdefault(word, None)
    return list(words)


def suggest_status(word: str) -> str | None:
    """Our status for a status word we know ("Leegstand" → vacant), else None."""
    return STATUS_SYNONYMS.get(normalise_word(word))


def resolve_status(word: str, status_values: Mapping[str, str | None]) -> str | None:
    """The status a word stands for: the user's value map first, then the words we know.

    A word the user mapped to nothing (None or "") stays unknown.
    """
    key = normalise_word(word)
    for given, status in status_values.items():
        if normalise_word(given) == key:
            return status if status in UNIT_STATUSES else None
    return STATUS_SYNONYMS.get(key)


# -- values --------------------------------------------------------------------

_COORDINATE = re.compile(r"^[+-]?\d{1,3}(?:[.,]\d+)?°?$")
_GROUPED = re.compile(r"^\d{1,3}(?:[ .\u202f\xa0']\d{3})+(?:,\d+)?$")  # 1.234,5  1 234,5 (Belgian)
_ENGLISH = re.compile(r"^\d{1,3}(?:,\d{3})+\.\d+$")  # 1,234.5
_PLAIN = re.compile(r"^\d+(?:[.,]\d+)?$")  # 1234,5  1234.5
_AREA_UNIT = re.compile(r"\s*(m²|m2|sqm|m)\s*$", re.IGNORECASE)
_WKT_POINT = re.compile(
    r"^\s*(?:SRID\s*=\s*(?P<srid>\d+)\s*;)?\s*POINT\s*(?:Z|M|ZM)?\s*\(\s*"
    r"(?P<x>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s+"
    r"(?P<y>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"(?:\s+[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?){0,2}\s*\)\s*$",
    re.IGNORECASE,
)
_FORMULA_ESCAPE = re.compile(r"^'(?=[=+\-@\t\r])")


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def clean_text(value: Cell) -> str:
    """A text cell: trimmed, lines joined with ", ", our own export's formula escape undone."""
    text = _text(value)
    if "\n" in text or "\r" in text:
        text = ", ".join(part.strip() for part in text.splitlines() if part.strip())
    return _FORMULA_ESCAPE.sub("", text)


def _valid_lonlat(lon: float, lat: float) -> bool:
    return math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90


def parse_coordinate(value: Cell) -> float:
    """A decimal degree, with a dot or a comma ("50,7117"); raises ValueError."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = _text(value).replace(" ", "")
        if not _COORDINATE.match(text):
            raise ValueError(f"not a coordinate: {value!r}")
        number = float(text.rstrip("°").replace(",", "."))
    if not math.isfinite(number):
        raise ValueError(f"not a coordinate: {value!r}")
    return number


def parse_number(value: Cell) -> float:
    """A number written the Belgian or the English way ("1.234,5", "85,5 m²", "85.5"); raises ValueError.

    As for amounts in euros, a dot followed by exactly three digits ("1.234")
    groups thousands.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = _AREA_UNIT.sub("", _text(value))
        sign = -1.0 if text.startswith("-") else 1.0
        text = text.lstrip("+-").strip()
        if _GROUPED.match(text):
            text = re.sub(r"[ .\u202f\xa0']", "", text).replace(",", ".")
        elif _ENGLISH.match(text):
            text = text.replace(",", "")
        elif _PLAIN.match(text):
            text = text.replace(",", ".")
        else:
            raise ValueError(f"not a number: {value!r}")
        number = sign * float(text)
    if not math.isfinite(number):
        raise ValueError(f"not a number: {value!r}")
    return number


def parse_rent_cents(value: Cell) -> int:
    """A monthly rent in euros ("850", "1.250,50 €", 850.5) in cents; raises ValueError."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError(f"not an amount: {value!r}")
        value = repr(float(value)) if isinstance(value, float) else str(value)
    return parse_euros(_text(value))


def parse_wkt_point(value: Cell) -> tuple[float, float]:
    """(lon, lat) of a WKT or EWKT point ("POINT (3.8357 50.7117)"); raises ValueError."""
    match = _WKT_POINT.match(_text(value))
    if not match:
        raise ValueError(f"not a WKT point: {value!r}")
    if match["srid"] and match["srid"] != "4326":
        raise ValueError(f"not in WGS84 (SRID {match['srid']})")
    return float(match["x"]), float(match["y"])


# -- rows ----------------------------------------------------------------------


@dataclass(frozen=True)
class UnitValues:
    """What a valid row says about a unit. None: the file gives nothing."""

    address: str
    lon: float
    lat: float
    external_id: str | None = None
    status: str | None = None
    floor_area_m2: float | None = None
    asking_rent_cents: int | None = None
    activity: str | None = None


@dataclass(frozen=True)
class RowResult:
    line: int
    values: UnitValues | None
    errors: tuple[RowError, ...] = ()
    address: str = ""  # the row's address cell, to help find a rejected row

    @property
    def ok(self) -> bool:
        return not self.errors


def check_rows(
    table: Table, mapping: Mapping[str, str], status_values: Mapping[str, str | None] | None = None
) -> list[RowResult]:
    """Every row's result (see iter_check_rows)."""
    return list(iter_check_rows(table, mapping, status_values))


def iter_check_rows(
    table: Table, mapping: Mapping[str, str], status_values: Mapping[str, str | None] | None = None
) -> Iterator[RowResult]:
    """Read every record with the mapping; a row is valid or has its reasons to be rejected.

    Checks what needs no database: missing address, bad coordinates, unknown
    status after the value map, bad area or rent, too long texts, and the
    same external id on two rows (the later one is rejected). The mapping
    must have no problems (``mapping_problems``).
    """
    status_values = status_values or {}
    status_cache: dict[str, str | None] = {}
    first_line_of_id: dict[str, int] = {}
    col = mapping.get
    for record in table.records:
        errors = list(record.errors)
        cells = record.cells

        def cell(name: str, cells=cells) -> Cell:
            header = col(name)
            return cells.get(header) if header else None

        address = clean_text(cell("address"))
        if not address:
            errors.append(RowError(col("address", ""), "missing_address"))
        elif len(address) > MAX_LENGTHS["address"]:
            errors.append(RowError(col("address", ""), "too_long", {"max": MAX_LENGTHS["address"]}))

        point = _row_point(record, mapping, cell, errors)

        external_id = clean_text(cell("external_id")) or None
        if external_id is not None:
            if len(external_id) > MAX_LENGTHS["external_id"]:
                errors.append(RowError(col("external_id", ""), "too_long", {"max": MAX_LENGTHS["external_id"]}))
            elif external_id in first_line_of_id:
                first = first_line_of_id[external_id]
                errors.append(RowError(col("external_id", ""), "duplicate_external_id", {"first_line": first}))
            else:
                first_line_of_id[external_id] = record.line

        status = None
        word = _text(cell("status"))
        if word:
            if word not in status_cache:
                status_cache[word] = resolve_status(word, status_values)
            status = status_cache[word]
            if status is None:
                errors.append(RowError(col("status", ""), "unknown_status", {"value": word}))

        area = None
        raw_area = cell("floor_area_m2")
        if _text(raw_area):
            try:
                area = parse_number(raw_area)
            except ValueError:
                errors.append(RowError(col("floor_area_m2", ""), "bad_area", {"value": _text(raw_area)}))
            else:
                if not 0 < area <= MAX_AREA_M2:
                    errors.append(RowError(col("floor_area_m2", ""), "area_out_of_range", {"max": int(MAX_AREA_M2)}))

        rent = None
        raw_rent = cell("asking_rent")
        if _text(raw_rent):
            try:
                rent = parse_rent_cents(raw_rent)
            except ValueError:
                errors.append(RowError(col("asking_rent", ""), "bad_rent", {"value": _text(raw_rent)}))

        activity = clean_text(cell("activity")) or None
        if activity is not None and len(activity) > MAX_LENGTHS["activity"]:
            errors.append(RowError(col("activity", ""), "too_long", {"max": MAX_LENGTHS["activity"]}))

        if errors or point is None:
            yield RowResult(record.line, None, tuple(errors), address[:200])
        else:
            values = UnitValues(address, point[0], point[1], external_id, status, area, rent, activity)
            yield RowResult(record.line, values, (), address)


def _row_point(record: Record, mapping: Mapping[str, str], cell, errors: list[RowError]) -> tuple[float, float] | None:
    if "wkt" in mapping:
        raw = cell("wkt")
        if not _text(raw):
            errors.append(RowError(mapping["wkt"], "missing_coordinates"))
            return None
        try:
            lon, lat = parse_wkt_point(raw)
        except ValueError:
            errors.append(RowError(mapping["wkt"], "bad_wkt", {"value": _text(raw)[:60]}))
            return None
        if not _valid_lonlat(lon, lat):
            errors.append(RowError(mapping["wkt"], "coordinates_out_of_range"))
            return None
        return lon, lat
    if "latitude" in mapping and "longitude" in mapping:
        found: dict[str, float] = {}
        for name, limit in (("latitude", 90), ("longitude", 180)):
            raw = cell(name)
            if not _text(raw):
                errors.append(RowError(mapping[name], "missing_coordinates"))
                continue
            try:
                number = parse_coordinate(raw)
            except ValueError:
                errors.append(RowError(mapping[name], "bad_coordinates", {"value": _text(raw)[:60]}))
                continue
            if not -limit <= number <= limit:
                errors.append(RowError(mapping[name], "coordinates_out_of_range"))
                continue
            found[name] = number
        if len(found) == 2:
            return found["longitude"], found["latitude"]
        return None
    if record.point is None and not any(e.column == GEOMETRY for e in record.errors):
        errors.append(RowError(GEOMETRY, "missing_coordinates"))
    return record.point
