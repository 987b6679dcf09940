"""Importing units from CSV and GeoJSON files, and exporting them: operations, CLI, pages, permissions."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from pathlib import Path

import geojson
import pytest
from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import func, select

from popup import geo
from popup.domain import importing
from popup.imports import operations, views
from popup.imports.forms import status_field_name
from popup.imports.models import ImportMapping, ImportUpload
from popup.types import utcnow
from popup.units.models import Unit, UnitStatusChange
from popup.units.operations import archive_unit, create_unit
from tests.conftest import page_text

DATA = Path(__file__).resolve().parent / "data" / "imports"
EXCEL = (DATA / "lessines_excel.csv").read_bytes()
GEOJSON = (DATA / "units.geojson").read_bytes()
WKT = (DATA / "wkt_units.csv").read_bytes()
XSS = "<img src=x onerror=alert(1)>"
STATUS_VALUES = {"VACANT": "vacant", "FILLED": "occupied"}
EXCEL_CREATED = {"A-001", "A-002", "A-003", "A-004", "A-010"}
EXCEL_REJECTED_LINES = [8, 9, 10, 11, 12, 13, 16]


def english(client):
    client.post("/language", data={"lang": "en"})


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def units_by_id(db, commune=None) -> dict[str, Unit]:
    db.session.expire_all()
    stmt = select(Unit)
    if commune is not None:
        stmt = stmt.where(Unit.commune_id == commune.id)
    return {u.external_id: u for u in db.session.scalars(stmt)}


def run_import(commune, data: bytes, name="lessines_excel.csv", *, by=None, dry_run=False, **options):
    table = importing.read_table(data, name)
    columns = options.pop("columns", None) or importing.suggest_mapping(table.headers)
    options.setdefault("status_values", STATUS_VALUES)
    opts = operations.ImportOptions(columns=columns, **options)
    return operations.import_units(commune, table, opts, by=by, filename=name, dry_run=dry_run)


def csv_bytes(*rows: str, header="Réf;Adresse;LAT;Lng;Statut;Surface;Loyer") -> bytes:
    return ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode()


@pytest.fixture
def ath(make_commune):
    return make_commune(
        name="Ath",
        slug="ath",
        centre=geo.point(3.7786, 50.6298),
        boundary=geo.from_geometry(
            MultiPolygon([Polygon([(3.70, 50.58), (3.86, 50.58), (3.86, 50.68), (3.70, 50.68)])])
        ),
    )


@pytest.fixture
def staff(make_user, commune):
    return make_user(role="staff", communes=[commune])


@pytest.fixture
def as_staff(client, auth, staff):
    auth.login(staff.email)
    return client


# -- operations ----------------------------------------------------------------


def test_dry_run_counts_every_row_and_changes_nothing(db, commune):
    report = run_import(commune, EXCEL, dry_run=True)
    assert (report.rows, report.created, report.updated, report.unchanged) == (12, 5, 0, 0)
    assert report.rejected == 7
    assert sorted({r.line for r in report.rejections}) == EXCEL_REJECTED_LINES
    assert not report.applied
    assert count(db, Unit) == 0 and count(db, UnitStatusChange) == 0


def test_every_reject_reason_with_its_line_and_column(db, commune):
    report = run_import(commune, EXCEL, dry_run=True)
    assert [(r.line, r.column, r.code) for r in report.rejections] == [
        (8, "LAT", "bad_coordinates"),
        (9, "LAT, Lng", "outside_commune"),  # latitude and longitude swapped
        (10, "Statut", "unknown_status"),
        (11, "Réf.", "duplicate_external_id"),
        (12, "Adresse", "missing_address"),
        (13, "Surface (m²)", "area_out_of_range"),
        (13, "Loyer mensuel", "bad_rent"),
        (16, "Statut", "unknown_status"),
    ]
    assert report.rejections[1].address == "Rue de la Station 30, 7860 Lessines"


def test_apply_creates_units_as_create_unit_does(db, commune, make_user):
    staff = make_user(role="staff", communes=[commune])
    report = run_import(commune, EXCEL, by=staff)
    assert report.applied and report.created == 5
    found = units_by_id(db)
    assert set(found) == EXCEL_CREATED
    first = found["A-001"]
    assert first.address == "Grand-Place 12, 7860 Lessines"
    assert first.street == "Grand-Place"
    assert (first.status, first.floor_area_m2, first.asking_rent_cents) == ("vacant", 85.5, 125050)
    assert first.activity == 'Boulangerie "Chez Marie"'
    assert geo.lonlat(first.location) == pytest.approx((3.8357, 50.7117))
    assert found["A-002"].status == "occupied" and found["A-003"].status == "under_works"
    assert found["A-004"].status == "popup"
    [entry] = first.history
    assert (entry.from_status, entry.to_status, entry.changed_by_id) == (None, "vacant", staff.id)
    assert entry.reason == "import lessines_excel.csv"
    assert entry.changed_at == first.status_changed_at == first.created_at

    # The same defaults and rules as a unit made one by one.
    reference = create_unit(commune=commune, address="Grand-Place 99, 7860 Lessines", location=geo.point(3.8, 50.7))
    for name in (
        "ground_floor",
        "public_description",
        "has_water",
        "has_kitchen",
        "is_demo",
        "archived_at",
        "owner_id",
    ):
        assert getattr(first, name) == getattr(reference, name), name


def test_reimport_updates_by_external_id_and_records_status_changes(db, commune, make_user):
    staff = make_user(role="staff", communes=[commune])
    run_import(commune, EXCEL, by=staff)
    again = run_import(commune, EXCEL, by=staff)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert count(db, Unit) == 5 and count(db, UnitStatusChange) == 5

    changed = csv_bytes(
        "A-001;Grand-Place 12, 7860 Lessines;50,7117;3,8357;FILLED;90;",  # status and area change
        "A-002;Rue de Grammont 3; bte 2, 7860 Lessines;50.7105;3.8341;FILLED;;",  # the same: empty cells keep
        "A-003;Rue des Combattants 7, 7860 Lessines;50,7099;3,8373;Travaux;;",  # address and place change
        "A-012;Rue Neuve 1, 7860 Lessines;50,7102;3,8352;VACANT;;",
    ).replace(b"Rue de Grammont 3; bte 2, 7860 Lessines", b'"Rue de Grammont 3; bte 2, 7860 Lessines"')
    report = run_import(commune, changed, "second.csv", by=staff)
    assert (report.created, report.updated, report.unchanged, report.rejected) == (1, 2, 1, 0)
    assert report.status_changes == 1
    found = units_by_id(db)
    assert len(found) == 6
    first = found["A-001"]
    assert (first.status, first.floor_area_m2, first.asking_rent_cents) == ("occupied", 90, 125050)
    assert [(h.from_status, h.to_status) for h in first.history] == [(None, "vacant"), ("vacant", "occupied")]
    assert first.history[-1].reason == "import second.csv"
    assert first.history[-1].changed_by_id == staff.id
    assert first.status_changed_at == first.history[-1].changed_at
    assert found["A-002"].activity == "Fleurs; plantes, déco"  # an empty cell changes nothing
    third = found["A-003"]
    assert (third.address, third.street) == ("Rue des Combattants 7, 7860 Lessines", "Rue des Combattants")
    assert geo.lonlat(third.location) == pytest.approx((3.8373, 50.7099))
    assert len(third.history) == 1


def test_all_or_nothing_with_one_bad_row_imports_nothing(db, commune):
    report = run_import(commune, EXCEL, all_or_nothing=True)
    assert report.blocked and not report.applied
    assert report.created == 5 and report.rejected == 7
    assert count(db, Unit) == 0


def test_all_or_nothing_imports_a_clean_file(db, commune):
    clean = csv_bytes("C-1;Rue A 1, 7860 Lessines;50,71;3,83;VACANT;;")
    report = run_import(commune, clean, all_or_nothing=True)
    assert report.applied and not report.blocked and count(db, Unit) == 1


def test_points_outside_the_commune_are_rejected(db, commune):
    data = csv_bytes(
        "B-1;Grand-Place 1, 1000 Bruxelles;50,8467;4,3525;VACANT;;",
        "E-1;Sur la limite;50,70;3,75;VACANT;;",  # on the boundary: inside
    )
    report = run_import(commune, data)
    assert [(r.line, r.code) for r in report.rejections] == [(2, "outside_commune")]
    assert report.created == 1


def test_a_commune_without_boundary_cannot_check_locations(db, make_commune):
    nowhere = make_commune(name="Sans limite", slug="sans-limite", boundary=None)
    report = run_import(nowhere, csv_bytes("B-1;Grand-Place 1, 1000 Bruxelles;50,8467;4,3525;VACANT;;"))
    assert not report.boundary_checked and report.created == 1


def test_units_of_another_commune_are_never_updated(db, commune, ath):
    other = create_unit(commune=ath, address="Rue d'Ath 1", location=geo.point(3.78, 50.63), external_id="A-001")
    run_import(commune, EXCEL)
    db.session.refresh(other)
    assert other.address == "Rue d'Ath 1" and other.commune_id == ath.id
    assert set(units_by_id(db, commune)) == EXCEL_CREATED


def test_an_archived_unit_is_not_updated(db, commune):
    unit = create_unit(
        commune=commune, address="Grand-Place 12", location=geo.point(3.8357, 50.7117), external_id="A-001"
    )
    archive_unit(unit, by=None)
    report = run_import(commune, EXCEL, dry_run=True)
    assert (2, "Réf.", "archived_unit") in [(r.line, r.column, r.code) for r in report.rejections]


def test_new_units_without_status(db, commune):
    data = csv_bytes("N-1;Rue A 1, 7860 Lessines;50,71;3,83;;;")
    assert run_import(commune, data, dry_run=True).created == 1  # vacant by default
    report = run_import(commune, data, dry_run=True, default_status=None)
    assert [(r.line, r.column, r.code) for r in report.rejections] == [(2, "Statut", "missing_status")]


def test_geojson_and_wkt_files(db, commune):
    report = run_import(commune, GEOJSON, "units.geojson")
    assert (report.created, report.rejected) == (2, 3)
    assert [(r.line, r.column, r.code) for r in report.rejections] == [
        (3, "geometry", "not_a_point"),
        (4, "geometry", "outside_commune"),
        (5, "geometry", "missing_coordinates"),
    ]
    report = run_import(commune, WKT, "wkt_units.csv")
    assert (report.created, report.rejected) == (3, 2)
    found = units_by_id(db)
    assert found["G-2"].status == "occupied" and found["G-2"].asking_rent_cents == 110000
    assert geo.lonlat(found["W2"].location) == pytest.approx((3.8341, 50.7105))


def test_saved_mapping_is_one_per_commune(db, commune, make_user):
    staff = make_user(role="staff", communes=[commune])
    options = operations.ImportOptions(columns={"address": "Adresse"}, status_values={"VIDE": "vacant", "X": None})
    operations.save_mapping(commune, options, by=staff)
    operations.save_mapping(
        commune, operations.ImportOptions(columns={"address": "Adres"}, all_or_nothing=True), by=staff
    )
    assert count(db, ImportMapping) == 1
    restored = operations.options_from_saved(operations.saved_mapping(commune))
    assert restored.columns == {"address": "Adres"} and restored.all_or_nothing


def test_old_uploads_are_purged(db, commune, make_user):
    staff = make_user(role="staff", communes=[commune])
    old = operations.store_upload(commune, staff, "old.csv", b"a")
    old.created_at = utcnow() - timedelta(days=2)
    db.session.flush()
    operations.store_upload(commune, staff, "new.csv", b"b")
    db.session.expire_all()
    assert [u.filename for u in db.session.scalars(select(ImportUpload))] == ["new.csv"]


# -- command line --------------------------------------------------------------


def write(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_cli_is_a_dry_run_by_default(runner, db, commune, tmp_path):
    path = write(tmp_path, "units.csv", EXCEL)
    result = runner.invoke(args=["popup", "import-units", path, "--commune", "lessines", "--status", "VACANT=vacant"])
    assert result.exit_code == 0, result.output
    assert "CSV, UTF-8 with BOM, separator ';'; 12 rows." in result.output
    assert "5 to create, 0 to update, 0 unchanged, 7 rejected." in result.output
    assert "line 8, column 'LAT': Bad coordinates: \"abc\" is not a number of decimal degrees." in result.output
    assert "line 9, column 'LAT, Lng': The coordinates lie outside Lessines" in result.output
    assert "line 11, column 'Réf.': Duplicate external id: already on line 2." in result.output
    assert "Dry run: nothing was saved." in result.output
    assert count(db, Unit) == 0


def test_cli_applies_and_imports_again_without_duplicates(runner, db, commune, tmp_path):
    path = write(tmp_path, "units.csv", EXCEL)
    args = ["popup", "import-units", path, "--commune", "lessines", "--apply"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "5 created, 0 updated, 0 unchanged, 7 rejected." in result.output
    result = runner.invoke(args=args)
    assert "0 created, 0 updated, 5 unchanged" in result.output
    assert count(db, Unit) == 5


def test_cli_all_or_nothing_fails_with_exit_code_1(runner, db, commune, tmp_path):
    path = write(tmp_path, "units.csv", EXCEL)
    result = runner.invoke(args=["popup", "import-units", path, "--commune", "lessines", "--apply", "--all-or-nothing"])
    assert result.exit_code == 1
    assert "Nothing imported" in result.output
    assert count(db, Unit) == 0


def test_cli_maps_columns_and_statuses(runner, db, commune, tmp_path):
    data = csv_bytes(
        "1;Rue A 1, 7860 Lessines;POINT (3.83 50.71);SOLD",
        "2;Rue B 2, 7860 Lessines;POINT (3.831 50.711);dispo",
        header="Code;Localisation;Où;Etat commercial",
    )
    path = write(tmp_path, "custom.csv", data)
    base = ["popup", "import-units", path, "--commune", "lessines"]
    result = runner.invoke(args=base)
    assert result.exit_code == 2
    assert "Choose the column that holds the address." in result.output
    assert "'Localisation'" in result.output
    maps = [
        "--map",
        "address=localisation",
        "--map",
        "wkt=Où",
        "--map",
        "status=Etat commercial",
        "--map",
        "external_id=Code",
    ]
    statuses = ["--status", "SOLD=unavailable", "--status", "dispo=vacant"]
    result = runner.invoke(args=[*base, *maps, *statuses, "--apply", "--save-mapping"])
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output and "Mapping saved." in result.output
    assert {u.external_id: u.status for u in units_by_id(db).values()} == {"1": "unavailable", "2": "vacant"}

    # Next time, the saved mapping is enough.
    result = runner.invoke(args=[*base, "--use-saved-mapping"])
    assert result.exit_code == 0, result.output
    assert "0 to create, 0 to update, 2 unchanged, 0 rejected." in result.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--map", "colour=Adresse"], "unknown field 'colour'"),
        (["--map", "address=Nope"], "the file has no column 'Nope'"),
        (["--map", "address"], "--map takes NAME=VALUE"),
        (["--status", "VIDE=empty"], "unknown status 'empty'"),
        (["--use-saved-mapping"], "lessines has no saved mapping yet"),
    ],
)
def test_cli_refuses_bad_options(runner, db, commune, tmp_path, extra, message):
    path = write(tmp_path, "units.csv", EXCEL)
    result = runner.invoke(args=["popup", "import-units", path, "--commune", "lessines", *extra])
    assert result.exit_code == 2
    assert message in result.output


def test_cli_unknown_commune_and_unreadable_file(runner, db, commune, tmp_path):
    path = write(tmp_path, "units.csv", EXCEL)
    result = runner.invoke(args=["popup", "import-units", path, "--commune", "atlantis"])
    assert result.exit_code == 2 and "unknown commune 'atlantis'" in result.output
    book = write(tmp_path, "units.xlsx", b"PK\x03\x04" + b"\x00" * 100)
    result = runner.invoke(args=["popup", "import-units", book, "--commune", "lessines"])
    assert result.exit_code == 1
    assert 'This is a spreadsheet, not a CSV file: save it as "CSV UTF-8" first.' in result.output


def test_cli_reads_windows_1252_files_from_excel(runner, db, commune, tmp_path):
    data = "Réf;Adresse;LAT;Lng;Statut;Activité\r\nW-1;Rue de la Barrière 3;50,71;3,83;vide;Crêperie\r\n"
    path = write(tmp_path, "excel.csv", data.encode("cp1252"))
    result = runner.invoke(args=["popup", "import-units", path, "--commune", "lessines", "--apply"])
    assert result.exit_code == 0, result.output
    assert "Windows-1252 (not UTF-8)" in result.output
    unit = units_by_id(db)["W-1"]
    assert (unit.address, unit.activity, unit.status) == ("Rue de la Barrière 3", "Crêperie", "vacant")


def test_cli_shows_progress_on_big_files(runner, db, commune, tmp_path):
    rows = [f"P-{n};Rue A {n}, 7860 Lessines;50,71;3,83;VACANT;;" for n in range(2500)]
    path = write(tmp_path, "big.csv", csv_bytes(*rows))
    result = runner.invoke(args=["popup", "import-units", path, "--commune", "lessines", "--apply"])
    assert result.exit_code == 0, result.output
    assert "Checking rows" in result.output and "Creating units" in result.output
    assert count(db, Unit) == 2500


# -- upload pages ----------------------------------------------------------------


def upload(client, commune, content=EXCEL, name="units.csv"):
    return client.post(
        "/data/import",
        data={"commune": str(commune.id), "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def mapping_data(**overrides) -> dict[str, str]:
    data = {
        "column_external_id": "Réf.",
        "column_address": "Adresse",
        "column_latitude": "LAT",
        "column_longitude": "Lng",
        "column_status": "Statut",
        "column_floor_area_m2": "Surface (m²)",
        "column_asking_rent": "Loyer mensuel",
        "column_activity": "Activité",
        status_field_name("VACANT"): "vacant",
        status_field_name("FILLED"): "occupied",
        status_field_name("SOLD"): "",
        "default_status": "vacant",
        "save_mapping": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_upload_preview_confirm(as_staff, db, commune, staff):
    english(as_staff)
    response = upload(as_staff, commune)
    assert response.status_code == 302
    stored = db.session.scalars(select(ImportUpload)).one()
    assert stored.content == EXCEL and stored.user_id == staff.id and stored.filename == "units.csv"
    upload_id = stored.id
    assert response.headers["Location"] == f"/data/import/{upload_id}"

    page = as_staff.get(f"/data/import/{stored.id}")
    assert page.status_code == 200
    text = page_text(page)
    assert "UTF-8 with BOM" in text and "12 rows" in text
    # The guessed columns are chosen, and each status word found is listed with its meaning.
    assert '<option selected value="LAT">LAT</option>' in page.text
    for word in ("VACANT", "FILLED", "Travaux", "pop-up", "SOLD"):
        assert f">{word}</label>" in page.text
    assert XSS not in page.text  # the sample rows and status words are escaped

    preview = as_staff.post(f"/data/import/{stored.id}", data=mapping_data())
    assert preview.status_code == 200
    text = page_text(preview)
    assert "Preview of the import" in text
    assert 'data-count="created">5<' in preview.text and 'data-count="rejected">7<' in preview.text
    assert 'Bad coordinates: "abc" is not a number of decimal degrees.' in text
    assert "The coordinates lie outside Lessines (latitude and longitude swapped?)." in text
    assert "Duplicate external id: already on line 2." in text
    assert XSS not in preview.text and "&lt;img src=x onerror=alert(1)&gt;" in preview.text
    assert "<b>bold</b>" not in preview.text
    assert count(db, Unit) == 0

    result = as_staff.post(f"/data/import/{stored.id}/confirm")
    assert result.status_code == 200
    assert "Import done" in page_text(result)
    assert set(units_by_id(db)) == EXCEL_CREATED
    assert units_by_id(db)["A-001"].history[0].changed_by_id == staff.id
    assert count(db, ImportUpload) == 0
    saved = operations.saved_mapping(commune)
    assert saved.columns["latitude"] == "LAT" and saved.status_values["FILLED"] == "occupied"

    assert as_staff.post(f"/data/import/{upload_id}/confirm").status_code == 404  # no second import


def test_reimport_through_the_pages_records_who_changed_the_status(as_staff, db, commune, staff):
    for content, status in ((EXCEL, "vacant"), (EXCEL.replace(b"VACANT;85,5", b"FILLED;85,5"), "occupied")):
        upload(as_staff, commune, content)
        upload_id = db.session.scalars(select(ImportUpload)).one().id
        as_staff.post(f"/data/import/{upload_id}", data=mapping_data())
        assert as_staff.post(f"/data/import/{upload_id}/confirm").status_code == 200
        assert units_by_id(db)["A-001"].status == status
    history = units_by_id(db)["A-001"].history
    assert [(h.from_status, h.to_status, h.changed_by_id) for h in history] == [
        (None, "vacant", staff.id),
        ("vacant", "occupied", staff.id),
    ]
    assert history[-1].reason == "import units.csv"
    assert count(db, Unit) == 5


GEOJSON_MAPPING = {
    "column_external_id": "ref",
    "column_address": "adresse",
    "column_status": "statut",
    "column_floor_area_m2": "surface",
    "column_asking_rent": "loyer",
    status_field_name("leegstand"): "vacant",
    status_field_name("bezet"): "occupied",
    "default_status": "vacant",
}


def shown_counts(response) -> dict[str, int]:
    """The counts of a preview or result page, as the user reads them."""
    return {name: int(n) for name, n in re.findall(r'data-count="(\w+)">(\d+)<', response.get_data(as_text=True))}


def import_through_pages(client, db, commune, content: bytes, name: str, data: dict[str, str]):
    """Upload, preview with these choices, confirm: the preview and result pages."""
    assert upload(client, commune, content, name).status_code == 302
    upload_id = db.session.scalars(select(ImportUpload)).one().id
    preview = client.post(f"/data/import/{upload_id}", data=data)
    assert preview.status_code == 200
    return preview, client.post(f"/data/import/{upload_id}/confirm")


def test_a_geojson_upload_is_previewed_then_imported(as_staff, db, commune, staff):
    english(as_staff)
    response = upload(as_staff, commune, GEOJSON, "units.geojson")
    assert response.status_code == 302
    stored = db.session.scalars(select(ImportUpload)).one()
    page = as_staff.get(f"/data/import/{stored.id}")
    assert page.status_code == 200
    assert "Format: GeoJSON" in page_text(page) and "5 rows" in page_text(page)
    # The properties are the columns, guessed from their names; the points need no column.
    for header in ("ref", "adresse", "statut", "surface", "loyer"):
        assert f'<option selected value="{header}">{header}</option>' in page.text
    for word in ("leegstand", "bezet"):
        assert f">{word}</label>" in page.text

    preview = as_staff.post(f"/data/import/{stored.id}", data=GEOJSON_MAPPING)
    assert preview.status_code == 200
    text = page_text(preview)
    assert "Preview of the import" in text
    assert shown_counts(preview) == {"rows": 5, "created": 2, "updated": 0, "unchanged": 0, "rejected": 3}
    assert "The geometry is not a Point." in text
    assert "The coordinates lie outside Lessines (latitude and longitude swapped?)." in text
    assert "The coordinates are missing." in text
    assert count(db, Unit) == 0

    result = as_staff.post(f"/data/import/{stored.id}/confirm")
    assert result.status_code == 200
    assert "Import done" in page_text(result)
    assert shown_counts(result)["created"] == 2
    found = units_by_id(db)
    assert set(found) == {"G-1", "G-2"}
    first, second = found["G-1"], found["G-2"]
    assert (first.address, first.status, first.floor_area_m2, first.asking_rent_cents) == (
        "Grand-Place 1, 7860 Lessines",
        "vacant",
        64.5,
        90000,
    )
    assert geo.lonlat(first.location) == pytest.approx((3.8357, 50.7117))
    assert (second.status, second.floor_area_m2, second.asking_rent_cents) == ("occupied", None, 110000)
    assert geo.lonlat(second.location) == pytest.approx((3.8361, 50.7109))  # the altitude is dropped
    assert first.history[0].changed_by_id == staff.id


def test_uploading_a_geojson_again_updates_by_external_id_without_duplicates(as_staff, db, commune, staff):
    english(as_staff)
    import_through_pages(as_staff, db, commune, GEOJSON, "units.geojson", GEOJSON_MAPPING)
    ids = {ref: unit.id for ref, unit in units_by_id(db).items()}

    preview, result = import_through_pages(as_staff, db, commune, GEOJSON, "units.geojson", GEOJSON_MAPPING)
    assert shown_counts(preview) == {"rows": 5, "created": 0, "updated": 0, "unchanged": 2, "rejected": 3}
    assert result.status_code == 200
    assert {ref: unit.id for ref, unit in units_by_id(db).items()} == ids
    assert count(db, Unit) == 2 and count(db, UnitStatusChange) == 2

    changed = GEOJSON.replace(
        b'"statut": "leegstand", "surface": 64.5, "loyer": 900', b'"statut": "bezet", "surface": 64.5, "loyer": 950'
    )
    assert changed != GEOJSON
    preview, result = import_through_pages(as_staff, db, commune, changed, "second.geojson", GEOJSON_MAPPING)
    assert shown_counts(preview) == {"rows": 5, "created": 0, "updated": 1, "unchanged": 1, "rejected": 3}
    assert "1 status change will be recorded in the units' history." in page_text(preview)
    assert result.status_code == 200
    found = units_by_id(db)
    assert {ref: unit.id for ref, unit in found.items()} == ids
    assert (found["G-1"].status, found["G-1"].asking_rent_cents) == ("occupied", 95000)
    assert [(h.from_status, h.to_status, h.changed_by_id, h.reason) for h in found["G-1"].history] == [
        (None, "vacant", staff.id, "import units.geojson"),
        ("vacant", "occupied", staff.id, "import second.geojson"),
    ]
    assert count(db, Unit) == 2


def test_the_mapping_page_starts_from_the_saved_mapping(as_staff, db, commune, staff):
    options = operations.ImportOptions(
        columns={"address": "Localisation", "wkt": "Où"}, status_values={"dispo": "popup"}
    )
    operations.save_mapping(commune, options, by=staff)
    data = csv_bytes("1;Rue A 1;POINT (3.83 50.71);dispo", header="Code;Localisation;Où;Statut")
    upload(as_staff, commune, data)
    stored = db.session.scalars(select(ImportUpload)).one()
    page = as_staff.get(f"/data/import/{stored.id}").text
    assert '<option selected value="Localisation">' in page
    assert '<option selected value="Où">' in page
    assert f'name="{status_field_name("dispo")}"' in page
    assert '<option selected value="popup">' in page


def test_all_or_nothing_on_the_page(as_staff, db, commune):
    english(as_staff)
    upload(as_staff, commune)
    stored = db.session.scalars(select(ImportUpload)).one()
    preview = as_staff.post(f"/data/import/{stored.id}", data=mapping_data(all_or_nothing="y"))
    assert "nothing will be imported while rows are rejected" in page_text(preview)
    assert f"/data/import/{stored.id}/confirm" not in preview.text
    result = as_staff.post(f"/data/import/{stored.id}/confirm")
    assert result.status_code == 422
    assert "Nothing imported" in page_text(result)
    assert count(db, Unit) == 0


def test_a_mapping_without_address_is_refused(as_staff, db, commune):
    english(as_staff)
    upload(as_staff, commune)
    stored = db.session.scalars(select(ImportUpload)).one()
    response = as_staff.post(f"/data/import/{stored.id}", data=mapping_data(column_address=""))
    assert response.status_code == 422
    assert "Choose the column that holds the address." in page_text(response)
    response = as_staff.post(f"/data/import/{stored.id}", data=mapping_data(column_latitude="Nope"))
    assert response.status_code == 422
    assert count(db, Unit) == 0


def test_confirm_needs_a_preview_first(as_staff, db, commune):
    upload(as_staff, commune)
    stored = db.session.scalars(select(ImportUpload)).one()
    response = as_staff.post(f"/data/import/{stored.id}/confirm")
    assert response.status_code == 302 and response.headers["Location"] == f"/data/import/{stored.id}"
    assert count(db, Unit) == 0


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            b"PK\x03\x04" + b"\x00" * 50,
            "units.xlsx",
            'This is a spreadsheet, not a CSV file: save it as "CSV UTF-8" first.',
        ),
        ("Adresse;Ville\n".encode("utf-16"), "units.csv", 'The file is in UTF-16 ("Unicode text")'),
        (b"Adresse;LAT;Lng\r\n", "units.csv", "The file has no data rows."),
        (b'{"type": "Feature"}', "units.geojson", "A GeoJSON file must hold a FeatureCollection."),
        (b"", "units.csv", "The file is empty."),
    ],
)
def test_unreadable_uploads_are_refused_clearly(as_staff, db, commune, content, name, message):
    english(as_staff)
    response = upload(as_staff, commune, content, name)
    assert response.status_code == 422
    assert message in page_text(response)
    assert count(db, ImportUpload) == 0


def test_upload_without_file(as_staff, db, commune):
    english(as_staff)
    response = as_staff.post("/data/import", data={"commune": str(commune.id)}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a file." in page_text(response)


def test_files_over_the_limit_are_refused(as_staff, db, commune, monkeypatch):
    english(as_staff)
    monkeypatch.setattr(views, "MAX_UPLOAD_BYTES", 1000)
    response = upload(as_staff, commune, csv_bytes(*["X;Rue A 1;50,71;3,83;VACANT;;"] * 40))
    assert response.status_code == 413
    assert "The file is larger than" in page_text(response)
    # A body far over the limit is cut off before it is read, with the same message.
    response = upload(as_staff, commune, b"a" * 200_000)
    assert response.status_code == 413
    assert "The file is larger than" in page_text(response)
    assert count(db, ImportUpload) == 0


def test_uploads_may_exceed_the_apps_own_body_limit(app, as_staff, db, commune, csrf, monkeypatch):
    # CSRF protection reads the body before the view: the upload page's larger limit must already hold.
    from tests.conftest import csrf_token_from

    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 500)
    token = csrf_token_from(as_staff.get("/data/import").text)
    response = as_staff.post(
        "/data/import",
        data={"csrf_token": token, "commune": str(commune.id), "file": (io.BytesIO(EXCEL), "units.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert count(db, ImportUpload) == 1


# -- permissions -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/data/import", "/data/import/1", "/data/export.csv", "/data/export.geojson"])
def test_anonymous_users_are_sent_to_the_login_page(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ["owner", "entrepreneur", "coach"])
def test_only_staff_import_and_export(client, auth, make_user, db, commune, role):
    auth.login(make_user(role=role).email)
    assert client.get("/data/import").status_code == 403
    assert upload(client, commune).status_code == 403
    assert client.get("/data/export.csv").status_code == 403
    assert client.get("/data/export.geojson").status_code == 403
    assert count(db, ImportUpload) == 0


def test_staff_of_another_commune_cannot_import_into_it(client, auth, make_user, db, commune, ath):
    auth.login(make_user(role="staff", communes=[ath]).email)
    page = client.get("/data/import")
    assert "Lessines" not in page_text(page).split("<main", 1)[1]
    assert upload(client, commune).status_code == 403
    assert count(db, ImportUpload) == 0


def test_an_upload_belongs_to_its_uploader(client, auth, make_user, db, commune, staff):
    auth.login(staff.email)
    upload(client, commune)
    stored = db.session.scalars(select(ImportUpload)).one()
    client.post(f"/data/import/{stored.id}", data=mapping_data())
    auth.logout()

    colleague = make_user(role="staff", communes=[commune])
    auth.login(colleague.email)
    assert client.get(f"/data/import/{stored.id}").status_code == 403
    assert client.post(f"/data/import/{stored.id}/confirm").status_code == 403
    assert client.get("/data/import/99999").status_code == 404
    assert count(db, Unit) == 0


def test_an_upload_older_than_a_day_is_gone(as_staff, db, commune):
    upload(as_staff, commune)
    stored = db.session.scalars(select(ImportUpload)).one()
    stored.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    assert as_staff.get(f"/data/import/{stored.id}").status_code == 404


# -- exports ---------------------------------------------------------------------


def read_csv_export(response) -> list[dict[str, str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


@pytest.fixture
def two_communes(db, commune, ath, make_unit):
    make_unit(external_id="L-1", address="Grand-Place 1, 7860 Lessines", status="vacant", asking_rent_cents=125050)
    make_unit(external_id="L-2", address="Rue de Grammont 2, 7860 Lessines", status="occupied", floor_area_m2=85.5)
    make_unit(commune=ath, lon=3.78, lat=50.63, external_id="A-1", address="Rue d'Ath 1, 7800 Ath")
    archived = make_unit(external_id="L-3", address="Rue Archivée 3, 7860 Lessines")
    archive_unit(archived, by=None)


def test_csv_export_for_excel_with_the_staffs_units_only(as_staff, db, two_communes):
    response = as_staff.get("/data/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv_export(response)
    assert [r["external_id"] for r in rows] == ["L-1", "L-2"]
    assert rows[0]["asking_rent_eur"] == "1250,50" and rows[1]["floor_area_m2"] == "85,5"
    assert (rows[0]["latitude"], rows[0]["longitude"]) == ("50,7117", "3,8357")
    assert len(rows[0]["status_since"]) == 10 and rows[0]["status_since"][4] == "-"


def test_admins_export_every_commune(client, auth, make_user, db, two_communes):
    auth.login(make_user(role="admin").email)
    rows = read_csv_export(client.get("/data/export.csv"))
    assert sorted(r["external_id"] for r in rows) == ["A-1", "L-1", "L-2"]
    rows = read_csv_export(client.get("/data/export.csv?commune=ath"))
    assert [r["external_id"] for r in rows] == ["A-1"]


def test_exports_take_the_inventory_filters(as_staff, db, two_communes):
    rows = read_csv_export(as_staff.get("/data/export.csv?status=vacant"))
    assert [r["external_id"] for r in rows] == ["L-1"]
    rows = read_csv_export(as_staff.get("/data/export.csv?q=grammont&commune=lessines"))
    assert [r["external_id"] for r in rows] == ["L-2"]
    rows = read_csv_export(as_staff.get("/data/export.csv?area_min=80&bbox=3.8,50.7,3.9,50.8"))
    assert [r["external_id"] for r in rows] == ["L-2"]
    document = as_staff.get("/data/export.geojson?rent_max=2000").get_json()
    assert [f["properties"]["external_id"] for f in document["features"]] == ["L-1"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("area_min=abc", "Bad parameter area_min: Give a number."),
        ("status=ruined", "Bad parameter status: Unknown status ruined"),
        ("bbox=1,2,3", "Bad parameter bbox: Give four numbers"),
        ("commune=atlantis", "Bad parameter commune: Unknown commune."),
    ],
)
def test_a_bad_filter_is_a_clear_400(as_staff, db, two_communes, query, message):
    english(as_staff)
    for path in ("/data/export.csv", "/data/export.geojson"):
        response = as_staff.get(f"{path}?{query}")
        assert response.status_code == 400
        assert message in page_text(response)


def test_staff_export_nothing_from_another_commune(as_staff, db, two_communes):
    assert as_staff.get("/data/export.csv?commune=ath").status_code == 403
    assert as_staff.get("/data/export.geojson?commune=ath").status_code == 403


def test_csv_export_escapes_formulas(as_staff, db, make_unit):
    make_unit(external_id="-2+3", address='=HYPERLINK("http://evil.example","x")', activity="@SUM(A1:A9)")
    make_unit(external_id="+1", address="+32 68 33 00 00", activity="Fleurs")
    rows = read_csv_export(as_staff.get("/data/export.csv"))
    assert [r["external_id"] for r in rows] == ["'-2+3", "'+1"]
    assert rows[0]["address"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[0]["activity"] == "'@SUM(A1:A9)"
    assert rows[1]["address"] == "'+32 68 33 00 00"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@")), value


def test_geojson_export_is_valid(as_staff, db, two_communes, make_unit):
    make_unit(external_id="X", address=XSS, activity=None)
    response = as_staff.get("/data/export.geojson")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    parsed = geojson.loads(response.get_data(as_text=True))
    assert parsed.is_valid, parsed.errors()
    assert parsed["type"] == "FeatureCollection"
    assert [f["properties"]["external_id"] for f in parsed["features"]] == ["L-1", "L-2", "X"]
    first = parsed["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [3.8357, 50.7117]}
    assert first["properties"]["asking_rent_eur"] == 1250.5
    assert json.loads(response.get_data(as_text=True))["features"][2]["properties"]["address"] == XSS


def test_an_export_imports_back_unchanged(as_staff, db, commune, two_communes):
    for path, name in (("/data/export.csv", "units.csv"), ("/data/export.geojson", "units.geojson")):
        body = as_staff.get(f"{path}?commune=lessines").get_data()
        table = importing.read_table(body, name)
        columns = importing.suggest_mapping(table.headers)
        report = operations.import_units(
            commune, table, operations.ImportOptions(columns=columns), by=None, filename=name, dry_run=True
        )
        assert (report.created, report.updated, report.unchanged, report.rejected) == (0, 0, 2, 0), name
