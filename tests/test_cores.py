"""Staff draw or import the commercial cores of their commune."""

import io
import json

import pytest
from shapely.geometry import shape
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from popup import geo
from popup.communes.forms import MAX_GEOJSON_BYTES
from popup.communes.models import CommercialCore
from tests.conftest import page_text

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


# -- GeoJSON files ---------------------------------------------------------------

OTHER_SQUARE = [[3.850, 50.700], [3.860, 50.700], [3.860, 50.705], [3.850, 50.705], [3.850, 50.700]]
BOWTIE = [[3.830, 50.708], [3.841, 50.715], [3.841, 50.708], [3.830, 50.715], [3.830, 50.708]]
IN_BRUSSELS = [[4.35, 50.84], [4.36, 50.84], [4.36, 50.85], [4.35, 50.84]]


def _feature(name, geometry):
    return {"type": "Feature", "properties": {"name": name}, "geometry": geometry}


def _collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _upload_file(client, content: bytes, filename="cores.geojson", **data):
    data["file"] = (io.BytesIO(content), filename)
    return client.post("/c/lessines/cores/new", data=data, content_type="multipart/form-data")


GOOD = _feature("Grand-Place", {"type": "Polygon", "coordinates": [SQUARE]})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            b"",
            "Le fichier est vide.",
            id="empty-file",
        ),
        pytest.param(b" \r\n", "Le fichier est vide.", id="blank-file"),
        pytest.param(b"Nom;Polygone\r\nCentre;?\r\n", "Ceci n'est pas du GeoJSON.", id="a-csv-file"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "Ceci n'est pas du GeoJSON.", id="binary-file"),
        pytest.param(b'{"type": "FeatureCollection", "features": [', "Ceci n'est pas du GeoJSON.", id="truncated"),
        pytest.param(_collection(), "Le fichier ne contient aucune entité.", id="no-feature"),
        pytest.param(
            _collection(GOOD, _feature("Nœud", {"type": "Polygon", "coordinates": [BOWTIE]})),
            "Le polygone se croise lui-même.",
            id="one-self-intersecting",
        ),
        pytest.param(
            _collection(GOOD, _feature("Gare", {"type": "Point", "coordinates": [3.835, 50.711]})),
            "Le GeoJSON ne contient aucun polygone.",
            id="one-point",
        ),
        pytest.param(
            _collection(GOOD, _feature("Gare", {"type": "Polygon", "coordinates": [[SQUARE[0], SQUARE[1]]]})),
            "Un polygone doit compter au moins trois points distincts.",
            id="one-ring-of-two-points",
        ),
        pytest.param(
            _collection(GOOD, _feature("Gare", {"type": "MultiPolygon", "coordinates": [[SQUARE], [OTHER_SQUARE]]})),
            "Indiquez un polygone par noyau, pas un multipolygone.",
            id="one-multipolygon",
        ),
        pytest.param(
            # The first core is written before the second fails: it must not stay.
            _collection(GOOD, _feature("Bruxelles", {"type": "Polygon", "coordinates": [IN_BRUSSELS]})),
            "Le polygone déborde de la commune.",
            id="one-outside-the-commune",
        ),
    ],
)
def test_a_bad_geojson_file_says_why_and_saves_no_core(client, db, staff, make_core, content, message):
    make_core(name="Centre")
    before = len(_cores(db))
    response = _upload_file(client, content, name="Noyaux")
    assert response.status_code == 422
    text = page_text(response)
    assert "Veuillez corriger les champs signalés ci-dessous." in text
    assert message in text
    db.session.expire_all()
    assert len(_cores(db)) == before == 1


def _upload_big_file(client, content: bytes, name: str):
    # Encoded in memory: the test client spools big bodies to a temporary file it never closes.
    boundary, body = encode_multipart({"name": name, "file": FileStorage(io.BytesIO(content), "cores.geojson")})
    return client.post("/c/lessines/cores/new", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_a_geojson_file_over_2_mb_is_refused_and_saves_no_core(client, db, staff):
    # A valid polygon, padded past the limit: the size alone is the reason.
    content = POLYGON.encode() + b" " * (MAX_GEOJSON_BYTES + 1 - len(POLYGON))
    assert len(content) == MAX_GEOJSON_BYTES + 1
    response = _upload_big_file(client, content, "Centre")
    assert response.status_code == 422
    assert "Le fichier dépasse 2 Mo." in page_text(response)
    assert _cores(db) == []
    # Exactly at the limit, the same file is accepted.
    response = _upload_big_file(client, content[:-1], "Centre")
    assert response.status_code == 302
    assert [c.name for c in _cores(db)] == ["Centre"]


def test_a_geojson_file_with_two_unnamed_polygons_creates_two_numbered_cores(client, db, staff, make_core):
    make_core(name="Centre")
    unnamed = [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        for ring in (SQUARE, OTHER_SQUARE)
    ]
    # Saved from Windows tools, GeoJSON files often start with a byte order mark.
    content = "\ufeff".encode() + _collection(*unnamed)
    response = _upload_file(client, content, name="Gare")
    assert response.status_code == 302
    assert response.headers["Location"] == "/c/lessines/cores"
    cores = _cores(db)
    assert [c.name for c in cores] == ["Centre", "Gare 1", "Gare 2"]
    assert geo.shape(cores[1].area).equals(shape({"type": "Polygon", "coordinates": [SQUARE]}))
    assert geo.shape(cores[2].area).equals(shape({"type": "Polygon", "coordinates": [OTHER_SQUARE]}))
    page = page_text(client.get("/c/lessines/cores"))
    assert "2 noyau(x) commercial(aux) enregistré(s)." in page
    assert "Gare 1" in page and "Gare 2" in page
