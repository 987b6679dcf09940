"""Coaching: staff assign coaches, coaches keep notes, entrepreneurs and staff read them, nobody else."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from popup.coaching.models import CoachAssignment, CoachingNote
from popup.notifications.models import Notification
from popup.notifications.texts import texts
from popup.units.queries import local_today
from tests.conftest import page_text
from tests.test_applications import XSS, make_application, make_call

TODAY = local_today()


@pytest.fixture
def staff(make_user, commune):
    return make_user(role="staff", communes=[commune], language="en")


@pytest.fixture
def coach(make_user):
    return make_user(role="coach", name="Coach Anne", language="en")


@pytest.fixture
def julie(make_user, commune):
    return make_user(role="entrepreneur", name="Julie Carlier", communes=[commune], language="en")


@pytest.fixture
def assignment(db, commune, coach, julie, staff):
    a = CoachAssignment(
        commune=commune, coach=coach, entrepreneur=julie, since_on=TODAY - timedelta(days=30), assigned_by=staff
    )
    db.session.add(a)
    db.session.flush()
    return a


@pytest.fixture
def note(db, assignment, coach):
    n = CoachingNote(
        assignment=assignment,
        author=coach,
        met_on=TODAY - timedelta(days=7),
        text="Plan financier à revoir.",
        next_meeting_on=TODAY + timedelta(days=14),
    )
    db.session.add(n)
    db.session.flush()
    return n


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def fresh(db, obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


# -- staff assign ------------------------------------------------------------------------------


def test_staff_assign_a_coach_to_an_entrepreneur_of_the_commune(client, auth, db, staff, coach, julie):
    auth.login(staff.email)
    page = client.get("/c/lessines/coaching")
    assert page.status_code == 200
    assert "Coach Anne" in page.text and "Julie Carlier" in page.text
    since = TODAY.isoformat()
    response = client.post(
        "/c/lessines/coaching", data={"coach": str(coach.id), "entrepreneur": str(julie.id), "since": since}
    )
    assert response.status_code == 303
    a = db.session.scalars(select(CoachAssignment)).one()
    assert (a.coach_id, a.entrepreneur_id, a.since_on, a.until_on, a.assigned_by_id) == (
        coach.id,
        julie.id,
        TODAY,
        None,
        staff.id,
    )
    listing = page_text(client.get("/c/lessines/coaching"))
    assert "Julie Carlier" in listing and "End the coaching" in listing
    # Both learn of it, with a link to where they follow the coaching.
    for user, title, link in (
        (julie, "Coach Anne is now your coach", "/my/coaching"),
        (coach, "You now coach Julie Carlier", f"/coaching/{a.id}"),
    ):
        [notice] = db.session.scalars(select(Notification).filter_by(user_id=user.id)).all()
        assert texts(notice.kind, notice.params, "en")[0] == title
        assert notice.link.endswith(link)


def test_an_entrepreneur_who_applied_to_the_commune_can_be_assigned(client, auth, db, staff, coach, make_user, commune):
    marc = make_user(role="entrepreneur", name="Marc Applicant")
    stranger = make_user(role="entrepreneur", name="Sam Stranger")
    make_application(db, marc, call=make_call(db, commune), status="submitted")
    auth.login(staff.email)
    page = client.get("/c/lessines/coaching").text
    assert "Marc Applicant" in page and "Sam Stranger" not in page
    response = client.post(
        "/c/lessines/coaching", data={"coach": str(coach.id), "entrepreneur": str(stranger.id), "since": "2026-01-01"}
    )
    assert response.status_code == 422
    assert "Choose one of the entrepreneurs listed." in page_text(response)
    assert count(db, CoachAssignment) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"entrepreneur": "JULIE", "since": "2026-01-01"}, "Choose a coach."),
        ({"coach": "abc", "entrepreneur": "JULIE", "since": "2026-01-01"}, "Choose one of the coaches listed."),
        ({"coach": "STAFF", "entrepreneur": "JULIE", "since": "2026-01-01"}, "Choose one of the coaches listed."),
        ({"coach": "COACH", "entrepreneur": "99999999", "since": "2026-01-01"}, "Choose one of the entrepreneurs"),
        ({"coach": "COACH", "entrepreneur": "JULIE", "since": "2026-02-30"}, "Give a date such as 2026-06-01."),
        ({"coach": "COACH", "entrepreneur": "JULIE", "since": ""}, "Give the first day of the coaching."),
    ],
)
def test_bad_assignments_get_a_message_and_change_nothing(client, auth, db, staff, coach, julie, data, message):
    ids = {"COACH": str(coach.id), "JULIE": str(julie.id), "STAFF": str(staff.id)}
    auth.login(staff.email)
    response = client.post("/c/lessines/coaching", data={k: ids.get(v, v) for k, v in data.items()})
    assert response.status_code == 422
    text = page_text(response)
    assert message in text and 'aria-invalid="true"' in text
    assert count(db, CoachAssignment) == 0


def test_one_coach_at_a_time_per_entrepreneur(client, auth, db, staff, assignment, make_user, julie):
    other = make_user(role="coach", name="Coach Bob")
    auth.login(staff.email)
    response = client.post(
        "/c/lessines/coaching", data={"coach": str(other.id), "entrepreneur": str(julie.id), "since": "2026-01-01"}
    )
    assert response.status_code == 409
    assert "already has a coach" in page_text(response)
    assert count(db, CoachAssignment) == 1


def test_staff_end_a_coaching_and_the_coach_loses_access(client, auth, db, staff, coach, assignment):
    auth.login(staff.email)
    response = client.post(f"/c/lessines/coaching/{assignment.id}/end")
    assert response.status_code == 303
    assert fresh(db, assignment).until_on == TODAY
    again = client.post(f"/c/lessines/coaching/{assignment.id}/end", follow_redirects=True)
    assert "already ended" in page_text(again)
    auth.logout()
    auth.login(coach.email)
    assert client.get(f"/coaching/{assignment.id}").status_code == 404
    assert "Julie Carlier" not in client.get("/coaching").text


def test_the_end_of_another_communes_assignment_is_404(client, auth, db, make_user, make_commune, assignment):
    ath = make_commune(name="Ath", slug="ath")
    auth.login(make_user(role="staff", communes=[ath]).email)
    assert client.post(f"/c/ath/coaching/{assignment.id}/end").status_code == 404
    assert client.post(f"/c/lessines/coaching/{assignment.id}/end").status_code == 403
    assert fresh(db, assignment).until_on is None


def test_admins_create_coach_accounts(client, auth, make_user, db):
    from popup.auth.models import User

    auth.login(make_user(role="admin").email)
    response = client.post(
        "/admin/users/new",
        data={
            "name": "Sophie Lambert",
            "email": "sophie@example.org",
            "role": "coach",
            "language": "fr",
            "password": "long enough pass",
        },
    )
    assert response.status_code == 302
    assert db.session.execute(select(User).filter_by(email="sophie@example.org")).scalar_one().role == "coach"


def test_the_cli_creates_coach_accounts(runner, db):
    from popup.auth.models import User

    result = runner.invoke(
        args=["popup", "create-user", "--email", "c@example.org", "--name", "C", "--role", "coach"],
        input="a long password\na long password\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.execute(select(User).filter_by(email="c@example.org")).scalar_one().role == "coach"


# -- the coach ---------------------------------------------------------------------------------


def test_the_coach_sees_their_entrepreneurs_and_their_applications_read_only(
    client, auth, db, coach, julie, assignment, commune
):
    call = make_call(db, commune, title="Appel Grand-Place")
    make_application(db, julie, call=call, status="submitted", motivation="Une épicerie locale.")
    make_application(db, julie, call=make_call(db, commune, title="Brouillon secret"), status="draft")
    auth.login(coach.email)
    mine = client.get("/coaching")
    assert mine.status_code == 200 and "Julie Carlier" in mine.text
    detail = page_text(client.get(f"/coaching/{assignment.id}"))
    assert "Appel Grand-Place" in detail and "Une épicerie locale." in detail
    assert "Brouillon secret" not in detail  # a draft is the entrepreneur's alone
    assert "/status" not in detail  # no decision buttons: read only


def test_the_coach_writes_a_note_seen_by_the_entrepreneur_and_staff(client, auth, db, coach, julie, staff, assignment):
    auth.login(coach.email)
    met = (TODAY - timedelta(days=1)).isoformat()
    nxt = (TODAY + timedelta(days=20)).isoformat()
    response = client.post(
        f"/coaching/{assignment.id}/notes",
        data={"met_on": met, "text": f"  Vitrine à refaire. {XSS}  ", "next_meeting_on": nxt},
    )
    assert response.status_code == 303
    note = db.session.scalars(select(CoachingNote)).one()
    assert (note.author_id, note.met_on.isoformat(), note.next_meeting_on.isoformat()) == (coach.id, met, nxt)
    assert note.text == f"Vitrine à refaire. {XSS}"
    for reader, path in ((julie, "/my/coaching"), (staff, f"/coaching/{assignment.id}")):
        auth.logout()
        auth.login(reader.email)
        page = client.get(path)
        assert page.status_code == 200
        assert "Vitrine à refaire." in page_text(page)
        assert XSS not in page.text  # escaped
        assert f"/coaching/notes/{note.id}/edit" not in page.text  # only the author edits


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"met_on": "", "text": "x"}, "Give the date of the meeting."),
        ({"met_on": "hier", "text": "x"}, "Give a date such as 2026-06-01."),
        ({"met_on": "TOMORROW", "text": "x"}, "a meeting that took place"),
        ({"met_on": "TODAY", "text": "   "}, "Write what was said or decided."),
        ({"met_on": "TODAY", "text": "x" * 5001}, "Keep the note under 5000 characters."),
        ({"met_on": "TODAY", "text": "x", "next_meeting_on": "YESTERDAY"}, "The next meeting comes after this one."),
    ],
)
def test_bad_notes_get_a_message_and_save_nothing(client, auth, db, coach, assignment, data, message):
    days = {"TODAY": TODAY, "TOMORROW": TODAY + timedelta(days=1), "YESTERDAY": TODAY - timedelta(days=1)}
    auth.login(coach.email)
    payload = {k: days[v].isoformat() if v in days else v for k, v in data.items()}
    response = client.post(f"/coaching/{assignment.id}/notes", data=payload)
    assert response.status_code == 422
    assert message in page_text(response)
    assert count(db, CoachingNote) == 0


def test_only_the_author_edits_a_note(client, auth, db, coach, staff, julie, make_user, note):
    auth.login(coach.email)
    assert client.get(f"/coaching/notes/{note.id}/edit").status_code == 200
    response = client.post(
        f"/coaching/notes/{note.id}/edit", data={"met_on": note.met_on.isoformat(), "text": "Corrigé."}
    )
    assert response.status_code == 303
    assert fresh(db, note).text == "Corrigé." and fresh(db, note).next_meeting_on is None
    bad = client.post(f"/coaching/notes/{note.id}/edit", data={"met_on": "2026-02-31", "text": "Oops"})
    assert bad.status_code == 422 and fresh(db, note).text == "Corrigé."
    for other, code in ((staff, 403), (julie, 404), (make_user(role="coach"), 404)):
        auth.logout()
        auth.login(other.email)
        assert client.get(f"/coaching/notes/{note.id}/edit").status_code == code
        assert (
            client.post(f"/coaching/notes/{note.id}/edit", data={"met_on": "2026-01-01", "text": "Hack"}).status_code
            == code
        )
    assert fresh(db, note).text == "Corrigé."


def test_staff_read_but_do_not_write_notes(client, auth, db, staff, assignment, note):
    auth.login(staff.email)
    page = client.get(f"/coaching/{assignment.id}")
    assert page.status_code == 200 and "Plan financier à revoir." in page_text(page)
    assert 'name="text"' not in page.text
    response = client.post(f"/coaching/{assignment.id}/notes", data={"met_on": TODAY.isoformat(), "text": "Staff"})
    assert response.status_code == 403
    assert count(db, CoachingNote) == 1


# -- who sees what ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["another coach", "another entrepreneur", "the entrepreneur", "staff of Ath", "owner"])
def test_others_see_nothing_of_the_coaching(client, auth, db, make_user, make_commune, assignment, note, who):
    users = {
        "another coach": lambda: make_user(role="coach"),
        "another entrepreneur": lambda: make_user(role="entrepreneur"),
        "the entrepreneur": lambda: assignment.entrepreneur,
        "staff of Ath": lambda: make_user(role="staff", communes=[make_commune(name="Ath", slug="ath")]),
        "owner": lambda: make_user(role="owner"),
    }
    auth.login(users[who]().email)
    assert client.get(f"/coaching/{assignment.id}").status_code == 404
    assert (
        client.post(f"/coaching/{assignment.id}/notes", data={"met_on": "2026-01-01", "text": "x"}).status_code == 404
    )
    assert client.get(f"/coaching/{assignment.id + 1000}").status_code == 404
    assert count(db, CoachingNote) == 1


def test_another_coach_and_another_entrepreneur_see_none_of_julies_notes(client, auth, make_user, note):
    auth.login(make_user(role="coach").email)
    assert "Julie Carlier" not in client.get("/coaching").text
    auth.logout()
    auth.login(make_user(role="entrepreneur").email)
    page = client.get("/my/coaching")
    assert page.status_code == 200 and "Plan financier" not in page_text(page)


@pytest.mark.parametrize(
    ("role", "path"), [("entrepreneur", "/coaching"), ("coach", "/my/coaching"), ("owner", "/coaching")]
)
def test_each_role_has_its_own_page(client, auth, make_user, role, path):
    auth.login(make_user(role=role).email)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", ["coach", "entrepreneur", "owner"])
def test_only_staff_manage_assignments(client, auth, db, make_user, commune, role, coach, julie):
    auth.login(make_user(role=role).email)
    assert client.get("/c/lessines/coaching").status_code == 403
    response = client.post(
        "/c/lessines/coaching", data={"coach": str(coach.id), "entrepreneur": str(julie.id), "since": "2026-01-01"}
    )
    assert response.status_code == 403
    assert count(db, CoachAssignment) == 0


def test_anonymous_users_are_sent_to_log_in(client, assignment):
    for path in ("/coaching", f"/coaching/{assignment.id}", "/my/coaching", "/c/lessines/coaching"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_ids_out_of_range_are_404(client, auth, coach):
    auth.login(coach.email)
    assert client.get(f"/coaching/{2**40}").status_code == 404
    assert client.get(f"/coaching/notes/{2**40}/edit").status_code == 404


def test_the_database_refuses_two_open_assignments(db, commune, coach, julie, assignment):
    from sqlalchemy.exc import IntegrityError

    db.session.add(CoachAssignment(commune=commune, coach=coach, entrepreneur=julie, since_on=date(2026, 1, 1)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_posts_need_the_csrf_token(client, auth, db, csrf, coach, assignment):
    auth.client.application.config["WTF_CSRF_ENABLED"] = False
    auth.login(coach.email)
    auth.client.application.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/coaching/{assignment.id}/notes", data={"met_on": TODAY.isoformat(), "text": "x"})
    assert response.status_code == 400
    assert count(db, CoachingNote) == 0
