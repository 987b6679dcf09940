"""Applications: applying to calls and offers, the workflow by the right roles, refusals, notifications, privacy."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email.header import decode_header, make_header

import pytest
from sqlalchemy import func, select

from popup.applications import queries as application_queries
from popup.applications.models import Application, ApplicationEvent, EntrepreneurProfile
from popup.calls.models import Call, Criterion
from popup.notifications.models import Notification
from popup.offers.models import Offer
from popup.types import utcnow
from popup.uploads.models import Document
from tests.conftest import page_text

XSS = "<img src=x onerror=alert(1)>"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# -- helpers shared with test_profiles, test_calls and test_jury -----------------------------


def english(client):
    client.post("/language", data={"lang": "en"})


def main_of(response) -> str:
    """The page's main content as a user reads it (the header names the logged-in user)."""
    return page_text(response).split("<main", 1)[1].split("</main>", 1)[0]


def make_profile(db, user, **kw) -> EntrepreneurProfile:
    kw.setdefault("business_name", "Le Fournil de Julie")
    kw.setdefault("concept", "Pain au levain et viennoiseries bio.")
    kw.setdefault("sector", "food")
    profile = EntrepreneurProfile(user_id=user.id, **kw)
    db.session.add(profile)
    db.session.flush()
    return profile


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def make_call(db, commune, *, status="open", deadline_at=None, criteria=(("Concept", 3), ("Feasibility", 1)), **kw):
    call = Call(
        commune=commune,
        title=kw.pop("title", "Pop-up Grand-Place 2026"),
        status=status,
        deadline_at=deadline_at or utcnow() + timedelta(days=10),
        **kw,
    )
    for position, (name, weight) in enumerate(criteria):
        call.criteria.append(Criterion(name=name, weight=weight, position=position))
    db.session.add(call)
    db.session.flush()
    return call


def make_offer(db, unit, owner=None, *, status="published", **kw) -> Offer:
    offer = Offer(
        unit=unit,
        owner=owner,
        title=kw.pop("title", "Cellule partagée rue de Grammont"),
        status=status,
        available_from=kw.pop("available_from", date(2026, 9, 1)),
        **kw,
    )
    db.session.add(offer)
    db.session.flush()
    return offer


def make_application(db, entrepreneur, *, call=None, offer=None, status="draft", motivation="Je veux tester.", **kw):
    """An application already in ``status`` (set directly: the workflow is tested through the routes)."""
    if status != "draft":
        kw.setdefault("submitted_at", utcnow() - timedelta(days=1))
    if status in ("accepted", "rejected"):
        kw.setdefault("decided_at", utcnow())
    application = Application(
        entrepreneur=entrepreneur, call=call, offer=offer, status=status, motivation=motivation, **kw
    )
    application.events.append(ApplicationEvent(from_status=None, to_status=status, by=entrepreneur))
    db.session.add(application)
    db.session.flush()
    return application


def fresh(db, obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def notifications_of(db, user) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).filter_by(user_id=user.id).order_by(Notification.id)))


def count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def staff(make_user, commune):
    return make_user(role="staff", name="Catherine Delhaye", email="catherine@lessines.be", communes=[commune])


@pytest.fixture
def julie(db, make_user):
    user = make_user(role="entrepreneur", name="Julie Carlier", email="julie@example.org")
    make_profile(db, user)
    return user


@pytest.fixture
def marc(db, make_user):
    user = make_user(role="entrepreneur", name="Marc Dupont", email="marc@example.org")
    make_profile(db, user, business_name="Atelier Marc", concept="Céramique.")
    return user


@pytest.fixture
def call(db, commune):
    return make_call(db, commune)


@pytest.fixture
def owner(make_user):
    return make_user(role="owner", name="Jean-Pierre Lemaire", email="jp@example.org")


@pytest.fixture
def offer(db, make_unit, owner):
    return make_offer(db, make_unit(owner=owner), owner)


def status_post(client, application, status, reason=""):
    return client.post(f"/applications/{application.id}/status", data={"status": status, "reason": reason})


# -- the whole workflow ----------------------------------------------------------------------------


def test_the_whole_workflow_of_a_call_application(client, auth, db, julie, staff, call):
    auth.login(julie.email)
    response = client.post(f"/calls/{call.id}/apply", data={"motivation": "Mon fournil.", "save_draft": "y"})
    assert response.status_code == 303
    application = db.session.scalars(select(Application).filter_by(entrepreneur_id=julie.id)).one()
    assert application.status == "draft" and application.submitted_at is None
    assert response.headers["Location"] == f"/applications/{application.id}"
    assert notifications_of(db, staff) == []  # a draft tells nobody

    assert status_post(client, application, "submitted").status_code == 303
    application = fresh(db, application)
    assert application.status == "submitted" and application.submitted_at is not None
    (note,) = notifications_of(db, staff)
    assert note.kind == "application_submitted"
    assert note.params["title"] == call.title and "Julie Carlier" in note.params["applicant"]
    assert note.link == f"/applications/{application.id}"

    auth.logout()
    auth.login(staff.email)
    for target, reason in (("under_review", ""), ("shortlisted", "Très bon dossier"), ("accepted", "")):
        assert status_post(client, application, target, reason).status_code == 303
    application = fresh(db, application)
    assert application.status == "accepted" and application.decided_at is not None
    steps = [(e.from_status, e.to_status, e.by.name, e.reason) for e in application.events]
    assert steps == [
        (None, "draft", "Julie Carlier", ""),
        ("draft", "submitted", "Julie Carlier", ""),
        ("submitted", "under_review", "Catherine Delhaye", ""),
        ("under_review", "shortlisted", "Catherine Delhaye", "Très bon dossier"),
        ("shortlisted", "accepted", "Catherine Delhaye", ""),
    ]
    kinds = [(n.kind, n.params["status"]) for n in notifications_of(db, julie)]
    assert kinds == [
        ("application_status", "under_review"),
        ("application_status", "shortlisted"),
        ("application_status", "accepted"),
    ]
    assert notifications_of(db, julie)[1].params["reason"] == "Très bon dossier"


def test_the_detail_page_shows_history_profile_and_the_buttons_of_each_viewer(client, auth, db, julie, staff, call):
    application = make_application(db, julie, call=call, status="submitted")
    application.events[0].at = datetime(2026, 1, 15, 11, 30, tzinfo=UTC)  # 12:30 in Brussels
    db.session.add(Document(token="t" * 40, user_id=julie.id, filename="plan.pdf", data=PDF, size_bytes=len(PDF)))
    db.session.flush()
    auth.login(staff.email)
    english(client)
    text = main_of(client.get(f"/applications/{application.id}"))
    assert "12:30" in text and "11:30" not in text  # history in Brussels time
    assert "Le Fournil de Julie" in text and "Pain au levain" in text  # private profile fields
    assert "julie@example.org" in text  # staff may contact the applicant
    assert f"/documents/{'t' * 40}" in text
    buttons = re.findall(r'name="status" value="(\w+)"', text)
    assert buttons == ["under_review", "shortlisted", "rejected"]
    auth.logout()
    auth.login(julie.email)
    text = main_of(client.get(f"/applications/{application.id}"))
    assert re.findall(r'name="status" value="(\w+)"', text) == ["withdrawn"]


def test_an_offer_application_submitted_at_once_tells_staff_and_owner(client, auth, db, julie, staff, owner, offer):
    auth.login(julie.email)
    response = client.post(f"/offers/{offer.id}/apply", data={"motivation": "Idéal pour moi.", "submit_now": "y"})
    assert response.status_code == 303
    application = db.session.scalars(select(Application).filter_by(entrepreneur_id=julie.id)).one()
    assert application.status == "submitted" and application.offer_id == offer.id and application.call_id is None
    assert [n.kind for n in notifications_of(db, staff)] == ["application_submitted"]
    (note,) = notifications_of(db, owner)
    assert note.kind == "offer_application" and note.params["title"] == offer.title

    auth.logout()
    auth.login(owner.email)
    page = client.get(f"/applications/{application.id}")
    assert page.status_code == 200
    assert "Le Fournil de Julie" in page_text(page)  # the owner reads the private profile
    assert 'name="status"' not in page.text  # but has no button


def test_an_owner_does_not_see_a_draft_on_their_offer(client, auth, db, julie, owner, offer):
    application = make_application(db, julie, offer=offer, status="draft")
    auth.login(owner.email)
    assert client.get(f"/applications/{application.id}").status_code == 404


# -- refusals: nothing changes -------------------------------------------------------------------


def _refusal_case(db, name, julie, staff, owner, make_user, commune, offer):
    """(who acts, the application, the target, the reason, expected status, expected message)."""
    past = utcnow() - timedelta(hours=1)
    if name == "submit after the deadline":
        app = make_application(db, julie, call=make_call(db, commune, deadline_at=past), status="draft")
        return julie, app, "submitted", "", 409, "The deadline of this call has passed"
    if name == "submit to a closed call":
        app = make_application(db, julie, call=make_call(db, commune, status="closed"), status="draft")
        return julie, app, "submitted", "", 409, "This call does not take applications any more."
    if name == "submit to a closed offer":
        offer.status = "closed"
        app = make_application(db, julie, offer=offer, status="draft")
        return julie, app, "submitted", "", 409, "This offer does not take applications any more."
    call = make_call(db, commune)
    if name == "staff accepting a draft":
        app = make_application(db, julie, call=call, status="draft")
        return staff, app, "accepted", "", 409, "An application cannot go from Draft to Accepted."
    if name == "owner accepting":
        app = make_application(db, julie, offer=offer, status="shortlisted")
        return owner, app, "accepted", "", 403, "Only the commune's staff decide on applications"
    if name == "entrepreneur accepting":
        app = make_application(db, julie, call=call, status="under_review")
        return julie, app, "accepted", "", 403, "Only the commune's staff can take this decision."
    if name == "staff submitting":
        app = make_application(db, julie, call=call, status="draft")
        return staff, app, "submitted", "", 403, "Only the applicant can submit or withdraw"
    if name == "juror shortlisting":
        juror = make_user(role="coach")
        call.jurors.append(juror)
        app = make_application(db, julie, call=call, status="submitted")
        return juror, app, "shortlisted", "", 403, "Only the commune's staff decide on applications"
    if name == "reject without reason":
        app = make_application(db, julie, call=call, status="under_review")
        return staff, app, "rejected", "   ", 422, "Give a reason for the rejection"
    if name == "review after withdrawal":
        app = make_application(db, julie, call=call, status="withdrawn")
        return staff, app, "under_review", "", 409, "This application is withdrawn: its status can no longer change."
    if name == "resubmit after withdrawal":
        app = make_application(db, julie, call=call, status="withdrawn")
        return julie, app, "submitted", "", 409, "its status can no longer change"
    if name == "reject after acceptance":
        app = make_application(db, julie, call=call, status="accepted")
        return staff, app, "rejected", "Changed my mind", 409, "This application is accepted"
    if name == "withdraw after acceptance":
        app = make_application(db, julie, call=call, status="accepted")
        return julie, app, "withdrawn", "", 409, "its status can no longer change"
    if name == "unknown status":
        app = make_application(db, julie, call=call, status="submitted")
        return staff, app, "approved", "", 422, "Unknown status."
    raise AssertionError(name)


@pytest.mark.parametrize(
    "case",
    [
        "submit after the deadline",
        "submit to a closed call",
        "submit to a closed offer",
        "staff accepting a draft",
        "owner accepting",
        "entrepreneur accepting",
        "staff submitting",
        "juror shortlisting",
        "reject without reason",
        "review after withdrawal",
        "resubmit after withdrawal",
        "reject after acceptance",
        "withdraw after acceptance",
        "unknown status",
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(
    client, auth, db, make_user, commune, julie, staff, owner, offer, case
):
    actor, application, target, reason, status, message = _refusal_case(
        db, case, julie, staff, owner, make_user, commune, offer
    )
    before = (application.status, application.submitted_at, application.decided_at, len(application.events))
    notes = count(db, Notification)
    auth.login(actor.email)
    english(client)
    response = status_post(client, application, target, reason)
    assert response.status_code == status
    assert message in main_of(response)
    assert "Nothing was changed." in main_of(response)
    application = fresh(db, application)
    assert (application.status, application.submitted_at, application.decided_at, len(application.events)) == before
    assert count(db, Notification) == notes


def test_a_rejection_tells_the_applicant_why(client, auth, db, julie, staff, call):
    application = make_application(db, julie, call=call, status="under_review")
    auth.login(staff.email)
    assert status_post(client, application, "rejected", "Le budget ne suffit pas.").status_code == 303
    application = fresh(db, application)
    assert application.status == "rejected" and application.decided_at is not None
    assert application.events[-1].reason == "Le budget ne suffit pas."
    (note,) = notifications_of(db, julie)
    assert note.params == {"title": call.title, "status": "rejected", "reason": "Le budget ne suffit pas."}


def test_an_entrepreneur_withdraws_before_the_decision(client, auth, db, julie, staff, call):
    application = make_application(db, julie, call=call, status="shortlisted")
    auth.login(julie.email)
    assert status_post(client, application, "withdrawn", "J'ai trouvé ailleurs.").status_code == 303
    application = fresh(db, application)
    assert application.status == "withdrawn" and application.decided_at is None
    assert notifications_of(db, julie) == []  # the applicant's own step tells them nothing


# -- applying ---------------------------------------------------------------------------------------


def test_one_active_application_per_call_and_again_after_withdrawal(client, auth, db, julie, call):
    auth.login(julie.email)
    english(client)
    assert client.post(f"/calls/{call.id}/apply", data={"motivation": "1", "save_draft": "y"}).status_code == 303
    second = client.post(f"/calls/{call.id}/apply", data={"motivation": "2", "submit_now": "y"})
    assert second.status_code == 409
    assert "You already have an application for this call" in main_of(second)
    (first,) = db.session.scalars(select(Application).filter_by(entrepreneur_id=julie.id)).all()
    assert first.status == "draft" and first.motivation == "1"
    page = client.get(f"/calls/{call.id}/apply")
    assert "You already have an application for this call" in main_of(page)
    assert 'name="submit_now"' not in page.text

    assert status_post(client, first, "withdrawn").status_code == 303
    again = client.post(f"/calls/{call.id}/apply", data={"motivation": "3", "submit_now": "y"})
    assert again.status_code == 303
    db.session.expire_all()
    statuses = sorted(a.status for a in db.session.scalars(select(Application).filter_by(entrepreneur_id=julie.id)))
    assert statuses == ["submitted", "withdrawn"]


def test_a_race_past_the_check_is_stopped_by_the_database(client, auth, db, julie, call, monkeypatch):
    make_application(db, julie, call=call, status="submitted")
    # Both requests passed the check before either inserted: only the unique index stands.
    monkeypatch.setattr(application_queries, "active_for_call", lambda *args: None)
    auth.login(julie.email)
    english(client)
    response = client.post(f"/calls/{call.id}/apply", data={"motivation": "twice", "submit_now": "y"})
    assert response.status_code == 409
    assert "You already have an application for this call" in main_of(response)
    assert count(db, Application) == 1


def test_a_race_past_the_check_on_an_offer_is_stopped_by_the_database(client, auth, db, julie, offer, monkeypatch):
    make_application(db, julie, offer=offer, status="submitted")
    monkeypatch.setattr(application_queries, "active_for_offer", lambda *args: None)
    auth.login(julie.email)
    english(client)
    response = client.post(f"/offers/{offer.id}/apply", data={"motivation": "twice", "submit_now": "y"})
    assert response.status_code == 409
    assert "You already have an application for this offer" in main_of(response)
    assert count(db, Application) == 1


def test_one_active_application_per_offer(client, auth, db, julie, offer):
    make_application(db, julie, offer=offer, status="submitted")
    auth.login(julie.email)
    english(client)
    response = client.post(f"/offers/{offer.id}/apply", data={"motivation": "again", "submit_now": "y"})
    assert response.status_code == 409
    assert "You already have an application for this offer" in main_of(response)
    assert count(db, Application) == 1


@pytest.mark.parametrize("case", ["draft call", "closed call", "past deadline", "unknown call"])
def test_only_open_calls_before_their_deadline_take_applications(client, auth, db, julie, commune, case):
    if case == "unknown call":
        call_id, expected = 424242, 404
    elif case == "draft call":  # a draft is a secret of the commune's staff
        call_id, expected = make_call(db, commune, status="draft").id, 404
    else:
        status = "closed" if case == "closed call" else "open"
        deadline = utcnow() - timedelta(minutes=1) if case == "past deadline" else None
        call_id, expected = make_call(db, commune, status=status, deadline_at=deadline).id, 409
    auth.login(julie.email)
    english(client)
    response = client.post(f"/calls/{call_id}/apply", data={"motivation": "x", "submit_now": "y"})
    assert response.status_code == expected
    if expected == 409:
        assert "This call does not take applications any more." in main_of(response)
    assert count(db, Application) == 0


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_only_published_offers_take_applications(client, auth, db, julie, make_unit, status):
    offer = make_offer(db, make_unit(), status=status)
    auth.login(julie.email)
    response = client.post(f"/offers/{offer.id}/apply", data={"motivation": "x", "submit_now": "y"})
    assert response.status_code == (404 if status == "draft" else 409)
    assert count(db, Application) == 0


@pytest.mark.parametrize("role", ["owner", "staff", "coach", "admin"])
def test_only_entrepreneurs_apply(client, auth, db, make_user, commune, call, offer, role):
    auth.login(make_user(role=role, communes=[commune] if role == "staff" else []).email)
    assert client.get(f"/calls/{call.id}/apply").status_code == 403
    assert client.post(f"/offers/{offer.id}/apply", data={"submit_now": "y"}).status_code == 403
    assert client.get("/my/applications").status_code == 403
    assert count(db, Application) == 0


def test_applying_needs_a_profile(client, auth, db, make_user, call):
    newcomer = make_user(role="entrepreneur")
    auth.login(newcomer.email)
    english(client)
    page = client.get(f"/calls/{call.id}/apply")
    assert "Fill in your profile first" in main_of(page) and 'href="/my/profile"' in page.text
    response = client.post(f"/calls/{call.id}/apply", data={"motivation": "x", "submit_now": "y"})
    assert response.status_code == 409
    assert count(db, Application) == 0


def test_a_too_long_motivation_is_refused(client, auth, db, julie, call):
    auth.login(julie.email)
    english(client)
    response = client.post(f"/calls/{call.id}/apply", data={"motivation": "x" * 5001, "submit_now": "y"})
    assert response.status_code == 422
    assert "Keep the motivation under 5,000 characters." in main_of(response)
    assert count(db, Application) == 0


def test_a_draft_can_be_edited_until_it_is_submitted(client, auth, db, julie, call):
    application = make_application(db, julie, call=call, status="draft")
    auth.login(julie.email)
    english(client)
    assert client.post(f"/applications/{application.id}/edit", data={"motivation": "Mieux dit."}).status_code == 303
    assert fresh(db, application).motivation == "Mieux dit."
    status_post(client, application, "submitted")
    response = client.post(f"/applications/{application.id}/edit", data={"motivation": "Trop tard."})
    assert response.status_code == 409
    assert "Only a draft can be changed" in main_of(response)
    assert fresh(db, application).motivation == "Mieux dit."


def test_my_applications_lists_mine_with_their_status(client, auth, db, julie, marc, call, offer):
    make_application(db, julie, call=call, status="shortlisted")
    make_application(db, marc, offer=offer, status="submitted")
    auth.login(julie.email)
    english(client)
    text = main_of(client.get("/my/applications"))
    assert call.title in text and "Shortlisted" in text
    assert offer.title not in text


# -- notifications and email ---------------------------------------------------------------------


def test_emails_arrive_in_each_recipients_language(client, auth, db, make_user, commune, owner, offer, smtp):
    staff_nl = make_user(role="staff", language="nl", email="koen@lessines.be", communes=[commune])
    owner.language = "fr"
    applicant = make_user(role="entrepreneur", language="en", email="amy@example.org")
    make_profile(db, applicant)
    auth.login(applicant.email)
    assert client.post(f"/offers/{offer.id}/apply", data={"submit_now": "y"}).status_code == 303
    by_to = {m["To"]: m for m in smtp}
    assert set(by_to) == {"koen@lessines.be", "jp@example.org"}
    assert subject(by_to["koen@lessines.be"]) == f"Nieuwe kandidatuur: {offer.title}"
    assert subject(by_to["jp@example.org"]) == f"Nouvelle candidature pour votre offre {offer.title}"
    application = db.session.scalars(select(Application)).one()
    link = f"/applications/{application.id}"
    assert link in by_to["koen@lessines.be"].get_payload(decode=True).decode()

    auth.logout()
    auth.login(staff_nl.email)
    smtp.clear()
    status_post(client, application, "under_review")
    status_post(client, application, "rejected", "Budget too small.")
    assert [m["To"] for m in smtp] == ["amy@example.org", "amy@example.org"]
    assert subject(smtp[0]) == "Your application is now: Under review"
    body = smtp[1].get_payload(decode=True).decode()
    assert "Rejected" in body and "Reason: Budget too small." in body
    assert all(n.email_status == "sent" for n in notifications_of(db, applicant))


def test_a_failing_mail_server_keeps_the_change_and_the_pending_email(app, client, auth, db, julie, staff, call, smtp):
    application = make_application(db, julie, call=call, status="draft")
    auth.login(julie.email)
    app.config["MAIL_PORT"] = 9  # nothing listens there: the connection is refused
    response = status_post(client, application, "submitted")
    assert response.status_code == 303
    application = fresh(db, application)
    assert application.status == "submitted" and application.submitted_at is not None
    (note,) = notifications_of(db, staff)
    assert note.email_status == "pending" and note.email_attempts == 1 and note.email_error
    assert smtp == []


# -- who sees what ---------------------------------------------------------------------------------


def test_entrepreneur_a_cannot_reach_entrepreneur_bs_applications(client, auth, db, julie, marc, call, offer):
    draft = make_application(db, marc, call=call, status="draft", motivation="Secret de Marc")
    submitted = make_application(db, marc, offer=offer, status="submitted", motivation="Autre secret")
    auth.login(julie.email)
    for application in (draft, submitted):
        assert client.get(f"/applications/{application.id}").status_code == 404
        assert client.get(f"/applications/{application.id}/edit").status_code == 404
        assert client.post(f"/applications/{application.id}/edit", data={"motivation": "hacked"}).status_code == 404
        for target in ("submitted", "withdrawn"):
            assert status_post(client, application, target).status_code == 404
    assert "Secret de Marc" not in client.get("/my/applications").text
    assert (fresh(db, draft).status, fresh(db, draft).motivation) == ("draft", "Secret de Marc")
    assert fresh(db, submitted).status == "submitted"
    assert len(fresh(db, submitted).events) == 1


def test_who_sees_an_application(client, auth, db, make_user, make_commune, julie, call, offer):
    submitted = make_application(db, julie, call=call, status="submitted")
    draft = make_application(db, julie, offer=offer, status="draft")
    juror = make_user(role="coach")
    call.jurors.append(juror)
    ath = make_commune(name="Ath", slug="ath")
    others = {
        "staff of another commune": make_user(role="staff", communes=[ath]),
        "another owner": make_user(role="owner"),
        "a coach who is not a juror": make_user(role="coach"),
    }
    for user in others.values():
        auth.login(user.email)
        assert client.get(f"/applications/{submitted.id}").status_code == 404
        assert client.get(f"/applications/{draft.id}").status_code == 404
        auth.logout()
    auth.login(juror.email)
    assert client.get(f"/applications/{submitted.id}").status_code == 200
    auth.logout()
    auth.login(make_user(role="admin").email)
    assert client.get(f"/applications/{draft.id}").status_code == 200
    auth.logout()
    response = client.get(f"/applications/{submitted.id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_unknown_ids_are_404(client, auth, julie):
    auth.login(julie.email)
    for path in ("/applications/424242", "/applications/99999999999", "/offers/424242/apply", "/calls/424242/apply"):
        assert client.get(path).status_code == 404
    assert client.post("/applications/424242/status", data={"status": "withdrawn"}).status_code == 404


def test_free_text_comes_out_escaped(client, auth, db, julie, staff, call):
    julie_profile = db.session.get(EntrepreneurProfile, julie.id)
    julie_profile.concept = XSS
    julie_profile.business_name = XSS
    application = make_application(db, julie, call=call, status="submitted", motivation=XSS)
    application.events.append(ApplicationEvent(from_status="submitted", to_status="under_review", by=staff, reason=XSS))
    db.session.flush()
    auth.login(staff.email)
    html = client.get(f"/applications/{application.id}").text
    assert XSS not in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") >= 4
