"""The audit log: every change to audited records says who, when, before and after; nobody can edit it."""

from __future__ import annotations

import pytest
from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from popup import geo
from popup.audit.models import AuditEntry
from popup.units import operations
from popup.units.models import Unit
from tests.conftest import page_text
from tests.test_units_inventory import unit_form


def entries(db, **where) -> list[AuditEntry]:
    db.session.expire_all()
    stmt = select(AuditEntry).filter_by(**where).order_by(AuditEntry.id)
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
def staff(make_user, commune):
    return make_user(role="staff", name="Catherine Delhaye", email="catherine@lessines.be", communes=[commune])


@pytest.fixture
def as_staff(client, auth, staff):
    auth.login(staff.email)
    client.post("/language", data={"lang": "en"})
    return client


def test_a_unit_created_and_edited_in_the_inventory_is_logged_with_its_author(as_staff, db, commune, staff):
    response = as_staff.post("/units/new", data=unit_form(commune=str(commune.id), asking_rent="850"))
    assert response.status_code == 302
    unit = db.session.scalars(select(Unit).order_by(Unit.id.desc())).first()
    [created] = entries(db, table_name="units", row_id=str(unit.id), action="insert")
    assert created.actor_id == staff.id and created.actor_label == ""  # the name is read from the account
    assert created.commune_id == commune.id
    assert created.changes["asking_rent_cents"] == [None, 85000]
    assert created.changes["location"][1].startswith("POINT (3.8357")

    response = as_staff.post(
        f"/units/{unit.id}/edit",
        data=unit_form(commune=str(commune.id), asking_rent="900", status="popup", reason="test"),
    )
    assert response.status_code == 302
    updates = entries(db, table_name="units", row_id=str(unit.id), action="update")
    changed = {name: pair for entry in updates for name, pair in entry.changes.items()}
    assert changed["asking_rent_cents"] == [85000, 90000]
    assert changed["status"] == ["vacant", "popup"]
    assert "address" not in changed  # unchanged fields are not repeated

    page = as_staff.get(f"/audit?table=units&row={unit.id}")
    assert page.status_code == 200
    text_ = page_text(page)
    assert "Catherine Delhaye" in text_ and "85000 → 90000" in text_ and "vacant → popup" in text_


def test_bulk_status_changes_are_logged_per_unit(db, make_unit, staff):
    a, b = make_unit(status="vacant"), make_unit(status="vacant")
    before = len(entries(db, table_name="units", action="update"))
    changed = operations.record_status_changes({a.id: "occupied", b.id: "vacant"}, by=staff)
    assert changed == 1
    updates = entries(db, table_name="units", action="update")[before:]
    assert [(e.row_id, e.changes["status"]) for e in updates] == [(str(a.id), ["vacant", "occupied"])]


def test_a_role_change_is_logged_without_personal_data(db, make_user, commune):
    user = make_user(role="owner", name="Jeanne Owner", email="jeanne@example.org")
    user.role = "staff"
    user.communes.append(commune)
    user.name = "Jeanne Staff"
    db.session.flush()
    [entry] = entries(db, table_name="users", row_id=str(user.id), action="update")
    assert entry.changes == {"role": ["owner", "staff"], "communes": [[], [commune.id]]}
    created = entries(db, table_name="users", row_id=str(user.id), action="insert")[0]
    assert "email" not in created.changes and "name" not in created.changes and "password_hash" not in created.changes


def test_a_rolled_back_change_leaves_no_entry(db, make_unit):
    unit = make_unit()
    count = len(entries(db))
    nested = db.session.begin_nested()
    unit.asking_rent_cents = 12345
    db.session.flush()
    assert len(entries(db)) == count + 1
    nested.rollback()
    assert len(entries(db)) == count


def test_the_database_refuses_to_change_or_delete_an_entry(db, make_unit):
    make_unit()
    entry = entries(db)[-1]
    for statement in (
        "UPDATE audit_entries SET actor_label = 'someone else' WHERE id = :id",
        "DELETE FROM audit_entries WHERE id = :id",
    ):
        nested = db.session.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement), {"id": entry.id})
        nested.rollback()
    assert entries(db)[-1].actor_label == entry.actor_label


def test_staff_see_only_their_communes_entries_and_nobody_else_sees_the_log(
    client, auth, db, make_user, make_unit, ath, staff
):
    mine = make_unit(address="Grand-Place 7, 7860 Lessines")
    theirs = make_unit(commune=ath, address="Rue de Pintamont 3, 7800 Ath", lon=3.7786, lat=50.6298)
    auth.login(staff.email)
    client.post("/language", data={"lang": "en"})
    text_ = page_text(client.get("/audit?table=units"))
    assert f"Units {mine.id}\n" in text_ or f"Units {mine.id}<" in text_
    assert f"Units {theirs.id}<" not in text_ and f"Units {theirs.id}\n" not in text_
    auth.logout()

    auth.login(make_user(role="admin").email)
    client.post("/language", data={"lang": "en"})
    assert f"Units {theirs.id}<" in page_text(client.get("/audit?table=units"))
    auth.logout()

    for role in ("owner", "entrepreneur"):
        auth.login(make_user(role=role).email)
        assert client.get("/audit").status_code == 403
        auth.logout()
    assert client.get("/audit").status_code == 302  # anonymous: to the login page


def test_the_log_has_no_way_to_be_changed_through_the_app(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("audit.")]
    assert rules and all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in rules)


@pytest.mark.parametrize(
    "query, message",
    [
        ("since=2026-13-01", "Give a date as YYYY-MM-DD."),
        ("since=2026-05-02&until=2026-05-01", "The end date comes before the start date."),
        ("table=passwords", "Choose a kind of record from the list."),
        ("action=rewrite", "Choose an action from the list."),
        ("page=0", "Give a page number: a whole number from 1."),
        ("page=abc", "Give a page number: a whole number from 1."),
    ],
)
def test_bad_filters_get_a_clear_message(as_staff, query, message):
    response = as_staff.get(f"/audit?{query}")
    assert response.status_code == 422
    assert message in page_text(response)


def test_filters_by_date_and_author(as_staff, db, make_unit, staff):
    make_unit(address="Rue des Quatre Fils Aymon 2, 7860 Lessines")
    operations.record_status_changes({make_unit().id: "occupied"}, by=staff)
    assert "No change matches this search." in page_text(as_staff.get("/audit?until=2000-01-01"))
    assert "No change matches this search." in page_text(as_staff.get("/audit?actor=nobody-like-this"))
    assert "No change matches this search." not in page_text(as_staff.get("/audit?since=2000-01-01&action=update"))


def test_leases_payments_and_bookings_are_logged_in_their_commune(db, commune, make_unit, make_user):
    from datetime import date

    from popup.leases.models import Lease, LeasePayment, LeaseTenant
    from popup.offers.models import Offer, Stand
    from popup.schedules.models import Booking, Rotation

    unit = make_unit()
    entrepreneur = make_user(role="entrepreneur")
    lease = Lease(commune_id=commune.id, unit_id=unit.id, starts_on=date(2026, 1, 1), ends_on=date(2026, 7, 1))
    lease.tenants.append(LeaseTenant(entrepreneur=entrepreneur, area_m2=10, entry_on=date(2026, 1, 1)))
    db.session.add(lease)
    db.session.flush()
    db.session.add(
        LeasePayment(lease_id=lease.id, tenant_id=lease.tenants[0].id, amount_cents=12345, paid_on=date(2026, 1, 5))
    )
    offer = Offer(unit=unit, title="Boutique", available_from=date(2026, 1, 1))
    offer.stands = [Stand(label="A", area_m2=10)]
    db.session.add(offer)
    db.session.flush()
    rotation = Rotation(offer_id=offer.id, title="R", starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 1))
    db.session.add(rotation)
    db.session.flush()
    booking = Booking(
        rotation_id=rotation.id,
        stand_id=offer.stands[0].id,
        entrepreneur_id=entrepreneur.id,
        starts_on=date(2026, 1, 5),
        ends_on=date(2026, 1, 19),
    )
    db.session.add(booking)
    db.session.flush()
    [paid] = entries(db, table_name="lease_payments", action="insert")
    assert paid.changes["amount_cents"] == [None, 12345] and paid.commune_id == commune.id
    [booked] = entries(db, table_name="bookings", row_id=str(booking.id))
    assert booked.changes["starts_on"] == [None, "2026-01-05"] and booked.commune_id == commune.id
    booking.ends_on = date(2026, 1, 26)
    db.session.flush()
    moved = entries(db, table_name="bookings", row_id=str(booking.id), action="update")
    assert moved[-1].changes == {"ends_on": ["2026-01-19", "2026-01-26"]}
