"""The staff inventory of units: list, filters, sort, pages, forms, history, bulk change, archive, unit page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import event

from popup import geo
from popup.units import operations
from popup.units.models import Unit, UnitStatusChange
from popup.units.queries import PER_PAGE, local_today
from tests.conftest import csrf_token_from, page_text

XSS = "<img src=x onerror=alert(1)>"
INSIDE = {"latitude": "50.7117", "longitude": "3.8357"}  # Lessines' centre


def english(client):
    client.post("/language", data={"lang": "en"})


def days_ago(n: int) -> datetime:
    # Noon UTC keeps the day the same in Brussels.
    return datetime.combine(local_today() - timedelta(days=n), time(12), tzinfo=UTC)


def listed_ids(response) -> list[int]:
    """Units in the inventory table, in order."""
    return [int(i) for i in re.findall(r'name="unit_ids" value="(\d+)"', response.get_data(as_text=True))]


def main_of(response) -> str:
    """The page's main content as a user reads it (the header names the logged-in user)."""
    return page_text(response).split("<main", 1)[1].split("</main>", 1)[0]


def units(db) -> list[Unit]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Unit).order_by(Unit.id)))


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
    return make_user(role="staff", name="Catherine Delhaye", communes=[commune])


@pytest.fixture
def as_staff(client, auth, staff):
    auth.login(staff.email)
    return client


def unit_form(**overrides) -> dict:
    data = {
        "address": "Rue de Grammont 8, 7860 Lessines",
        **INSIDE,
        "floor_area_m2": "85",
        "frontage_m": "6,5",
        "ground_floor": "y",
        "status": "vacant",
        "reason": "",
        "asking_rent": "850",
        "owner": "",
        "public_description": "Une belle cellule.",
        "activity": "",
        "external_id": "",
        "has_water": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# -- who sees the list ---------------------------------------------------------


def test_staff_see_the_units_of_their_communes_only(as_staff, make_unit, ath):
    mine = make_unit(address="Grand-Place 1, 7860 Lessines")
    theirs = make_unit(commune=ath, address="Rue de Pintamont 3, 7800 Ath", lon=3.7786, lat=50.6298)
    response = as_staff.get("/units")
    assert response.status_code == 200
    assert listed_ids(response) == [mine.id]
    assert "Rue de Pintamont" not in response.text
    # asking for the other commune explicitly does not help
    response = as_staff.get("/units?commune=ath")
    assert response.status_code == 400
    assert theirs.id not in listed_ids(response)


def test_admins_see_every_commune(client, auth, make_user, make_unit, ath):
    a = make_unit()
    b = make_unit(commune=ath, lon=3.7786, lat=50.6298)
    auth.login(make_user(role="admin").email)
    assert sorted(listed_ids(client.get("/units"))) == [a.id, b.id]
    assert listed_ids(client.get("/units?commune=ath")) == [b.id]


@pytest.mark.parametrize("role", ["owner", "entrepreneur", "coach"])
def test_other_roles_are_refused(client, auth, make_user, role):
    auth.login(make_user(role=role).email)
    for path in ("/units", "/units/new"):
        assert client.get(path).status_code == 403
    assert client.post("/units/bulk-status", data={"unit_ids": ["1"], "status": "vacant"}).status_code == 403


def test_anonymous_users_are_sent_to_the_login_page(client, make_unit):
    unit = make_unit()
    for path in ("/units", "/units/new", f"/units/{unit.id}/edit", "/units/424242/edit"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    assert client.post(f"/units/{unit.id}/archive").status_code == 302
    assert client.post("/units/bulk-status").status_code == 302


def test_staff_get_an_inventory_link_others_do_not(client, auth, as_staff, make_user):
    assert 'href="/units"' in as_staff.get("/").text
    as_staff.post("/logout")
    assert 'href="/units"' not in client.get("/").text
    auth.login(make_user(role="owner").email)
    assert 'href="/units"' not in client.get("/").text


# -- the table -----------------------------------------------------------------


def test_the_table_shows_the_facts_of_each_unit(as_staff, make_unit):
    make_unit(
        address="Grand-Place 12, 7860 Lessines",
        status="occupied",
        at=days_ago(400),
        floor_area_m2=85,
        asking_rent_cents=107500,
    )
    english(as_staff)
    text = page_text(as_staff.get("/units"))
    assert "Grand-Place 12, 7860 Lessines" in text
    assert "Occupied" in text  # the status in words, not a colour alone
    assert "85 m²" in text
    assert "€1,075.00" in text
    assert days_ago(400).strftime("%b %-d, %Y") in text or days_ago(400).strftime("%b %d, %Y") in text


def test_the_table_is_accessible(as_staff, make_unit):
    unit = make_unit()
    html = as_staff.get("/units").text
    assert "<caption>" in html
    assert html.count('scope="col"') >= 8
    assert 'scope="row"' in html
    assert 'aria-sort="ascending"' in html  # sorted by address by default
    assert f'<label class="visually-hidden" for="select-unit-{unit.id}">' in html
    assert '<label class="visually-hidden" for="select-all">' in html
    assert 'role="search"' in html
    assert "<script>" not in html  # no inline script: a CSP can forbid them


def test_vacancy_duration_comes_from_the_history(as_staff, make_unit, db):
    long_vacant = make_unit(status="occupied", at=days_ago(2000))
    operations.change_status(long_vacant, "vacant", by=None, at=days_ago(430))
    recent = make_unit(status="vacant", at=days_ago(12))
    occupied = make_unit(status="vacant", at=days_ago(300))
    operations.change_status(occupied, "occupied", by=None, at=days_ago(3))
    english(as_staff)
    html = as_staff.get("/units").text
    row_of = {u.id: _row(html, u.id) for u in (long_vacant, recent, occupied)}
    assert "430 days (about 14 months)" in row_of[long_vacant.id]
    assert "12 days" in row_of[recent.id] and "month" not in row_of[recent.id]
    assert "days" not in row_of[occupied.id]


def _row(html: str, unit_id: int) -> str:
    match = re.search(rf'id="select-unit-{unit_id}".*?</tr>', html, re.S)
    assert match, f"unit {unit_id} is not in the table"
    return match.group(0)


def test_the_list_costs_the_same_number_of_queries_for_5_or_40_units(as_staff, make_unit, db):
    def queries_for_the_list() -> int:
        statements: list[str] = []

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert as_staff.get("/units").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    for i in range(5):
        u = make_unit(status="occupied", at=days_ago(500))
        operations.change_status(u, "vacant", by=None, at=days_ago(i + 1))
    few = queries_for_the_list()
    for i in range(35):
        u = make_unit(status="occupied", at=days_ago(500))
        operations.change_status(u, "vacant", by=None, at=days_ago(i + 10))
    assert queries_for_the_list() == few


# -- search, filters, sort, pages ----------------------------------------------


def test_search_and_filters(as_staff, make_unit, make_core):
    make_core()
    bakery = make_unit(
        address="Rue Général Freyberg 3, 7860 Lessines",
        activity="Boulangerie",
        status="vacant",
        floor_area_m2=60,
        asking_rent_cents=70000,
        has_kitchen=True,
    )
    big = make_unit(
        address="Grand-Place 20, 7860 Lessines", status="occupied", floor_area_m2=300, asking_rent_cents=250000
    )
    far = make_unit(address="Chaussée de Grammont 200, 7860 Lessines", status="vacant", lon=3.80, lat=50.70)
    assert listed_ids(as_staff.get("/units?q=boulang")) == [bakery.id]
    assert listed_ids(as_staff.get("/units?q=GRAND-PLACE")) == [big.id]
    assert sorted(listed_ids(as_staff.get("/units?status=vacant"))) == [bakery.id, far.id]
    assert sorted(listed_ids(as_staff.get("/units?status=vacant&status=occupied"))) == [bakery.id, big.id, far.id]
    assert listed_ids(as_staff.get("/units?area_min=100")) == [big.id]
    assert listed_ids(as_staff.get("/units?area_max=100")) == [bakery.id]
    assert listed_ids(as_staff.get("/units?rent_min=1.000&rent_max=3000")) == [big.id]
    assert listed_ids(as_staff.get("/units?rent_max=700,00")) == [bakery.id]
    assert listed_ids(as_staff.get("/units?features=has_kitchen")) == [bakery.id]
    core_id = re.search(r'<option value="(\d+)"[^>]*>Centre</option>', as_staff.get("/units").text).group(1)
    assert sorted(listed_ids(as_staff.get(f"/units?core={core_id}"))) == sorted([bakery.id, big.id])
    assert listed_ids(as_staff.get("/units?commune=lessines&status=vacant&area_max=100")) == [bakery.id]
    assert "No unit matches this search." in page_text(_en(as_staff).get("/units?q=nowhere"))


def _en(client):
    english(client)
    return client


def test_the_filter_form_keeps_what_was_asked(as_staff, make_unit):
    make_unit()
    html = as_staff.get("/units?q=grand&status=vacant&area_min=10&features=has_water").text
    assert 'id="filter-q" name="q"\n       value="grand"' in html or 'value="grand"' in html
    assert re.search(r'value="vacant"\s+id="filter-status-vacant" checked', html)
    assert re.search(r'value="has_water"\s+id="filter-features-has_water" checked', html)
    assert 'value="10"' in html


def test_the_list_exports_exactly_the_units_its_filters_select(as_staff, make_unit):
    import csv
    import html
    import io
    import json

    vacant_small = make_unit(address="Rue de Grammont 3, 7860 Lessines", status="vacant", floor_area_m2=60)
    make_unit(address="Rue de Grammont 5, 7860 Lessines", status="vacant", floor_area_m2=400)
    make_unit(address="Grand-Place 2, 7860 Lessines", status="occupied", floor_area_m2=60)
    english(as_staff)
    page = as_staff.get("/units?status=vacant&area_max=100&sort=area&dir=desc&page=1")
    assert "Export this unit:" in page_text(page)
    links = {
        kind: html.unescape(re.search(rf'href="([^"]*export\.{kind}[^"]*)"', page.text).group(1))
        for kind in ("csv", "geojson")
    }
    for link in links.values():  # the filters, not the list's sort and page
        assert "status=vacant" in link and "area_max=100" in link
        assert "sort=" not in link and "page=" not in link

    rows = list(csv.DictReader(io.StringIO(as_staff.get(links["csv"]).data.decode("utf-8-sig")), delimiter=";"))
    assert [row["id"] for row in rows] == [str(vacant_small.id)]
    collection = json.loads(as_staff.get(links["geojson"]).data)
    assert [f["properties"]["id"] for f in collection["features"]] == [vacant_small.id]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("sort=address", ["a", "b", "c", "d"]),
        ("sort=address&dir=desc", ["d", "c", "b", "a"]),
        ("sort=area", ["b", "c", "a", "d"]),  # no area last
        ("sort=area&dir=desc", ["a", "c", "b", "d"]),  # still last
        ("sort=rent", ["c", "a", "b", "d"]),
        ("sort=rent&dir=desc", ["b", "a", "c", "d"]),
        ("sort=status", ["b", "c", "a", "d"]),  # vacant, under works, occupied, withdrawn
        ("sort=vacancy&dir=desc", ["b", "c", "a", "d"]),  # longest vacancy first, the others after
        ("sort=vacancy", ["c", "b", "a", "d"]),
        ("sort=changed&dir=desc", ["c", "a", "d", "b"]),
        ("sort=changed", ["b", "d", "a", "c"]),
    ],
)
def test_sorting(as_staff, make_unit, sort, expected):
    made = {
        "a": make_unit(
            address="A street 1", status="occupied", at=days_ago(50), floor_area_m2=300, asking_rent_cents=90000
        ),
        "b": make_unit(
            address="B street 1", status="vacant", at=days_ago(700), floor_area_m2=40, asking_rent_cents=120000
        ),
        "c": make_unit(
            address="C street 1", status="vacant", at=days_ago(20), floor_area_m2=90, asking_rent_cents=50000
        ),
        "d": make_unit(address="D street 1", status="unavailable", at=days_ago(400)),
    }
    name_of = {u.id: key for key, u in made.items()}
    response = as_staff.get(f"/units?{sort}")
    assert response.status_code == 200
    assert [name_of[i] for i in listed_ids(response)] == expected


def test_sort_headers_are_links_that_keep_the_filters(as_staff, make_unit):
    make_unit()
    html = as_staff.get("/units?status=vacant&sort=area&dir=desc").text
    assert re.search(r'<th scope="col" aria-sort="descending"[^>]*>\s*<a class="sort-link" href="[^"]*sort=area', html)
    area_link = re.search(r'href="([^"]*sort=area[^"]*)"', html).group(1)
    assert "status=vacant" in area_link and "dir=asc" in area_link
    address_link = re.search(r'href="([^"]*sort=address[^"]*)"', html).group(1)
    assert "status=vacant" in address_link and "page=" not in address_link


def test_pages_of_fifty_with_links_that_keep_the_filters(as_staff, make_unit):
    for i in range(PER_PAGE * 2 + 5):
        make_unit(address=f"Rue {i:03d}", status="vacant" if i % 2 == 0 else "occupied")
    make_unit(address="Rue 999", status="occupied")
    first = as_staff.get("/units")
    assert len(listed_ids(first)) == PER_PAGE
    assert 'aria-current="page"' in first.text
    page3 = as_staff.get("/units?page=3")
    assert len(listed_ids(page3)) == 6
    vacant = as_staff.get("/units?status=vacant&sort=address&dir=desc")
    assert len(listed_ids(vacant)) == PER_PAGE
    links = set(re.findall(r'class="page-link" href="([^"]+)"', vacant.text))
    page2 = next(link for link in links if "page=2" in link)
    assert "status=vacant" in page2 and "dir=desc" in page2
    second = as_staff.get(page2.replace("&amp;", "&"))
    assert len(listed_ids(second)) == 3  # 53 vacant units
    assert not set(listed_ids(second)) & set(listed_ids(vacant))


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("area_min=abc", "area_min", "Give a number."),
        ("area_min=50&area_max=10", "area_max", "The largest area is smaller than the smallest."),
        ("rent_min=-5", "rent_min", "Give an amount in euros"),
        ("rent_max=12,345", "rent_max", "Give an amount in euros"),
        ("status=closed", "status", "Unknown status closed"),
        ("features=pool", "features", "Unknown feature pool"),
        ("core=abc", "core", "Unknown commercial core."),
        ("core=%C2%B2", "core", "Unknown commercial core."),  # a superscript two: a digit, not a number
        ("core=99999999999999999999", "core", "Unknown commercial core."),
        ("core=424242", "core", "Unknown commercial core."),
        ("commune=nowhere", "commune", "Unknown commune"),
        ("q=" + "x" * 201, "q", "Search with at most 200 characters."),
    ],
)
def test_bad_filters_show_the_message_beside_the_field(as_staff, make_unit, query, field, message):
    make_unit()
    english(as_staff)
    response = as_staff.get(f"/units?{query}")
    assert response.status_code == 400
    html = page_text(response)
    error = re.search(rf'id="filter-{field}-error">([^<]*)<', html)
    assert error, f"no error beside {field}"
    assert message in error.group(1)
    assert f'aria-describedby="filter-{field}-error' in html
    assert listed_ids(response) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=0", "Give a page number"),
        ("page=abc", "Give a page number"),
        ("page=-1", "Give a page number"),
        ("page=99999999999999999999", "Give a page number"),
        ("page=7", "There is no such page: the list has 1 page."),
        ("sort=owner", "Unknown sort order."),
        ("dir=sideways", "Sort in ascending (asc) or descending (desc) order."),
    ],
)
def test_bad_pages_and_sorts_get_a_clear_message(as_staff, make_unit, query, message):
    make_unit()
    english(as_staff)
    response = as_staff.get(f"/units?{query}")
    assert response.status_code == 400
    assert message in page_text(response)
    assert 'role="alert"' in response.text


# -- creating a unit -----------------------------------------------------------


def test_the_form_offers_only_the_users_communes_and_owners(as_staff, make_user, ath):
    make_user(role="owner", name="Martine Deschamps")
    make_user(role="entrepreneur", name="Julie Carlier")
    html = page_text(as_staff.get("/units/new"))
    communes = re.search(r'<select[^>]*name="commune".*?</select>', html, re.S).group(0)
    assert "Lessines" in communes and "Ath" not in communes
    owners = re.search(r'<select[^>]*name="owner".*?</select>', html, re.S).group(0)
    assert "Martine Deschamps" in owners and "Julie Carlier" not in owners


def test_the_form_has_a_map_configured_through_data_attributes(app, as_staff, monkeypatch):
    assert 'data-tile-url=""' in as_staff.get("/units/new").text  # tests load no tiles: no base layer
    monkeypatch.setitem(app.config, "TILE_URL", "https://tiles.example.test/{z}/{x}/{y}.png")
    html = as_staff.get("/units/new").text
    assert 'id="unit-form-map"' in html
    assert "/vendor/leaflet/leaflet.js" in html and "/vendor/leaflet/leaflet.css" in html
    assert "/static/js/unit-form-map.js" in html
    assert 'data-tile-url="https://tiles.example.test/{z}/{x}/{y}.png"' in html
    assert "data-centre='[50.7117, 3.8357]'" in html
    assert 'data-lat-input="latitude"' in html and 'data-lon-input="longitude"' in html
    assert re.search(r'<input[^>]*id="latitude"[^>]*type="number"', html)
    assert '<label class="form-label" for="latitude">' in html
    assert "<script>" not in html


def test_staff_create_a_unit_with_its_first_history_entry(as_staff, staff, db, commune, make_user):
    owner = make_user(role="owner")
    data = unit_form(commune=str(commune.id), owner=str(owner.id), reason="Recensement 2025", asking_rent="1.250")
    response = as_staff.post("/units/new", data=data)
    assert response.status_code == 302
    [unit] = units(db)
    assert response.headers["Location"] == f"/units/{unit.id}"
    assert unit.commune_id == commune.id
    assert unit.address == "Rue de Grammont 8, 7860 Lessines"
    assert unit.street == "Rue de Grammont"
    assert geo.lonlat(unit.location) == pytest.approx((3.8357, 50.7117))
    assert unit.floor_area_m2 == 85 and unit.frontage_m == 6.5
    assert unit.asking_rent_cents == 125000
    assert unit.owner_id == owner.id
    assert unit.has_water and not unit.has_kitchen and unit.ground_floor
    assert unit.external_id is None and unit.activity is None
    [entry] = unit.history
    assert (entry.from_status, entry.to_status) == (None, "vacant")
    assert entry.changed_by_id == staff.id
    assert entry.reason == "Recensement 2025"


@pytest.mark.parametrize(("typed", "cents"), [("850", 85000), ("850,50", 85050), ("1.250", 125000), ("", None)])
def test_rent_is_read_as_euros(as_staff, db, commune, typed, cents):
    response = as_staff.post("/units/new", data=unit_form(commune=str(commune.id), asking_rent=typed))
    assert response.status_code == 302
    assert units(db)[0].asking_rent_cents == cents


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"latitude": "50.63", "longitude": "3.77"}, "latitude", "This point lies outside the commune of Lessines."),
        ({"latitude": "50.63", "longitude": "3.77"}, "longitude", "This point lies outside the commune of Lessines."),
        ({"asking_rent": "abc"}, "asking_rent", "Give an amount in euros"),
        ({"asking_rent": "-850"}, "asking_rent", "The rent cannot be negative."),
        ({"address": "   "}, "address", "Give the address of the unit."),
        ({"address": None}, "address", "Give the address of the unit."),
        ({"latitude": ""}, "latitude", "Give the latitude, or click on the map."),
        ({"latitude": "north"}, "latitude", "Give the latitude as a number"),
        ({"longitude": "nan"}, "longitude", "Give the longitude as a number"),
        ({"latitude": "95"}, "latitude", "A latitude lies between -90 and 90."),
        ({"floor_area_m2": "0"}, "floor_area_m2", "Give a floor area above 0"),
        ({"floor_area_m2": "-3"}, "floor_area_m2", "Give a floor area above 0"),
        ({"floor_area_m2": "1e9"}, "floor_area_m2", "Give a floor area above 0"),
        ({"frontage_m": "0"}, "frontage_m", "Give a frontage above 0"),
        ({"status": "closed"}, "status", "Not a valid choice"),
        ({"status": "unavailable"}, "reason", "Say why the unit is withdrawn from the market."),
        ({"owner": "abc"}, "owner", "Invalid Choice"),
        ({"owner": "99999"}, "owner", "Not a valid choice"),
        ({"commune": "abc"}, "commune", "Invalid Choice"),
    ],
)
def test_a_bad_form_creates_nothing_and_says_why(as_staff, db, commune, overrides, field, message):
    english(as_staff)
    data = unit_form(**{"commune": str(commune.id), **overrides})
    response = as_staff.post("/units/new", data=data)
    assert response.status_code == 422
    assert units(db) == []
    html = page_text(response)
    error = re.search(rf'id="{field}-error">([^<]*)<', html)
    assert error, f"no error tied to {field}"
    assert message in error.group(1)
    assert f'aria-describedby="{field}-error' in html
    # what the user typed is still there
    assert f'value="{data["address"].strip()}"' in html if data.get("address", "").strip() else True
    if field == "asking_rent":
        assert f'value="{overrides["asking_rent"]}"' in html


def test_staff_cannot_create_a_unit_in_another_commune(as_staff, db, ath):
    response = as_staff.post("/units/new", data=unit_form(commune=str(ath.id), latitude="50.6298", longitude="3.7786"))
    assert response.status_code == 422
    assert units(db) == []


def test_the_external_reference_is_unique_per_commune(as_staff, db, commune, make_unit):
    make_unit(external_id="LES-001")
    english(as_staff)
    response = as_staff.post("/units/new", data=unit_form(commune=str(commune.id), external_id="LES-001"))
    assert response.status_code == 422
    assert "Another unit of this commune already has this reference." in page_text(response)
    assert len(units(db)) == 1


# -- editing a unit ------------------------------------------------------------


def test_the_edit_form_is_filled_with_the_unit(as_staff, make_unit):
    unit = make_unit(address="Rue Haute 5", asking_rent_cents=85050, floor_area_m2=70, has_kitchen=True)
    html = as_staff.get(f"/units/{unit.id}/edit").text
    assert 'value="Rue Haute 5"' in html
    assert 'value="850,50"' in html
    assert re.search(r'<input[^>]*checked[^>]*id="has_kitchen"|<input[^>]*id="has_kitchen"[^>]*checked', html)
    assert 'name="commune"' not in html  # a unit stays in its commune


def test_editing_with_a_status_change_writes_who_and_why(as_staff, staff, make_unit, db):
    unit = make_unit(status="vacant", at=days_ago(90))
    data = unit_form(address="Rue Haute 5, 7860 Lessines", status="popup", reason="Boutique éphémère de Noël")
    response = as_staff.post(f"/units/{unit.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    unit = db.session.get(Unit, unit.id)
    assert unit.status == "popup" and unit.address == "Rue Haute 5, 7860 Lessines" and unit.street == "Rue Haute"
    last = unit.history[-1]
    assert (last.from_status, last.to_status) == ("vacant", "popup")
    assert last.changed_by_id == staff.id
    assert last.reason == "Boutique éphémère de Noël"
    assert last.changed_at.date() >= days_ago(1).date()


def test_editing_without_a_status_change_writes_no_history(as_staff, make_unit, db):
    unit = make_unit(status="vacant")
    response = as_staff.post(f"/units/{unit.id}/edit", data=unit_form(status="vacant", reason="ignored"))
    assert response.status_code == 302
    assert db.session.query(UnitStatusChange).filter_by(unit_id=unit.id).count() == 1


def test_a_bad_edit_changes_nothing(as_staff, make_unit, db):
    unit = make_unit(address="Rue Haute 5", status="vacant", asking_rent_cents=50000)
    english(as_staff)
    data = unit_form(address="Rue Basse 1", status="unavailable", reason="", asking_rent="abc")
    response = as_staff.post(f"/units/{unit.id}/edit", data=data)
    assert response.status_code == 422
    html = page_text(response)
    assert "Say why the unit is withdrawn from the market." in html
    assert 'value="Rue Basse 1"' in html and 'value="abc"' in html
    db.session.expire_all()
    unit = db.session.get(Unit, unit.id)
    assert (unit.address, unit.status, unit.asking_rent_cents) == ("Rue Haute 5", "vacant", 50000)
    assert len(unit.history) == 1


def test_staff_of_another_commune_cannot_edit_or_archive(client, auth, make_user, make_unit, ath, db):
    unit = make_unit()
    auth.login(make_user(role="staff", communes=[ath]).email)
    assert client.get(f"/units/{unit.id}/edit").status_code == 403
    assert client.post(f"/units/{unit.id}/edit", data=unit_form()).status_code == 403
    assert client.post(f"/units/{unit.id}/archive").status_code == 403
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).archived_at is None


def test_unknown_or_archived_units_are_not_found(as_staff, make_unit, db):
    archived = make_unit()
    operations.archive_unit(archived, by=None)
    for unit_id in (archived.id, 424242):
        assert as_staff.get(f"/units/{unit_id}/edit").status_code == 404
        assert as_staff.post(f"/units/{unit_id}/archive").status_code == 404
        assert as_staff.get(f"/units/{unit_id}").status_code == 404


def test_admins_edit_any_unit(client, auth, make_user, make_unit, ath, db):
    unit = make_unit(commune=ath, lon=3.7786, lat=50.6298)
    auth.login(make_user(role="admin").email)
    data = unit_form(latitude="50.6298", longitude="3.7786", status="occupied", reason="Nouveau bail")
    assert client.post(f"/units/{unit.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).status == "occupied"


# -- bulk status change --------------------------------------------------------


def test_bulk_change_only_touches_units_the_user_manages(as_staff, staff, make_unit, ath, db):
    a = make_unit(status="vacant")
    b = make_unit(status="under_works")
    same = make_unit(status="popup")
    foreign = make_unit(commune=ath, status="vacant", lon=3.7786, lat=50.6298)
    english(as_staff)
    response = as_staff.post(
        "/units/bulk-status",
        data={
            "unit_ids": [str(a.id), str(b.id), str(same.id), str(foreign.id), "424242"],
            "status": "popup",
            "reason": "Opération Noël",
            "next": "/units?status=vacant",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/units?status=vacant"
    db.session.expire_all()
    assert db.session.get(Unit, a.id).status == "popup"
    assert db.session.get(Unit, b.id).status == "popup"
    assert db.session.get(Unit, foreign.id).status == "vacant"
    for unit_id in (a.id, b.id):
        last = db.session.get(Unit, unit_id).history[-1]
        assert (last.to_status, last.changed_by_id, last.reason) == ("popup", staff.id, "Opération Noël")
    assert len(db.session.get(Unit, same.id).history) == 1
    text = page_text(as_staff.get("/units"))
    assert "2 units changed status." in text
    assert "1 unit already had this status." in text
    assert "2 units were left unchanged" in text


def test_bulk_change_with_an_empty_selection_says_so(as_staff, make_unit, db):
    unit = make_unit(status="vacant")
    english(as_staff)
    response = as_staff.post("/units/bulk-status", data={"status": "occupied", "reason": "x", "next": "/units"})
    assert response.status_code == 422
    assert "Select at least one unit in the list." in page_text(response)
    assert listed_ids(response) == [unit.id]  # the list is shown again
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).status == "vacant"


def test_bulk_withdrawal_needs_a_reason(as_staff, make_unit, db):
    unit = make_unit(status="vacant")
    english(as_staff)
    response = as_staff.post(
        "/units/bulk-status", data={"unit_ids": [str(unit.id)], "status": "unavailable", "reason": ""}
    )
    assert response.status_code == 422
    html = page_text(response)
    assert "Say why the units are withdrawn from the market." in html
    assert f'value="{unit.id}" id="select-unit-{unit.id}" checked' in html  # the selection is kept
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).status == "vacant"


LEFT_UNCHANGED = "1 unit was left unchanged: it is not one you manage, or it no longer exists."


@pytest.mark.parametrize(
    ("case", "code", "message"),
    [
        ("no selection", 422, "Select at least one unit in the list."),
        ("an id that is not a number", 422, "Select at least one unit in the list."),
        ("an unknown status", 422, "Not a valid choice."),
        ("a withdrawal without reason", 422, "Say why the units are withdrawn from the market."),
        ("a unit of another commune", 302, LEFT_UNCHANGED),
        ("a unit that does not exist", 302, LEFT_UNCHANGED),
        ("an id beyond any database id", 302, LEFT_UNCHANGED),
    ],
)
def test_bulk_change_with_bad_input_says_why_and_changes_nothing(as_staff, make_unit, ath, db, case, code, message):
    own = make_unit(status="vacant")
    foreign = make_unit(commune=ath, status="vacant", lon=3.7786, lat=50.6298)
    data = {
        "no selection": {"status": "occupied", "reason": "Bail signé"},
        "an id that is not a number": {"unit_ids": ["abc"], "status": "occupied"},
        "an unknown status": {"unit_ids": [str(own.id)], "status": "closed"},
        "a withdrawal without reason": {"unit_ids": [str(own.id)], "status": "unavailable", "reason": " "},
        "a unit of another commune": {"unit_ids": [str(foreign.id)], "status": "occupied"},
        "a unit that does not exist": {"unit_ids": ["424242"], "status": "occupied"},
        "an id beyond any database id": {"unit_ids": ["99999999999999999999"], "status": "occupied"},
    }[case]
    english(as_staff)
    history_before = db.session.query(UnitStatusChange).count()

    response = as_staff.post("/units/bulk-status", data={**data, "next": "/units"}, follow_redirects=True)

    assert [r.status_code for r in response.history] == ([302] if code == 302 else [])
    assert response.status_code == (200 if code == 302 else 422)
    text = main_of(response)
    assert message in text
    assert "changed status" not in text  # no success claimed when nothing changed
    assert listed_ids(response) == [own.id]  # back on the list, which never shows the other commune's unit
    assert [u.status for u in units(db)] == ["vacant", "vacant"]
    assert db.session.query(UnitStatusChange).count() == history_before


def test_bulk_change_never_redirects_elsewhere(as_staff, make_unit):
    unit = make_unit()
    for target in ("https://evil.example/", "//evil.example/units", "/account"):
        response = as_staff.post(
            "/units/bulk-status", data={"unit_ids": [str(unit.id)], "status": "popup", "next": target}
        )
        assert response.headers["Location"] == "/units"


def test_forms_need_a_csrf_token(as_staff, make_unit, commune, db, csrf):
    unit = make_unit(status="vacant")
    assert as_staff.post("/units/bulk-status", data={"unit_ids": [str(unit.id)], "status": "popup"}).status_code == 400
    assert as_staff.post(f"/units/{unit.id}/archive").status_code == 400
    assert as_staff.post("/units/new", data=unit_form(commune=str(commune.id))).status_code in (400, 422)
    assert len(units(db)) == 1
    assert units(db)[0].status == "vacant" and units(db)[0].archived_at is None
    token = csrf_token_from(as_staff.get(f"/units/{unit.id}").text)
    assert as_staff.post(f"/units/{unit.id}/archive", data={"csrf_token": token}).status_code == 302


# -- archiving -----------------------------------------------------------------


def test_archiving_hides_the_unit_everywhere(as_staff, client, make_unit, db):
    unit = make_unit(status="vacant")
    other = make_unit(status="occupied")
    assert as_staff.get(f"/units/{unit.id}/archive").status_code == 405
    english(as_staff)
    response = as_staff.post(f"/units/{unit.id}/archive")
    assert response.status_code == 302
    assert response.headers["Location"] == "/units"
    listing = as_staff.get("/units")
    assert "Unit archived" in page_text(listing)
    assert listed_ids(listing) == [other.id]
    assert as_staff.get(f"/units/{unit.id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).archived_at is not None
    figures = dict(re.findall(r'data-figure="(\w+)">([^<]+)<', client.get("/c/lessines").text))
    assert figures["units"] == "1" and figures["vacant"] == "0"


# -- the unit page -------------------------------------------------------------


def test_staff_see_the_history_the_public_does_not(client, auth, as_staff, staff, make_unit, make_user):
    owner = make_user(role="owner", name="Jean-Pierre Lemaire", email="jp@example.org")
    unit = make_unit(status="occupied", at=days_ago(800), owner=owner, asking_rent_cents=95000)
    operations.change_status(unit, "vacant", by=staff, reason="Départ du commerçant", at=days_ago(45))
    english(as_staff)
    text = page_text(as_staff.get(f"/units/{unit.id}"))
    assert "Status history" in text
    assert "Départ du commerçant" in text and "Catherine Delhaye" in text
    assert "45 days" in text
    assert "Jean-Pierre Lemaire" in text  # staff see the owner
    assert f'action="/units/{unit.id}/archive"' in text and f'href="/units/{unit.id}/edit"' in text
    assert "(new unit)" in text

    as_staff.post("/logout")
    for viewer in ("anonymous", "owner", "other staff"):
        if viewer == "owner":
            auth.login(owner.email)
        elif viewer == "other staff":
            client.post("/logout")
            auth.login(make_user(role="staff").email)
        public = main_of(client.get(f"/units/{unit.id}"))
        assert "Rue" in public or "Grand-Place" in public
        assert "Départ du commerçant" not in public and "Catherine Delhaye" not in public, viewer
        assert "Lemaire" not in public and "jp@example.org" not in public, viewer
        assert "/archive" not in public and "/edit" not in public, viewer
        assert "950" in public


def test_history_dates_are_in_brussels_time(as_staff, make_unit, db):
    # 23:30 UTC on 31 December is already 1 January in Brussels.
    unit = make_unit(status="vacant", at=datetime(2023, 12, 31, 23, 30, tzinfo=UTC))
    english(as_staff)
    text = page_text(as_staff.get(f"/units/{unit.id}"))
    assert "Jan 1, 2024" in text
    assert "Dec 31, 2023" not in text


def test_xss_payloads_come_out_escaped_everywhere(as_staff, client, make_unit, staff):
    unit = make_unit(address=XSS, public_description=XSS, activity=XSS, external_id="X" + XSS)
    operations.change_status(unit, "occupied", by=staff, reason=XSS)
    pages = [
        as_staff.get("/units"),
        as_staff.get("/units?q=" + XSS),
        as_staff.get(f"/units/{unit.id}"),
        as_staff.get(f"/units/{unit.id}/edit"),
        as_staff.post(f"/units/{unit.id}/edit", data=unit_form(address=XSS, public_description=XSS, asking_rent=XSS)),
    ]
    as_staff.post("/logout")
    pages.append(client.get(f"/units/{unit.id}"))
    for response in pages:
        html = response.get_data(as_text=True)
        assert response.status_code in (200, 422)
        assert XSS not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
