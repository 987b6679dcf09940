"""The public showcase of a commune (/c/<slug>): who is in the pop-up now and next, the offers open to
applications, and the public iCalendar feed of openings; no private data anywhere."""

from __future__ import annotations

import re
from datetime import timedelta

import icalendar
import pytest

from popup import geo
from popup.leases import operations
from popup.offers.models import Offer, Stand
from popup.profiles.operations import set_photo
from popup.schedules.models import Booking, Rotation
from popup.units.queries import local_today
from popup.uploads.processing import process_image
from tests.conftest import page_text
from tests.test_applications import make_profile
from tests.test_profiles import png_bytes

TODAY = local_today()
PRIVATE = (
    "Jean-Pierre Lemaire",  # the owner
    "owner-jp@example.org",
    "Julie Carlier",  # account names and e-mails of entrepreneurs
    "julie@example.org",
    "Mehdi Bouazza",
    "mehdi@example.org",
    "Le Fournil secret",  # business name of an entrepreneur without a public vitrine
    "Nathan Claes",
    "Sophie Dupont",
    "900",  # the rent
    "1 234",
    "1234",
)


@pytest.fixture(autouse=True)
def english(client):
    client.post("/language", data={"lang": "en"})


def main_of(response) -> str:
    return page_text(response).split("<main", 1)[1].split("</main>", 1)[0]


@pytest.fixture
def people(db, make_user):
    class People:
        staff = None
        owner = make_user(role="owner", name="Jean-Pierre Lemaire", email="owner-jp@example.org")
        julie = make_user(role="entrepreneur", name="Julie Carlier", email="julie@example.org")
        mehdi = make_user(role="entrepreneur", name="Mehdi Bouazza", email="mehdi@example.org")
        nathan = make_user(role="entrepreneur", name="Nathan Claes", email="nathan@example.org")
        sophie = make_user(role="entrepreneur", name="Sophie Dupont", email="sophie@example.org")

    julie_profile = make_profile(
        db,
        People.julie,
        public_name="Atelier Julie",
        public_description="Bijoux faits main à Lessines.",
        links=["https://atelier-julie.example.org"],
    )
    set_photo(julie_profile, process_image(png_bytes()), alt_text="Bijoux sur un présentoir", by=People.julie)
    make_profile(db, People.mehdi, business_name="Le Fournil secret")  # no public vitrine
    make_profile(db, People.nathan, business_name="Céramique", public_name="Nathan Céramique")
    make_profile(db, People.sophie, business_name="Fleurs", public_name="Fleurs de Sophie")
    return People


def _offer(db, unit, title, owner, status="closed", areas=(15, 15, 20), opening_days=(2, 5)) -> Offer:
    offer = Offer(
        unit=unit,
        owner=owner,
        title=title,
        status=status,
        available_from=TODAY - timedelta(days=60),
        rent_cents=123_400,
        opening_days=list(opening_days),
    )
    offer.stands = [Stand(label=f"Stand {n}", area_m2=a, position=n) for n, a in enumerate(areas, start=1)]
    db.session.add(offer)
    db.session.flush()
    return offer


def _running_lease(db, unit, offer, tenants, by):
    lease = operations.create_lease(
        unit=unit,
        by=by,
        offer=offer,
        starts_on=TODAY - timedelta(days=30),
        ends_on=TODAY + timedelta(days=120),
        rent_cents=90_000,
        charges_cents=0,
        rent_method="equal",
    )
    for person, stand, entry, exit_on in tenants:
        operations.add_tenant(
            lease,
            by=by,
            entrepreneur=person,
            stand=stand,
            area_m2=stand.area_m2 if stand else 10,
            entry_on=entry or lease.starts_on,
            exit_on=exit_on,
        )
    operations.sign(lease, by=by)
    operations.start(lease, by=by, today=TODAY)
    db.session.flush()
    return lease


@pytest.fixture
def shop(db, make_unit, make_user, commune, people):
    """Grande-Rue 12: a running shared shop with co-tenants and no rotation.

    Stand 1: Julie now, Nathan from in ten days; stand 2: Mehdi (no vitrine); stand 3: free.
    """
    staff = make_user(role="staff", communes=[commune])
    unit = make_unit(address="Grande-Rue 12, 7860 Lessines", owner=people.owner, status="vacant")
    offer = _offer(db, unit, "Boutique partagée de la Grande-Rue", people.owner)
    s1, s2, _s3 = offer.stands
    switch = TODAY + timedelta(days=10)
    lease = _running_lease(
        db,
        unit,
        offer,
        [(people.julie, s1, None, switch), (people.nathan, s1, switch, None), (people.mehdi, s2, None, None)],
        staff,
    )
    return lease, offer, staff


@pytest.fixture
def rotation_shop(db, make_unit, people, shop):
    """Rue de la Loge 3: a running shop whose stands rotate: bookings say who is there."""
    staff = shop[2]
    unit = make_unit(address="Rue de la Loge 3, 7860 Lessines", owner=people.owner, status="vacant")
    offer = _offer(db, unit, "Boutique tournante de la Loge", people.owner, areas=(20, 20), opening_days=(4, 5))
    lease = _running_lease(db, unit, offer, [(people.sophie, offer.stands[0], None, None)], staff)
    rotation = Rotation(
        offer=offer,
        title="Rotation de la Loge",
        starts_on=TODAY - timedelta(days=14),
        ends_on=TODAY + timedelta(days=120),
        status="active",
        opening_days=[4, 5],
    )
    db.session.add(rotation)
    db.session.flush()
    a, b = offer.stands
    bookings = [
        (a, people.sophie, -7, 7),  # now
        (a, people.mehdi, 7, 21),  # next, no vitrine
        (b, people.julie, 14, 28),  # next on stand B
        (b, people.nathan, 70, 84),  # beyond the feed's eight weeks
    ]
    for stand, person, start, end in bookings:
        db.session.add(
            Booking(
                rotation=rotation,
                stand_id=stand.id,
                entrepreneur_id=person.id,
                starts_on=TODAY + timedelta(days=start),
                ends_on=TODAY + timedelta(days=end),
            )
        )
    geo.flush_bookings(db.session)
    return lease, rotation


def _rows(html: str, title: str) -> dict[str, tuple[str, str]]:
    """{stand: (now cell text, next cell text)} of the shop's table."""
    part = html.split(f">{title}</h3>", 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", part, re.S)[1:]:
        stand = re.search(r"<th scope=\"row\">(.*?)</th>", row, re.S).group(1).strip()
        cells = [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        rows[stand] = tuple(cells)
    return rows


def test_the_showcase_shows_who_is_in_the_pop_up_now_and_next(client, shop, people):
    response = client.get("/c/lessines")
    assert response.status_code == 200
    html = main_of(response)
    assert "In the pop-up now and next" in html
    rows = _rows(html, "Boutique partagée de la Grande-Rue")
    assert list(rows) == ["Stand 1", "Stand 2", "Stand 3"]
    now, later = rows["Stand 1"]
    assert now.startswith("Atelier Julie Bijoux faits main à Lessines.") and "atelier-julie.example.org" in now
    assert later.startswith("Nathan Céramique")
    assert rows["Stand 2"][0].startswith("A business in test")
    assert "Atelier Julie" not in rows["Stand 2"][0] and "Nathan" not in rows["Stand 2"][1]
    assert rows["Stand 3"] == ("Free", "Nobody yet")
    # The vitrine's photo and page are linked; the address leads to the unit.
    assert f'/entrepreneurs/{people.julie.id}/photo"' in html and 'alt="Bijoux sur un présentoir"' in html
    assert f'href="/entrepreneurs/{people.nathan.id}"' in html
    assert f'href="/entrepreneurs/{people.mehdi.id}"' not in html


def test_opening_days_come_from_the_offer(client, shop):
    html = main_of(client.get("/c/lessines"))
    shop_part = html.split(">Boutique partagée de la Grande-Rue</h3>", 1)[1].split("</table>", 1)[0]
    days = re.search(r"Opening days:\s*(.*?)\s*</p>", shop_part, re.S).group(1)
    assert re.sub(r"\s+", " ", days) == "Wednesday, Saturday"


def test_a_shop_with_a_rotation_shows_its_bookings(client, rotation_shop, people):
    rows = _rows(main_of(client.get("/c/lessines")), "Boutique tournante de la Loge")
    assert rows["Stand 1"][0].startswith("Fleurs de Sophie")
    assert rows["Stand 1"][1].startswith("A business in test")
    assert rows["Stand 2"][1].startswith("Atelier Julie")  # the first to come, not Nathan later


def test_no_private_data_on_the_showcase(client, shop, rotation_shop):
    html = main_of(client.get("/c/lessines"))
    for secret in PRIVATE:
        assert secret not in html, secret
    assert "€" not in html


def test_shops_not_running_or_elsewhere_are_not_shown(client, db, shop, make_commune, make_unit, people):
    lease, staff = shop[0], shop[2]
    draft = operations.create_lease(
        unit=make_unit(address="Rue Draft 1, 7860 Lessines", status="vacant"),
        by=staff,
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=60),
    )
    assert draft.status == "draft"
    ath = make_commune(name="Ath", slug="ath")
    html = main_of(client.get("/c/ath"))
    assert "Boutique partagée de la Grande-Rue" not in html
    assert "Rue Draft 1" not in main_of(client.get("/c/lessines"))
    assert ath.slug == "ath"
    operations.terminate(lease, by=staff, on=TODAY, reason="Fin", today=TODAY)
    db.session.flush()
    assert "Boutique partagée de la Grande-Rue" not in main_of(client.get("/c/lessines"))


def test_offers_open_to_applications_are_listed_with_their_application_links(client, db, make_unit, people, shop):
    published = _offer(
        db,
        make_unit(address="Rue des Quatre Fils 4, 7860 Lessines"),
        "Cellule des Quatre Fils",
        people.owner,
        status="published",
    )
    _offer(db, make_unit(address="Rue Brouillon 1, 7860 Lessines"), "Offre en brouillon", people.owner, status="draft")
    html = main_of(client.get("/c/lessines"))
    assert f'href="/offers/{published.id}"' in html and f'href="/offers/{published.id}/apply"' in html
    assert "Offre en brouillon" not in html
    assert 'href="/c/lessines/map"' in html
    assert 'href="/c/lessines/openings.ics"' in html


# -- the iCalendar feed --------------------------------------------------------------------


def _events(client):
    response = client.get("/c/lessines/openings.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.data)
    return response.get_data(as_text=True), calendar.walk("VEVENT")


def test_the_feed_has_one_event_per_opening_day_over_eight_weeks(client, shop):
    _text, events = _events(client)
    days = sorted(e.decoded("DTSTART") for e in events)
    end = TODAY + timedelta(weeks=8)
    assert len(days) == 16  # Wednesdays and Saturdays over eight weeks
    assert all(TODAY <= d < end and d.weekday() in (2, 5) for d in days)
    assert all(e.decoded("DTEND") == e.decoded("DTSTART") + timedelta(days=1) for e in events)
    assert all(str(e["LOCATION"]) == "Grande-Rue 12, 7860 Lessines" for e in events)
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert all(re.fullmatch(r"opening-\d+-\d{8}@localhost", uid) for uid in uids)
    _, again = _events(client)
    assert sorted(str(e["UID"]) for e in again) == sorted(uids)  # stable from one download to the next
    # Who is there: Julie's vitrine before the switch, Nathan's after it; Mehdi only as a business in test.
    first = min(events, key=lambda e: e.decoded("DTSTART"))
    assert "Atelier Julie" in str(first["DESCRIPTION"]) and "a business in test" in str(first["DESCRIPTION"])
    last = max(events, key=lambda e: e.decoded("DTSTART"))
    assert "Nathan Céramique" in str(last["DESCRIPTION"]) and "Atelier Julie" not in str(last["DESCRIPTION"])


def test_the_feed_has_one_event_per_booking_for_a_rotating_shop(client, rotation_shop):
    _lease, rotation = rotation_shop
    _, events = _events(client)
    mine = [e for e in events if str(e["LOCATION"]) == "Rue de la Loge 3, 7860 Lessines"]
    spans = sorted((e.decoded("DTSTART"), e.decoded("DTEND")) for e in mine)
    assert spans == sorted(
        (b.starts_on, b.ends_on) for b in rotation.bookings if b.starts_on < TODAY + timedelta(weeks=8)
    )
    assert len(spans) == 3
    assert all(re.fullmatch(r"opening-booking-\d+@localhost", str(e["UID"])) for e in mine)
    summaries = sorted(str(e["SUMMARY"]) for e in mine)
    assert any("Fleurs de Sophie" in s for s in summaries) and any("a business in test" in s for s in summaries)


def test_no_private_data_in_the_feed(client, shop, rotation_shop):
    text, _found = _events(client)
    unfolded = text.replace("\r\n ", "")
    for secret in PRIVATE:
        assert secret not in unfolded, secret


def test_the_feed_is_public_and_unknown_communes_are_404(client, auth, people, commune):
    assert client.get("/c/lessines/openings.ics").status_code == 200  # anonymous, no token
    _, events = _events(client)
    assert events == []
    assert client.get("/c/nowhere/openings.ics").status_code == 404
    assert client.get("/c/nowhere").status_code == 404
