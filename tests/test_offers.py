"""Owners' pop-up offers: the form and its checks, publishing, the public list, who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from shapely.geometry import MultiPolygon, Polygon

from popup import geo
from popup.offers.models import Offer, Stand
from popup.types import utcnow
from popup.units.queries import local_today
from tests.conftest import page_text

XSS = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def english(client):
    client.post("/language", data={"lang": "en"})


def main_of(response) -> str:
    return page_text(response).split("<main", 1)[1].split("</main>", 1)[0]


def offers(db) -> list[Offer]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Offer).order_by(Offer.id)))


def stand_count(db) -> int:
    return db.session.query(Stand).count()


def day(n: int) -> str:
    return (local_today() + timedelta(days=n)).isoformat()


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
def owner_a(make_user):
    return make_user(role="owner", name="Alice Owner", email="alice@example.org")


@pytest.fixture
def owner_b(make_user):
    return make_user(role="owner", name="Bob Owner", email="bob@example.org")


@pytest.fixture
def staff(make_user, commune):
    return make_user(role="staff", communes=[commune])


@pytest.fixture
def unit_a(make_unit, owner_a):
    return make_unit(address="Grand-Place 7, 7860 Lessines", owner=owner_a, floor_area_m2=60)


@pytest.fixture
def pending_a(make_unit, owner_a):
    return make_unit(
        address="Rue des Moulins 3, 7860 Lessines", owner=owner_a, approval="pending", proposed_by_id=owner_a.id
    )


@pytest.fixture
def unit_b(make_unit, owner_b):
    return make_unit(address="Rue de Grammont 20, 7860 Lessines", owner=owner_b, floor_area_m2=100)


@pytest.fixture
def make_offer(db):
    def make(unit, stands=((("A", 20.0),)), **kw):
        kw.setdefault("title", "Boutique partagée")
        kw.setdefault("status", "draft")
        kw.setdefault("available_from", local_today())
        kw.setdefault("rent_cents", 80000)
        offer = Offer(unit=unit, owner_id=unit.owner_id, **kw)
        for position, (label, area) in enumerate(stands, start=1):
            offer.stands.append(Stand(label=label, area_m2=area, position=position))
        if kw["status"] == "published":
            offer.published_at = utcnow()
        db.session.add(offer)
        db.session.flush()
        return offer

    return make


def offer_form(**overrides) -> dict:
    data = {
        "title": "Boutique partagée du centre",
        "available_from": day(10),
        "available_until": day(100),
        "min_term_months": "2",
        "max_term_months": "6",
        "rent": "1.250,50",
        "charges": "120",
        "deposit": "",
        "stand_count": "3",
        "stands-0-label": "Vitrine",
        "stands-0-area_m2": "20",
        "stands-1-label": "",
        "stands-1-area_m2": "15,5",
        "stands-2-label": "Fond",
        "stands-2-area_m2": "12",
        "allowed_sectors": ["food", "crafts"],
        "excluded_sectors": ["second_hand"],
        "opening_days": ["1", "2", "5"],
        "conditions": "Assurance RC obligatoire.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def one_stand(**overrides) -> dict:
    data = offer_form(stand_count="1", **overrides)
    for key in ("stands-1-label", "stands-1-area_m2", "stands-2-label", "stands-2-area_m2"):
        data.pop(key)
    return data


# -- the form -------------------------------------------------------------------


def test_an_owner_makes_an_offer_on_their_unit(client, auth, db, owner_a, unit_a):
    auth.login(owner_a.email)
    english(client)
    page = client.get(f"/my/units/{unit_a.id}/offers/new")
    assert page.status_code == 200
    assert 'name="stands-0-area_m2"' in page.text and 'id="stand-row-template"' in page.text
    response = client.post(f"/my/units/{unit_a.id}/offers/new", data=offer_form())
    assert response.status_code == 302
    (offer,) = offers(db)
    assert response.headers["Location"] == f"/my/offers/{offer.id}"
    assert (offer.unit_id, offer.owner_id, offer.status) == (unit_a.id, owner_a.id, "draft")
    assert offer.available_from == local_today() + timedelta(days=10)
    assert offer.available_until == local_today() + timedelta(days=100)
    assert (offer.min_term_months, offer.max_term_months) == (2, 6)
    assert (offer.rent_cents, offer.charges_cents, offer.deposit_cents) == (125050, 12000, 0)
    assert [(s.label, s.area_m2, s.position) for s in offer.stands] == [
        ("Vitrine", 20.0, 1),
        ("Stand 2", 15.5, 2),  # an unnamed stand is numbered, in the user's language
        ("Fond", 12.0, 3),
    ]
    assert offer.allowed_sectors == ["food", "crafts"]
    assert offer.excluded_sectors == ["second_hand"]
    assert offer.opening_days == [1, 2, 5]
    assert offer.conditions == "Assurance RC obligatoire."
    assert offer.published_at is None


def test_an_offer_is_edited_and_its_stands_replaced(client, auth, db, owner_a, unit_a, make_offer):
    offer = make_offer(unit_a, stands=[("A", 10.0), ("B", 10.0)], rent_cents=50050)
    auth.login(owner_a.email)
    english(client)
    page = client.get(f"/my/offers/{offer.id}/edit")
    assert page.status_code == 200
    assert 'value="500.50"' in page.text and 'name="stands-1-area_m2"' in page.text
    data = one_stand(**{"stands-0-label": "Tout", "stands-0-area_m2": "55"})
    data["allowed_sectors"] = []
    response = client.post(f"/my/offers/{offer.id}/edit", data=data)
    assert response.status_code == 302
    (offer,) = offers(db)
    assert [(s.label, s.area_m2) for s in offer.stands] == [("Tout", 55.0)]
    assert offer.allowed_sectors == [] and offer.rent_cents == 125050
    assert stand_count(db) == 1


def test_editing_an_offer_keeps_its_stands_and_refuses_to_remove_a_booked_one(
    client, auth, db, owner_a, unit_a, make_offer, make_user
):
    from popup.schedules.models import Booking, Rotation

    offer = make_offer(unit_a, stands=[("A", 10.0), ("B", 10.0)])
    first, second = offer.stands
    rotation = Rotation(
        offer_id=offer.id, title="R", starts_on=local_today(), ends_on=local_today() + timedelta(days=60)
    )
    db.session.add(rotation)
    db.session.flush()
    entrepreneur = make_user(role="entrepreneur")
    db.session.add(
        Booking(
            rotation_id=rotation.id,
            stand_id=second.id,
            entrepreneur_id=entrepreneur.id,
            starts_on=local_today(),
            ends_on=local_today() + timedelta(days=14),
        )
    )
    db.session.flush()
    auth.login(owner_a.email)
    english(client)
    # Renaming keeps the stands themselves: the booking still points at "B", now "Back".
    two = offer_form(stand_count="2", **{"stands-0-label": "Front", "stands-1-label": "Back", "stands-1-area_m2": "12"})
    for key in ("stands-2-label", "stands-2-area_m2"):
        two.pop(key)
    assert client.post(f"/my/offers/{offer.id}/edit", data=two).status_code == 302
    db.session.expire_all()
    assert [(s.id, s.label, s.area_m2) for s in offers(db)[0].stands] == [
        (first.id, "Front", 20.0),
        (second.id, "Back", 12.0),
    ]
    # Removing the booked stand is refused with a message, and nothing changes.
    response = client.post(f"/my/offers/{offer.id}/edit", data=one_stand(title="Changed"))
    assert response.status_code == 409
    assert "The stand Back cannot be removed" in page_text(response)
    db.session.expire_all()
    (offer,) = offers(db)
    assert offer.title != "Changed" and [s.id for s in offer.stands] == [first.id, second.id]
    assert db.session.scalar(db.select(db.func.count(Booking.id))) == 1


BAD_INPUTS = [
    ({"title": ""}, "title", "Give the offer a title."),
    ({"rent": ""}, "rent", "Give the monthly rent in euros"),
    ({"rent": "abc"}, "rent", "Give an amount in euros, such as 850, 850,50 or 1.250."),
    ({"rent": "-5"}, "rent", "The rent cannot be negative."),
    ({"charges": "-1"}, "charges", "The charges cannot be negative."),
    ({"deposit": "12,345"}, "deposit", "Give an amount in euros"),
    ({"deposit": "-300"}, "deposit", "The deposit cannot be negative."),
    ({"available_from": ""}, "available_from", "Give the first day the unit is available."),
    ({"available_from": "31/12/2025"}, "available_from", "Give a date such as"),
    ({"available_until": "2025-02-30"}, "available_until", "Give a date such as"),
    ({"available_until": day(10)}, "available_until", "The end of the window must come after its start."),
    ({"available_until": day(5)}, "available_until", "The end of the window must come after its start."),
    ({"min_term_months": "0"}, "min_term_months", "A term lasts from 1 to 24 months."),
    ({"max_term_months": "25"}, "max_term_months", "A term lasts from 1 to 24 months."),
    ({"min_term_months": "abc"}, "min_term_months", "Give the minimum term as a whole number"),
    ({"max_term_months": "2.5"}, "max_term_months", "Give the maximum term as a whole number"),
    ({"min_term_months": "8"}, "max_term_months", "The maximum term cannot be shorter than the minimum term."),
    ({"stand_count": "0"}, "stand_count", "A unit holds from 1 to 12 stands."),
    ({"stand_count": "13"}, "stand_count", "A unit holds from 1 to 12 stands."),
    ({"stand_count": "trois"}, "stand_count", "Give the number of stands as a whole number"),
    ({"stand_count": "4"}, "stands", "Give the area of each of the 4 stands"),
    ({"stand_count": "2"}, "stands", "Give the area of each of the 2 stands"),
    ({"stands-1-area_m2": ""}, "stands", "Give the area of each of the 3 stands"),
    ({"stands-1-area_m2": "-3"}, "stands-1-area_m2", "Give an area above 0"),
    ({"stands-1-area_m2": "abc"}, "stands-1-area_m2", "Give the area of the stand in square metres"),
    ({"stands-1-area_m2": "30"}, "stands", "The stands add up to 62 m², more than the unit's floor area (60 m²)."),
    ({"stands-0-label": "x" * 41}, "stands-0-label", "Field cannot be longer than 40 characters."),
    ({"excluded_sectors": ["crafts", "home"]}, "excluded_sectors", "both welcome and excluded: Crafts."),
    ({"allowed_sectors": ["weapons"]}, "allowed_sectors", "Choose sectors from the list."),
    ({"opening_days": ["9"]}, "opening_days", "Choose days of the week from the list."),
    ({"opening_days": ["monday"]}, "opening_days", "Choose days of the week from the list."),
    ({"conditions": "x" * 5001}, "conditions", "Field cannot be longer than 5000 characters."),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUTS)
def test_each_bad_input_is_refused_and_nothing_is_saved(client, auth, db, owner_a, unit_a, overrides, field, message):
    auth.login(owner_a.email)
    english(client)
    response = client.post(f"/my/units/{unit_a.id}/offers/new", data=offer_form(**overrides))
    assert response.status_code == 422
    assert message in page_text(response)
    assert f'id="{field}-error"' in response.text
    assert "Nothing was saved." in page_text(response)
    assert offers(db) == [] and stand_count(db) == 0


def test_a_bad_edit_changes_nothing(client, auth, db, owner_a, unit_a, make_offer):
    offer = make_offer(unit_a, rent_cents=50000)
    auth.login(owner_a.email)
    response = client.post(f"/my/offers/{offer.id}/edit", data=offer_form(rent="abc", title="Nouveau"))
    assert response.status_code == 422
    (offer,) = offers(db)
    assert (offer.title, offer.rent_cents) == ("Boutique partagée", 50000)
    assert [s.label for s in offer.stands] == ["A"]


def test_without_script_the_form_comes_back_with_a_line_per_stand(client, auth, db, owner_a, unit_a):
    auth.login(owner_a.email)
    response = client.post(
        f"/my/units/{unit_a.id}/offers/new",
        data=offer_form(stand_count="5"),
    )
    assert response.status_code == 422
    assert 'name="stands-4-area_m2"' in response.text and 'name="stands-5-area_m2"' not in response.text


def test_the_floor_area_bound_applies_only_when_it_is_known(client, auth, db, owner_a, make_unit):
    unit = make_unit(owner=owner_a, floor_area_m2=None)
    auth.login(owner_a.email)
    response = client.post(f"/my/units/{unit.id}/offers/new", data=offer_form(**{"stands-0-area_m2": "500"}))
    assert response.status_code == 302


def test_sectors_and_days_are_shown_in_the_users_language(client, auth, db, owner_a, unit_a):
    auth.login(owner_a.email)
    english(client)
    page = page_text(client.get(f"/my/units/{unit_a.id}/offers/new"))
    assert "Fresh food" in page and "Monday" in page and "Sunday" in page
    client.post("/language", data={"lang": "fr"})
    page = page_text(client.get(f"/my/units/{unit_a.id}/offers/new"))
    assert "Lundi" in page


# -- publishing -----------------------------------------------------------------


def test_publishing_an_offer_of_an_approved_unit(client, auth, db, owner_a, unit_a, make_offer):
    offer = make_offer(unit_a)
    auth.login(owner_a.email)
    assert client.get(f"/my/offers/{offer.id}/publish").status_code == 405
    assert client.post(f"/my/offers/{offer.id}/publish").status_code == 302
    (offer,) = offers(db)
    assert offer.status == "published" and offer.published_at is not None
    assert client.post(f"/my/offers/{offer.id}/close").status_code == 302
    (offer,) = offers(db)
    assert offer.status == "closed"


def test_the_offer_of_a_pending_unit_stays_a_draft(client, auth, db, owner_a, pending_a):
    auth.login(owner_a.email)
    english(client)
    response = client.post(f"/my/units/{pending_a.id}/offers/new", data=one_stand())
    assert response.status_code == 302
    (offer,) = offers(db)
    response = client.post(f"/my/offers/{offer.id}/publish", follow_redirects=True)
    assert "The offer stays a draft: its unit is not approved yet." in page_text(response)
    (offer,) = offers(db)
    assert offer.status == "draft" and offer.published_at is None


def test_an_offer_whose_window_is_over_is_not_published(client, auth, db, owner_a, unit_a, make_offer):
    offer = make_offer(
        unit_a, available_from=local_today() - timedelta(days=30), available_until=local_today() - timedelta(days=1)
    )
    auth.login(owner_a.email)
    english(client)
    response = client.post(f"/my/offers/{offer.id}/publish", follow_redirects=True)
    assert "its availability window is over" in page_text(response)
    assert offers(db)[0].status == "draft"


def test_staff_of_the_commune_manage_its_offers(client, auth, db, staff, unit_a, make_offer):
    offer = make_offer(unit_a)
    auth.login(staff.email)
    assert client.get("/my/offers").status_code == 200
    assert f'data-offer-id="{offer.id}"' in client.get("/my/offers").text
    assert client.get(f"/my/offers/{offer.id}").status_code == 200
    assert client.post(f"/my/offers/{offer.id}/publish").status_code == 302
    assert offers(db)[0].status == "published"


# -- who may do what --------------------------------------------------------------


def test_owner_b_can_do_nothing_with_owner_as_offers(client, auth, db, owner_a, owner_b, unit_a, make_offer):
    draft = make_offer(unit_a, title="Brouillon d'Alice")
    published = make_offer(unit_a, title="Offre d'Alice", status="published")
    auth.login(owner_b.email)
    listing = client.get("/my/offers")
    assert listing.status_code == 200
    assert "Alice" not in main_of(listing)
    assert client.get(f"/my/units/{unit_a.id}/offers/new").status_code == 404
    assert client.post(f"/my/units/{unit_a.id}/offers/new", data=offer_form()).status_code == 404
    for offer in (draft, published):
        expected = 404
        assert client.get(f"/my/offers/{offer.id}").status_code == expected
        assert client.get(f"/my/offers/{offer.id}/edit").status_code == expected
        assert client.post(f"/my/offers/{offer.id}/edit", data=offer_form(title="Hijack")).status_code == expected
        assert client.post(f"/my/offers/{offer.id}/publish").status_code == expected
        assert client.post(f"/my/offers/{offer.id}/close").status_code == expected
    assert client.get("/my/offers/987654").status_code == 404
    after = offers(db)
    assert [(o.title, o.status) for o in after] == [("Brouillon d'Alice", "draft"), ("Offre d'Alice", "published")]
    assert [s.label for o in after for s in o.stands] == ["A", "A"]


def test_staff_of_another_commune_cannot_manage_the_offers(client, auth, db, make_user, ath, unit_a, make_offer):
    offer = make_offer(unit_a)
    auth.login(make_user(role="staff", communes=[ath]).email)
    assert client.get(f"/my/offers/{offer.id}").status_code == 404
    assert client.post(f"/my/offers/{offer.id}/publish").status_code == 404
    assert client.get(f"/my/units/{unit_a.id}/offers/new").status_code == 404
    assert offers(db)[0].status == "draft"


@pytest.mark.parametrize("role", ["entrepreneur", "coach"])
def test_other_roles_have_no_offers_space(client, auth, make_user, unit_a, make_offer, role):
    offer = make_offer(unit_a)
    auth.login(make_user(role=role).email)
    assert client.get("/my/offers").status_code == 403
    assert client.get(f"/my/offers/{offer.id}").status_code == 403
    assert client.get(f"/my/units/{unit_a.id}/offers/new").status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, db, unit_a, make_offer):
    offer = make_offer(unit_a)
    for path in ("/my/offers", f"/my/offers/{offer.id}", f"/my/units/{unit_a.id}/offers/new"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert client.post(f"/my/offers/{offer.id}/publish").status_code == 302
    db.session.refresh(offer)
    assert offer.status == "draft"


# -- the public list --------------------------------------------------------------


def test_the_public_list_shows_published_offers_only_and_no_owner_data(
    client, db, owner_a, unit_a, pending_a, unit_b, make_offer, make_unit
):
    shown = make_offer(
        unit_a,
        title="Boutique ouverte",
        status="published",
        rent_cents=125050,
        stands=[("Vitrine", 20.0), ("Fond", 12.5)],
        allowed_sectors=["food_fresh"],
        opening_days=[0, 5],
    )
    make_offer(unit_a, title="Brouillon caché")
    make_offer(unit_b, title="Offre fermée", status="closed")
    make_offer(pending_a, title="Cellule pas approuvée", status="published")
    archived = make_unit(owner=owner_a, archived_at=utcnow())
    make_offer(archived, title="Cellule archivée", status="published")
    make_offer(
        unit_b,
        title="Fenêtre passée",
        status="published",
        available_from=local_today() - timedelta(days=60),
        available_until=local_today(),
    )
    english(client)
    response = client.get("/offers")
    assert response.status_code == 200
    text = main_of(response)
    assert "Boutique ouverte" in text
    for hidden in ("Brouillon caché", "Offre fermée", "Cellule pas approuvée", "Cellule archivée", "Fenêtre passée"):
        assert hidden not in text
    assert "Grand-Place 7, 7860 Lessines" in text and "Lessines" in text
    assert "€1,250.50 per month" in text
    assert "Vitrine: 20 m²" in text and "Fond: 12.5 m²" in text
    assert "Fresh food" in text and "Monday, Saturday" in text
    assert "Alice" not in text and "alice@example.org" not in response.text
    assert client.get(f"/offers/{shown.id}").status_code == 200


def test_amounts_are_formatted_in_french_by_default(client, unit_a, make_offer):
    make_offer(unit_a, status="published", rent_cents=125050)
    text = main_of(client.get("/offers")).replace("\u202f", " ").replace("\xa0", " ")
    assert "1 250,50 € par mois" in text or "1 250,50 €" in text


def test_the_public_offer_page(client, db, owner_a, unit_a, pending_a, make_offer):
    offer = make_offer(unit_a, status="published", conditions="Assurance obligatoire.")
    draft = make_offer(unit_a, title="Brouillon")
    hidden = make_offer(pending_a, status="published")
    english(client)
    response = client.get(f"/offers/{offer.id}")
    assert response.status_code == 200
    text = main_of(response)
    assert "Assurance obligatoire." in text and "Grand-Place 7" in text
    assert "Alice" not in text and "alice@example.org" not in response.text
    # The applications module links in once it exists; until then the page says so and never fails.
    assert "Apply" in text or "Applications open soon." in text
    assert client.get(f"/offers/{draft.id}").status_code == 404
    assert client.get(f"/offers/{hidden.id}").status_code == 404
    assert client.get("/offers/987654").status_code == 404


def test_the_apply_button_links_to_the_applications_module_when_it_exists(app, client, unit_a, make_offer):
    from flask import url_for

    offer = make_offer(unit_a, status="published")
    english(client)
    response = client.get(f"/offers/{offer.id}")
    assert response.status_code == 200
    if "applications.apply_offer" in app.view_functions:
        with app.test_request_context():
            target = url_for("applications.apply_offer", offer_id=offer.id)
        assert f'href="{target}"' in response.text
    else:
        assert "Applications open soon." in main_of(response)


def test_xss_in_an_offer_comes_out_escaped(client, auth, db, owner_a, make_unit):
    unit = make_unit(owner=owner_a, address=f"Rue {XSS} 1, 7860 Lessines", public_description=XSS, floor_area_m2=80)
    auth.login(owner_a.email)
    data = offer_form(title=XSS, conditions=XSS, **{"stands-0-label": XSS[:40]})
    assert client.post(f"/my/units/{unit.id}/offers/new", data=data).status_code == 302
    (offer,) = offers(db)
    client.post(f"/my/offers/{offer.id}/publish")
    pages = [client.get("/my/offers"), client.get(f"/my/offers/{offer.id}"), client.get(f"/my/offers/{offer.id}/edit")]
    auth.logout()
    pages += [client.get("/offers"), client.get(f"/offers/{offer.id}")]
    for page in pages:
        assert page.status_code == 200
        assert "<img src=x" not in page.text
        assert ESCAPED in page.text


# -- applications to an offer -------------------------------------------------------


def test_the_owner_sees_the_applications_to_their_offer(client, auth, db, make_user, owner_a, unit_a, make_offer):
    from popup.applications.models import Application, EntrepreneurProfile

    offer = make_offer(unit_a, status="published")
    other = make_offer(unit_a, title="Autre", status="published")
    ana, ben, cleo = make_user(role="entrepreneur"), make_user(role="entrepreneur"), make_user(role="entrepreneur")
    db.session.add_all(
        [
            EntrepreneurProfile(user_id=ana.id, business_name="Fromagerie Ana", sector="food_fresh"),
            EntrepreneurProfile(user_id=ben.id, business_name="Brouillon Ben", sector="crafts"),
            EntrepreneurProfile(user_id=cleo.id, business_name=f"Cléo {XSS}", sector="fashion"),
            Application(entrepreneur_id=ana.id, offer_id=offer.id, status="submitted", submitted_at=utcnow()),
            Application(entrepreneur_id=ben.id, offer_id=offer.id, status="draft"),
            Application(entrepreneur_id=cleo.id, offer_id=other.id, status="submitted", submitted_at=utcnow()),
        ]
    )
    db.session.flush()
    auth.login(owner_a.email)
    english(client)
    response = client.get(f"/my/offers/{offer.id}")
    text = main_of(response)
    assert "Fromagerie Ana" in text and "Fresh food" in text and "Submitted" in text
    assert "Brouillon Ben" not in text  # a draft is the applicant's own business
    assert "Cléo" not in text  # another offer
    other_page = client.get(f"/my/offers/{other.id}")
    assert ESCAPED in other_page.text and XSS not in other_page.text


def test_the_owners_menu(client, auth, owner_a):
    auth.login(owner_a.email)
    english(client)
    header = client.get("/my/offers").text.split("<main", 1)[0]
    assert 'href="/my/units"' in header and 'href="/my/offers"' in header and 'href="/offers"' in header
    assert 'href="/moderation/units"' not in header
