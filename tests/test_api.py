"""The public API: GeoJSON, filters, errors, and responses that match the OpenAPI document."""

from __future__ import annotations

import geojson
import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from popup.api.openapi import openapi_document

XSS = "<img src=x onerror=alert(1)>${alert(1)}`"


@pytest.fixture(scope="module")
def spec():
    return openapi_document()


def check(spec, path: str, response, status: int | None = None) -> dict:
    """Assert the response is documented for this path and matches its schema."""
    status = status or response.status_code
    assert response.status_code == status
    documented = spec["paths"][path]["get"]["responses"]
    assert str(status) in documented, f"{status} not documented for {path}"
    content = documented[str(status)].get("content", {})
    media = next(iter(content.values()), None)
    body = response.get_json()
    if media:
        assert response.mimetype in content, f"{response.mimetype} not documented for {path}"
        registry = Registry().with_resource("urn:popup", Resource.from_contents(spec, DRAFT202012))
        schema = {"$ref": "urn:popup" + media["schema"]["$ref"]}
        errors = list(Draft202012Validator(schema, registry=registry).iter_errors(body))
        assert errors == [], [e.message for e in errors]
    return body


def test_the_openapi_document_is_valid_and_served(client, spec):
    validate_spec(spec)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == spec


def test_every_documented_path_is_routed(app, spec):
    rules = {r.rule.replace("<int:unit_id>", "{unit_id}") for r in app.url_map.iter_rules()}
    for path in spec["paths"]:
        assert "/api/v1" + path in rules


def test_units_in_a_box(client, spec, make_unit):
    inside = make_unit(lon=3.8357, lat=50.7117, status="vacant", asking_rent_cents=90000, has_water=True)
    make_unit(lon=3.9, lat=50.75)
    response = client.get("/api/v1/units?bbox=3.83,50.70,3.84,50.72")
    body = check(spec, "/units", response)
    assert response.mimetype == "application/geo+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert [f["id"] for f in body["features"]] == [inside.id]
    assert geojson.loads(response.get_data(as_text=True)).is_valid
    props = body["features"][0]["properties"]
    assert props["status"] == "vacant"
    assert props["asking_rent_cents"] == 90000
    assert props["features"] == ["has_water"]
    assert props["url"] == f"/units/{inside.id}"
    assert body["features"][0]["geometry"]["coordinates"] == [3.8357, 50.7117]


def test_units_never_show_owner_data_or_archived_units(client, spec, make_unit, make_user, db):
    owner = make_user(role="owner", name="Jean-Pierre Lemaire", email="jp@example.org")
    make_unit(owner=owner)
    archived = make_unit()
    from popup.types import utcnow

    archived.archived_at = utcnow()
    db.session.flush()
    response = client.get("/api/v1/units")
    body = check(spec, "/units", response)
    text = response.get_data(as_text=True)
    assert "Lemaire" not in text and "jp@example.org" not in text and "owner" not in text
    assert archived.id not in [f["id"] for f in body["features"]]
    assert client.get(f"/api/v1/units/{archived.id}").status_code == 404


def test_filters_combine(client, spec, make_unit, make_core):
    core = make_core()
    wanted = make_unit(status="vacant", floor_area_m2=80, asking_rent_cents=80000, has_kitchen=True)
    make_unit(status="vacant", floor_area_m2=300, asking_rent_cents=80000, has_kitchen=True)  # too big
    make_unit(status="occupied", floor_area_m2=80, asking_rent_cents=80000, has_kitchen=True)  # status
    make_unit(status="vacant", floor_area_m2=80, asking_rent_cents=200000, has_kitchen=True)  # rent
    make_unit(status="vacant", floor_area_m2=80, asking_rent_cents=80000)  # no kitchen
    make_unit(status="vacant", floor_area_m2=80, asking_rent_cents=80000, has_kitchen=True, lon=3.80, lat=50.70)
    query = f"status=vacant,popup&area_min=50&area_max=100&rent_max=1000&features=has_kitchen&core={core.id}"
    body = check(spec, "/units", client.get("/api/v1/units?" + query))
    assert [f["id"] for f in body["features"]] == [wanted.id]


def test_limit_truncates_and_says_so(client, spec, make_unit):
    ids = [make_unit().id for _ in range(3)]
    body = check(spec, "/units", client.get("/api/v1/units?limit=2"))
    assert [f["id"] for f in body["features"]] == ids[:2]
    assert body["truncated"] is True
    body = check(spec, "/units", client.get("/api/v1/units?limit=3"))
    assert body["truncated"] is False


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=3.9,50.7,3.8,50.8", "bbox"),  # inverted
        ("bbox=3.8,50.8,3.9,50.7", "bbox"),  # inverted
        ("bbox=200,50,201,51", "bbox"),
        ("bbox=nan,50,3,51", "bbox"),
        ("status=empty", "status"),
        ("limit=0", "limit"),
        ("limit=5001", "limit"),
        ("limit=ten", "limit"),
        ("area_min=-1", "area_min"),
        ("area_min=100&area_max=50", "area_max"),
        ("rent_min=lots", "rent_min"),
        ("features=pool", "features"),
        ("core=abc", "core"),
        ("commune=atlantis", "commune"),
    ],
)
def test_bad_parameters_get_a_json_400(client, spec, query, parameter):
    body = check(spec, "/units", client.get("/api/v1/units?" + query), 400)
    assert body["parameter"] == parameter
    assert body["error"]


def test_errors_speak_the_users_language(client):
    body = client.get("/api/v1/units?status=empty").get_json()
    client.post("/language", data={"lang": "en"})
    english = client.get("/api/v1/units?status=empty").get_json()
    assert english["error"].startswith("Unknown status empty")
    assert body["error"] != english["error"]


def test_one_unit(client, spec, make_unit):
    unit = make_unit(address=XSS)
    body = check(spec, "/units/{unit_id}", client.get(f"/api/v1/units/{unit.id}"))
    assert body["properties"]["address"] == XSS  # JSON carries text; the browser shows it as text
    check(spec, "/units/{unit_id}", client.get("/api/v1/units/987654"), 404)


def test_cores_with_their_vacancy(client, spec, make_core, make_unit):
    make_core()
    make_unit(status="vacant")
    make_unit(status="occupied")
    body = check(spec, "/cores", client.get("/api/v1/cores?commune=lessines"))
    assert geojson.loads(client.get("/api/v1/cores").get_data(as_text=True)).is_valid
    (core,) = body["features"]
    assert core["properties"]["vacant"] == 1
    assert core["properties"]["vacancy_rate"] == 0.5
    check(spec, "/cores", client.get("/api/v1/cores?commune=atlantis"), 404)


def test_stats_per_commune_core_and_street(client, spec, make_core, make_unit):
    make_core()
    make_unit(status="vacant", address="Rue de Grammont 3, 7860 Lessines")
    make_unit(status="occupied", address="Rue de Grammont 5, 7860 Lessines")
    make_unit(status="vacant", address="Grand-Place 1, 7860 Lessines")
    make_unit(status="unavailable", address="Grand-Place 2, 7860 Lessines")
    body = check(spec, "/stats", client.get("/api/v1/stats?commune=lessines"))
    assert body["units"] == 4 and body["vacant"] == 2 and body["in_stock"] == 3
    assert body["by_status"] == {"vacant": 2, "occupied": 1, "unavailable": 1}
    streets = {s["street"]: s for s in body["streets"]}
    assert streets["Grand-Place"]["vacancy_rate"] == 1.0
    assert streets["Rue de Grammont"]["vacancy_rate"] == 0.5
    check(spec, "/stats", client.get("/api/v1/stats"), 400)
    check(spec, "/stats", client.get("/api/v1/stats?commune=atlantis"), 404)


@pytest.mark.parametrize("core", ["²", "99999999999999999999"])
def test_odd_core_ids_are_refused_not_crashed(client, spec, core):
    body = check(spec, "/units", client.get(f"/api/v1/units?core={core}"), 400)
    assert body["parameter"] == "core"


def test_search_text_is_literal(client, spec, make_unit):
    make_unit(address="Rue A 1")
    with_percent = make_unit(address="Rue 100% Local 2")
    assert [f["id"] for f in check(spec, "/units", client.get("/api/v1/units?q=_"))["features"]] == []
    assert [f["id"] for f in check(spec, "/units", client.get("/api/v1/units?q=100%25"))["features"]] == [
        with_percent.id
    ]
