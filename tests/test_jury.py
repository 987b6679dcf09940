"""The jury: who scores, what a score may be, and the ranking with its ties."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from popup.applications.models import Score
from tests.test_applications import XSS, count, english, main_of, make_application, make_call, make_profile


@pytest.fixture
def staff(make_user, commune):
    return make_user(role="staff", name="Catherine Delhaye", communes=[commune])


@pytest.fixture
def juror(make_user):
    return make_user(role="coach", name="Coach Anne")


@pytest.fixture
def call(db, commune, juror):
    call = make_call(db, commune, criteria=(("Concept", 3), ("Feasibility", 1)))
    call.jurors.append(juror)
    db.session.flush()
    return call


@pytest.fixture
def entrepreneurs(db, make_user):
    people = []
    for name in ("Alpha", "Bravo", "Charlie", "Delta"):
        user = make_user(role="entrepreneur", name=f"{name} Person")
        make_profile(db, user, business_name=f"{name} Shop")
        people.append(user)
    return people


def scores_post(client, call, application, values, comments=None):
    concept, feasibility = call.criteria
    data = {
        f"a{application.id}-score_{concept.id}": values[0],
        f"a{application.id}-score_{feasibility.id}": values[1],
    }
    for criterion, comment in zip((concept, feasibility), comments or ("", ""), strict=True):
        data[f"a{application.id}-comment_{criterion.id}"] = comment
    return client.post(f"/calls/{call.id}/jury/{application.id}", data=data)


def my_scores(db, juror) -> list[tuple[int, int, int, str]]:
    db.session.expire_all()
    rows = db.session.scalars(select(Score).filter_by(juror_id=juror.id).order_by(Score.criterion_id))
    return [(s.application_id, s.criterion_id, s.score, s.comment) for s in rows]


def test_a_juror_scores_and_changes_their_scores(client, auth, db, call, juror, entrepreneurs):
    application = make_application(db, entrepreneurs[0], call=call, status="submitted")
    concept, feasibility = call.criteria
    auth.login(juror.email)
    response = scores_post(client, call, application, ("4", "2"), ("Original", ""))
    assert response.status_code == 303
    assert my_scores(db, juror) == [
        (application.id, concept.id, 4, "Original"),
        (application.id, feasibility.id, 2, ""),
    ]
    assert scores_post(client, call, application, ("5", "3"), ("Even better", "ok")).status_code == 303
    assert my_scores(db, juror) == [
        (application.id, concept.id, 5, "Even better"),
        (application.id, feasibility.id, 3, "ok"),
    ]  # updated in place: still one row per criterion
    html = client.get(f"/calls/{call.id}/jury").text
    assert 'value="Even better"' in html
    assert re.search(rf'name="a{application.id}-score_{concept.id}"[^>]*>.*?<option selected value="5">', html, re.S)


@pytest.mark.parametrize("values", [("0", "3"), ("6", "3"), ("3", ""), ("abc", "3"), ("3.5", "3"), ("-1", "3")])
def test_scores_outside_1_to_5_are_refused_and_nothing_is_saved(client, auth, db, call, juror, entrepreneurs, values):
    application = make_application(db, entrepreneurs[0], call=call, status="submitted")
    auth.login(juror.email)
    english(client)
    response = scores_post(client, call, application, values)
    assert response.status_code == 422
    text = main_of(response)
    assert "Your scores were not saved: give each criterion a score from 1 to 5." in text
    assert "Give a score from 1 to 5." in text
    assert count(db, Score) == 0


def test_a_too_long_comment_is_refused(client, auth, db, call, juror, entrepreneurs):
    application = make_application(db, entrepreneurs[0], call=call, status="submitted")
    auth.login(juror.email)
    english(client)
    response = scores_post(client, call, application, ("3", "3"), ("x" * 1001, ""))
    assert response.status_code == 422
    assert "Keep the comment under 1,000 characters." in main_of(response)
    assert count(db, Score) == 0


def test_the_jury_scores_submitted_applications_only(client, auth, db, call, staff, entrepreneurs):
    a, b, c, d = entrepreneurs
    shown = [
        make_application(db, a, call=call, status="submitted"),
        make_application(db, b, call=call, status="shortlisted"),
    ]
    hidden = [
        make_application(db, c, call=call, status="draft"),
        make_application(db, d, call=call, status="withdrawn", submitted_at=None),
    ]
    auth.login(staff.email)
    html = client.get(f"/calls/{call.id}/jury").text
    for application in shown:
        assert f'id="application-{application.id}"' in html
    for application in hidden:
        assert f'id="application-{application.id}"' not in html
        assert scores_post(client, call, application, ("3", "3")).status_code == 404
    assert count(db, Score) == 0


def test_an_application_of_another_call_cannot_be_scored_here(client, auth, db, commune, call, juror, entrepreneurs):
    other = make_call(db, commune, title="Autre appel")
    application = make_application(db, entrepreneurs[0], call=other, status="submitted")
    auth.login(juror.email)
    response = client.post(f"/calls/{call.id}/jury/{application.id}", data={})
    assert response.status_code == 404
    assert count(db, Score) == 0


def test_who_may_use_the_jury_page(
    client, auth, db, make_user, make_commune, commune, call, juror, staff, entrepreneurs
):
    application = make_application(db, entrepreneurs[0], call=call, status="submitted")
    allowed = {"juror": juror, "staff": staff, "admin": make_user(role="admin")}
    refused = {
        "entrepreneur": entrepreneurs[1],
        "owner": make_user(role="owner"),
        "coach not invited": make_user(role="coach"),
        "staff of another commune": make_user(role="staff", communes=[make_commune(name="Ath", slug="ath")]),
    }
    for name, user in {**allowed, **refused}.items():
        auth.login(user.email)
        expected = 200 if name in allowed else 403
        assert client.get(f"/calls/{call.id}/jury").status_code == expected, name
        response = scores_post(client, call, application, ("4", "4"))
        assert response.status_code == (303 if name in allowed else 403), name
        auth.logout()
    assert {s.juror_id for s in db.session.scalars(select(Score))} == {u.id for u in allowed.values()}
    assert client.get(f"/calls/{call.id}/jury").status_code == 302  # anonymous: log in first


def test_a_draft_calls_jury_is_hidden_from_outsiders(client, auth, db, commune, make_user):
    draft = make_call(db, commune, status="draft")
    auth.login(make_user(role="coach").email)
    assert client.get(f"/calls/{draft.id}/jury").status_code == 404


def _ranking(client, call) -> list[tuple[list[str], str, str]]:
    """(rank cell words, application, score) of each row of the ranking table."""
    html = client.get(f"/calls/{call.id}/jury").text
    table = re.search(r'<table class="table ranking-table">.*?</table>', html, re.S).group(0)
    body = table.split("</caption>", 1)[1]
    rows = re.findall(
        r'<tr[^>]*>\s*<td>(.*?)</td>\s*<th scope="row"><a[^>]*>(.*?)</a></th>\s*<td>(.*?)</td>', body, re.S
    )
    return [(re.sub(r"<[^>]+>", " ", r).split(), name, re.sub(r"<[^>]+>", "", s).strip()) for r, name, s in rows]


def test_the_ranking_weighs_the_criteria_and_shows_ties(client, auth, db, call, juror, staff, entrepreneurs):
    alpha, bravo, charlie, _delta = (
        make_application(db, person, call=call, status="submitted") for person in entrepreneurs
    )
    auth.login(juror.email)
    english(client)
    # Concept weighs 3, feasibility 1.
    scores_post(client, call, alpha, ("5", "3"))  # (15 + 3) / 4 = 4.5
    scores_post(client, call, bravo, ("4", "5"))  # (12 + 5) / 4 = 4.25
    scores_post(client, call, charlie, ("5", "1"))  # (15 + 1) / 4 = 4.0
    assert _ranking(client, call) == [
        (["1"], "Alpha Shop (Alpha Person)", "4.5"),
        (["2"], "Bravo Shop (Bravo Person)", "4.3"),
        (["3"], "Charlie Shop (Charlie Person)", "4.0"),
        (["–"], "Delta Shop (Delta Person)", "Not scored yet"),
    ]

    # A second juror: each criterion is averaged over the jurors first.
    auth.logout()
    auth.login(staff.email)
    english(client)
    scores_post(client, call, bravo, ("5", "1"))  # concept 4.5, feasibility 3: (13.5 + 3) / 4 = 4.125
    scores_post(client, call, charlie, ("4", "5"))  # concept 4.5, feasibility 3: 4.125 as well
    assert _ranking(client, call) == [
        (["1"], "Alpha Shop (Alpha Person)", "4.5"),
        (["2", "tie"], "Bravo Shop (Bravo Person)", "4.1"),
        (["2", "tie"], "Charlie Shop (Charlie Person)", "4.1"),
        (["–"], "Delta Shop (Delta Person)", "Not scored yet"),
    ]
    html = client.get(f"/calls/{call.id}/jury").text
    assert html.count('class="badge tie-badge">tie<') == 2  # in words, not a colour alone


def test_the_score_is_shown_with_the_users_decimal_mark(client, auth, db, call, juror, entrepreneurs):
    application = make_application(db, entrepreneurs[0], call=call, status="submitted")
    auth.login(juror.email)
    scores_post(client, call, application, ("5", "3"))
    assert 'data-score="4.5">4,5<' in client.get(f"/calls/{call.id}/jury").text  # French by default


def test_comments_come_out_escaped(client, auth, db, call, juror, entrepreneurs):
    application = make_application(db, entrepreneurs[0], call=call, status="submitted")
    auth.login(juror.email)
    scores_post(client, call, application, ("3", "3"), (XSS, XSS))
    html = client.get(f"/calls/{call.id}/jury").text
    assert XSS not in html and html.count("&lt;img src=x onerror=alert(1)&gt;") == 2


def test_the_scores_form_is_protected_by_its_prefixed_csrf_token(client, auth, db, csrf, call, juror, entrepreneurs):
    """wapiti reported "lack of anti CSRF token" here: the token is there, named ``a<id>-csrf_token``."""
    application = make_application(db, entrepreneurs[0], call=call, status="submitted")
    auth.client.application.config["WTF_CSRF_ENABLED"] = False
    auth.login(juror.email)
    auth.client.application.config["WTF_CSRF_ENABLED"] = True
    assert scores_post(client, call, application, ("4", "2")).status_code == 400
    assert my_scores(db, juror) == []
    html = client.get(f"/calls/{call.id}/jury").text
    token = re.search(rf'name="a{application.id}-csrf_token"[^>]*value="([^"]+)"', html)
    assert token, "the scores form carries its CSRF token under its prefix"
    concept, feasibility = call.criteria
    data = {
        f"a{application.id}-csrf_token": token.group(1),
        f"a{application.id}-score_{concept.id}": "4",
        f"a{application.id}-score_{feasibility.id}": "2",
    }
    assert client.post(f"/calls/{call.id}/jury/{application.id}", data=data).status_code == 303
    assert [row[2] for row in my_scores(db, juror)] == [4, 2]
