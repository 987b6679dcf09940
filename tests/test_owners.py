"""The owner's space (their units only, proposing a unit) and the staff's moderation queue."""

from __future__ import annotations

import pytest
from shapely.geometry import MultiPolygon, Polygon

from popup import geo
from popup.notifications.models import Notification
from popup.units.models import Unit
from tests.conftest import csrf_token_from, page_text

XSS = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
INSIDE = {"latitude": "50.7117", "longitude": "3.8357"}  # Lessines' centre


def english(client):
    client.post("/language", data={"lang": "en"})


def main_of(response) -> str:
    """The page's main content as a user reads it (the header names the logged-in user)."""
    return page_text(response).split("<main", 1)[1].split("</main>", 1)[0]


def units(db) -> list[Unit]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Unit).order_by(Unit.id)))


def notifications(db, user=None, kind=None) -> list[Notification]:
    db.session.expire_all()
    stmt = db.select(Notification).order_by(Notification.id)
    if user is not None:
        stmt = stmt.where(Notification.user_id == user.id)
    if kind is not None:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt))


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
    return make_user(role="staff", name="Catherine Delhaye", communes=[commune])


@pytest.fixture
def staff_ath(make_user, ath):
    return make_user(role="staff", name="Didier Ath", communes=[ath])


@pytest.fixture
def pending_a(make_unit, owner_a):
    return make_unit(
        address="Rue des Moulins 3, 7860 Lessines",
        owner=owner_a,
        approval="pending",
        proposed_by_id=owner_a.id,
        floor_area_m2=60,
    )


@pytest.fixture
def approved_a(make_unit, owner_a):
    return make_unit(address="Grand-Place 7, 7860 Lessines", owner=owner_a, floor_area_m2=90)


@pytest.fixture
def unit_b(make_unit, owner_b):
    return make_unit(address="Rue de Grammont 20, 7860 Lessines", owner=owner_b, public_description="Bob's secret")


def proposal(**overrides) -> dict:
    data = {
        "commune": "",
        "address": "Rue Magerotte 5, 7860 Lessines",
        **INSIDE,
        "floor_area_m2": "70",
        "frontage_m": "5,5",
        "ground_floor": "y",
        "has_shop_window": "y",
        "public_description": "Lumineuse cellule.",
        "asking_rent": "950",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# -- an owner sees and edits only their own units -------------------------------


def test_an_owner_lists_their_own_units_only(client, auth, owner_a, pending_a, approved_a, unit_b):
    auth.login(owner_a.email)
    english(client)
    response = client.get("/my/units")
    assert response.status_code == 200
    text = main_of(response)
    assert "Rue des Moulins 3" in text and "Grand-Place 7" in text
    assert "Awaiting approval" in text
    assert "Rue de Grammont 20" not in text and f'data-unit-id="{unit_b.id}"' not in response.text


def test_an_owner_cannot_open_or_change_another_owners_unit(client, auth, db, owner_a, unit_b):
    auth.login(owner_a.email)
    before = (unit_b.address, unit_b.public_description, unit_b.floor_area_m2)
    assert client.get(f"/my/units/{unit_b.id}/edit").status_code == 404
    response = client.post(
        f"/my/units/{unit_b.id}/edit", data=proposal(address="Taken over 1", public_description="mine now")
    )
    assert response.status_code == 404
    assert "Bob's secret" not in response.text
    db.session.refresh(unit_b)
    assert (unit_b.address, unit_b.public_description, unit_b.floor_area_m2) == before
    assert client.get("/my/units/987654/edit").status_code == 404


def test_an_owner_edits_the_descriptive_facts_only(client, auth, db, owner_a, pending_a):
    auth.login(owner_a.email)
    form = client.get(f"/my/units/{pending_a.id}/edit")
    assert form.status_code == 200
    assert 'value="Rue des Moulins 3, 7860 Lessines"' in form.text
    response = client.post(
        f"/my/units/{pending_a.id}/edit",
        data=proposal(
            address="Rue des Moulins 5, 7860 Lessines",
            floor_area_m2="65,5",
            asking_rent="1.100,50",
            # not the owner's to set: ignored
            status="occupied",
            approval="approved",
            owner=str(pending_a.id + 1000),
        ),
    )
    assert response.status_code == 302
    db.session.refresh(pending_a)
    assert pending_a.address == "Rue des Moulins 5, 7860 Lessines"
    assert pending_a.street == "Rue des Moulins"
    assert pending_a.floor_area_m2 == 65.5
    assert pending_a.asking_rent_cents == 110050
    assert pending_a.has_shop_window and not pending_a.has_water
    assert (pending_a.status, pending_a.approval, pending_a.owner_id) == ("vacant", "pending", owner_a.id)


def test_an_invalid_edit_changes_nothing(client, auth, db, owner_a, approved_a):
    auth.login(owner_a.email)
    english(client)
    response = client.post(f"/my/units/{approved_a.id}/edit", data=proposal(asking_rent="-5", latitude="91"))
    assert response.status_code == 422
    text = page_text(response)
    assert "The rent cannot be negative." in text and "A latitude lies between -90 and 90." in text
    db.session.refresh(approved_a)
    assert approved_a.address == "Grand-Place 7, 7860 Lessines" and approved_a.asking_rent_cents is None


@pytest.mark.parametrize("role", ["staff", "entrepreneur", "coach"])
def test_other_roles_have_no_owner_space(client, auth, make_user, commune, approved_a, role):
    auth.login(make_user(role=role, communes=[commune] if role == "staff" else []).email)
    assert client.get("/my/units").status_code == 403
    assert client.get("/my/units/new").status_code == 403
    assert client.get(f"/my/units/{approved_a.id}/edit").status_code == 403
    assert client.post("/my/units/new", data=proposal(commune=str(commune.id))).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, approved_a):
    for path in ("/my/units", "/my/units/new", f"/my/units/{approved_a.id}/edit", "/moderation/units"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    assert client.post(f"/moderation/units/{approved_a.id}/approve").status_code == 302


def test_an_admin_may_edit_any_unit_through_the_owner_space(client, auth, db, make_user, unit_b):
    auth.login(make_user(role="admin").email)
    assert client.get(f"/my/units/{unit_b.id}/edit").status_code == 200


# -- proposing a unit -----------------------------------------------------------


def test_proposing_a_unit_makes_it_pending_and_tells_the_communes_staff(
    client, auth, db, commune, owner_a, staff, staff_ath
):
    auth.login(owner_a.email)
    page = client.get("/my/units/new")
    assert page.status_code == 200
    assert 'id="unit-form-map"' in page.text and "unit-form-map.js" in page.text
    response = client.post("/my/units/new", data=proposal(commune=str(commune.id)))
    assert response.status_code == 302
    (unit,) = units(db)
    assert (unit.approval, unit.status, unit.owner_id, unit.proposed_by_id) == (
        "pending",
        "vacant",
        owner_a.id,
        owner_a.id,
    )
    assert unit.commune_id == commune.id
    assert unit.asking_rent_cents == 95000 and unit.frontage_m == 5.5 and unit.has_shop_window
    assert [h.to_status for h in unit.history] == ["vacant"]
    (note,) = notifications(db, staff, "unit_proposed")
    assert note.params == {"owner": "Alice Owner", "address": "Rue Magerotte 5, 7860 Lessines"}
    assert note.link == "/moderation/units"
    assert notifications(db, staff_ath) == []


def test_a_proposed_unit_stays_out_of_public_view(client, auth, db, commune, owner_a, owner_b, staff):
    auth.login(owner_a.email)
    client.post("/my/units/new", data=proposal(commune=str(commune.id)))
    (unit,) = units(db)
    assert client.get(f"/units/{unit.id}").status_code == 200  # the proposer sees it
    auth.logout()
    assert client.get(f"/units/{unit.id}").status_code == 404
    assert client.get(f"/api/v1/units/{unit.id}").status_code == 404
    listed = client.get("/api/v1/units?bbox=3.7,50.6,3.9,50.8").get_json()
    assert listed["features"] == []
    assert client.get(f"/api/v1/stats?commune={commune.slug}").status_code in (200, 404)
    auth.login(owner_b.email)
    assert client.get(f"/units/{unit.id}").status_code == 404
    auth.logout()
    auth.login(staff.email)
    assert client.get(f"/units/{unit.id}").status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"commune": ""}, "commune", "Choose the commune of the unit."),
        ({"commune": "999999"}, "commune", "Choose the commune of the unit."),
        ({"commune": "abc"}, "commune", "Choose the commune of the unit."),
        ({"address": "  "}, "address", "Give the address of the unit."),
        ({"latitude": "north"}, "latitude", "Give the latitude as a number, such as 50.7117."),
        ({"latitude": "50.2"}, "latitude", "This point lies outside the commune of Lessines."),
        ({"floor_area_m2": "-4"}, "floor_area_m2", "Give a floor area above 0"),
        ({"asking_rent": "abc"}, "asking_rent", "Give an amount in euros"),
        ({"asking_rent": "-100"}, "asking_rent", "The rent cannot be negative."),
    ],
)
def test_a_bad_proposal_is_refused_with_a_clear_message(client, auth, db, commune, owner_a, overrides, field, message):
    auth.login(owner_a.email)
    english(client)
    data = proposal(commune=str(commune.id))
    data.update(overrides)
    response = client.post("/my/units/new", data=data)
    assert response.status_code == 422
    assert message in page_text(response)
    assert f'id="{field}-error"' in response.text
    assert units(db) == []
    assert notifications(db) == []


def test_xss_in_a_proposal_comes_out_escaped(client, auth, db, commune, owner_a, staff):
    auth.login(owner_a.email)
    client.post("/my/units/new", data=proposal(commune=str(commune.id), address=f"Rue {XSS} 1", public_description=XSS))
    for page in (client.get("/my/units"), client.get(f"/units/{units(db)[0].id}")):
        assert XSS not in page.text and ESCAPED in page.text
    auth.logout()
    auth.login(staff.email)
    page = client.get("/moderation/units")
    assert XSS not in page.text and ESCAPED in page.text


# -- moderation -----------------------------------------------------------------


def test_staff_see_the_pending_units_of_their_communes(client, auth, db, staff, staff_ath, pending_a, approved_a):
    auth.login(staff.email)
    english(client)
    response = client.get("/moderation/units")
    assert response.status_code == 200
    text = main_of(response)
    assert "Rue des Moulins 3" in text and "Alice Owner" in text and "alice@example.org" in text
    assert "Grand-Place 7" not in text  # approved already
    assert "Moderation" in page_text(response) and ">1<span" in response.text.replace(" ", "")
    auth.logout()
    auth.login(staff_ath.email)
    assert "Rue des Moulins" not in client.get("/moderation/units").text


@pytest.mark.parametrize("role", ["owner", "entrepreneur", "coach"])
def test_only_staff_moderate(client, auth, db, make_user, pending_a, role):
    auth.login(make_user(role=role).email)
    assert client.get("/moderation/units").status_code == 403
    assert client.post(f"/moderation/units/{pending_a.id}/approve").status_code == 403
    assert client.post(f"/moderation/units/{pending_a.id}/reject", data={"reject-1-reason": "no"}).status_code == 403
    db.session.refresh(pending_a)
    assert pending_a.approval == "pending"


def test_the_proposing_owner_cannot_approve_their_own_unit(client, auth, db, owner_a, pending_a):
    auth.login(owner_a.email)
    assert client.post(f"/moderation/units/{pending_a.id}/approve").status_code == 403
    db.session.refresh(pending_a)
    assert pending_a.approval == "pending"


def test_staff_of_another_commune_cannot_decide(client, auth, db, staff_ath, pending_a):
    auth.login(staff_ath.email)
    assert client.post(f"/moderation/units/{pending_a.id}/approve").status_code == 403
    reason = {f"reject-{pending_a.id}-reason": "Not yours"}
    assert client.post(f"/moderation/units/{pending_a.id}/reject", data=reason).status_code == 403
    assert client.post("/moderation/units/987654/approve").status_code == 404
    db.session.refresh(pending_a)
    assert pending_a.approval == "pending"
    assert notifications(db) == []


def test_approving_puts_the_unit_on_the_map_and_emails_the_owner(client, auth, db, smtp, staff, owner_a, pending_a):
    auth.login(staff.email)
    assert client.get(f"/moderation/units/{pending_a.id}/approve").status_code == 405  # no GET changes state
    response = client.post(f"/moderation/units/{pending_a.id}/approve")
    assert response.status_code == 302
    db.session.refresh(pending_a)
    assert pending_a.approval == "approved"
    (note,) = notifications(db, owner_a, "unit_approved")
    assert note.params == {"address": "Rue des Moulins 3, 7860 Lessines"}
    assert note.email_status == "sent"
    (mail,) = smtp
    assert mail["To"] == "alice@example.org"
    assert "Rue des Moulins 3" in mail.get_payload(decode=True).decode()
    auth.logout()
    assert client.get(f"/units/{pending_a.id}").status_code == 200
    assert client.get(f"/api/v1/units/{pending_a.id}").status_code == 200


def test_refusing_needs_a_reason(client, auth, db, staff, pending_a):
    auth.login(staff.email)
    english(client)
    response = client.post(f"/moderation/units/{pending_a.id}/reject", data={f"reject-{pending_a.id}-reason": "  "})
    assert response.status_code == 422
    assert "Say why the unit is refused" in page_text(response)
    assert f'id="reject-{pending_a.id}-reason-error"' in response.text
    db.session.refresh(pending_a)
    assert (pending_a.approval, pending_a.approval_reason) == ("pending", "")
    assert notifications(db) == []


def test_refusing_tells_the_owner_why(client, auth, db, smtp, staff, owner_a, pending_a):
    auth.login(staff.email)
    reason = "Cette adresse est déjà recensée."
    response = client.post(f"/moderation/units/{pending_a.id}/reject", data={f"reject-{pending_a.id}-reason": reason})
    assert response.status_code == 302
    db.session.refresh(pending_a)
    assert (pending_a.approval, pending_a.approval_reason) == ("rejected", reason)
    (note,) = notifications(db, owner_a, "unit_rejected")
    assert note.params["reason"] == reason
    (mail,) = smtp
    assert reason in mail.get_payload(decode=True).decode()
    auth.logout()
    assert client.get(f"/units/{pending_a.id}").status_code == 404
    auth.login(owner_a.email)
    english(client)
    page = main_of(client.get("/my/units"))
    assert "Refused" in page and reason in page


def test_a_failing_mail_server_never_loses_the_approval(client, auth, db, app, monkeypatch, staff, owner_a, pending_a):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 9)  # nothing listens: refused
    auth.login(staff.email)
    response = client.post(f"/moderation/units/{pending_a.id}/approve")
    assert response.status_code == 302
    db.session.refresh(pending_a)
    assert pending_a.approval == "approved"
    (note,) = notifications(db, owner_a, "unit_approved")
    assert note.email_status == "pending" and note.email_attempts == 1


def test_a_unit_decided_already_is_not_decided_twice(client, auth, db, staff, owner_a, pending_a):
    auth.login(staff.email)
    english(client)
    client.post(f"/moderation/units/{pending_a.id}/approve")
    response = client.post(
        f"/moderation/units/{pending_a.id}/reject",
        data={f"reject-{pending_a.id}-reason": "Too late"},
        follow_redirects=True,
    )
    assert "was already decided on: nothing changed" in page_text(response)
    client.post(f"/moderation/units/{pending_a.id}/approve")
    db.session.refresh(pending_a)
    assert pending_a.approval == "approved"
    assert len(notifications(db, owner_a)) == 1


def test_moderation_posts_need_the_csrf_token(client, auth, db, csrf, staff, pending_a):
    page = client.get("/login")
    client.post(
        "/login",
        data={"email": staff.email, "password": "correct horse battery", "csrf_token": csrf_token_from(page.text)},
    )
    assert client.post(f"/moderation/units/{pending_a.id}/approve").status_code == 400
    db.session.refresh(pending_a)
    assert pending_a.approval == "pending"
    queue = client.get("/moderation/units")
    token = csrf_token_from(queue.text)
    assert client.post(f"/moderation/units/{pending_a.id}/approve", data={"csrf_token": token}).status_code == 302
    db.session.refresh(pending_a)
    assert pending_a.approval == "approved"
