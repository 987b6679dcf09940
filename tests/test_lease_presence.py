"""A lease's split by days present can follow the bookings of its rotation(s) (issue 7, point 6).

A rotation belongs to a shop: the shared lease of the offer's unit (``Rotation.lease_id``), set when the
rotation is created and changed on the rotation's page.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from popup import geo
from popup.domain.bookings import days_present_of_tenancies
from popup.domain.money import allocate
from popup.leases import operations
from popup.leases.accounting import lease_account, to_domain
from popup.leases.models import Lease
from popup.schedules.models import Booking, Rotation
from tests.conftest import page_text

START, END = date(2027, 3, 1), date(2027, 6, 1)  # March, April and May 2027
RENT = 100_000


def english(client):
    client.post("/language", data={"lang": "en"})


@pytest.fixture
def staff(make_user, commune):
    return make_user(role="staff", communes=[commune], name="Catherine Staff")


@pytest.fixture
def julie(make_user):
    return make_user(role="entrepreneur", name="Julie Carlier")


@pytest.fixture
def mehdi(make_user):
    return make_user(role="entrepreneur", name="Mehdi Bouazza")


@pytest.fixture
def offer(make_offer):
    return make_offer(areas=(15, 15, 20), available_from=START, available_until=END, rent_cents=RENT)


@pytest.fixture
def lease(db, offer, staff, julie, mehdi):
    """Julie on stand 1 and Mehdi on stand 2, both for the whole lease; rent split by days present."""
    lease = operations.create_lease(
        unit=offer.unit,
        by=staff,
        offer_id=offer.id,
        starts_on=START,
        ends_on=END,
        rent_cents=RENT,
        charges_cents=0,
        rent_method="days",
    )
    for user, stand in ((julie, offer.stands[0]), (mehdi, offer.stands[1])):
        operations.add_tenant(lease, by=staff, entrepreneur=user, stand=stand, area_m2=stand.area_m2, entry_on=START)
    db.session.flush()
    return lease


@pytest.fixture
def rotation(db, offer, lease, staff):
    rotation = Rotation(
        offer=offer,
        lease_id=lease.id,
        title="Printemps",
        starts_on=START,
        ends_on=END,
        grain="day",
        opening_days=[0, 1, 2, 3, 4, 5, 6],
        created_by_id=staff.id,
    )
    db.session.add(rotation)
    db.session.flush()
    return rotation


def book(db, rotation, user, stand, start, end):
    db.session.add(Booking(rotation=rotation, stand_id=stand.id, entrepreneur_id=user.id, starts_on=start, ends_on=end))
    geo.flush_bookings(db.session)


@pytest.fixture
def march_bookings(db, rotation, offer, julie, mehdi):
    """Julie is booked 10 days of March, Mehdi 20 (in two bookings)."""
    book(db, rotation, julie, offer.stands[0], date(2027, 3, 1), date(2027, 3, 11))
    book(db, rotation, mehdi, offer.stands[1], date(2027, 3, 1), date(2027, 3, 11))
    book(db, rotation, mehdi, offer.stands[1], date(2027, 3, 15), date(2027, 3, 25))


def shares_by_name(lease, year, month) -> dict[str, int]:
    """Each co-tenant's rent share in the month's statement."""
    statement = lease_account(lease, date(2027, 7, 1)).statement(year, month)
    names = {t.id: t.entrepreneur.name for t in lease.tenants}
    return {names[line.tenant_id]: line.rent_cents for line in statement.tenants}


# -- the pure arithmetic -----------------------------------------------------------------------------


def test_days_present_of_tenancies_count_booked_days_inside_each_tenancy():
    tenancies = {
        "a": ("julie", date(2027, 3, 1), date(2027, 6, 1)),
        "b": ("mehdi", date(2027, 3, 1), date(2027, 3, 16)),  # leaves mid-March
    }
    bookings = [
        ("julie", date(2027, 3, 1), date(2027, 3, 11)),
        ("julie", date(2027, 3, 5), date(2027, 3, 8)),  # touches the first: each day counts once
        ("mehdi", date(2027, 3, 10), date(2027, 4, 10)),  # cut at Mehdi's exit
        ("nobody", date(2027, 5, 1), date(2027, 5, 10)),  # not a co-tenant: no month for it
    ]
    assert days_present_of_tenancies(tenancies, bookings) == {"a": {(2027, 3): 10}, "b": {(2027, 3): 6}}
    assert days_present_of_tenancies(tenancies, []) == {"a": {}, "b": {}}


# -- the statement follows the bookings ------------------------------------------------------------


def test_bookings_of_10_and_20_days_split_the_rent_1_to_2(db, lease, march_bookings):
    lease.presence_from_bookings = True
    db.session.flush()
    shares = shares_by_name(lease, 2027, 3)
    assert shares == {"Julie Carlier": 33_333, "Mehdi Bouazza": 66_667}
    assert sum(shares.values()) == RENT
    assert shares["Mehdi Bouazza"] - 2 * shares["Julie Carlier"] in (0, 1)  # 1:2 to the cent


def test_without_the_option_the_entry_and_exit_dates_count(db, lease, march_bookings):
    assert lease.presence_from_bookings is False
    assert shares_by_name(lease, 2027, 3) == {"Julie Carlier": 50_000, "Mehdi Bouazza": 50_000}


def test_a_month_without_bookings_keeps_the_dates(db, lease, march_bookings, julie, staff):
    lease.presence_from_bookings = True
    operations.update_tenant(lease.tenants[0], by=staff, exit_on=date(2027, 5, 11))  # Julie leaves on 11 May
    shares = shares_by_name(lease, 2027, 5)
    assert shares == dict(zip(("Julie Carlier", "Mehdi Bouazza"), allocate(RENT, [10, 31]), strict=True))
    assert sum(shares_by_name(lease, 2027, 4).values()) == RENT


def test_only_the_methods_by_days_follow_the_bookings(db, lease, march_bookings):
    lease.presence_from_bookings = True
    lease.rent_method = "area_days"
    lease.tenants[1].area_m2 = 30  # Mehdi: twice the area, twice the days
    db.session.flush()
    assert shares_by_name(lease, 2027, 3) == dict(
        zip(("Julie Carlier", "Mehdi Bouazza"), allocate(RENT, [15 * 10, 30 * 20]), strict=True)
    )
    lease.rent_method = "area"
    db.session.flush()
    assert shares_by_name(lease, 2027, 3) == dict(
        zip(("Julie Carlier", "Mehdi Bouazza"), allocate(RENT, [15, 30]), strict=True)
    )


def test_bookings_of_a_rotation_of_another_lease_do_not_count(db, lease, rotation, march_bookings, offer, staff):
    other = operations.create_lease(unit=offer.unit, by=staff, starts_on=START, ends_on=END, rent_cents=1)
    rotation.lease_id = other.id
    lease.presence_from_bookings = True
    db.session.flush()
    assert all(c.days_present is None for c in to_domain(lease).tenants)
    assert sum(shares_by_name(lease, 2027, 3).values()) == RENT


# -- the pages ---------------------------------------------------------------------------------------


def lease_form(lease, **overrides):
    data = {
        "unit": str(lease.unit_id),
        "owner": "",
        "starts_on": START.isoformat(),
        "ends_on": END.isoformat(),
        "rent": "1000",
        "charges": "",
        "deposit": "",
        "rent_method": "days",
        "rent_remainder_method": "equal",
        "charges_method": "equal",
        "charges_remainder_method": "equal",
        "subsidy_percent": "0",
        "rent_steps": "",
        "language": "fr",
    }
    data.update(overrides)
    return data


def test_staff_turn_the_option_on_in_the_lease_form(client, auth, db, staff, lease, rotation, march_bookings):
    auth.login(staff.email)
    english(client)
    form = client.get(f"/leases/{lease.id}/edit")
    assert "follows the bookings of its rotation(s)" in page_text(form)
    response = client.post(f"/leases/{lease.id}/edit", data=lease_form(lease, presence_from_bookings="y"))
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Lease, lease.id)
    assert saved.presence_from_bookings is True
    assert list(shares_by_name(saved, 2027, 3).values()) == [33_333, 66_667]
    page = page_text(client.get(f"/leases/{lease.id}"))
    assert "from the bookings of the lease's rotations" in page
    assert f"/rotations/{rotation.id}" in page
    client.post(f"/leases/{lease.id}/edit", data=lease_form(lease))  # unticked: off again
    db.session.expire_all()
    assert db.session.get(Lease, lease.id).presence_from_bookings is False


def test_a_new_rotation_belongs_to_the_offers_lease(client, auth, db, staff, offer, lease):
    auth.login(staff.email)
    page = client.get(f"/offers/{offer.id}/rotations/new").get_data(as_text=True)
    assert re.search(rf'<option selected value="{lease.id}">', page)
    form = {"title": "Été", "starts_on": START.isoformat(), "ends_on": END.isoformat(), "grain": "week"}
    response = client.post(f"/offers/{offer.id}/rotations/new", data=form | {"opening_days": ["2"], "lease": ""})
    assert response.status_code == 302
    assert db.session.scalar(select(Rotation).filter_by(title="Été")).lease_id is None  # staff chose none
    response = client.post(
        f"/offers/{offer.id}/rotations/new",
        data=form | {"title": "Automne", "opening_days": ["2"], "lease": str(lease.id)},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Rotation).filter_by(title="Automne")).lease_id == lease.id


def test_a_rotation_created_without_a_lease_given_takes_the_offers(db, offer, lease, staff):
    from popup.schedules.operations import create_rotation

    rotation = create_rotation(
        offer, by=staff, title="Hiver", starts_on=START, ends_on=END, grain="week", opening_days=[2]
    )
    assert rotation.lease_id == lease.id


def test_staff_change_the_lease_of_a_rotation(client, auth, db, staff, offer, lease, rotation, make_unit):
    auth.login(staff.email)
    english(client)
    later = operations.create_lease(
        unit=offer.unit, by=staff, starts_on=date(2027, 9, 1), ends_on=date(2028, 1, 1), rent_cents=0
    )
    elsewhere = operations.create_lease(unit=make_unit(), by=staff, starts_on=START, ends_on=END, rent_cents=0)
    db.session.commit()
    page = page_text(client.get(f"/rotations/{rotation.id}"))
    assert f"Lease {later.id}" in page and f"Lease {elsewhere.id}," not in page
    assert client.post(f"/rotations/{rotation.id}/lease", data={"lease": str(later.id)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Rotation, rotation.id).lease_id == later.id
    for bad in (str(elsewhere.id), "abc", "99999999999"):
        response = client.post(f"/rotations/{rotation.id}/lease", data={"lease": bad})
        assert response.status_code == 422
        assert "Choose a lease of this shop's unit from the list." in page_text(response)
        db.session.expire_all()
        assert db.session.get(Rotation, rotation.id).lease_id == later.id
    assert client.post(f"/rotations/{rotation.id}/lease", data={"lease": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Rotation, rotation.id).lease_id is None


def test_only_the_communes_staff_change_a_rotations_lease(client, auth, db, make_user, rotation, lease, julie):
    before = db.session.scalar(select(func.count(Rotation.id)).where(Rotation.lease_id == lease.id))
    db.session.commit()
    for user in (julie, make_user(role="owner"), make_user(role="staff")):
        auth.logout()
        auth.login(user.email)
        response = client.post(f"/rotations/{rotation.id}/lease", data={"lease": ""})
        assert response.status_code in (403, 404)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Rotation.id)).where(Rotation.lease_id == lease.id)) == before
