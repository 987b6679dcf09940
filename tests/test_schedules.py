"""Rotations of a shared shop: staff plan, accept, edit; the database refuses double bookings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from popup import geo
from popup.notifications.models import Notification
from popup.notifications.texts import texts
from popup.schedules.models import Booking, Rotation, RotationCandidate, SwapRequest
from popup.schedules.queries import presence_days
from tests.conftest import page_text

MONDAY = date(2027, 1, 4)


def week(n: int) -> date:
    return MONDAY + timedelta(weeks=n)


def iso(n: int) -> str:
    return week(n).isoformat()


def english(client):
    client.post("/language", data={"lang": "en"})


def bookings(db) -> list[tuple]:
    db.session.expire_all()
    rows = db.session.scalars(select(Booking).order_by(Booking.starts_on, Booking.stand_id))
    return [(b.entrepreneur_id, b.stand_id, b.starts_on, b.ends_on) for b in rows]


@pytest.fixture(autouse=True)
def quick_planner(app, monkeypatch):
    monkeypatch.setitem(app.config, "ROTATION_TIME_LIMIT_S", 3.0)


@pytest.fixture
def staff(make_user, commune):
    return make_user(role="staff", communes=[commune], name="Catherine Staff")


@pytest.fixture
def offer(make_offer):
    return make_offer(areas=(15, 15, 25))


@pytest.fixture
def people(make_user):
    return [make_user(role="entrepreneur", name=name) for name in ("Julie Carlier", "Mehdi Bouazza", "Lotte Vandamme")]


@pytest.fixture
def rotation(db, offer, staff):
    r = Rotation(
        offer=offer,
        title="Printemps",
        starts_on=MONDAY,
        ends_on=week(12),
        grain="week",
        opening_days=[2, 4, 5],
        exclusive_sectors=["food"],
        created_by_id=staff.id,
    )
    db.session.add(r)
    db.session.flush()
    return r


def add_candidate(db, rotation, user, **kw):
    kw.setdefault("sector", "crafts")
    kw.setdefault("area_m2", 10)
    kw.setdefault("min_grains", 2)
    kw.setdefault("max_grains", 4)
    kw.setdefault("windows", [[iso(0), iso(12)]])
    candidate = RotationCandidate(rotation=rotation, entrepreneur=user, **kw)
    db.session.add(candidate)
    db.session.flush()
    return candidate


def add_booking(db, rotation, user, stand, start, end):
    booking = Booking(rotation=rotation, stand_id=stand.id, entrepreneur_id=user.id, starts_on=start, ends_on=end)
    db.session.add(booking)
    geo.flush_bookings(db.session)
    return booking


# -- the database's own guard ------------------------------------------------------------


def test_the_database_refuses_a_stand_booked_twice(db, rotation, people, offer):
    stand = offer.stands[0]
    add_booking(db, rotation, people[0], stand, week(0), week(4))
    add_booking(db, rotation, people[1], stand, week(4), week(6))  # touching is fine: periods are half-open
    with pytest.raises(geo.BookingConflict) as refused:
        add_booking(db, rotation, people[2], stand, week(3), week(5))
    assert refused.value.kind == "stand"


def test_the_database_refuses_an_entrepreneur_on_two_stands_at_once(db, rotation, people, offer):
    add_booking(db, rotation, people[0], offer.stands[0], week(0), week(4))
    with pytest.raises(geo.BookingConflict) as refused:
        add_booking(db, rotation, people[0], offer.stands[1], week(2), week(3))
    assert refused.value.kind == "entrepreneur"


def test_the_database_refuses_an_update_into_an_overlap(db, rotation, people, offer):
    add_booking(db, rotation, people[0], offer.stands[0], week(0), week(2))
    moved = add_booking(db, rotation, people[1], offer.stands[0], week(2), week(4))
    moved.starts_on = week(1)
    with pytest.raises(geo.BookingConflict):
        geo.flush_bookings(db.session)


def test_an_unrelated_integrity_error_is_not_a_booking_conflict(db, rotation, people):
    db.session.add(
        Booking(rotation=rotation, stand_id=2_000_000, entrepreneur_id=people[0].id, starts_on=MONDAY, ends_on=week(1))
    )
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        geo.flush_bookings(db.session)


# -- creating a rotation and its candidates ------------------------------------------------


def test_staff_create_a_rotation_for_an_offer(client, auth, db, staff, offer):
    auth.login(staff.email)
    form = {
        "title": "Saison 2027",
        "starts_on": iso(0),
        "ends_on": iso(10),
        "grain": "week",
        "opening_days": ["2", "5"],
    }
    response = client.post(f"/offers/{offer.id}/rotations/new", data=form)
    assert response.status_code == 302
    rotation = db.session.scalar(select(Rotation).filter_by(title="Saison 2027"))
    assert (rotation.offer_id, rotation.starts_on, rotation.ends_on, rotation.opening_days) == (
        offer.id,
        week(0),
        week(10),
        [2, 5],
    )
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "Saison 2027" in page_text(page)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_on": iso(0)}, "The end must come after the start."),
        ({"starts_on": "2027-02-30"}, "Give a date such as 2026-06-01."),
        ({"grain": "month"}, "Choose days or weeks."),
        ({"opening_days": []}, "Tick at least one opening day."),
        ({"opening_days": ["9"]}, "Choose days of the week from the list."),
    ],
)
def test_a_bad_rotation_is_refused_with_a_message(client, auth, db, staff, offer, changes, message):
    auth.login(staff.email)
    english(client)
    form = {"title": "X", "starts_on": iso(0), "ends_on": iso(10), "grain": "week", "opening_days": ["2"]} | changes
    response = client.post(f"/offers/{offer.id}/rotations/new", data=form)
    assert response.status_code == 422
    assert message in page_text(response)
    assert db.session.scalar(select(func.count(Rotation.id))) == 0


def test_staff_add_a_candidate_and_bad_input_changes_nothing(client, auth, db, staff, rotation, people):
    auth.login(staff.email)
    english(client)
    form = {
        "entrepreneur": str(people[0].id),
        "sector": "crafts",
        "area_m2": "12",
        "min_grains": "2",
        "max_grains": "4",
        "window_start": iso(0),
        "window_end": iso(8),
        "priority": "3",
    }
    bad = client.post(f"/rotations/{rotation.id}/candidates", data=form | {"max_grains": "1"})
    assert bad.status_code == 422
    assert "The longest stay cannot be shorter than the shortest." in page_text(bad)
    assert client.post(f"/rotations/{rotation.id}/candidates", data=form | {"window_end": iso(0)}).status_code == 422
    assert (
        client.post(f"/rotations/{rotation.id}/candidates", data=form | {"entrepreneur": "999999"}).status_code == 422
    )
    assert db.session.scalar(select(func.count(RotationCandidate.id))) == 0
    assert client.post(f"/rotations/{rotation.id}/candidates", data=form).status_code == 302
    again = client.post(f"/rotations/{rotation.id}/candidates", data=form)
    assert again.status_code == 422 and "already a candidate" in page_text(again)
    (candidate,) = db.session.scalars(select(RotationCandidate)).all()
    assert (candidate.area_m2, candidate.priority, candidate.windows) == (12, 3, [[iso(0), iso(8)]])


# -- the planner ---------------------------------------------------------------------------


def test_staff_run_the_planner_and_accept_its_plan(client, auth, db, staff, rotation, people):
    for n, person in enumerate(people):
        add_candidate(db, rotation, person, min_grains=4, max_grains=12, priority=n)
    auth.login(staff.email)
    english(client)
    page = client.post(f"/rotations/{rotation.id}/plan")
    assert page.status_code == 200
    text = page_text(page)
    assert "Bookings proposed" in text and "Accept the plan" in text
    assert bookings(db) == []  # running the planner saves nothing
    import re

    planned = re.findall(r'name="booking" value="([^"]+)"', page.text)
    assert len(planned) == 3
    accepted = client.post(f"/rotations/{rotation.id}/accept", data={"booking": planned})
    assert accepted.status_code == 302
    made = bookings(db)
    assert {b[0] for b in made} == {p.id for p in people}
    assert all(end - start == timedelta(weeks=12) for _, _, start, end in made)  # every stand, all along
    db.session.refresh(rotation)
    assert rotation.status == "active"
    # accepting the same plan twice: it now overlaps itself, refused as a conflict, nothing added
    again = client.post(f"/rotations/{rotation.id}/accept", data={"booking": planned})
    assert again.status_code == 409
    assert "The stand is already booked" in page_text(again)
    assert len(bookings(db)) == 3


def test_a_tampered_plan_is_refused_whole(client, auth, db, staff, rotation, people, make_offer):
    a, b = (add_candidate(db, rotation, p) for p in people[:2])
    foreign = make_offer(areas=(30,)).stands[0]
    auth.login(staff.email)
    english(client)
    stand = rotation.offer.stands[0].id
    good = f"{a.id}:{stand}:{iso(0)}:{iso(2)}"
    for bad in (f"{b.id}:{foreign.id}:{iso(0)}:{iso(2)}", f"{b.id}:{stand}:{iso(4)}:{iso(2)}", "x:y", "999:1:a:b"):
        response = client.post(f"/rotations/{rotation.id}/accept", data={"booking": [good, bad]})
        assert response.status_code == 422, bad
    assert bookings(db) == []
    text = page_text(
        client.post(f"/rotations/{rotation.id}/accept", data={"booking": [good, good.replace(str(a.id), str(b.id), 1)]})
    )
    assert "The stand is already booked" in text


def test_the_planner_says_in_words_why_no_plan_exists(client, auth, db, staff, make_offer, people):
    offer = make_offer(areas=(15,))
    rotation = Rotation(offer=offer, title="Serré", starts_on=MONDAY, ends_on=week(4), grain="week", opening_days=[5])
    db.session.add(rotation)
    db.session.flush()
    for person in people[:2]:
        add_candidate(db, rotation, person, min_grains=3, max_grains=4, windows=[[iso(0), iso(4)]], required=True)
    auth.login(staff.email)
    english(client)
    text = page_text(client.post(f"/rotations/{rotation.id}/plan"))
    assert "No plan keeps every rule" in text
    assert "Julie Carlier, Mehdi Bouazza must all be planned but cannot be together" in text
    assert "together they need more stand time than the shop has" in text


def test_the_planner_explains_who_is_left_out(client, auth, db, staff, rotation, people):
    add_candidate(db, rotation, people[0], area_m2=40)
    add_candidate(db, rotation, people[1], sector="food")
    auth.login(staff.email)
    english(client)
    text = page_text(client.post(f"/rotations/{rotation.id}/plan"))
    assert "Julie Carlier needs 40 m²; the largest stand has 25 m²." in text


def test_bad_planner_data_get_a_message(client, auth, db, staff, rotation, people):
    add_candidate(db, rotation, people[0], min_grains=20, max_grains=30)
    auth.login(staff.email)
    english(client)
    response = client.post(f"/rotations/{rotation.id}/plan")
    assert response.status_code == 422
    assert "Julie Carlier wants at least 20, longer than the rotation (12)" in page_text(response)


# -- editing bookings ----------------------------------------------------------------------


def test_staff_book_by_hand_and_every_rule_is_checked(client, auth, db, staff, rotation, people):
    julie = add_candidate(db, rotation, people[0], windows=[[iso(0), iso(6)]])
    small = rotation.offer.stands[0]
    auth.login(staff.email)
    english(client)

    def book(**kw):
        form = {"candidate": str(julie.id), "stand": str(small.id), "starts_on": iso(0), "ends_on": iso(2)} | kw
        return client.post(f"/rotations/{rotation.id}/bookings", data=form)

    cases = [
        ({"ends_on": iso(8)}, "The entrepreneur is not available over the whole period."),
        ({"ends_on": iso(6)}, "this entrepreneur wants from 2 weeks to 4 weeks"),
        ({"ends_on": (week(2) + timedelta(days=2)).isoformat()}, "This rotation counts in whole weeks"),
        ({"starts_on": (week(-2)).isoformat()}, "The booking must lie within the rotation"),
        ({"stand": "999999"}, "Choose a stand of the shop."),
        ({"ends_on": "soon"}, "Give a date such as 2026-06-01."),
    ]
    for changes, message in cases:
        response = book(**changes)
        assert response.status_code == 422, changes
        assert message in page_text(response), changes
    db.session.get(RotationCandidate, julie.id).area_m2 = 20
    db.session.flush()
    assert "The stand has 15 m², the entrepreneur needs 20 m²." in page_text(book())
    db.session.get(RotationCandidate, julie.id).area_m2 = 10
    db.session.flush()
    assert bookings(db) == []
    assert book().status_code == 302
    assert bookings(db) == [(people[0].id, small.id, week(0), week(2))]


def test_sector_rules_hold_on_every_change(client, auth, db, staff, rotation, people):
    baker = add_candidate(db, rotation, people[0], sector="food")
    other_baker = add_candidate(db, rotation, people[1], sector="food")
    stands = rotation.offer.stands
    add_booking(db, rotation, people[0], stands[0], week(0), week(2))
    rotation.offer.excluded_sectors = ["fashion"]
    add_candidate(db, rotation, people[2], sector="fashion")
    auth.login(staff.email)
    english(client)
    form = {"candidate": str(other_baker.id), "stand": str(stands[1].id), "starts_on": iso(1), "ends_on": iso(3)}
    response = client.post(f"/rotations/{rotation.id}/bookings", data=form)
    assert "Only one business of the sector Food at a time" in page_text(response)
    assert baker.id != other_baker.id
    form = {
        "candidate": str(rotation.candidates[2].id),
        "stand": str(stands[1].id),
        "starts_on": iso(1),
        "ends_on": iso(3),
    }
    assert "The shop does not admit the sector Fashion." in page_text(
        client.post(f"/rotations/{rotation.id}/bookings", data=form)
    )


def test_staff_move_and_resize_a_booking(client, auth, db, staff, rotation, people):
    add_candidate(db, rotation, people[0])
    add_candidate(db, rotation, people[1])
    stands = rotation.offer.stands
    mine = add_booking(db, rotation, people[0], stands[0], week(0), week(2))
    add_booking(db, rotation, people[1], stands[1], week(0), week(4))
    auth.login(staff.email)
    english(client)
    url = f"/rotations/{rotation.id}/bookings/{mine.id}/edit"
    assert client.get(url).status_code == 200
    taken = client.post(url, data={"stand": str(stands[1].id), "starts_on": iso(1), "ends_on": iso(3)})
    assert taken.status_code == 409
    assert "The stand is already booked from" in page_text(taken)
    too_long = client.post(url, data={"stand": str(stands[0].id), "starts_on": iso(0), "ends_on": iso(6)})
    assert too_long.status_code == 422
    assert bookings(db)[0] == (people[0].id, stands[0].id, week(0), week(2))
    moved = client.post(url, data={"stand": str(stands[2].id), "starts_on": iso(3), "ends_on": iso(6)})
    assert moved.status_code == 302
    assert (people[0].id, stands[2].id, week(3), week(6)) in bookings(db)


def test_staff_swap_two_entrepreneurs(client, auth, db, staff, rotation, people):
    add_candidate(db, rotation, people[0])
    add_candidate(db, rotation, people[1], area_m2=20)
    stands = rotation.offer.stands
    first = add_booking(db, rotation, people[0], stands[0], week(0), week(2))
    second = add_booking(db, rotation, people[1], stands[2], week(2), week(4))
    auth.login(staff.email)
    english(client)
    refused = client.post(f"/rotations/{rotation.id}/swap", data={"first": first.id, "second": second.id})
    assert refused.status_code == 422
    assert "Mehdi Bouazza: The stand has 15 m², the entrepreneur needs 20 m²." in page_text(refused)
    assert len(bookings(db)) == 2
    db.session.get(RotationCandidate, rotation.candidates[1].id).area_m2 = 10
    db.session.flush()
    same = client.post(f"/rotations/{rotation.id}/swap", data={"first": first.id, "second": first.id})
    assert same.status_code == 422 and "Choose two different bookings." in page_text(same)
    assert (
        client.post(f"/rotations/{rotation.id}/swap", data={"first": first.id, "second": second.id}).status_code == 302
    )
    assert bookings(db) == [
        (people[1].id, stands[0].id, week(0), week(2)),
        (people[0].id, stands[2].id, week(2), week(4)),
    ]


def two_bookings_and_the_first_holder_logged_in(db, auth, rotation, people):
    """people[0] on the first stand for weeks 0-2, people[1] on the second for weeks 2-4; people[0] logged in."""
    add_candidate(db, rotation, people[0])
    add_candidate(db, rotation, people[1])
    stands = rotation.offer.stands
    mine = add_booking(db, rotation, people[0], stands[0], week(0), week(2))
    theirs = add_booking(db, rotation, people[1], stands[1], week(2), week(4))
    auth.login(people[0].email)
    return stands, mine, theirs


def test_an_entrepreneur_asks_for_a_swap_and_staff_decide(app, client, auth, db, staff, rotation, people):
    stands, mine, theirs = two_bookings_and_the_first_holder_logged_in(db, auth, rotation, people)
    page = client.get("/my/calendar")
    assert page.status_code == 200
    prefix = f"swap{mine.id}"
    response = client.post(
        f"/my/bookings/{mine.id}/swap", data={f"{prefix}-other": theirs.id, f"{prefix}-message": "Merci"}
    )
    assert response.status_code == 302
    assert client.post(f"/my/bookings/{theirs.id}/swap", data={"swapother": mine.id}).status_code == 404  # not theirs
    request = db.session.scalar(select(SwapRequest))
    assert (request.booking_id, request.other_booking_id, request.status) == (mine.id, theirs.id, "pending")
    auth.logout()
    auth.login(staff.email)
    english(client)
    assert "Merci" in page_text(client.get(f"/rotations/{rotation.id}"))
    bad = client.post(f"/rotations/{rotation.id}/swaps/{request.id}/decide", data={"decision": "maybe"})
    assert bad.status_code == 422
    ok = client.post(f"/rotations/{rotation.id}/swaps/{request.id}/decide", data={"decision": "approve"})
    assert ok.status_code == 302
    assert bookings(db) == [
        (people[1].id, stands[0].id, week(0), week(2)),
        (people[0].id, stands[1].id, week(2), week(4)),
    ]
    db.session.refresh(request)
    assert request.status == "approved"
    again = client.post(f"/rotations/{rotation.id}/swaps/{request.id}/decide", data={"decision": "refuse"})
    assert again.status_code == 422 and "already decided" in page_text(again)


def notices(db, user) -> list[tuple[str, str]]:
    """The user's notifications as (title, body) in English, oldest first."""
    found = db.session.scalars(select(Notification).filter_by(user_id=user.id).order_by(Notification.id))
    return [texts(n.kind, n.params, "en") for n in found]


@pytest.mark.parametrize("decision", ["approve", "refuse"])
def test_a_swap_request_and_its_decision_are_notified(client, auth, db, staff, rotation, people, decision):
    _stands, mine, theirs = two_bookings_and_the_first_holder_logged_in(db, auth, rotation, people)
    prefix = f"swap{mine.id}"
    assert client.post(f"/my/bookings/{mine.id}/swap", data={f"{prefix}-other": theirs.id}).status_code == 302
    # Staff are asked to decide; the other entrepreneur learns that their booking may change.
    [(title, body)] = notices(db, staff)
    assert title == "Swap requested in Printemps"
    assert "Julie Carlier asks to swap bookings" in body and "Mehdi Bouazza" in body
    last_day = (week(2) - timedelta(days=1)).strftime("%B %-d, %Y")
    assert f"from {week(0).strftime('%B %-d, %Y')} to {last_day}" in body  # the last day, not the exclusive end
    [(title, body)] = notices(db, people[1])
    assert title == "Julie Carlier asks to swap bookings with you"
    assert notices(db, people[0]) == [] and notices(db, people[2]) == []
    auth.logout()
    auth.login(staff.email)
    decided = client.post(
        f"/rotations/{rotation.id}/swaps/{db.session.scalar(select(SwapRequest.id))}/decide",
        data={"decision": decision},
    )
    assert decided.status_code == 302
    word = "approved" if decision == "approve" else "refused"
    for person in people[:2]:
        title, body = notices(db, person)[-1]
        assert title == f"Swap {word} in Printemps"
        assert f"The staff {word} the swap: Julie Carlier" in body
    assert len(notices(db, staff)) == 1 and notices(db, people[2]) == []


def test_a_freed_slot_goes_to_the_first_eligible_on_the_waitlist(client, auth, db, staff, rotation, people, make_user):
    add_candidate(db, rotation, people[0])
    # the highest priority cannot take it (too big), the next one can; position breaks ties
    add_candidate(db, rotation, people[1], area_m2=30, priority=9, waitlist_position=1)
    late = make_user(role="entrepreneur", name="Nathan Claes")
    add_candidate(db, rotation, late, priority=5, waitlist_position=3)
    add_candidate(db, rotation, people[2], priority=5, waitlist_position=2, windows=[[iso(0), iso(12)]])
    stand = rotation.offer.stands[0]
    freed = add_booking(db, rotation, people[0], stand, week(0), week(6))
    auth.login(staff.email)
    english(client)
    response = client.post(
        f"/rotations/{rotation.id}/bookings/{freed.id}/free", data={"fill": "1"}, follow_redirects=True
    )
    assert "The slot went to Lotte Vandamme from the waitlist." in page_text(response)
    # she wants at most 4 weeks: she takes the beginning of the slot
    assert bookings(db) == [(people[2].id, stand.id, week(0), week(4))]
    assert (
        db.session.scalar(select(RotationCandidate).filter_by(entrepreneur_id=people[2].id)).waitlist_position is None
    )


def test_freeing_without_filling_leaves_the_slot_empty(client, auth, db, staff, rotation, people):
    add_candidate(db, rotation, people[0])
    freed = add_booking(db, rotation, people[0], rotation.offer.stands[0], week(0), week(2))
    auth.login(staff.email)
    assert client.post(f"/rotations/{rotation.id}/bookings/{freed.id}/free").status_code == 302
    assert bookings(db) == []


# -- calendars --------------------------------------------------------------------------


def test_the_shop_calendar_by_month_and_week(client, auth, db, staff, rotation, people):
    add_booking(db, rotation, people[0], rotation.offer.stands[0], week(0), week(2))
    auth.login(staff.email)
    english(client)
    month = client.get(f"/rotations/{rotation.id}/calendar?month=2027-01")
    text = page_text(month)
    assert month.status_code == 200
    assert "<caption>January 2027</caption>" in text
    assert text.count("Stand 1: Julie Carlier") == 14  # 4 to 17 January
    assert f'href="/rotations/{rotation.id}/calendar?view=month&amp;month=2027-02"' in month.text
    week_view = page_text(client.get(f"/rotations/{rotation.id}/calendar?view=week&week=2027-01-20"))
    assert "Week of Jan 18, 2027" in week_view and "Stand 1: Julie Carlier" not in week_view
    for query, message in [
        ("month=2026-13", "The month must read like 2026-05"),
        ("month=junk", "The month must read like 2026-05"),
        ("view=week&week=2026-02-30", "The week must be given by one of its days"),
        ("view=year", "Unknown view"),
    ]:
        response = client.get(f"/rotations/{rotation.id}/calendar?{query}")
        assert response.status_code == 400, query
        assert message in page_text(response)


def test_an_entrepreneur_sees_only_their_own_bookings(client, auth, db, rotation, people):
    add_booking(db, rotation, people[0], rotation.offer.stands[0], week(0), week(2))
    add_booking(db, rotation, people[1], rotation.offer.stands[1], week(0), week(2))
    auth.login(people[0].email)
    text = page_text(client.get("/my/calendar?month=2027-01"))
    table = text.split("<table", 1)[1].split("</table>", 1)[0]
    assert "Stand 1" in table and "Stand 2" not in table
    assert "Mehdi" not in text  # the other bookings are offered for a swap without their holder's name


# -- who may do what ------------------------------------------------------------------------


def test_only_the_communes_staff_plan_its_rotations(client, auth, db, rotation, people, make_user, make_commune):
    add_candidate(db, rotation, people[0])
    booking = add_booking(db, rotation, people[0], rotation.offer.stands[0], week(0), week(2))
    ath = make_commune(name="Ath", slug="ath")
    paths = [
        f"/rotations/{rotation.id}",
        f"/rotations/{rotation.id}/calendar",
        f"/rotations/{rotation.id}/bookings/{booking.id}/edit",
        f"/offers/{rotation.offer_id}/rotations/new",
    ]
    posts = [f"/rotations/{rotation.id}/plan", f"/rotations/{rotation.id}/bookings/{booking.id}/free"]
    for user in (make_user(role="staff", communes=[ath]), people[0], make_user(role="owner")):
        auth.login(user.email)
        for path in paths:
            assert client.get(path).status_code == 403, (user.role, path)
        for path in posts:
            assert client.post(path).status_code == 403, (user.role, path)
        auth.logout()
    assert bookings(db) != []
    assert client.get(f"/rotations/{rotation.id}").status_code == 302  # anonymous: to the login page
    auth.login(make_user(role="staff", communes=[rotation.offer.unit.commune]).email)
    for path in (
        "/rotations/99999999999",
        f"/rotations/{rotation.id}/bookings/99999/edit",
        "/offers/4242/rotations/new",
    ):
        assert client.get(path).status_code == 404, path


def test_staff_see_their_rotations_and_the_offers_to_plan(client, auth, staff, rotation, make_offer):
    other = make_offer(title="Rue Grande partagée", areas=(12,))
    auth.login(staff.email)
    text = page_text(client.get("/rotations"))
    assert "Printemps" in text and "Rue Grande partagée" in text
    assert client.get(f"/offers/{other.id}/rotations/new").status_code == 200


# -- days present, for the rent split -----------------------------------------------------


def test_presence_days_per_entrepreneur_and_month(db, rotation, people, offer):
    add_booking(db, rotation, people[0], offer.stands[0], date(2027, 1, 25), date(2027, 2, 8))
    add_booking(db, rotation, people[1], offer.stands[1], date(2027, 1, 4), date(2027, 1, 11))
    assert presence_days(rotation, date(2027, 1, 15)) == {people[0].id: 7, people[1].id: 7}
    assert presence_days(offer, date(2027, 2, 1)) == {people[0].id: 7}
    assert presence_days(rotation, date(2027, 3, 1)) == {}


def test_the_planner_needs_candidates(client, auth, staff, rotation):
    auth.login(staff.email)
    english(client)
    response = client.post(f"/rotations/{rotation.id}/plan")
    assert response.status_code == 422
    assert "Add candidates before running the planner." in page_text(response)


def test_the_demo_gets_a_rotation_on_its_shared_shop_once(db, commune, make_offer, make_user):
    from popup.schedules.demo import seed_rotation

    assert seed_rotation(commune) is None  # no shared shop: nothing to plan
    offer = make_offer(areas=(15, 20))
    people = [make_user(role="entrepreneur", is_demo=True) for _ in range(5)]
    rotation = seed_rotation(commune)
    assert rotation.offer_id == offer.id and len(rotation.candidates) == len(people)
    assert len(bookings(db)) == 4  # two stays on each of the two stands
    assert [c.waitlist_position for c in rotation.candidates] == [None, None, None, None, 5]
    assert seed_rotation(commune) is None
