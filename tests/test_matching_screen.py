"""Matching a call's applications with its stands: the staff screen, proposals both sides confirm, permissions."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from popup.matching.models import MatchProposal, MatchRejection
from popup.offers.models import Stand
from tests.conftest import page_text
from tests.test_applications import (
    count,
    english,
    fresh,
    main_of,
    make_application,
    make_call,
    make_offer,
    make_profile,
    notifications_of,
    subject,
)

WEIGHTS = {
    "area": "2",
    "budget": "2",
    "dates": "1",
    "sector": "1",
    "local_need": "1",
    "diversity": "1",
    "core": "1",
    "days": "1",
    "jury": "1",
}


def settings_form(**overrides) -> dict:
    data = dict(WEIGHTS, min_score="10", mode="optimal", **{"needs-0": "food", "needs-1": ""})
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# -- the world of one call -------------------------------------------------------------------


@pytest.fixture
def staff(make_user, commune):
    return make_user(role="staff", name="Catherine Delhaye", email="catherine@lessines.be", communes=[commune])


@pytest.fixture
def owner(make_user):
    return make_user(role="owner", name="Jean-Pierre Lemaire", email="jp@example.org")


@pytest.fixture
def offer(db, make_unit, owner):
    offer = make_offer(
        db,
        make_unit(owner=owner),
        owner,
        title="Cellule partagée rue de Grammont",
        available_from=date(2026, 9, 1),
        available_until=date(2027, 9, 1),
        max_term_months=6,
        rent_cents=100_000,
        excluded_sectors=["second_hand"],
        opening_days=[1, 2, 3, 4, 5],
    )
    offer.stands.append(Stand(label="A", area_m2=20.0, position=0))
    offer.stands.append(Stand(label="B", area_m2=30.0, position=1))
    db.session.flush()
    return offer


@pytest.fixture
def call(db, commune, offer):
    call = make_call(db, commune, title="Pop-up Grand-Place 2026")
    call.offers.append(offer)
    db.session.flush()
    return call


def entrepreneur(db, make_user, name, email, **profile):
    user = make_user(role="entrepreneur", name=name, email=email)
    make_profile(db, user, business_name=profile.pop("business_name", name), **profile)
    return user


@pytest.fixture
def julie(db, make_user):
    return entrepreneur(
        db,
        make_user,
        "Julie Carlier",
        "julie@example.org",
        business_name="Le Fournil de Julie",
        sector="food",
        area_min_m2=15,
        area_max_m2=25,
        budget_cents=50_000,
        wanted_start_on=date(2026, 9, 1),
        test_months=4,
    )


@pytest.fixture
def marc(db, make_user):
    return entrepreneur(
        db,
        make_user,
        "Marc Dupont",
        "marc@example.org",
        business_name="Atelier Marc",
        sector="crafts",
        area_min_m2=25,
        area_max_m2=40,
        budget_cents=70_000,
    )


@pytest.fixture
def lea(db, make_user):
    return entrepreneur(
        db, make_user, "Léa Martin", "lea@example.org", business_name="Seconde Main", sector="second_hand"
    )


@pytest.fixture
def apps(db, call, julie, marc, lea):
    return {
        "julie": make_application(db, julie, call=call, status="shortlisted"),
        "marc": make_application(db, marc, call=call, status="submitted"),
        "lea": make_application(db, lea, call=call, status="under_review"),
    }


def result_of(response) -> str:
    """The result section of the matching screen, as a user reads it (CSRF tokens left out: they change)."""
    section = page_text(response).split('id="result"', 1)[1].split("</section>", 1)[0]
    return re.sub(r'name="csrf_token" value="[^"]*"', "", section)


@pytest.fixture
def stands(offer):
    return {s.label: s for s in offer.stands}


@pytest.fixture
def as_staff(client, auth, staff):
    auth.login(staff.email)
    english(client)
    return client


def run(client, call, **overrides):
    return client.post(f"/calls/{call.id}/matching", data=settings_form(**overrides))


def propose(client, call, application, stand, **more):
    return client.post(
        f"/calls/{call.id}/matching/propose",
        data={"application_id": str(application.id), "stand_id": str(stand.id), **more},
    )


def the_proposal(db) -> MatchProposal:
    db.session.expire_all()
    return db.session.scalars(select(MatchProposal)).one()


def login(client, auth, user):
    auth.logout()
    auth.login(user.email)
    english(client)


# -- running the matching ----------------------------------------------------------------------


def test_staff_run_the_matching_and_see_each_pair_with_its_reasons(as_staff, db, call, apps, stands):
    response = run(as_staff, call)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/calls/{call.id}/matching#result"
    html = as_staff.get(f"/calls/{call.id}/matching").text
    text = main_of(as_staff.get(f"/calls/{call.id}/matching"))
    # Julie (20 m² wanted at most 25, 500 € budget) gets A; Marc (25–40 m²) gets B.
    assert f'id="pair-{apps["julie"].id}-{stands["A"].id}"' in html
    assert f'id="pair-{apps["marc"].id}-{stands["B"].id}"' in html
    assert "2 pairs proposed" in text
    assert "Rent share €400.00 a month, within the budget of €500.00." in text  # 1,000 € split 20:30 by area
    assert "Local need no. 1 of 1." in text  # food is the first local need
    assert "The owner accepts any sector." in text
    assert "The whole wanted period (Sep 1, 2026 to Jan 1, 2027) falls within the offer's window." in text
    # Léa's second-hand shop is excluded by the owner on both stands: the rule is named.
    assert "Every pair breaks a hard rule: excluded sector (2 stands)." in text


def test_a_rerun_is_reproducible_from_the_saved_settings(as_staff, db, call, apps, stands):
    run(as_staff, call, area="5", mode="stable", min_score="20", **{"needs-0": "crafts", "needs-1": "food"})
    saved = fresh(db, call)
    assert saved.matching_settings["weights"]["area"] == 5
    assert saved.matching_settings["mode"] == "stable" and saved.matching_settings["min_score_percent"] == 20
    assert saved.local_needs == ["crafts", "food"]
    first = main_of(as_staff.get(f"/calls/{call.id}/matching"))
    assert "Mode: stable. Minimum score: 20 %." in first
    assert "Local need no. 1 of 2." in first and "Local need no. 2 of 2." in first
    html = as_staff.get(f"/calls/{call.id}/matching").text
    # Stable mode, rankings from the scores: each applicant gets the stand they rank first.
    assert (
        f'id="pair-{apps["julie"].id}-{stands["A"].id}"' in html
        and f'id="pair-{apps["marc"].id}-{stands["B"].id}"' in html
    )
    assert result_of(as_staff.get(f"/calls/{call.id}/matching")) == result_of(
        as_staff.get(f"/calls/{call.id}/matching")
    )
    html = as_staff.get(f"/calls/{call.id}/matching").text
    assert 'id="area" name="area"' in html and 'value="5"' in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (dict.fromkeys(WEIGHTS, "0"), "Give at least one component a weight above zero"),
        ({"budget": "-1"}, "Give the weight as a whole number from 0 to 1000."),
        ({"budget": "1001"}, "Give the weight as a whole number from 0 to 1000."),
        ({"area": "two"}, "Give the weight as a whole number from 0 to 1000."),
        ({"area": ""}, "Give the weight as a whole number from 0 to 1000."),
        ({"min_score": "101"}, "Give the minimum score as a whole number from 0 to 100."),
        ({"min_score": "-5"}, "Give the minimum score as a whole number from 0 to 100."),
        ({"mode": "greedy"}, "Choose the optimal or the stable mode."),
        ({"needs-1": "food"}, "Each sector may be listed once among the local needs."),
        ({"needs-1": "spaceships"}, "Choose a sector from the list."),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(as_staff, db, call, apps, overrides, message):
    response = run(as_staff, call, **overrides)
    assert response.status_code == 422
    text = main_of(response)
    assert message in text and "Nothing was changed." in text
    saved = fresh(db, call)
    assert saved.matching_settings is None and saved.local_needs == []
    assert re.search(r'aria-describedby="[^"]*-error', response.text)  # the message is tied to its input


def test_a_call_without_stands_says_so_and_keeps_nothing(as_staff, db, commune, julie):
    call = make_call(db, commune, title="Appel sans cellule")
    make_application(db, julie, call=call, status="submitted")
    assert "This call has no stands to match" in main_of(as_staff.get(f"/calls/{call.id}/matching"))
    response = run(as_staff, call)
    assert response.status_code == 409
    assert "This call has no stands to match" in main_of(response)
    assert fresh(db, call).matching_settings is None


def test_a_minimum_score_leaves_low_pairs_out_with_the_reason(as_staff, call, apps):
    run(as_staff, call, min_score="100")
    response = as_staff.get(f"/calls/{call.id}/matching")
    # Julie fits stand A on every component; Marc's crafts are no local need: he scores less.
    assert f'id="pair-{apps["julie"].id}-' in response.text and f'id="pair-{apps["marc"].id}-' not in response.text
    assert "1 pair proposed" in result_of(response)
    # Marc fits stand B on everything but the local need (weight 1 of 10): 90 %.
    pattern = r"Marc Dupont\)</th><td>Its best score, 90\.0\s%, is below the minimum of 100\.0\s%"
    assert re.search(pattern, result_of(response))


def test_jury_scores_preferred_cores_and_co_tenants_count(
    as_staff, db, make_user, make_core, call, apps, stands, julie
):
    from popup.applications.models import EntrepreneurProfile, Score

    core = make_core()  # the units of the tests lie in it
    db.session.get(EntrepreneurProfile, julie.id).preferred_core_ids = [core.id]
    juror = make_user(role="coach")
    for criterion, score in zip(call.criteria, (4, 3), strict=True):  # weights 3 and 1: (12 + 3) / 4 = 3.75
        db.session.add(
            Score(application_id=apps["julie"].id, criterion_id=criterion.id, juror_id=juror.id, score=score)
        )
    sophie = entrepreneur(db, make_user, "Sophie Leroy", "sophie@example.org", sector="food")
    sophie_app = make_application(db, sophie, call=call, status="submitted")
    db.session.flush()
    url = f"/calls/{call.id}/matching/pair?application_id={apps['julie'].id}&stand_id={stands['A'].id}"
    text = main_of(as_staff.get(url))
    assert "The unit lies in a preferred commercial core." in text
    assert "Jury score 3.8 out of 5." in text  # 3.75 shown with one decimal
    assert propose(as_staff, call, apps["julie"], stands["A"]).status_code == 303
    url = f"/calls/{call.id}/matching/pair?application_id={sophie_app.id}&stand_id={stands['B'].id}"
    assert "1 co-tenant of the shop already works in Food." in main_of(as_staff.get(url))


# -- accepting, rejecting, forcing -------------------------------------------------------------


def test_staff_accept_a_pair_and_both_sides_are_asked(app, as_staff, db, call, apps, stands, julie, owner, smtp):
    run(as_staff, call)
    response = propose(as_staff, call, apps["julie"], stands["A"])
    assert response.status_code == 303
    proposal = the_proposal(db)
    assert response.headers["Location"] == f"/proposals/{proposal.id}"
    assert (proposal.application_id, proposal.stand_id, proposal.status) == (
        apps["julie"].id,
        stands["A"].id,
        "proposed",
    )
    assert not proposal.forced and proposal.hard_rules == []
    assert 0 < proposal.score_micros <= 1_000_000
    assert {c["name"] for c in proposal.components} >= {"area", "budget", "jury"}
    budget = next(c for c in proposal.components if c["name"] == "budget")
    assert budget["reason_code"] == "budget_ok" and budget["reason_params"]["rent_share_cents"] == 40_000
    assert [n.kind for n in notifications_of(db, julie)] == ["match_proposed_entrepreneur"]
    assert [n.kind for n in notifications_of(db, owner)] == ["match_proposed_owner"]
    assert sorted(m["To"] for m in smtp) == ["jp@example.org", "julie@example.org"]
    # The pair is taken: the next run places the others without it and lists the proposal.
    html = as_staff.get(f"/calls/{call.id}/matching").text
    assert f'id="pair-{apps["julie"].id}-' not in html
    assert "Waiting for both sides" in page_text(as_staff.get(f"/calls/{call.id}/matching"))


def test_staff_reject_a_pair_and_the_next_run_leaves_it_out(as_staff, db, call, apps, stands):
    run(as_staff, call)
    response = as_staff.post(
        f"/calls/{call.id}/matching/reject",
        data={"application_id": str(apps["julie"].id), "stand_id": str(stands["A"].id)},
    )
    assert response.status_code == 303
    assert count(db, MatchRejection) == 1 and count(db, MatchProposal) == 0
    html = as_staff.get(f"/calls/{call.id}/matching").text
    assert f'id="pair-{apps["julie"].id}-{stands["A"].id}"' not in html
    assert "1 pair rejected by staff is left out." in result_of(as_staff.get(f"/calls/{call.id}/matching"))


def test_a_pair_breaking_a_hard_rule_needs_a_confirmation(as_staff, db, call, apps, stands):
    url = f"/calls/{call.id}/matching/pair?application_id={apps['lea'].id}&stand_id={stands['A'].id}"
    preview = main_of(as_staff.get(url))
    assert "This pair breaks a hard rule" in preview and "excluded sector" in preview
    assert "The owner excludes Second hand." in preview
    refused = propose(as_staff, call, apps["lea"], stands["A"])
    assert refused.status_code == 409
    assert "confirm that you propose it anyway" in main_of(refused)
    assert count(db, MatchProposal) == 0
    response = propose(as_staff, call, apps["lea"], stands["A"], accept_rules="y")
    assert response.status_code == 303
    proposal = the_proposal(db)
    assert proposal.forced and proposal.hard_rules == ["sector_excluded"] and proposal.score_micros == 0


def test_a_pair_forced_by_hand_shows_its_score_first(as_staff, db, call, apps, stands):
    run(as_staff, call)
    url = f"/calls/{call.id}/matching/pair?application_id={apps['marc'].id}&stand_id={stands['A'].id}"
    text = main_of(as_staff.get(url))
    assert "Total score:" in text and "20 m², smaller than wanted (25 to 40 m² wanted)." in text
    assert propose(as_staff, call, apps["marc"], stands["A"]).status_code == 303
    assert the_proposal(db).forced  # the matching gave Marc stand B


def test_one_live_proposal_per_application_and_per_stand(as_staff, db, call, apps, stands):
    assert propose(as_staff, call, apps["julie"], stands["A"]).status_code == 303
    again = propose(as_staff, call, apps["julie"], stands["B"])
    assert again.status_code == 409 and "This application already has a proposal" in main_of(again)
    other = propose(as_staff, call, apps["marc"], stands["A"])
    assert other.status_code == 409 and "This stand already has a proposal" in main_of(other)
    assert count(db, MatchProposal) == 1


def test_the_database_refuses_a_second_live_proposal(db, call, apps, stands):
    db.session.add(MatchProposal(call=call, application=apps["julie"], stand=stands["A"]))
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(MatchProposal(call=call, application=apps["marc"], stand=stands["A"]))
        db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(MatchProposal(call=call, application=apps["julie"], stand=stands["B"]))
        db.session.flush()
    # A declined proposal no longer holds the stand.
    first = db.session.scalars(select(MatchProposal)).one()
    first.status = "declined"
    db.session.add(MatchProposal(call=call, application=apps["marc"], stand=stands["A"]))
    db.session.flush()


# -- both sides answer -------------------------------------------------------------------------


def test_both_sides_confirm_the_stand_is_reserved_and_competing_proposals_withdrawn(
    client, auth, db, commune, call, apps, stands, staff, owner, julie, make_unit, smtp
):
    # Julie also waits for a stand of another call: the confirmed match withdraws it.
    other_offer = make_offer(db, make_unit(owner=owner), owner, title="Ancienne mercerie")
    other_offer.stands.append(Stand(label="C", area_m2=18.0))
    other_call = make_call(db, commune, title="Appel d'hiver")
    other_call.offers.append(other_offer)
    other_app = make_application(db, julie, call=other_call, status="submitted")
    db.session.flush()
    login(client, auth, staff)
    assert propose(client, call, apps["julie"], stands["A"]).status_code == 303
    assert propose(client, other_call, other_app, other_offer.stands[0]).status_code == 303
    proposal = db.session.scalars(select(MatchProposal).filter_by(application_id=apps["julie"].id)).one()
    smtp.clear()

    login(client, auth, owner)
    response = client.post(f"/proposals/{proposal.id}/confirm")
    assert response.status_code == 303
    assert fresh(db, proposal).status == "owner_confirmed"
    assert notifications_of(db, julie)[-1].kind == "match_side_confirmed"
    assert notifications_of(db, staff)[-1].kind == "match_side_confirmed"
    again = client.post(f"/proposals/{proposal.id}/confirm")
    assert again.status_code == 409 and "You have already confirmed this match." in main_of(again)

    login(client, auth, julie)
    response = client.post(f"/proposals/{proposal.id}/confirm", follow_redirects=True)
    assert "The match is confirmed" in page_text(response)
    done = fresh(db, proposal)
    assert done.status == "confirmed" and done.confirmed_at is not None
    assert (done.reserved_from, done.reserved_until) == (date(2026, 9, 1), date(2027, 1, 1))  # 4 months wanted
    assert fresh(db, apps["julie"]).status == "accepted"
    competing = db.session.scalars(select(MatchProposal).filter_by(application_id=other_app.id)).one()
    assert competing.status == "withdrawn" and competing.withdrawn_by_id is None
    kinds = [n.kind for n in notifications_of(db, julie)]
    assert "match_withdrawn" in kinds and "application_status" in kinds
    assert notifications_of(db, owner)[-1].kind == "match_confirmed"
    assert "match_confirmed" in [n.kind for n in notifications_of(db, staff)]
    subjects = [subject(m) for m in smtp if m["To"] == "jp@example.org"]
    assert any(s.startswith("Match confirmed") or "confirm" in s.lower() for s in subjects)
    text = main_of(client.get(f"/proposals/{proposal.id}"))
    assert "Confirmed by both sides" in text and "Stand reserved" in text
    late = client.post(f"/proposals/{proposal.id}/decline", data={"reason": "Trop tard"})
    assert late.status_code == 409 and "it can no longer be declined" in main_of(late)
    assert fresh(db, proposal).status == "confirmed"


def test_an_entrepreneur_declines_with_a_reason_and_the_stand_is_free_again(
    client, auth, db, call, apps, stands, staff, owner, julie
):
    login(client, auth, staff)
    propose(client, call, apps["julie"], stands["A"])
    proposal = the_proposal(db)
    login(client, auth, julie)
    response = client.post(f"/proposals/{proposal.id}/decline", data={"reason": "J'ai trouvé ailleurs."})
    assert response.status_code == 303
    declined = fresh(db, proposal)
    assert declined.status == "declined" and declined.declined_side == "entrepreneur"
    assert declined.declined_by_id == julie.id and declined.decline_reason == "J'ai trouvé ailleurs."
    for user in (owner, staff):
        note = notifications_of(db, user)[-1]
        assert note.kind == "match_declined" and note.params["reason"] == "J'ai trouvé ailleurs."
    after = client.post(f"/proposals/{proposal.id}/confirm")
    assert after.status_code == 409 and "This match was declined" in main_of(after)
    login(client, auth, staff)
    assert propose(client, call, apps["marc"], stands["A"]).status_code == 303


def test_confirming_after_a_withdrawal_says_so(client, auth, db, call, apps, stands, staff, julie, owner):
    login(client, auth, staff)
    propose(client, call, apps["julie"], stands["A"])
    proposal = the_proposal(db)
    assert client.post(f"/proposals/{proposal.id}/withdraw", data={"reason": "Erreur"}).status_code == 303
    assert fresh(db, proposal).status == "withdrawn"
    assert notifications_of(db, owner)[-1].kind == "match_withdrawn"
    twice = client.post(f"/proposals/{proposal.id}/withdraw")
    assert twice.status_code == 409
    login(client, auth, julie)
    response = client.post(f"/proposals/{proposal.id}/confirm")
    assert response.status_code == 409
    assert "The commune withdrew this match" in main_of(response)
    assert fresh(db, proposal).status == "withdrawn"


def test_an_offer_without_an_owner_account_has_its_side_confirmed_by_the_commune(
    client, auth, db, commune, make_unit, staff, julie
):
    offer = make_offer(db, make_unit(), None, title="Cellule communale", available_from=date(2026, 9, 1))
    offer.stands.append(Stand(label="Unique", area_m2=20.0))
    call = make_call(db, commune)
    call.offers.append(offer)
    application = make_application(db, julie, call=call, status="shortlisted")
    db.session.flush()
    login(client, auth, staff)
    propose(client, call, application, offer.stands[0])
    proposal = the_proposal(db)
    assert proposal.status == "owner_confirmed"
    login(client, auth, julie)
    client.post(f"/proposals/{proposal.id}/confirm")
    done = fresh(db, proposal)
    assert done.status == "confirmed"
    assert (done.reserved_from, done.reserved_until) == (date(2026, 9, 1), date(2027, 1, 1))


def test_each_side_sees_its_own_matches(client, auth, db, call, apps, stands, staff, owner, julie, marc):
    login(client, auth, staff)
    propose(client, call, apps["julie"], stands["A"])
    login(client, auth, julie)
    assert "Stand A, Cellule partagée rue de Grammont" in main_of(client.get("/my/matches"))
    login(client, auth, owner)
    assert "Julie Carlier" in main_of(client.get("/my/matches"))
    login(client, auth, marc)
    assert "No match proposed to you yet." in main_of(client.get("/my/matches"))


# -- permissions and bad input -------------------------------------------------------------------


@pytest.fixture
def proposal(client, auth, db, call, apps, stands, staff):
    login(client, auth, staff)
    propose(client, call, apps["julie"], stands["A"])
    auth.logout()
    return the_proposal(db)


@pytest.mark.parametrize(
    ("who", "view", "confirm", "withdraw", "screen"),
    [
        ("other_owner", 404, 404, 404, 403),
        ("marc", 404, 404, 404, 403),
        ("ath_staff", 404, 404, 404, 403),
        ("staff", 200, 403, 303, 200),
        ("owner", 200, 303, 403, 403),
        ("julie", 200, 303, 403, 403),
    ],
)
def test_who_may_see_answer_and_run_what(
    client,
    auth,
    db,
    make_user,
    make_commune,
    proposal,
    call,
    staff,
    owner,
    julie,
    marc,
    who,
    view,
    confirm,
    withdraw,
    screen,
):
    users = {
        "other_owner": make_user(role="owner"),
        "marc": marc,
        "ath_staff": make_user(role="staff", communes=[make_commune(name="Ath", slug="ath")]),
        "staff": staff,
        "owner": owner,
        "julie": julie,
    }
    auth.login(users[who].email)
    assert client.get(f"/proposals/{proposal.id}").status_code == view
    assert client.get(f"/calls/{call.id}/matching").status_code == screen
    assert client.post(f"/calls/{call.id}/matching", data=settings_form()).status_code in (
        {303} if screen == 200 else {screen}
    )
    assert client.post(f"/proposals/{proposal.id}/withdraw").status_code == withdraw
    if withdraw != 303:
        assert client.post(f"/proposals/{proposal.id}/confirm").status_code == confirm


def test_anonymous_users_are_sent_to_the_login_page(client, db, proposal, call):
    for path in (f"/proposals/{proposal.id}", f"/calls/{call.id}/matching", "/my/matches"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.post(f"/proposals/{proposal.id}/confirm").status_code == 302
    assert fresh(db, proposal).status == "proposed"


@pytest.mark.parametrize("path", ["/proposals/424242", "/proposals/99999999999", "/calls/424242/matching"])
def test_unknown_ids_answer_404(as_staff, path):
    assert as_staff.get(path).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?application_id=abc&stand_id=1",
        "?application_id=1",
        "?application_id=-1&stand_id=-1",
        "?stand_id=99999999999",
    ],
)
def test_bad_pair_queries_get_a_clear_message(as_staff, call, apps, query):
    response = as_staff.get(f"/calls/{call.id}/matching/pair{query}")
    assert response.status_code == 400
    assert "Choose an application and a stand of this call" in main_of(response)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"application_id": "abc", "stand_id": "1"},
        {"application_id": "424242", "stand_id": "424242"},
    ],
)
def test_bad_pairs_posted_change_nothing(as_staff, db, call, apps, data):
    for action in ("propose", "reject"):
        response = as_staff.post(f"/calls/{call.id}/matching/{action}", data=data)
        assert response.status_code == 400
        assert "Nothing was changed." in main_of(response)
    assert count(db, MatchProposal) == 0 and count(db, MatchRejection) == 0


def test_a_stand_or_application_of_another_call_is_refused(as_staff, db, commune, call, apps, julie, make_unit):
    other_offer = make_offer(db, make_unit(), title="Autre cellule")
    other_offer.stands.append(Stand(label="Z", area_m2=20.0))
    db.session.flush()
    response = propose(as_staff, call, apps["julie"], other_offer.stands[0])
    assert response.status_code == 400 and "Choose a stand of this call's offers." in main_of(response)
    draft = make_application(db, julie, call=make_call(db, commune, title="Autre appel"), status="submitted")
    response = propose(as_staff, call, draft, call.offers[0].stands[0])
    assert response.status_code == 400
    assert count(db, MatchProposal) == 0


def test_csrf_protects_the_matching_forms(app, as_staff, db, call, apps, stands, proposal):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        pair = {"application_id": str(apps["marc"].id), "stand_id": str(stands["B"].id)}
        assert as_staff.post(f"/calls/{call.id}/matching", data=settings_form()).status_code == 400
        assert as_staff.post(f"/calls/{call.id}/matching/propose", data=pair).status_code == 400
        assert as_staff.post(f"/calls/{call.id}/matching/reject", data=pair).status_code == 400
        assert as_staff.post(f"/proposals/{proposal.id}/withdraw").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert count(db, MatchProposal) == 1 and count(db, MatchRejection) == 0
    assert fresh(db, call).matching_settings is None and fresh(db, proposal).status == "proposed"


def test_notification_texts_name_the_stand_and_the_period(app):
    from popup.notifications.texts import texts

    params = {
        "applicant": "Julie Carlier (Le Fournil)",
        "stand": "A",
        "offer": "Cellule partagée",
        "address": "Grand-Place 1",
        "call": "Pop-up 2026",
        "start": "2026-09-01",
        "end": "2027-01-01",
    }
    with app.test_request_context():
        title, body = texts("match_confirmed", params, "en")
    assert "Julie Carlier" in title
    assert "September 1, 2026" in body and "January 1, 2027" in body and "Grand-Place 1" in body


def test_only_the_calls_staff_see_the_way_to_the_matching(client, auth, call, apps, julie, staff):
    auth.login(julie.email)
    english(client)
    assert "Match applications with stands" not in main_of(client.get(f"/calls/{call.id}"))
    login(client, auth, staff)
    assert "Match applications with stands" in main_of(client.get(f"/calls/{call.id}"))


def test_two_new_pairs_of_one_sector_in_one_shop_are_noted(as_staff, db, make_user, call, apps):
    sophie = entrepreneur(db, make_user, "Sophie Leroy", "sophie@example.org", sector="food")
    make_application(db, sophie, call=call, status="submitted")
    run(as_staff, call)
    text = result_of(as_staff.get(f"/calls/{call.id}/matching"))
    assert "would share the sector Food in Cellule partagée rue de Grammont" in text
    assert "Le Fournil de Julie (Julie Carlier), Sophie Leroy (Sophie Leroy)" in text


def test_a_reason_too_long_is_refused_and_nothing_changes(client, auth, db, proposal, julie):
    auth.login(julie.email)
    english(client)
    response = client.post(f"/proposals/{proposal.id}/decline", data={"reason": "x" * 1001})
    assert response.status_code == 422
    assert "Keep the reason under 1,000 characters." in main_of(response)
    assert fresh(db, proposal).status == "proposed"


# -- the draft shared lease a confirmed match prepares ------------------------------------------


def words(response) -> str:
    """The main content's text without its tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", main_of(response)).split()).replace(" :", ":")


def confirm_match(client, auth, db, call, application, stand, staff, owner) -> MatchProposal:
    """Staff propose the pair, the owner then the entrepreneur confirm it."""
    login(client, auth, staff)
    assert propose(client, call, application, stand).status_code == 303
    proposal = db.session.scalars(select(MatchProposal).filter_by(application_id=application.id)).one()
    for user in (owner, application.entrepreneur):
        login(client, auth, user)
        assert client.post(f"/proposals/{proposal.id}/confirm").status_code == 303
    return fresh(db, proposal)


def hand_made_lease(db, offer, staff, lea, stand, starts_on, ends_on):
    """A draft lease of the offer that staff made by hand, with Léa on ``stand``."""
    from popup.leases import operations as leases

    lease = leases.create_lease(
        unit=offer.unit, by=staff, offer_id=offer.id, starts_on=starts_on, ends_on=ends_on, rent_cents=100_000
    )
    leases.add_tenant(lease, by=staff, entrepreneur=lea, stand=stand, area_m2=stand.area_m2, entry_on=starts_on)
    db.session.commit()
    return lease


def test_a_confirmed_match_prepares_a_draft_shared_lease(
    client, auth, db, offer, call, apps, stands, staff, owner, julie
):
    proposal = confirm_match(client, auth, db, call, apps["julie"], stands["A"], staff, owner)
    assert proposal.status == "confirmed" and proposal.lease_refusal is None
    tenant = proposal.lease_tenant
    lease = tenant.lease
    assert (lease.status, lease.offer_id, lease.unit_id, lease.owner_id) == ("draft", offer.id, offer.unit_id, owner.id)
    assert (lease.starts_on, lease.ends_on) == (offer.available_from, offer.available_until)  # the offer's window
    assert (lease.rent_cents, lease.charges_cents, lease.deposit_cents) == (
        offer.rent_cents,
        offer.charges_cents,
        offer.deposit_cents,
    )
    assert (tenant.entrepreneur_id, tenant.stand_id, tenant.area_m2) == (julie.id, stands["A"].id, 20.0)
    assert (tenant.entry_on, tenant.exit_on) == (proposal.reserved_from, proposal.reserved_until)

    text = main_of(client.get(f"/proposals/{proposal.id}"))  # Julie's own page
    assert "Draft lease prepared" not in text
    login(client, auth, staff)
    page = client.get(f"/proposals/{proposal.id}")
    assert f"Draft lease prepared: see lease {lease.id}" in words(page)
    assert f'href="/leases/{lease.id}"' in page.get_data(as_text=True)
    lease_page = client.get(f"/leases/{lease.id}")
    assert f"from match proposal {proposal.id}" in main_of(lease_page)
    assert f'href="/proposals/{proposal.id}"' in lease_page.get_data(as_text=True)


def test_the_next_confirmed_match_joins_the_shops_draft_lease(
    client, auth, db, offer, call, apps, stands, staff, owner, julie, marc
):
    first = confirm_match(client, auth, db, call, apps["julie"], stands["A"], staff, owner)
    second = confirm_match(client, auth, db, call, apps["marc"], stands["B"], staff, owner)
    from popup.leases.models import Lease

    assert db.session.scalar(select(func.count(Lease.id))) == 1
    lease = first.lease_tenant.lease
    assert second.lease_tenant.lease_id == lease.id
    marc_tenant = second.lease_tenant
    assert (marc_tenant.entrepreneur_id, marc_tenant.stand_id) == (marc.id, stands["B"].id)
    assert (marc_tenant.entry_on, marc_tenant.exit_on) == (date(2026, 9, 1), date(2027, 3, 1))  # six months at most
    assert sorted(t.entrepreneur_id for t in lease.tenants) == sorted([julie.id, marc.id])


def test_a_draft_lease_that_does_not_cover_the_reservation_is_left_alone(
    client, auth, db, offer, call, apps, stands, staff, owner, lea
):
    later = hand_made_lease(db, offer, staff, lea, stands["B"], date(2027, 1, 1), date(2027, 9, 1))
    proposal = confirm_match(client, auth, db, call, apps["julie"], stands["A"], staff, owner)
    from popup.leases.models import Lease

    assert proposal.lease_tenant.lease_id != later.id
    assert db.session.scalar(select(func.count(Lease.id))) == 2
    assert len(fresh(db, later).tenants) == 1


def test_a_lease_the_leases_module_refuses_keeps_the_confirmation_and_tells_staff_why(
    client, auth, db, offer, call, apps, stands, staff, owner, julie, lea
):
    # Staff already put Léa on stand A for the whole window in the shop's draft lease.
    lease = hand_made_lease(db, offer, staff, lea, stands["A"], offer.available_from, offer.available_until)
    proposal = confirm_match(client, auth, db, call, apps["julie"], stands["A"], staff, owner)
    from popup.leases.models import Lease, LeaseTenant

    assert proposal.status == "confirmed" and proposal.reserved_from == date(2026, 9, 1)
    assert fresh(db, apps["julie"]).status == "accepted"
    assert proposal.lease_tenant_id is None
    assert proposal.lease_refusal["code"] == "stand_double_booked"
    assert db.session.scalar(select(func.count(Lease.id))) == 1  # nothing half-done
    assert db.session.scalar(select(func.count(LeaseTenant.id))) == 1
    assert [t.entrepreneur_id for t in fresh(db, lease).tenants] == [lea.id]

    text = main_of(client.get(f"/proposals/{proposal.id}"))  # Julie sees her confirmed match, not the staff's note
    assert "Confirmed by both sides" in text and "no draft lease was prepared" not in text
    login(client, auth, staff)
    page = client.get(f"/proposals/{proposal.id}")
    text = words(page)
    assert "The match is confirmed, but no draft lease was prepared." in text
    assert "Two co-tenants would hold the same stand at once (from Sep 1, 2026)" in text
    assert f'href="/leases/{lease.id}"' in page.get_data(as_text=True)
    assert "Draft lease prepared" not in text
