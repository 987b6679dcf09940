"""Staff draw or import the commercial cores of their commune."""

import io
import json

import pytest
from shapely.geometry import shape

from popup import geo
from popup.communes.models import CommercialCore

SQUARE = [[3.830, 50.708], [3.841, 50.708], [3.841, 50.715], [3.830, 50.715], [3.830, 50.708]]
POLYGON = json.dumps({"type": "Polygon", "coordinates": [SQUARE]})


@pytest.fixture
def staff(make_user, commune, auth):
    user = make_user(role="staff", communes=[commune])
    auth.login(user.email)
    return user


def _cores(db):
    return db.session.query(CommercialCore).order_by(CommercialCore.id).all()


def test_staff_draws_a_core_and_sees_its_vacancy(client, db, staff, make_unit):
    make_unit(status="vacant")
    make_unit(status="occupied")
    response = client.post("/c/lessines/cores/new", data={"name": "Centre-ville", "geometry": POLYGON})
    assert response.status_code == 302
    (core,) = _cores(db)
    assert core.slug == "centre-ville"
    assert geo.shape(core.area).equals(shape(json.loads(POLYGON)))
    page = client.get("/c/lessines/cores")
    assert "Centre-ville" in page.text
    assert "50,0 %" in page.text


def test_import_a_feature_collection_creates_one_core_per_polygon(client, db, staff):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Grand-Place"},
                "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
            },
            {
                "type": "Feature",
                "properties": {"nom": "Gare"},
                "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
            },
        ],
    }
    data = {"file": (io.BytesIO(json.dumps(collection).encode()), "cores.geojson")}
    response = client.post("/c/lessines/cores/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert [c.name for c in _cores(db)] == ["Grand-Place", "Gare"]


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ("", "Draw the polygon on the map"),
        ("not json", "This is not GeoJSON"),
        (json.dumps({"type": "Point", "coordinates": [3.8, 50.7]}), "holds no polygon"),
        (json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}), "crosses itself"),
        (
            json.dumps({"type": "Polygon", "coordinates": [[[4.5, 51], [4.6, 51], [4.6, 51.1], [4.5, 51]]]}),
            "outside the commune",
        ),
    ],
)
def test_bad_polygons_are_refused_and_nothing_is_saved(client, db, staff, geometry, message):
    client.post("/language", data={"lang": "en"})
    response = client.post("/c/lessines/cores/new", data={"name": "X", "geometry": geometry})
    assert response.status_code == 422
    assert message in response.text
    assert _cores(db) == []


def test_a_core_needs_a_name(client, db, staff):
    client.post("/language", data={"lang": "en"})
    response = client.post("/c/lessines/cores/new", data={"name": "", "geometry": POLYGON})
    assert response.status_code == 422
    assert "Give the core a name" in response.text


def test_edit_renames_and_redraws(client, db, staff, make_core):
    core = make_core(name="Centre")
    smaller = json.dumps(
        {"type": "Polygon", "coordinates": [[[3.833, 50.710], [3.836, 50.710], [3.836, 50.712], [3.833, 50.710]]]}
    )
    response = client.post(f"/c/lessines/cores/{core.id}/edit", data={"name": "Cœur de ville", "geometry": smaller})
    assert response.status_code == 302
    db.session.refresh(core)
    assert core.name == "Cœur de ville" and core.slug == "coeur-de-ville"
    assert geo.shape(core.area).area < 0.00001
    # renaming only keeps the polygon
    response = client.post(f"/c/lessines/cores/{core.id}/edit", data={"name": "Centre"})
    assert response.status_code == 302


def test_delete_keeps_the_units(client, db, staff, make_core, make_unit):
    core = make_core()
    unit = make_unit()
    assert client.get(f"/c/lessines/cores/{core.id}/delete").status_code == 405
    assert client.post(f"/c/lessines/cores/{core.id}/delete").status_code == 302
    assert _cores(db) == []
    db.session.refresh(unit)
    assert unit.archived_at is None


def test_only_staff_of_the_commune_manage_its_cores(client, db, auth, make_user, commune, make_commune, make_core):
    lessines = commune
    ath = make_commune(name="Ath", slug="ath")
    core = make_core(commune=lessines)
    auth.login(make_user(role="staff", communes=[ath]).email)
    assert client.get("/c/lessines/cores").status_code == 403
    assert client.post("/c/lessines/cores/new", data={"name": "X", "geometry": POLYGON}).status_code == 403
    assert client.post(f"/c/lessines/cores/{core.id}/delete").status_code == 403
    # a core of another commune is not reachable through this commune's URL
    assert client.get(f"/c/ath/cores/{core.id}/edit").status_code == 404
    assert len(_cores(db)) == 1


def test_owner_and_anonymous_are_kept_out(client, auth, make_user, commune):
    assert client.get("/c/lessines/cores").status_code == 302
    auth.login(make_user(role="owner").email)
    assert client.get("/c/lessines/cores").status_code == 403
