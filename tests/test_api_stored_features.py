"""/api/v1/units joins each unit's stored feature text: it stays true after every way a unit is written.

The triggers of ``units.feature_text`` (popup.api.features.STORED_FEATURE)
rewrite it on any INSERT or UPDATE of a column it reads, whoever writes: the
ORM, the bulk status change and the importer (executemany), a commune renamed.
The API's statements are kept per shape of the filters: other values never
get the first request's answer.
"""

from __future__ import annotations

from sqlalchemy import select, text, update

from popup import geo
from popup.api import features
from popup.communes.models import Commune
from popup.domain import importing
from popup.imports import operations
from popup.units import operations as unit_ops
from popup.units.models import Unit
from tests.test_api_geojson_sql import UNICODE, XSS_NAMES, answer, python_collection

BOX = "bbox=3.83,50.70,3.85,50.72"


def listed(client, query: str = BOX) -> dict:
    return answer(client, query).get_json()


def assert_api_matches_python(client, ids: list[int]) -> dict:
    body = listed(client)
    assert body == python_collection(client, sorted(ids), 1000, False)
    return body


def test_an_edit_through_the_forms_operations_shows_at_once(client, make_unit, db):
    unit = make_unit(address="Rue Haute 1, 7860 Lessines", floor_area_m2=80.0, has_water=False)
    db.session.commit()
    unit_ops.update_unit(
        unit,
        by=None,
        status="popup",
        reason="test",
        address=XSS_NAMES[0],
        activity=UNICODE,
        floor_area_m2=0.1 + 0.2,
        asking_rent_cents=85050,
        has_water=True,
        location=geo.point(3.8401234567, 50.7101234565),
    )
    db.session.commit()
    body = assert_api_matches_python(client, [unit.id])
    props = body["features"][0]["properties"]
    assert (props["status"], props["address"], props["activity"]) == ("popup", XSS_NAMES[0], UNICODE)
    assert props["features"] == ["has_water"]
    assert body["features"][0]["geometry"]["coordinates"] == [round(3.8401234567, 7), round(50.7101234565, 7)]


def test_the_bulk_status_change_shows_at_once(client, make_unit, db):
    units = [make_unit(lon=3.8357 + i * 1e-4, status="vacant") for i in range(3)]
    db.session.commit()
    assert unit_ops.bulk_change_status(units[:2], "occupied", by=None, reason="signed") == 2
    db.session.commit()
    body = assert_api_matches_python(client, [u.id for u in units])
    assert [f["properties"]["status"] for f in body["features"]] == ["occupied", "occupied", "vacant"]


def test_a_commune_renamed_renames_its_units_features(client, make_unit, db, commune):
    unit = make_unit()
    db.session.commit()
    assert listed(client)["features"][0]["properties"]["commune"] == commune.slug
    db.session.execute(update(Commune).where(Commune.id == commune.id).values(slug='lessines-"2"'))
    db.session.commit()
    body = assert_api_matches_python(client, [unit.id])
    assert body["features"][0]["properties"]["commune"] == 'lessines-"2"'


def test_an_import_that_creates_then_updates_units_shows_both(client, db, commune):
    def run(data: str):
        table = importing.read_table(("\ufeff" + data).encode(), "units.csv")
        options = operations.ImportOptions(
            columns=importing.suggest_mapping(table.headers), status_values={"VIDE": "vacant", "OCCUPE": "occupied"}
        )
        report = operations.import_units(commune, table, options, by=None, filename="units.csv", dry_run=False)
        db.session.commit()
        return report

    header = "Réf;Adresse;LAT;Lng;Statut;Surface;Loyer"
    run(f"{header}\r\nA1;Rue Basse 1, 7860 Lessines;50,7117;3,8357;VIDE;55,5;700\r\n")
    ids = db.session.scalars(select(Unit.id).where(Unit.external_id == "A1")).all()
    body = assert_api_matches_python(client, ids)
    assert body["features"][0]["properties"]["floor_area_m2"] == 55.5
    run(f"{header}\r\nA1;Rue Basse 1, 7860 Lessines;50,7118;3,8358;OCCUPE;60;800\r\n")
    body = assert_api_matches_python(client, ids)
    props = body["features"][0]["properties"]
    assert (props["status"], props["floor_area_m2"], props["asking_rent_cents"]) == ("occupied", 60.0, 80000)
    assert body["features"][0]["geometry"]["coordinates"] == [3.8358, 50.7118]


def test_refresh_rewrites_every_text(client, make_unit, db):
    ids = [make_unit(lon=3.8357 + i * 1e-4, activity=name).id for i, name in enumerate(XSS_NAMES)]
    db.session.commit()
    dialect = db.engine.dialect.name
    db.session.execute(text("UPDATE units SET feature_text = NULL"))
    db.session.execute(text(features.STORED_FEATURE.refresh_sql(dialect)))
    db.session.commit()
    assert_api_matches_python(client, ids)


def test_kept_statements_answer_each_requests_own_values(client, make_unit, db):
    west = make_unit(lon=3.832, status="vacant", address="Rue A 1, 7860 Lessines", floor_area_m2=40.0)
    east = make_unit(lon=3.848, status="occupied", address="Rue B 2, 7860 Lessines", floor_area_m2=90.0)
    db.session.commit()

    def ids(query: str) -> list[int]:
        return [f["id"] for f in listed(client, query)["features"]]

    # Same shapes, other values: each answer is its own.
    assert ids("bbox=3.83,50.70,3.84,50.72") == [west.id]
    assert ids("bbox=3.84,50.70,3.85,50.72") == [east.id]
    assert ids(f"{BOX}&status=vacant") == [west.id]
    assert ids(f"{BOX}&status=occupied") == [east.id]
    assert ids(f"{BOX}&status=vacant,occupied") == sorted([west.id, east.id])
    assert ids(f"{BOX}&area_min=50") == [east.id]
    assert ids(f"{BOX}&area_min=10") == sorted([west.id, east.id])
    assert ids(f"{BOX}&q=rue a") == [west.id]
    assert ids(f"{BOX}&q=rue b") == [east.id]
    assert ids(f"{BOX}&q=100%25") == []  # a % typed is a %, not a wildcard


def test_new_units_come_with_their_text_on_both_databases(make_unit, db):
    unit = make_unit(address=UNICODE)
    db.session.commit()
    stored = db.session.scalar(select(Unit.feature_text).where(Unit.id == unit.id))
    assert stored.startswith(f'{{"type":"Feature","id":{unit.id},')
    assert '"commune":' in stored and '"url"' not in stored  # the URL depends on the request
