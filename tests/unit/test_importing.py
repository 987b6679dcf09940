"""Reading unit files and checking their rows, and writing exports: no app, no database."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date
from pathlib import Path

import geojson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from popup.domain import exporting, importing
from popup.domain.importing import (
    ImportFileError,
    RowError,
    check_rows,
    decode,
    find_header,
    mapping_problems,
    normalise_header,
    parse_coordinate,
    parse_number,
    parse_rent_cents,
    parse_wkt_point,
    read_csv,
    read_geojson,
    read_table,
    resolve_status,
    sniff_delimiter,
    status_words,
    suggest_mapping,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "imports"
STATUS_VALUES = {"VACANT": "vacant", "FILLED": "occupied"}


def _errors(results) -> dict[int, list[tuple[str, str]]]:
    return {r.line: [(e.column, e.code) for e in r.errors] for r in results if r.errors}


def _problem(call) -> str:
    with pytest.raises(ImportFileError) as info:
        call()
    return info.value.problem.code


# -- decoding ------------------------------------------------------------------


def test_utf8_with_and_without_bom():
    assert decode(b"Adresse;Ville\r\n") == ("Adresse;Ville\r\n", "utf-8")
    assert decode("\ufeffAdresse;Activité\r\n".encode()) == ("Adresse;Activité\r\n", "utf-8-sig")


def test_windows_1252_from_excel_is_read():
    text = "Adresse;Activité\r\nRue de la Barrière 3;Crêperie à emporter, 12 €\r\n"
    assert decode(text.encode("cp1252")) == (text, "cp1252")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"  \r\n\r\n", "empty_file"),
        ("Adresse;Ville\n".encode("utf-16"), "utf16"),
        (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "spreadsheet"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        # DOS (cp850) and Mac encodings are not Windows-1252: refused, not garbled.
        ("Rue de la Barrière;Crêperie\n".encode("cp850"), "not_utf8"),
        ("Rue de la Barrière;Crêperie\n".encode("mac_roman"), "not_utf8"),
        ("Улица;Магазин\n".encode("cp1251"), "not_utf8"),
        (b"\xef\xbb\xbfAdresse\n\xff\xfe", "not_utf8"),  # a BOM, then not UTF-8
    ],
)
def test_unreadable_files_are_refused_with_a_reason(data, code):
    assert _problem(lambda: decode(data)) == code


def test_the_error_gives_the_line_of_the_bad_bytes():
    data = b"a;b\n1;2\n" + "Barrière;Crêperie\n".encode("cp850")
    with pytest.raises(ImportFileError) as info:
        decode(data)
    assert info.value.problem.params["line"] == 3


# -- headers and separators ----------------------------------------------------


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("Adresse;LAT;Lng", ";"),
        ("address,lat,lon", ","),
        ("address\tlat\tlon", "\t"),
        ('"Adresse, rue";LAT;Lng', ";"),  # a comma inside quotes does not count
        ('"a;b",c,d', ","),
        ("a;b,c", ";"),  # a tie goes to ";" (Belgian Excel)
        ("address", ","),
    ],
)
def test_sniff_delimiter(line, delimiter):
    assert sniff_delimiter(line) == delimiter


@pytest.mark.parametrize(
    ("header", "normalised"),
    [
        (" Adresse ", "adresse"),
        ("LAT", "lat"),
        ("Activité", "activite"),
        ("Surface (m²)", "surface_m2"),
        ("\ufeffRéf.", "ref"),
        ("Loyer  mensuel (€)", "loyer_mensuel"),
        ("OPPERVLAKTE", "oppervlakte"),
    ],
)
def test_normalise_header(header, normalised):
    assert normalise_header(header) == normalised


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            [" Adresse ", "LAT", "Lng", "Statut", "Surface (m²)", "Loyer", "Réf.", "Activité"],
            {
                "external_id": "Réf.",
                "address": " Adresse ",
                "latitude": "LAT",
                "longitude": "Lng",
                "status": "Statut",
                "floor_area_m2": "Surface (m²)",
                "asking_rent": "Loyer",
                "activity": "Activité",
            },
        ),
        (
            ["Adres", "Breedtegraad", "Lengtegraad", "Toestand", "Oppervlakte", "Huurprijs", "Kenmerk", "Activiteit"],
            {
                "external_id": "Kenmerk",
                "address": "Adres",
                "latitude": "Breedtegraad",
                "longitude": "Lengtegraad",
                "status": "Toestand",
                "floor_area_m2": "Oppervlakte",
                "asking_rent": "Huurprijs",
                "activity": "Activiteit",
            },
        ),
        (
            ["id", "Address", "WKT", "Status", "Area", "Rent"],
            {
                "external_id": "id",
                "address": "Address",
                "wkt": "WKT",
                "status": "Status",
                "floor_area_m2": "Area",
                "asking_rent": "Rent",
            },
        ),
        (
            list(exporting.CSV_COLUMNS),  # our own export: external_id wins over our database id
            {
                "external_id": "external_id",
                "address": "address",
                "latitude": "latitude",
                "longitude": "longitude",
                "status": "status",
                "floor_area_m2": "floor_area_m2",
                "asking_rent": "asking_rent_eur",
                "activity": "activity",
            },
        ),
        (["loyer_mensuel_htva", "geom"], {"wkt": "geom", "asking_rent": "loyer_mensuel_htva"}),
        (["Name", "Town"], {}),
    ],
)
def test_suggest_mapping(headers, expected):
    assert suggest_mapping(headers) == expected


def test_find_header_is_tolerant():
    headers = ("Réf.", " Adresse ", "LAT")
    assert find_header(headers, "LAT") == "LAT"
    assert find_header(headers, "adresse") == " Adresse "
    assert find_header(headers, "ref") == "Réf."
    assert find_header(headers, "lng") is None
    assert find_header(headers, "  ") is None


def test_overlay_mapping():
    headers = ("Code", "Localisation", "Adresse", "LAT")
    guessed = {"address": "Adresse", "latitude": "LAT"}
    mapping, missing = importing.overlay_mapping(headers, guessed, {"address": "localisation", "external_id": "code"})
    assert mapping == {"external_id": "Code", "address": "Localisation", "latitude": "LAT"}
    assert missing == {}
    # A header taken by an override leaves the field that had it; absent headers are reported.
    mapping, missing = importing.overlay_mapping(headers, guessed, {"external_id": "LAT", "wkt": "geom"})
    assert mapping == {"external_id": "LAT", "address": "Adresse"}
    assert missing == {"wkt": "geom"}


# -- CSV -----------------------------------------------------------------------


def test_messy_excel_file_keeps_real_line_numbers():
    table = read_table((DATA / "lessines_excel.csv").read_bytes(), "lessines_excel.csv")
    assert table.format == "csv"
    assert table.delimiter == ";"
    assert table.encoding == "utf-8-sig"
    assert table.headers == ("Réf.", "Adresse", "LAT", "Lng", "Statut", "Surface (m²)", "Loyer mensuel", "Activité")
    # Line 4 is blank and line 6 is ";;;;;;;": skipped; lines 14-15 are one quoted cell.
    assert [r.line for r in table.records] == [2, 3, 5, 7, 8, 9, 10, 11, 12, 13, 14, 16]
    second = table.records[1].cells
    assert second["Adresse"] == "Rue de Grammont 3; bte 2, 7860 Lessines"
    assert second["Activité"] == "Fleurs; plantes, déco"
    assert table.records[0].cells["Activité"] == 'Boulangerie "Chez Marie"'
    assert table.records[2].cells["Adresse"] == "Rue des Combattants 5, 7860 Lessines"
    assert table.records[10].cells["Adresse"] == "Rue du Château 1\r\n7860 Lessines"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_numbers_whatever_the_line_ends(newline):
    text = newline.join(["a;b", "", "1;x", "", "", "2;y", ""])
    assert [r.line for r in read_csv(text).records] == [3, 6]


def test_excel_sep_line_sets_the_separator():
    table = read_csv("sep=,\r\nAdresse,Statut\r\nRue A 1; Lessines,vide\r\n")
    assert table.delimiter == ","
    assert table.headers == ("Adresse", "Statut")
    assert table.records[0].line == 3
    assert table.records[0].cells == {"Adresse": "Rue A 1; Lessines", "Statut": "vide"}


def test_short_rows_are_padded_and_long_ones_flagged():
    table = read_csv("a;b;c\n1;2\n1;2;3;4\n1;2;3;;\n")
    assert table.records[0].cells == {"a": "1", "b": "2", "c": ""}
    assert table.records[1].errors == (RowError("", "too_many_values", {"values": 4, "columns": 3}),)
    assert table.records[2].errors == ()  # trailing empty cells (Excel) are harmless


def test_empty_and_repeated_headers_get_names():
    table = read_csv("Adresse;;Adresse;x\n1;2;3;4\n")
    assert table.headers == ("Adresse", "#2", "Adresse (2)", "x")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty_file"),
        ("\r\n\r\n", "empty_file"),
        ("Adresse;Statut\r\n", "no_rows"),
        ("Adresse;Statut\r\n;\r\n", "no_rows"),
        ('Adresse;Statut\r\n"Rue A 1;vide\r\nRue B 2;vide\r\n', "unclosed_quote"),
    ],
)
def test_unreadable_csv(text, code):
    assert _problem(lambda: read_csv(text)) == code


@pytest.mark.parametrize(
    "text", ['Adresse;Note\r\nRue A 1;"two\r\nlines"\r\n', 'Adresse;Note;X\nRue A 1;"two\nlines";x\n\n']
)
def test_a_last_record_spanning_lines_is_fine(text):
    [record] = read_csv(text).records
    assert record.cells["Note"].splitlines() == ["two", "lines"]


@settings(max_examples=200)
@given(
    st.lists(
        st.lists(
            st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")),
            min_size=3,
            max_size=3,
        ),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from([";", ","]),
    st.sampled_from(["\r\n", "\n"]),
)
def test_any_cell_text_survives_quoting(rows, delimiter, newline):
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline, quoting=csv.QUOTE_ALL)
    writer.writerow(["a", "b", "c"])
    writer.writerows(rows)
    table = read_csv(buffer.getvalue(), delimiter=delimiter)
    assert [list(r.cells.values()) for r in table.records] == rows


# -- GeoJSON -------------------------------------------------------------------


def test_geojson_features_become_rows_numbered_from_one():
    table = read_table((DATA / "units.geojson").read_bytes(), "units.geojson")
    assert table.format == "geojson"
    assert table.headers == ("ref", "adresse", "statut", "surface", "loyer")
    assert [r.line for r in table.records] == [1, 2, 3, 4, 5]
    assert table.records[0].point == (3.8357, 50.7117)
    assert table.records[0].cells["surface"] == 64.5
    assert table.records[1].point == (3.8361, 50.7109)  # the altitude is dropped
    assert table.records[2].errors == (RowError("geometry", "not_a_point"),)


def test_geojson_is_recognised_by_content_too():
    text = json.dumps(
        {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": None, "properties": {}}]}
    )
    assert read_table(text.encode(), "export.txt").format == "geojson"


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ("{not json", "bad_json"),
        ('{"type": "Feature", "geometry": null, "properties": {}}', "not_feature_collection"),
        ('{"type": "FeatureCollection", "features": {}}', "not_feature_collection"),
        ('{"type": "FeatureCollection", "features": []}', "no_rows"),
        (
            '{"type": "FeatureCollection", "features": [],'
            ' "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::31370"}}}',
            "unsupported_crs",
        ),
    ],
)
def test_unreadable_geojson(document, code):
    assert _problem(lambda: read_geojson(document)) == code


def test_wgs84_crs_member_is_accepted():
    document = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [3.8, 50.7]}, "properties": {}}],
    }
    assert read_geojson(json.dumps(document)).records[0].point == (3.8, 50.7)


@pytest.mark.parametrize(
    ("geometry", "code"),
    [
        ({"type": "Point", "coordinates": ["3.8", "50.7"]}, "bad_point"),
        ({"type": "Point", "coordinates": [3.8]}, "bad_point"),
        ({"type": "Point", "coordinates": [200, 50.7]}, "bad_point"),
        ({"type": "Point", "coordinates": [True, 50.7]}, "bad_point"),
        ({"type": "MultiPoint", "coordinates": [[3.8, 50.7]]}, "not_a_point"),
        (None, "missing_coordinates"),
    ],
)
def test_bad_geojson_geometries_reject_their_feature(geometry, code):
    document = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": geometry, "properties": {}}]}
    assert read_geojson(json.dumps(document)).records[0].errors == (RowError("geometry", code),)


def test_non_feature_elements_are_rejected_rows():
    document = {"type": "FeatureCollection", "features": [42, {"type": "Point", "coordinates": [3.8, 50.7]}]}
    table = read_geojson(json.dumps(document))
    assert [r.errors[0].code for r in table.records] == ["not_a_feature", "not_a_feature"]


# -- values --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("85", 85.0),
        ("85,5", 85.5),
        ("85.5", 85.5),
        (" 85,5 m² ", 85.5),
        ("85 m2", 85.0),
        ("1.234,5", 1234.5),
        ("1 234,5", 1234.5),
        ("1\xa0234", 1234.0),
        ("1,234.5", 1234.5),
        ("1.234", 1234.0),  # as for amounts in euros: a dot before three digits groups thousands
        ("1234.567", 1234.567),
        ("0,75", 0.75),
        ("-10", -10.0),
        (64.5, 64.5),
        (12, 12.0),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "12..5", "1.23.4,5,6", "nan", "inf", "1e5", True, "85 pieds"])
def test_parse_number_refuses(text):
    with pytest.raises(ValueError):
        parse_number(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("50.7117", 50.7117), ("50,7117", 50.7117), ("-3,5", -3.5), ("+4", 4.0), (" 50.7 ", 50.7), ("50.7°", 50.7)],
)
def test_parse_coordinate(text, value):
    assert parse_coordinate(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["abc", "50.711.700", "1.234,5", "50° 42' N", "", "1e2", float("nan")])
def test_parse_coordinate_refuses(text):
    with pytest.raises(ValueError):
        parse_coordinate(text)


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("POINT (3.8357 50.7117)", (3.8357, 50.7117)),
        ("point(3.8357 50.7117)", (3.8357, 50.7117)),
        ("SRID=4326;POINT(3.8 50.7)", (3.8, 50.7)),
        ("POINT Z (3.8 50.7 12)", (3.8, 50.7)),
        ("  POINT ( -0.5   51.5 )  ", (-0.5, 51.5)),
    ],
)
def test_parse_wkt_point(text, point):
    assert parse_wkt_point(text) == point


@pytest.mark.parametrize(
    "text",
    ["POINT EMPTY", "POINT (abc)", "POINT (3.8)", "LINESTRING (3 50, 4 51)", "SRID=31370;POINT(150000 160000)", ""],
)
def test_parse_wkt_point_refuses(text):
    with pytest.raises(ValueError):
        parse_wkt_point(text)


@pytest.mark.parametrize(
    ("value", "cents"),
    [("850", 85000), ("1.250,50 €", 125050), ("1 250,50", 125050), ("850.5", 85050), (900, 90000), (850.5, 85050)],
)
def test_parse_rent_cents(value, cents):
    assert parse_rent_cents(value) == cents


@pytest.mark.parametrize("value", ["abc", "-5", "12,345", float("inf")])
def test_parse_rent_cents_refuses(value):
    with pytest.raises(ValueError):
        parse_rent_cents(value)


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("VACANT", "vacant"),
        ("FILLED", "occupied"),
        ("vide", "vacant"),
        ("Leegstand", "vacant"),
        ("occupé", "occupied"),
        ("Pop-up", "popup"),
        ("under works", "under_works"),
        ("En travaux", "under_works"),
        ("SOLD", None),
    ],
)
def test_resolve_status_with_known_words(word, status):
    assert resolve_status(word, {}) == status


def test_the_users_value_map_wins():
    assert resolve_status("VACANT", {"vacant": "popup"}) == "popup"
    assert resolve_status("sold", {"SOLD": "unavailable"}) == "unavailable"
    assert resolve_status("vide", {"VIDE": None}) is None  # the user said: reject
    assert resolve_status("vide", {"VIDE": "nonsense"}) is None


def test_status_words_in_order_of_appearance():
    table = read_csv("s\nVIDE\n occupé \nVIDE\n\nx\n")
    assert status_words(table, "s") == ["VIDE", "occupé", "x"]
    assert status_words(table, None) == []


def test_clean_text_undoes_our_formula_escape_and_joins_lines():
    assert importing.clean_text("'=SUM(A1)") == "=SUM(A1)"
    assert importing.clean_text("'-5") == "-5"
    assert importing.clean_text("l'Escale") == "l'Escale"
    assert importing.clean_text(" Rue A 1\r\n 7860 Lessines \n") == "Rue A 1, 7860 Lessines"


# -- rows ----------------------------------------------------------------------


def test_every_reject_reason_with_its_line_and_column():
    table = read_table((DATA / "lessines_excel.csv").read_bytes())
    results = check_rows(table, suggest_mapping(table.headers), STATUS_VALUES)
    assert _errors(results) == {
        8: [("LAT", "bad_coordinates")],
        10: [("Statut", "unknown_status")],
        11: [("Réf.", "duplicate_external_id")],
        12: [("Adresse", "missing_address")],
        13: [("Surface (m²)", "area_out_of_range"), ("Loyer mensuel", "bad_rent")],
        16: [("Statut", "unknown_status")],
    }
    valid = {r.line: r.values for r in results if r.ok}
    assert sorted(valid) == [2, 3, 5, 7, 9, 14]  # line 9 (lat/lon swapped) is only outside the commune
    first = valid[2]
    assert (first.external_id, first.address, first.status) == ("A-001", "Grand-Place 12, 7860 Lessines", "vacant")
    assert (first.lon, first.lat, first.floor_area_m2, first.asking_rent_cents) == (3.8357, 50.7117, 85.5, 125050)
    assert valid[14].address == "Rue du Château 1, 7860 Lessines"
    assert valid[5].status == "under_works" and valid[7].status == "popup"
    duplicate = next(r for r in results if r.line == 11)
    assert duplicate.errors[0].params == {"first_line": 2}
    assert duplicate.address == "Grand-Place 12 (bis), 7860 Lessines"


def test_wkt_column_file():
    table = read_table((DATA / "wkt_units.csv").read_bytes(), "wkt_units.csv")
    assert table.delimiter == ","
    mapping = suggest_mapping(table.headers)
    assert mapping["wkt"] == "geom"
    results = check_rows(table, mapping)
    assert _errors(results) == {4: [("geom", "bad_wkt")], 5: [("geom", "bad_wkt")]}
    values = {r.line: r.values for r in results if r.ok}
    assert (values[2].lon, values[2].lat, values[2].asking_rent_cents) == (3.8357, 50.7117, 125050)
    assert values[6].status == "under_works"


def test_geojson_rows_use_the_feature_point():
    table = read_table((DATA / "units.geojson").read_bytes(), "units.geojson")
    results = check_rows(table, suggest_mapping(table.headers))
    assert _errors(results) == {3: [("geometry", "not_a_point")], 5: [("geometry", "missing_coordinates")]}
    values = {r.line: r.values for r in results if r.ok}
    assert values[1].status == "vacant" and values[2].status == "occupied"
    assert values[2].asking_rent_cents == 110000 and values[2].floor_area_m2 is None


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("Rue A 1;;3.8", [("lat", "missing_coordinates")]),
        ("Rue A 1;91;3.8", [("lat", "coordinates_out_of_range")]),
        ("Rue A 1;50.7;-181", [("lon", "coordinates_out_of_range")]),
        ("Rue A 1;x;y", [("lat", "bad_coordinates"), ("lon", "bad_coordinates")]),
        ("   ;50.7;3.8", [("adresse", "missing_address")]),
        ("R" * 201 + ";50.7;3.8", [("adresse", "too_long")]),
    ],
)
def test_row_reasons(row, expected):
    table = read_csv("adresse;lat;lon\n" + row + "\n")
    assert _errors(check_rows(table, suggest_mapping(table.headers))) == {2: expected}


def test_mapping_problems():
    table = read_csv("a;b;c\n1;2;3\n")
    assert [p.code for p in mapping_problems(table, {})] == ["address_not_mapped", "coordinates_not_mapped"]
    assert [p.code for p in mapping_problems(table, {"address": "a", "latitude": "b"})] == ["latitude_longitude_pair"]
    assert [p.code for p in mapping_problems(table, {"address": "a", "wkt": "zz", "colour": "c"})] == [
        "unknown_field",
        "unknown_column",
    ]
    assert mapping_problems(table, {"address": "a", "latitude": "b", "longitude": "c"}) == []
    geo_table = read_geojson(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null, "properties": {"a": 1}}]}'
    )
    assert mapping_problems(geo_table, {"address": "a"}) == []


# -- exports -------------------------------------------------------------------


def _row(**kw) -> exporting.ExportRow:
    values = {
        "id": 7,
        "external_id": "A-1",
        "commune": "lessines",
        "address": "Grand-Place 1, 7860 Lessines",
        "street": "Grand-Place",
        "status": "vacant",
        "status_since": date(2026, 3, 1),
        "floor_area_m2": 85.5,
        "asking_rent_cents": 125050,
        "activity": "Boulangerie",
        "lon": 3.8357,
        "lat": 50.7117,
        "features": ("has_water",),
    }
    values.update(kw)
    return exporting.ExportRow(**values)


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("=1+1", "'=1+1"),
        ("+32 68 33 00 00", "'+32 68 33 00 00"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Rue A", "Rue A"),
    ],
)
def test_escape_formula(text, escaped):
    assert exporting.escape_formula(text) == escaped


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (85.5, 2, "85,5"),
        (100.0, 2, "100"),
        (0.0, 2, "0"),
        (None, 2, ""),
        (50.71171234, 7, "50,7117123"),
        (-0.5, 7, "-0,5"),
    ],
)
def test_decimal_comma(value, digits, text):
    assert exporting.decimal_comma(value, digits) == text


def test_csv_for_excel():
    body = exporting.to_csv([_row(address='=HYPERLINK("http://x")', activity="Fleurs; plantes")])
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == ";".join(exporting.CSV_COLUMNS)
    assert lines[-1] == ""  # every line ends with CRLF
    cells = next(csv.reader([lines[1]], delimiter=";"))
    row = dict(zip(exporting.CSV_COLUMNS, cells, strict=True))
    assert row["address"] == '\'=HYPERLINK("http://x")'
    assert row["activity"] == "Fleurs; plantes"
    assert row["asking_rent_eur"] == "1250,50"
    assert row["floor_area_m2"] == "85,5"
    assert (row["latitude"], row["longitude"]) == ("50,7117", "3,8357")
    assert row["status_since"] == "2026-03-01"


def test_geojson_export_is_valid_rfc7946():
    document = exporting.to_geojson([_row(), _row(id=8, external_id=None, floor_area_m2=None, asking_rent_cents=None)])
    parsed = geojson.loads(json.dumps(document))
    assert parsed.is_valid, parsed.errors()
    assert "crs" not in document
    assert document["features"][0]["geometry"]["coordinates"] == [3.8357, 50.7117]
    assert document["features"][0]["properties"]["asking_rent_eur"] == 1250.5


addresses = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\x00\x85"),
        min_size=1,
        max_size=120,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=150)
@given(
    address=addresses,
    area=st.none() | st.floats(0.01, 99_999, allow_nan=False).map(lambda x: round(x, 2)).filter(lambda x: x > 0),
    rent=st.none() | st.integers(0, 10**9),
    lon=st.floats(-180, 180).map(lambda x: round(x, 7)),
    lat=st.floats(-90, 90).map(lambda x: round(x, 7)),
    external_id=st.none() | st.text(alphabet="ABC-_0123456789", min_size=1, max_size=20),
)
def test_an_export_imports_back_unchanged(address, area, rent, lon, lat, external_id):
    row = _row(address=address, floor_area_m2=area, asking_rent_cents=rent, lon=lon, lat=lat, external_id=external_id)
    for body, name in (
        (exporting.to_csv([row]), "units.csv"),
        (json.dumps(exporting.to_geojson([row])).encode(), "units.geojson"),
    ):
        table = read_table(body, name)
        mapping = suggest_mapping(table.headers)
        if table.format == "geojson":
            mapping = {k: v for k, v in mapping.items() if k not in ("latitude", "longitude")}
        [result] = check_rows(table, mapping)
        assert result.ok, result.errors
        values = result.values
        assert values.address == address
        assert values.external_id == external_id
        assert values.status == "vacant"
        assert values.asking_rent_cents == rent
        assert (values.floor_area_m2 is None) == (area is None)
        if area is not None:
            assert math.isclose(values.floor_area_m2, area, abs_tol=0.005)
        assert abs(values.lon - lon) < 1e-7 and abs(values.lat - lat) < 1e-7
