"""/api/v1/units: the FeatureCollection the database writes says exactly what Python would have written."""

from __future__ import annotations

import json
import random

import pytest

from popup.api import features
from popup.extensions import db
from popup.units.models import Unit

XSS_NAMES = ("<img src=x onerror=alert(1)>", "${alert(1)}", '"quoted" \\ back\\slash', "tab\there\nnew line\x01")
UNICODE = "Rue de l'Église 7, 7860 Lessines — café « Ô » 🍞 Ωmega ß 中文"


def python_collection(client, ids: list[int], limit: int, truncated: bool) -> dict:
    """What the view answered before: unit_feature() for each row, jsonify'd."""
    with client.application.test_request_context():
        rows = db.session.execute(features.public_units_select().where(Unit.id.in_(ids)).order_by(Unit.id)).all()
        prefix = features.unit_url_prefix()
        made = {
            "type": "FeatureCollection",
            "features": [features.unit_feature(r, prefix) for r in rows],
            "truncated": truncated,
            "limit": limit,
        }
    return json.loads(json.dumps(made))


def answer(client, query: str):
    response = client.get("/api/v1/units?" + query)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/geo+json"
    return response


def test_user_text_comes_back_exactly_as_typed(client, make_unit):
    units = [
        make_unit(address=name, activity=name, public_description=name, lon=3.8357 + i * 1e-4)
        for i, name in enumerate((*XSS_NAMES, UNICODE))
    ]
    response = answer(client, "bbox=3.83,50.70,3.85,50.72")
    body = json.loads(response.get_data(as_text=True))
    assert body == python_collection(client, [u.id for u in units], 1000, False)
    props = [f["properties"] for f in body["features"]]
    assert [p["address"] for p in props] == [*XSS_NAMES, UNICODE]
    assert [p["description"] for p in props] == [*XSS_NAMES, UNICODE]
    # Text stays JSON strings: nothing is HTML-escaped or unescaped on the way.
    text = response.get_data(as_text=True)
    assert "&lt;" not in text and "&#" not in text


def test_every_field_and_number_matches_the_python_encoding(client, make_unit, db):
    rng = random.Random(7)
    made = []
    for i in range(40):
        lon = rng.uniform(3.831, 3.849)
        lat = rng.uniform(50.701, 50.719)
        if i % 4 == 0:  # 8 decimals ending in 5: ties that the databases' round() settles otherwise
            lon = float(f"{lon:.7f}5")
            lat = float(f"{lat:.7f}5")
        made.append(
            make_unit(
                lon=lon,
                lat=lat,
                status=rng.choice(["vacant", "occupied", "popup", "under_works", "unavailable"]),
                floor_area_m2=rng.choice([None, 80.0, 0.1 + 0.2, rng.uniform(10, 900), 12.5]),
                frontage_m=rng.choice([None, 4.0, rng.uniform(2, 20)]),
                ground_floor=rng.choice([True, False]),
                asking_rent_cents=rng.choice([None, 0, 85050, 123456789]),
                activity=rng.choice([None, "boulangerie", UNICODE]),
                has_water=rng.choice([True, False]),
                has_kitchen=rng.choice([True, False]),
                step_free_access=rng.choice([True, False]),
                has_shop_window=rng.choice([True, False]),
            )
        )
    body = answer(client, "bbox=3.83,50.70,3.85,50.72").get_json()
    expected = python_collection(client, [u.id for u in made], 1000, False)
    assert body == expected
    # Same numbers, same types (a float stays a float, an integer an integer).
    for got, want in zip(body["features"], expected["features"], strict=True):
        for key, value in want["properties"].items():
            assert type(got["properties"][key]) is type(value), key
        assert got["geometry"]["coordinates"] == want["geometry"]["coordinates"]
    assert [f["id"] for f in body["features"]] == sorted(u.id for u in made)


def test_limit_truncates_in_id_order(client, make_unit):
    ids = sorted(make_unit(lon=3.8357 + i * 1e-5).id for i in range(5))
    body = answer(client, "bbox=3.83,50.70,3.85,50.72&limit=3").get_json()
    assert body == python_collection(client, ids[:3], 3, True)
    body = answer(client, "bbox=3.83,50.70,3.85,50.72&limit=5").get_json()
    assert body == python_collection(client, ids, 5, False)


@pytest.mark.parametrize("query", ["bbox=4.0,51.0,4.1,51.1", "bbox=3.83,50.70,3.85,50.72&status=popup"])
def test_an_empty_box_is_an_empty_collection(client, make_unit, query):
    make_unit(status="vacant")
    response = answer(client, query)
    assert response.get_json() == {"type": "FeatureCollection", "features": [], "truncated": False, "limit": 1000}


def test_the_single_unit_and_the_list_agree(client, make_unit):
    unit = make_unit(address=XSS_NAMES[0], lon=3.83571235, lat=50.71171235, floor_area_m2=0.1 + 0.2)
    listed = answer(client, "bbox=3.83,50.70,3.85,50.72").get_json()["features"]
    single = client.get(f"/api/v1/units/{unit.id}").get_json()
    assert single["properties"].pop("wishes") == {"total": 0, "by_sector": {}}  # the detail adds residents' wishes
    assert listed == [single]
