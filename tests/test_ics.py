"""iCalendar feeds behind secret addresses, read back with a third-party parser (icalendar)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest

from popup import geo
from popup.domain import ics
from popup.schedules.models import Booking, CalendarFeed, Rotation

MONDAY = date(2027, 1, 4)
STAMP = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


# -- the writer, without an app ------------------------------------------------------


def test_text_is_escaped_and_long_lines_folded_within_75_octets():
    summary = "Boulangerie « Le Pain; d'Ogy », Grand-Place, Lessines\\Ath\n" + "é" * 80
    text = ics.feed("Calendrier, test", [ics.Event("booking-1@example.org", MONDAY, date(2027, 1, 11), summary, STAMP)])
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75, line
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["SUMMARY"]) == summary
    assert event.decoded("DTSTART") == MONDAY and event.decoded("DTEND") == date(2027, 1, 11)
    assert str(event["UID"]) == "booking-1@example.org"
    assert "SUMMARY:Boulangerie « Le Pain\\; d'Ogy »\\, Grand-Place\\, Lessines\\\\Ath\\n" in text.replace("\r\n ", "")


def test_folding_never_cuts_a_character():
    line = "DESCRIPTION:" + "€" * 60
    folded = ics.fold(line)
    assert folded.replace("\r\n ", "") == line
    for part in folded.split("\r\n"):
        part.encode("utf-8").decode("utf-8")
        assert len(part.encode("utf-8")) <= 75


# -- the feeds ----------------------------------------------------------------------------


@pytest.fixture
def shop(db, make_offer, make_user, commune):
    offer = make_offer(areas=(15, 20), unit=None)
    rotation = Rotation(
        offer=offer, title="Printemps, Grand-Place", starts_on=MONDAY, ends_on=MONDAY + timedelta(weeks=8)
    )
    rotation.opening_days = [2, 4, 5]
    db.session.add(rotation)
    db.session.flush()
    julie = make_user(role="entrepreneur", name="Julie; Carlier")
    mehdi = make_user(role="entrepreneur", name="Mehdi Bouazza")
    for person, stand, weeks in ((julie, 0, (0, 2)), (mehdi, 1, (0, 4)), (julie, 0, (4, 6))):
        db.session.add(
            Booking(
                rotation=rotation,
                stand_id=offer.stands[stand].id,
                entrepreneur_id=person.id,
                starts_on=MONDAY + timedelta(weeks=weeks[0]),
                ends_on=MONDAY + timedelta(weeks=weeks[1]),
            )
        )
    geo.flush_bookings(db.session)
    staff = make_user(role="staff", communes=[commune])
    return rotation, julie, mehdi, staff


def _feed_url(page) -> str:
    return re.search(r'id="feed-url"[^>]*value="([^"]+)"', page.text).group(1)


def _events(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.data)
    return calendar, sorted(calendar.walk("VEVENT"), key=lambda e: (e.decoded("DTSTART"), str(e["SUMMARY"])))


def test_an_entrepreneur_subscribes_to_their_own_bookings(client, auth, db, shop):
    _rotation, julie, _mehdi, _staff = shop
    auth.login(julie.email)
    assert 'id="feed-url"' not in client.get("/my/calendar").text  # no address until asked for
    assert client.post("/my/calendar/feed").status_code == 302
    url = _feed_url(client.get("/my/calendar"))
    assert re.fullmatch(r"http://localhost/ics/[A-Za-z0-9_-]{43}\.ics", url)
    auth.logout()  # the address works without logging in: calendar apps cannot log in
    calendar, events = _events(client, url)
    assert str(calendar["VERSION"]) == "2.0"
    assert [(e.decoded("DTSTART"), e.decoded("DTEND")) for e in events] == [
        (MONDAY, MONDAY + timedelta(weeks=2)),
        (MONDAY + timedelta(weeks=4), MONDAY + timedelta(weeks=6)),
    ]
    # In the subscriber's language (French by default).
    assert all(
        str(e["SUMMARY"]).startswith("Boutique pop-up Boutique partagée de la Grand-Place, Stand 1") for e in events
    )
    uids = [str(e["UID"]) for e in events]
    assert all(re.fullmatch(r"booking-\d+@localhost", uid) for uid in uids)
    _, again = _events(client, url)
    assert [str(e["UID"]) for e in again] == uids  # stable from one download to the next


def test_the_shop_feed_lists_everyone_and_its_address_can_be_reset(client, auth, db, shop):
    rotation, _julie, _mehdi, staff = shop
    auth.login(staff.email)
    client.post(f"/rotations/{rotation.id}/feed")
    old = _feed_url(client.get(f"/rotations/{rotation.id}"))
    _, events = _events(client, old)
    assert sorted(str(e["SUMMARY"]) for e in events) == [
        "Stand 1: Julie; Carlier",
        "Stand 1: Julie; Carlier",
        "Stand 2: Mehdi Bouazza",
    ]
    assert client.post(f"/rotations/{rotation.id}/feed").status_code == 302
    new = _feed_url(client.get(f"/rotations/{rotation.id}"))
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert db.session.query(CalendarFeed).count() == 1


def test_unknown_and_malformed_tokens_are_404(client):
    for path in ("/ics/nope.ics", "/ics/" + "x" * 200 + ".ics", "/ics/.ics"):
        assert client.get(path).status_code == 404, path


def test_only_staff_and_the_entrepreneur_reset_feeds(client, auth, shop, make_user):
    rotation, julie, _mehdi, _staff = shop
    auth.login(julie.email)
    assert client.post(f"/rotations/{rotation.id}/feed").status_code == 403
    auth.logout()
    auth.login(make_user(role="owner").email)
    assert client.post("/my/calendar/feed").status_code == 403
    assert client.get("/my/calendar").status_code == 403
