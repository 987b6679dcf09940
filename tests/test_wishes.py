"""'I wish this was…': one wish per person per vacant unit, counts per unit and sector, local needs."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from popup.participation import operations
from popup.participation.models import Wish
from popup.participation.queries import local_needs
from popup.participation.voters import COOKIE
from tests.conftest import page_text

XSS = "<img src=x onerror=alert(1)>"


def english(client):
    client.post("/language", data={"lang": "en"})


def wish(client, unit, sector="food_fresh", text="Une épicerie de produits locaux"):
    return client.post(f"/units/{unit.id}/wish", data={"sector": sector, "text": text})


def wishes(db) -> list[Wish]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Wish).order_by(Wish.id)))


@pytest.fixture
def vacant(make_unit):
    return make_unit(address="Rue de Grammont 8, 7860 Lessines", status="vacant")


@pytest.fixture
def staff(make_user, commune):
    return make_user(role="staff", communes=[commune])


def test_a_resident_wishes_once_per_unit_without_an_account(client, db, vacant):
    english(client)
    page = client.get(f"/units/{vacant.id}")
    assert "I wish this was…" in page_text(page) and f'action="/units/{vacant.id}/wish"' in page.text
    response = wish(client, vacant, text=XSS)
    assert response.status_code == 302
    assert COOKIE in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    [saved] = wishes(db)
    assert (saved.sector, saved.text, saved.user_id) == ("food_fresh", XSS, None)
    assert saved.voter_key.startswith("anon:") and len(saved.ip_hash) == 64
    page = client.get(f"/units/{vacant.id}")
    assert 'data-wish-total="1"' in page.text
    assert "Your wish: Fresh food" in page_text(page)
    assert XSS not in page.text  # shown as text
    assert f'action="/units/{vacant.id}/wish"' not in page.text  # no second form
    again = wish(client, vacant, sector="fashion")
    assert again.status_code == 409
    assert "You already made a wish for this unit" in page_text(again)
    assert len(wishes(db)) == 1


def test_a_forged_cookie_is_not_a_voter(app, client, db, vacant):
    client.set_cookie(COOKIE, "not-signed-at-all")
    assert wish(client, vacant).status_code == 302
    [saved] = wishes(db)
    assert saved.voter_key.startswith("anon:")
    assert client.get_cookie(COOKIE).value != "not-signed-at-all"  # replaced by a signed token
    assert wish(client, vacant).status_code == 409  # which now names this browser


def test_clearing_cookies_helps_little_a_few_wishes_per_address(app, db, vacant):
    for n in range(operations.WISHES_PER_ADDRESS_PER_UNIT):
        assert wish(app.test_client(), vacant).status_code == 302, n  # a new browser each time
    fresh = app.test_client()
    english(fresh)
    response = wish(fresh, vacant)
    assert response.status_code == 429
    assert "Several wishes for this unit already came from your connection" in page_text(response)
    assert len(wishes(db)) == operations.WISHES_PER_ADDRESS_PER_UNIT


def test_wishes_are_rate_limited_per_address(app, client, vacant, make_unit):
    app.config["WISH_RATE_LIMIT"] = "2 per hour"
    try:
        other = make_unit(status="vacant")
        assert wish(client, vacant).status_code == 302
        assert wish(client, other).status_code == 302
        response = wish(app.test_client(), make_unit(status="vacant"))
        assert response.status_code == 429
        assert "Trop de tentatives" in page_text(response)
    finally:
        app.config["WISH_RATE_LIMIT"] = "30 per hour"


def test_with_an_account_the_user_is_the_voter(client, auth, db, vacant, make_user):
    alice, bob = make_user(role="entrepreneur"), make_user(role="owner")
    auth.login(alice.email)
    assert wish(client, vacant, sector="restaurant").status_code == 302
    assert wish(client, vacant, sector="fashion").status_code == 409
    auth.logout()
    auth.login(bob.email)
    assert wish(client, vacant, sector="restaurant").status_code == 302
    assert [(w.voter_key, w.user_id, w.ip_hash) for w in wishes(db)] == [
        (f"user:{alice.id}", alice.id, ""),
        (f"user:{bob.id}", bob.id, ""),
    ]


def test_the_database_holds_one_wish_per_voter_per_unit(db, vacant):
    db.session.add(Wish(unit_id=vacant.id, voter_key="user:1", sector="food"))
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(Wish(unit_id=vacant.id, voter_key="user:1", sector="fashion"))
    with pytest.raises(operations.AlreadyWished):
        operations.add_wish(vacant, voter_key="user:1", sector="crafts")
    assert len(wishes(db)) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"sector": "", "text": "x"}, "Choose a sector from the list."),
        ({"sector": "weapons", "text": "x"}, "Choose a sector from the list."),
        ({"sector": "food", "text": "x" * 281}, "Keep it under 280 characters."),
    ],
)
def test_bad_wishes_get_a_message_and_change_nothing(client, db, vacant, data, message):
    english(client)
    response = client.post(f"/units/{vacant.id}/wish", data=data)
    assert response.status_code == 422
    assert message in page_text(response)
    assert wishes(db) == []


def test_only_vacant_and_public_units_take_wishes(client, db, make_unit):
    occupied = make_unit(status="occupied")
    english(client)
    assert f"/units/{occupied.id}/wish" not in client.get(f"/units/{occupied.id}").text
    response = wish(client, occupied)
    assert response.status_code == 409
    assert "Wishes are for vacant units only" in page_text(response)
    pending = make_unit(status="vacant", approval="pending")
    assert wish(client, pending).status_code == 404
    assert client.post("/units/99999999/wish", data={"sector": "food"}).status_code == 404
    assert wishes(db) == []


def test_counts_per_unit_on_the_page_and_in_the_api(app, client, db, vacant, make_user):
    for sector in ("food", "food", "fashion"):
        assert wish(app.test_client(), vacant, sector=sector).status_code == 302
    page = client.get(f"/units/{vacant.id}")
    assert 'data-wish-total="3"' in page.text
    assert '<tr data-sector="food"><th scope="row">' in page.text
    body = client.get(f"/api/v1/units/{vacant.id}").get_json()
    assert body["properties"]["wishes"] == {"total": 3, "by_sector": {"food": 2, "fashion": 1}}
    assert "wishes" not in client.get("/api/v1/units").get_json()["features"][0]["properties"]


def test_staff_hide_an_abusive_text_and_the_wish_still_counts(client, auth, db, vacant, staff, make_user, ath_staff):
    assert wish(client, vacant, text="Texte injurieux").status_code == 302
    [saved] = wishes(db)
    hide = f"/wishes/{saved.id}/hide"
    anonymous = client.post(hide)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for user in (make_user(role="owner"), ath_staff):
        auth.login(user.email)
        assert client.post(hide).status_code == 403
        auth.logout()
    assert not wishes(db)[0].text_hidden
    auth.login(staff.email)
    english(client)
    assert "Hide this text" in page_text(client.get(f"/units/{vacant.id}"))
    assert client.post(hide).status_code == 302
    assert client.post("/wishes/99999999/hide").status_code == 404
    auth.logout()
    page = client.get(f"/units/{vacant.id}")
    assert "Texte injurieux" not in page.text
    assert 'data-wish-total="1"' in page.text
    assert wishes(db)[0].text_hidden


@pytest.fixture
def ath_staff(make_commune, make_user):
    from shapely.geometry import MultiPolygon, Polygon

    from popup import geo

    ath = make_commune(
        name="Ath",
        slug="ath",
        centre=geo.point(3.7786, 50.6298),
        boundary=geo.from_geometry(
            MultiPolygon([Polygon([(3.70, 50.58), (3.86, 50.58), (3.86, 50.65), (3.70, 50.65)])])
        ),
    )
    return make_user(role="staff", communes=[ath])


# -- local needs ---------------------------------------------------------------


def _wish_for(unit, sector, n, start=0):
    for i in range(n):
        operations.add_wish(unit, voter_key=f"user:{start + i}", sector=sector)


def test_local_needs_rank_wished_sectors_the_commune_lacks(db, commune, make_unit):
    vacant_a, vacant_b = make_unit(status="vacant"), make_unit(status="vacant")
    _wish_for(vacant_a, "food", 3)
    _wish_for(vacant_b, "food", 1, start=10)
    _wish_for(vacant_a, "fashion", 5, start=20)
    _wish_for(vacant_b, "crafts", 2, start=30)
    _wish_for(vacant_b, "culture", 2, start=40)
    _wish_for(vacant_a, "other", 9, start=50)
    # Ten occupied or pop-up units with a known sector: 2 make a sector well represented.
    for sector in ("fashion", "fashion", "culture", "services", "services", "services", "home", "home", "home"):
        make_unit(status="occupied", sector=sector)
    make_unit(status="popup", sector="culture")
    make_unit(status="vacant", sector="crafts")  # a vacant unit does not represent its sector
    make_unit(status="occupied")  # no sector: not counted
    assert local_needs(commune) == ["food", "crafts"]
    assert local_needs(commune, limit=1) == ["food"]
    assert local_needs(commune, limit=0) == []


def test_the_wishes_page_shows_counts_per_sector_and_the_local_needs(client, db, commune, make_unit):
    unit = make_unit(status="vacant")
    _wish_for(unit, "restaurant", 2)
    _wish_for(make_unit(status="vacant"), "home", 1, start=5)
    make_unit(status="occupied", sector="home")
    make_unit(status="occupied", sector="home")
    english(client)
    page = client.get("/c/lessines/wishes")
    assert page.status_code == 200
    text = page_text(page)
    assert "Local needs" in text
    needs = text.split('class="local-needs"', 1)[1].split("</ol>", 1)[0]
    assert "Restaurant and café" in needs and "Home and decoration" not in needs
    assert '<tr data-sector="restaurant">' in page.text and '<tr data-sector="home">' in page.text
    assert client.get("/c/nowhere/wishes").status_code == 404


def test_a_unit_sector_is_set_by_staff_in_the_unit_form(client, auth, db, staff, make_unit):
    unit = make_unit(status="occupied")
    auth.login(staff.email)
    english(client)
    form = client.get(f"/units/{unit.id}/edit")
    assert 'name="sector"' in form.text
    data = {
        "address": unit.address,
        "latitude": "50.7117",
        "longitude": "3.8357",
        "status": "occupied",
        "sector": "weapons",
    }
    response = client.post(f"/units/{unit.id}/edit", data=data)
    assert response.status_code == 422 and "Choose a sector from the list." in page_text(response)
    assert client.post(f"/units/{unit.id}/edit", data={**data, "sector": "food"}).status_code == 302
    db.session.refresh(unit)
    assert unit.sector == "food"
