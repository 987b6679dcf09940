"""Calls for applications: staff create, edit, open and close them; the public sees the open ones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from popup.applications.models import Score
from popup.calls.models import Call
from popup.types import utcnow
from tests.conftest import page_text
from tests.test_applications import (
    XSS,
    count,
    english,
    fresh,
    main_of,
    make_application,
    make_call,
    make_offer,
    make_profile,
)


@pytest.fixture
def staff(make_user, commune):
    return make_user(role="staff", name="Catherine Delhaye", communes=[commune])


@pytest.fixture
def as_staff(client, auth, staff):
    auth.login(staff.email)
    return client


@pytest.fixture
def ath(make_commune):
    return make_commune(name="Ath", slug="ath")


def call_form(criteria=(("Concept", "3"), ("Faisabilité", "1")), **overrides) -> dict:
    data = {
        "title": "Pop-up Grand-Place 2030",
        "description": "Cinq commerces à l'essai.",
        "deadline": "2030-06-01T17:00",
        "starts_on": "2030-09-01",
        "last_day": "2031-02-28",
    }
    for i, (name, weight) in enumerate(criteria):
        data[f"criteria-{i}-name"] = name
        data[f"criteria-{i}-weight"] = weight
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def the_call(db) -> Call:
    db.session.expire_all()
    return db.session.scalars(select(Call)).one()


# -- creating ------------------------------------------------------------------------------------


def test_staff_create_a_draft_call(as_staff, db, make_user, make_unit, staff):
    offer = make_offer(db, make_unit())
    juror = make_user(role="coach", name="Coach Anne")
    response = as_staff.post(
        "/c/lessines/calls/new", data=call_form(offers=[str(offer.id)], jurors=[str(juror.id), str(staff.id)])
    )
    assert response.status_code == 303
    call = the_call(db)
    assert response.headers["Location"] == f"/calls/{call.id}"
    assert call.status == "draft" and call.commune.slug == "lessines" and call.created_by_id == staff.id
    assert call.deadline_at == datetime(2030, 6, 1, 15, 0, tzinfo=UTC)  # 17:00 summer time in Brussels
    assert (call.starts_on, call.ends_on) == (date(2030, 9, 1), date(2031, 3, 1))  # stored half-open
    assert [(c.name, c.weight, c.position) for c in call.criteria] == [("Concept", 3, 0), ("Faisabilité", 1, 1)]
    assert [o.id for o in call.offers] == [offer.id]
    assert sorted(u.id for u in call.jurors) == sorted([juror.id, staff.id])


def test_the_deadline_is_brussels_time_in_winter_too(as_staff, db):
    as_staff.post("/c/lessines/calls/new", data=call_form(deadline="2030-01-15T17:00"))
    assert the_call(db).deadline_at == datetime(2030, 1, 15, 16, 0, tzinfo=UTC)


def test_the_form_says_the_deadline_is_brussels_time_and_shows_it_back(as_staff, db, commune):
    english(as_staff)
    text = main_of(as_staff.get("/c/lessines/calls/new"))
    assert "Date and time in Brussels" in text
    call = make_call(db, commune, deadline_at=datetime(2030, 6, 1, 15, 0, tzinfo=UTC))
    html = as_staff.get(f"/calls/{call.id}/edit").text
    assert 'value="2030-06-01T17:00"' in html


def test_the_form_offers_only_this_communes_published_offers_and_staff_or_coaches(
    as_staff, db, make_user, make_unit, ath
):
    mine = make_offer(db, make_unit(), title="Offre publiée")
    make_offer(db, make_unit(), title="Offre brouillon", status="draft")
    make_offer(db, make_unit(commune=ath, lon=3.7786, lat=50.6298), title="Offre d'Ath")
    make_user(role="coach", name="Coach Anne")
    make_user(role="entrepreneur", name="Julie Carlier")
    text = page_text(as_staff.get("/c/lessines/calls/new"))
    assert "Offre publiée" in text and f'value="{mine.id}"' in text
    assert "Offre brouillon" not in text and "Offre d'Ath" not in text
    assert "Coach Anne" in text and "Julie Carlier" not in text


@pytest.mark.parametrize(
    ("overrides", "criteria", "message"),
    [
        ({"title": "  "}, None, "Give the call a title."),
        ({"deadline": ""}, None, "Give the date and time of the deadline."),
        ({"deadline": "tomorrow"}, None, "Give a date and time such as"),
        ({"deadline": "2030-03-31T02:30"}, None, "This time does not exist in Brussels"),
        ({"last_day": "2030-08-01"}, None, "The last day comes before the first day."),
        ({}, (), "Give the jury at least one criterion with its weight."),
        ({}, (("", ""), ("", "")), "Give the jury at least one criterion with its weight."),
        ({}, (("Concept", "3"), ("concept ", "2")), "Two criteria have this name"),
        ({}, (("Concept", "0"),), "Give the weight as a whole number from 1 to 100."),
        ({}, (("Concept", "101"),), "Give the weight as a whole number from 1 to 100."),
        ({}, (("Concept", "2.5"),), "Give the weight as a whole number from 1 to 100."),
        ({}, (("Concept", ""),), "Give the weight as a whole number from 1 to 100."),
        ({}, (("", "3"),), "Name this criterion, or clear its weight."),
        ({"offers": ["424242"]}, None, "Choose among the published offers of this commune."),
        ({"jurors": ["abc"]}, None, "Choose among the staff and coaches listed."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(as_staff, db, overrides, criteria, message):
    english(as_staff)
    data = call_form(**overrides) if criteria is None else call_form(criteria=criteria, **overrides)
    response = as_staff.post("/c/lessines/calls/new", data=data)
    assert response.status_code == 422
    text = main_of(response)
    assert message in text and "Nothing was saved." in text
    assert count(db, Call) == 0


def test_an_entrepreneur_cannot_be_made_a_juror(as_staff, db, make_user):
    entrepreneur = make_user(role="entrepreneur")
    english(as_staff)
    response = as_staff.post("/c/lessines/calls/new", data=call_form(jurors=[str(entrepreneur.id)]))
    assert response.status_code == 422
    assert count(db, Call) == 0


def test_offers_of_another_commune_cannot_be_slipped_in(as_staff, db, make_unit, ath):
    foreign = make_offer(db, make_unit(commune=ath, lon=3.7786, lat=50.6298))
    response = as_staff.post("/c/lessines/calls/new", data=call_form(offers=[str(foreign.id)]))
    assert response.status_code == 422
    assert count(db, Call) == 0


@pytest.mark.parametrize("role", ["owner", "entrepreneur", "coach", "other staff"])
def test_only_the_communes_staff_create_and_edit_calls(client, auth, db, make_user, commune, ath, role):
    call = make_call(db, commune, status="open")
    user = make_user(role="staff", communes=[ath]) if role == "other staff" else make_user(role=role)
    auth.login(user.email)
    assert client.get("/c/lessines/calls/new").status_code == 403
    assert client.post("/c/lessines/calls/new", data=call_form()).status_code == 403
    assert client.post(f"/calls/{call.id}/edit", data=call_form(title="Piraté")).status_code == 403
    assert client.post(f"/calls/{call.id}/close").status_code == 403
    assert fresh(db, call).title != "Piraté" and fresh(db, call).status == "open"
    assert count(db, Call) == 1


def test_unknown_communes_and_calls_are_404(as_staff):
    assert as_staff.get("/c/nowhere/calls/new").status_code == 404
    for path in ("/calls/424242", "/calls/424242/edit", "/calls/99999999999/edit", "/calls/424242/jury"):
        assert as_staff.get(path).status_code == 404
    assert as_staff.post("/calls/424242/open").status_code == 404


# -- editing ----------------------------------------------------------------------------------------


def test_editing_keeps_the_criteria_the_jury_scored(as_staff, db, commune, make_user):
    call = make_call(db, commune, criteria=(("Concept", 3), ("Faisabilité", 1), ("Ancrage local", 2)))
    concept, _feasibility, local = call.criteria
    julie = make_user(role="entrepreneur")
    application = make_application(db, julie, call=call, status="submitted")
    db.session.add(Score(application_id=application.id, criterion_id=concept.id, juror_id=julie.id, score=4))
    db.session.flush()
    data = call_form(criteria=())
    data.update(
        {
            "criteria-0-id": str(concept.id),
            "criteria-0-name": "Le concept",
            "criteria-0-weight": "5",
            "criteria-1-id": str(local.id),
            "criteria-1-name": "Ancrage local",
            "criteria-1-weight": "2",
            "criteria-2-name": "Prix",
            "criteria-2-weight": "1",
        }
    )  # feasibility is left out: removed
    assert as_staff.post(f"/calls/{call.id}/edit", data=data).status_code == 303
    call = fresh(db, call)
    assert [(c.id, c.name, c.weight) for c in call.criteria][:2] == [
        (concept.id, "Le concept", 5),
        (local.id, "Ancrage local", 2),
    ]
    assert [c.name for c in call.criteria] == ["Le concept", "Ancrage local", "Prix"]
    assert count(db, Score) == 1  # the score stays on its renamed criterion

    english(as_staff)
    data = call_form(criteria=(("Prix", "1"),), title="Autre titre")
    response = as_staff.post(f"/calls/{call.id}/edit", data=data)
    assert response.status_code == 422
    assert "The jury has already scored the criterion Le concept: it cannot be removed." in main_of(response)
    call = fresh(db, call)
    assert [c.name for c in call.criteria] == ["Le concept", "Ancrage local", "Prix"]
    assert call.title == "Pop-up Grand-Place 2030"  # from the first edit, not "Autre titre"


def test_an_open_calls_deadline_cannot_move_into_the_past(as_staff, db, commune):
    call = make_call(db, commune, status="open")
    before = call.deadline_at
    english(as_staff)
    response = as_staff.post(f"/calls/{call.id}/edit", data=call_form(deadline="2020-01-01T12:00"))
    assert response.status_code == 422
    assert "The call is open: its deadline cannot be in the past." in main_of(response)
    assert fresh(db, call).deadline_at == before


# -- opening and closing ------------------------------------------------------------------------------


def test_opening_needs_a_deadline_ahead(as_staff, db, commune):
    late = make_call(db, commune, status="draft", deadline_at=utcnow() - timedelta(hours=1))
    english(as_staff)
    response = as_staff.post(f"/calls/{late.id}/open")
    assert response.status_code == 409
    assert "The deadline is past: set a later deadline before opening the call." in main_of(response)
    assert fresh(db, late).status == "draft"

    ready = make_call(db, commune, status="draft", title="Prêt")
    assert as_staff.post(f"/calls/{ready.id}/open").status_code == 303
    assert fresh(db, ready).status == "open"
    assert as_staff.post(f"/calls/{ready.id}/close").status_code == 303
    assert fresh(db, ready).status == "closed"
    response = as_staff.post(f"/calls/{ready.id}/close")
    assert response.status_code == 409 and fresh(db, ready).status == "closed"


# -- what the public sees ----------------------------------------------------------------------------


def test_the_public_list_shows_open_calls_only(client, auth, db, commune, ath, make_user):
    make_call(db, commune, status="open", title="Appel ouvert")
    draft = make_call(db, commune, status="draft", title="Appel en préparation")
    make_call(db, commune, status="closed", title="Appel clôturé")
    make_call(db, ath, status="draft", title="Brouillon d'Ath")
    text = page_text(client.get("/calls"))
    assert "Appel ouvert" in text
    assert "Appel en préparation" not in text and "Appel clôturé" not in text and "Brouillon d'Ath" not in text
    assert client.get(f"/calls/{draft.id}").status_code == 404
    auth.login(make_user(role="entrepreneur").email)
    assert client.get(f"/calls/{draft.id}").status_code == 404
    assert client.post(f"/calls/{draft.id}/apply").status_code == 404
    auth.logout()
    auth.login(make_user(role="staff", communes=[commune]).email)
    text = page_text(client.get("/calls"))
    assert "Appel en préparation" in text and "Appel clôturé" in text  # their own commune's calls
    assert "Brouillon d'Ath" not in text
    assert client.get(f"/calls/{draft.id}").status_code == 200


def test_the_public_page_of_a_call(client, auth, db, commune, make_unit, make_user):
    offer = make_offer(db, make_unit(address="Rue de Grammont 8, 7860 Lessines"))
    call = make_call(db, commune, status="open", description=XSS, deadline_at=datetime(2030, 6, 1, 15, 0, tzinfo=UTC))
    call.offers.append(offer)
    db.session.flush()
    english(client)
    page = client.get(f"/calls/{call.id}")
    assert page.status_code == 200
    text = main_of(page)
    assert "Concept" in text and "Feasibility" in text and "Rue de Grammont 8" in text
    assert "5:00" in text and "Brussels time" in text  # 15:00 UTC shown in Brussels time
    assert XSS not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "Log in with an entrepreneur account to apply." in text
    julie = make_user(role="entrepreneur", language="en")
    make_profile(db, julie)
    auth.login(julie.email)
    assert f'href="/calls/{call.id}/apply"' in client.get(f"/calls/{call.id}").text


def test_the_header_links_to_the_calls(client, auth, make_user):
    assert 'href="/calls"' in client.get("/").text
    auth.login(make_user(role="entrepreneur").email)
    html = client.get("/").text
    assert 'href="/my/profile"' in html and 'href="/my/applications"' in html
    auth.logout()
    auth.login(make_user(role="owner").email)
    assert 'href="/my/applications"' not in client.get("/").text
