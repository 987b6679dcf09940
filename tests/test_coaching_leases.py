"""The coach's read-only view of an entrepreneur: lease shares, bookings and monthly statements;
only the entrepreneur's current coach (in the lease's commune) reads them, and only the statements."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from popup import geo
from popup.coaching.models import CoachAssignment
from popup.leases import operations
from popup.offers.models import Offer, Stand
from popup.schedules.models import Booking, Rotation
from popup.units.queries import local_today

TODAY = local_today()
FIRST = TODAY.replace(day=1)


def month_start(offset: int) -> date:
    index = FIRST.year * 12 + FIRST.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


@pytest.fixture
def world(db, make_user, make_unit, make_commune, commune):
    class W:
        staff = make_user(role="staff", communes=[commune], language="en")
        coach = make_user(role="coach", name="Coach Anne", language="en")
        other_coach = make_user(role="coach", name="Coach Bert", language="en")
        julie = make_user(role="entrepreneur", name="Julie Carlier", language="en")
        mehdi = make_user(role="entrepreneur", name="Mehdi Bouazza", language="en")
        ath = make_commune(name="Ath", slug="ath")

    unit = make_unit(address="Grand-Place 9, 7860 Lessines", status="vacant")
    offer = Offer(unit=unit, title="Boutique partagée", status="closed", available_from=month_start(-1))
    offer.stands = [Stand(label="Stand A", area_m2=15, position=1), Stand(label="Stand B", area_m2=15, position=2)]
    db.session.add(offer)
    db.session.flush()
    lease = operations.create_lease(
        unit=unit,
        by=W.staff,
        offer=offer,
        starts_on=month_start(-1),
        ends_on=month_start(2),
        rent_cents=60_000,
        rent_method="equal",
    )
    operations.add_tenant(
        lease, by=W.staff, entrepreneur=W.julie, stand=offer.stands[0], area_m2=15, entry_on=lease.starts_on
    )
    operations.add_tenant(
        lease, by=W.staff, entrepreneur=W.mehdi, stand=offer.stands[1], area_m2=15, entry_on=lease.starts_on
    )
    operations.sign(lease, by=W.staff)
    operations.start(lease, by=W.staff, today=TODAY)
    rotation = Rotation(
        offer=offer, title="Rotation", starts_on=month_start(-1), ends_on=month_start(2), status="active"
    )
    db.session.add(rotation)
    db.session.flush()
    db.session.add(
        Booking(
            rotation=rotation,
            stand_id=offer.stands[0].id,
            entrepreneur_id=W.julie.id,
            starts_on=TODAY,
            ends_on=TODAY + timedelta(days=14),
        )
    )
    geo.flush_bookings(db.session)
    W.lease = lease
    W.assignment = CoachAssignment(
        commune=commune, coach=W.coach, entrepreneur=W.julie, since_on=TODAY - timedelta(days=30), assigned_by=W.staff
    )
    db.session.add(W.assignment)
    db.session.flush()
    return W


def statement_url(world, offset=0) -> str:
    month = month_start(offset)
    return f"/leases/{world.lease.id}/statements/{month.year}/{month.month}"


def test_the_coach_sees_lease_shares_bookings_and_links_to_statements(client, auth, world):
    auth.login(world.coach.email)
    response = client.get(f"/coaching/{world.assignment.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    shares = html.split('id="lease-shares"', 1)[1].split("</table>", 1)[0]
    assert f"Lease no. {world.lease.id}, Grand-Place 9, 7860 Lessines" in shares
    assert "Stand A" in shares and "Stand B" not in shares  # Julie's stand, not Mehdi's
    for offset in (-1, 0, 1):  # one statement per month of her share
        assert f'href="{statement_url(world, offset)}"' in shares
    assert f'href="{statement_url(world, 2)}"' not in shares
    bookings = html.split('id="bookings"', 1)[1].split("</table>", 1)[0]
    assert "Boutique partagée" in bookings and "Stand A" in bookings
    assert "Mehdi Bouazza" not in html


def test_the_coach_reads_the_entrepreneurs_statement_only(client, auth, world):
    auth.login(world.coach.email)
    response = client.get(statement_url(world))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Julie Carlier" in text and "Mehdi Bouazza" not in text
    assert 'id="owner-view"' not in text  # not the owner's side of the month


def test_the_coach_gets_nothing_else_of_the_lease(client, auth, world):
    auth.login(world.coach.email)
    lease_id = world.lease.id
    for path in (
        f"/leases/{lease_id}",
        f"/leases/{lease_id}/payments",
        f"/leases/{lease_id}/ledger.csv",
        f"/leases/{lease_id}/document",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/leases/{lease_id}/payments/new", data={"amount": "10"}).status_code == 404


def test_another_coach_gets_404(client, auth, world):
    auth.login(world.other_coach.email)
    assert client.get(f"/coaching/{world.assignment.id}").status_code == 404
    assert client.get(statement_url(world)).status_code == 404


def test_a_coach_of_the_entrepreneur_in_another_commune_or_whose_coaching_ended_gets_404(client, auth, db, world):
    elsewhere = CoachAssignment(
        commune=world.ath, coach=world.other_coach, entrepreneur=world.julie, since_on=TODAY - timedelta(days=3)
    )
    db.session.add(elsewhere)
    db.session.flush()
    auth.login(world.other_coach.email)
    assert client.get(statement_url(world)).status_code == 404
    page = client.get(f"/coaching/{elsewhere.id}")
    assert page.status_code == 200 and f"/leases/{world.lease.id}/statements" not in page.get_data(as_text=True)
    auth.logout()
    world.assignment.until_on = TODAY
    db.session.flush()
    auth.login(world.coach.email)
    assert client.get(statement_url(world)).status_code == 404
    assert client.get(f"/coaching/{world.assignment.id}").status_code == 404


def test_the_entrepreneur_and_staff_still_read_the_statement(client, auth, world):
    auth.login(world.julie.email)
    assert client.get(statement_url(world)).status_code == 200
    auth.logout()
    auth.login(world.mehdi.email)
    text = client.get(statement_url(world)).get_data(as_text=True)
    assert "Mehdi Bouazza" in text and "Julie Carlier" not in text
    auth.logout()
    auth.login(world.staff.email)
    text = client.get(statement_url(world)).get_data(as_text=True)
    assert "Mehdi Bouazza" in text and "Julie Carlier" in text
