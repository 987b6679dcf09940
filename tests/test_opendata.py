"""Open data: public unit data and monthly vacancy per commune and core, as CSV and GeoJSON, no personal data."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime

import pytest

from popup.participation import operations as participation
from popup.participation.forms import fill_token
from popup.types import utcnow
from popup.units.operations import change_status
from tests.conftest import page_text

XSS = "<img src=x onerror=alert(1)>"


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)


def read_csv(response) -> tuple[str, list[dict]]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())  # Excel reads UTF-8 with a BOM
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text
    first, rest = text.split("\r\n", 1)
    [cells] = list(csv.reader([first], delimiter=";"))
    assert len(cells) == 1  # the licence line is one cell
    return cells[0], list(csv.DictReader(io.StringIO(rest), delimiter=";"))


@pytest.fixture
def history(make_unit, make_core, db):
    """A in the core: vacant 15 Jan 2024, occupied 10 Mar 2024. B outside: occupied 1 Jan, vacant 20 Feb 2024."""
    make_core()
    a = make_unit(address="Grand-Place 1, 7860 Lessines", status="vacant", at=at("2024-01-15"), floor_area_m2=85.5)
    change_status(a, "occupied", by=None, at=at("2024-03-10"))
    b = make_unit(address="=HYPERLINK(1)", lon=3.80, lat=50.70, status="occupied", at=at("2024-01-01"))
    change_status(b, "vacant", by=None, at=at("2024-02-20"))
    a.created_at, b.created_at = at("2024-01-15"), at("2024-01-01")  # recorded then, not today
    db.session.flush()
    return a, b


def test_the_open_data_page_lists_the_downloads_with_licence_and_date(client, history):
    client.post("/language", data={"lang": "en"})
    page = client.get("/c/lessines/open-data")
    assert page.status_code == 200
    text = page_text(page)
    assert "CC BY 4.0" in text
    for path in ("units.csv", "units.geojson", "vacancy-monthly.csv", "vacancy-monthly.geojson"):
        assert f"/c/lessines/open-data/{path}" in page.text
        assert client.get(f"/c/lessines/open-data/{path}").status_code == 200
    assert "<caption>" in page.text and 'scope="row"' in page.text
    assert client.get("/c/nowhere/open-data").status_code == 404
    assert client.get("/c/nowhere/open-data/units.csv").status_code == 404
    assert client.get("/c/lessines/open-data/units.xlsx").status_code == 404


def test_units_as_csv_public_fields_only_licence_line_first(client, history, make_unit, db):
    make_unit(address="Proposed 1", approval="pending")
    archived = make_unit(address="Archived 1")
    archived.archived_at = utcnow()
    db.session.flush()
    response = client.get("/c/lessines/open-data/units.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    first, rows = read_csv(response)
    # the pending and archived units, created today, are not public: the last change stays that of March 2024
    assert first == "Licence: CC BY 4.0, source: Lessines (popup), last updated: 2024-03-10"
    assert [r["address"] for r in rows] == ["Grand-Place 1, 7860 Lessines", "'=HYPERLINK(1)"]  # no formula
    row = rows[0]
    assert (row["status"], row["status_since"], row["floor_area_m2"]) == ("occupied", "2024-03-10", "85,5")
    assert row["latitude"] == "50,7117" and row["longitude"] == "3,8357"


def test_units_as_geojson_as_the_api_gives_them(client, history):
    body = client.get("/c/lessines/open-data/units.geojson").get_json()
    assert body["type"] == "FeatureCollection" and body["licence"] == "CC BY 4.0" and body["updated"]
    api = client.get("/api/v1/units?commune=lessines").get_json()
    assert body["features"] == api["features"]


def test_monthly_vacancy_per_commune_and_core_from_the_history(client, history):
    first, rows = read_csv(client.get("/c/lessines/open-data/vacancy-monthly.csv"))
    assert first.startswith("Licence: CC BY 4.0,")
    commune = {r["month"]: r for r in rows if r["scope"] == "commune"}
    core = {r["month"]: r for r in rows if r["scope"] == "core"}
    assert (commune["2024-01"]["units"], commune["2024-01"]["vacant"], commune["2024-01"]["vacancy_rate_percent"]) == (
        "2",
        "1",
        "50",
    )
    assert commune["2024-01"]["as_of"] == "2024-01-31"
    assert (commune["2024-02"]["vacant"], commune["2024-02"]["vacancy_rate_percent"]) == ("2", "100")
    assert (commune["2024-03"]["vacant"], commune["2024-03"]["status_occupied"]) == ("1", "1")
    assert (core["2024-01"]["name"], core["2024-01"]["vacant"], core["2024-02"]["vacant"]) == ("Centre", "1", "1")
    assert (core["2024-03"]["vacant"], core["2024-03"]["units"]) == ("0", "1")
    this_month = datetime.now(UTC).strftime("%Y-%m")
    assert max(commune) == this_month and commune[this_month]["vacant"] == "1"
    geo = client.get("/c/lessines/open-data/vacancy-monthly.geojson").get_json()
    assert geo["licence"] == "CC BY 4.0" and geo["updated"] == "2024-03-10"
    scopes = [(f["properties"]["scope"], f["geometry"]["type"]) for f in geo["features"]]
    assert scopes == [("commune", "MultiPolygon"), ("core", "Polygon")]
    months = {m["month"]: m for m in geo["features"][0]["properties"]["months"]}
    assert months["2024-02"]["vacancy_rate"] == 1.0 and months["2024-02"]["by_status"]["vacant"] == 2


def test_the_licence_is_a_setting(app, client, history):
    app.config["OPEN_DATA_LICENCE"] = "Licence Ouverte 2.0"
    try:
        first, _rows = read_csv(client.get("/c/lessines/open-data/units.csv"))
        assert first.startswith("Licence: Licence Ouverte 2.0,")
        assert (
            client.get("/c/lessines/open-data/vacancy-monthly.geojson").get_json()["licence"] == "Licence Ouverte 2.0"
        )
    finally:
        app.config["OPEN_DATA_LICENCE"] = "CC BY 4.0"


def test_no_personal_data_in_the_open_data(client, db, commune, make_user, make_unit):
    owner = make_user(role="owner", name="Jean-Pierre Lemaire", email="jp.lemaire@example.org")
    unit = make_unit(owner=owner, status="vacant", public_description="Belle vitrine")
    participation.add_wish(unit, voter_key="user:1", sector="food", text="Wish by Zoé Secret")
    participation.submit_report(
        commune, address="Rue X 1", lon=3.8357, lat=50.7117, email="reporter.private@example.org"
    )
    staff = make_user(role="staff", name="Catherine Staffname", email="catherine@lessines.be", communes=[commune])
    change_status(unit, "occupied", by=staff, reason="Signed by Lemaire")
    assert fill_token(time.time())  # the report form's token needs no personal data either
    secrets = ("Lemaire", "jp.lemaire", "reporter.private", "Zoé Secret", "Staffname", "catherine@", "Signed by")
    for path in (
        "/c/lessines/open-data",
        "/c/lessines/open-data/units.csv",
        "/c/lessines/open-data/units.geojson",
        "/c/lessines/open-data/vacancy-monthly.csv",
        "/c/lessines/open-data/vacancy-monthly.geojson",
    ):
        body = client.get(path).get_data().decode("utf-8-sig")
        assert "Belle vitrine" in body or "vacancy" in path or path.endswith("open-data")
        for secret in secrets:
            assert secret not in body, (path, secret)


def test_an_empty_commune_has_empty_files(client, commune):
    first, rows = read_csv(client.get("/c/lessines/open-data/units.csv"))
    assert "last updated: -" in first and rows == []
    body = client.get("/c/lessines/open-data/vacancy-monthly.geojson").get_json()
    assert body["updated"] is None and body["features"][0]["properties"]["months"] == []
    assert XSS not in client.get("/c/lessines/open-data").text
