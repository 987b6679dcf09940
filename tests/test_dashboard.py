"""The staff dashboard: figures from a hand-built status history, the period, CSV, who may see it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from popup.coaching.models import CoachAssignment, CoachingNote
from popup.units.operations import change_status
from tests.conftest import page_text
from tests.test_applications import make_application, make_call, make_offer, make_profile

PERIOD = "from=2024-01&to=2024-04"


def at(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC).replace(hour=12)


def figures_of(response) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([\w-]+)">([^<]+)<', page_text(response)))


def csv_rows(response) -> list[list[str]]:
    body = response.get_data().decode("utf-8")
    assert body.startswith("\ufeff") and "\r\n" in body
    return [line.split(";") for line in body.removeprefix("\ufeff").rstrip("\r\n").split("\r\n")]


@pytest.fixture
def staff(make_user, commune):
    # In English: the column headers and month names of the assertions do not depend on the catalogs.
    return make_user(role="staff", communes=[commune], language="en")


@pytest.fixture
def as_staff(client, auth, staff):
    auth.login(staff.email)
    return client


@pytest.fixture
def history(db, make_unit):
    """Five units whose statuses change around January-April 2024.

    A: occupied, vacant from 1 March (on the month boundary);
    B: vacant, pop-up from 10 February; C: created vacant on 15 February;
    D: vacant, archived on 15 March; E: withdrawn from the market.
    """
    a = make_unit(status="occupied", at=at("2020-01-01"), address="Rue A 1, 7860 Lessines")
    change_status(a, "vacant", by=None, at=at("2024-03-01"))
    b = make_unit(status="vacant", at=at("2020-01-01"), address="Rue B 1, 7860 Lessines")
    change_status(b, "popup", by=None, at=at("2024-02-10"))
    c = make_unit(status="vacant", at=at("2024-02-15"), address="Rue C 1, 7860 Lessines")
    d = make_unit(status="vacant", at=at("2020-01-01"), address="Rue D 1, 7860 Lessines")
    d.archived_at = at("2024-03-15")
    e = make_unit(status="unavailable", at=at("2020-01-01"), address="Rue E 1, 7860 Lessines")
    db.session.flush()
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_vacancy_month_by_month_follows_the_history(as_staff, history):
    response = as_staff.get(f"/c/lessines/dashboard/monthly.csv?{PERIOD}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="lessines-monthly-2024-01-2024-04.csv"' in response.headers["Content-Disposition"]
    assert csv_rows(response) == [
        ["Month", "Units in the stock", "Vacant units", "Pop-up shops", "Vacancy rate"],
        ["2024-01", "3", "2", "0", "66,7"],  # A occupied, B and D vacant (E is out of the stock)
        ["2024-02", "4", "2", "1", "50"],  # B pop-up, C created vacant
        ["2024-03", "3", "2", "1", "66,7"],  # A vacant from the 1st, D archived
        ["2024-04", "3", "2", "1", "66,7"],
    ]


def test_the_page_shows_figures_now_a_chart_and_its_table(as_staff, history):
    response = as_staff.get(f"/c/lessines/dashboard?{PERIOD}")
    assert response.status_code == 200
    text = page_text(response)
    figures = figures_of(response)
    # now: A and C vacant, B pop-up, D archived, E withdrawn → 2 vacant of 3 in the stock
    assert figures["rate-now"] == "66.7 %"
    assert figures["vacant-now"] == "2"
    assert figures["stock-now"] == "3"
    assert figures["popups"] == "1"
    assert text.count("<svg") >= 2 and 'role="img"' in text
    assert re.search(r'<svg[^>]*aria-labelledby="chart-monthly-title chart-monthly-desc"', text)
    monthly = text[text.index('data-table="monthly"') :]
    assert "<caption>" in monthly and '<th scope="col"' in monthly
    assert re.search(r'<th scope="row">February 2024</th>\s*<td class="text-end">4</td>', monthly)
    assert "/c/lessines/dashboard/monthly.csv?from=2024-01&amp;to=2024-04" in response.get_data(as_text=True)


def test_vacancy_durations_count_each_spell_up_to_the_end_of_the_period(as_staff, history):
    response = as_staff.get(f"/c/lessines/dashboard/duration.csv?{PERIOD}")
    rows = csv_rows(response)
    assert rows[0] == ["Unit", "Vacant since", "Vacant until", "Days vacant"]
    assert rows[1:] == [
        ["Rue D 1, 7860 Lessines", "2020-01-01", "2024-03-15", "1535"],  # ended by archiving
        ["Rue B 1, 7860 Lessines", "2020-01-01", "2024-02-10", "1501"],
        ["Rue C 1, 7860 Lessines", "2024-02-15", "", "76"],  # ongoing: up to 1 May 2024
        ["Rue A 1, 7860 Lessines", "2024-03-01", "", "61"],
    ]
    figures = figures_of(as_staff.get(f"/c/lessines/dashboard?{PERIOD}"))
    assert figures["spells"] == "4"
    assert figures["longest-days"] == "1,535 days"
    assert figures["average-days"].startswith("793")  # (1535 + 1501 + 76 + 61) / 4


def test_a_core_narrows_the_unit_figures(as_staff, make_core, make_unit, history):
    core = make_core()
    make_unit(status="vacant", lon=3.80, lat=50.70, at=at("2020-01-01"))  # outside the core
    whole = figures_of(as_staff.get(f"/c/lessines/dashboard?{PERIOD}"))
    inside = figures_of(as_staff.get(f"/c/lessines/dashboard?{PERIOD}&core={core.id}"))
    assert (whole["vacant-now"], inside["vacant-now"]) == ("3", "2")
    rows = csv_rows(as_staff.get(f"/c/lessines/dashboard/monthly.csv?{PERIOD}&core={core.id}"))
    assert rows[1] == ["2024-01", "3", "2", "0", "66,7"]


def test_entrepreneurs_tested_are_the_accepted_applications_of_the_period(as_staff, db, make_user, make_unit, commune):
    julie = make_user(role="entrepreneur", name="Julie Carlier")
    make_profile(db, julie, business_name="Épicerie Julie")
    marc = make_user(role="entrepreneur", name="Marc")
    call = make_call(db, commune, title="Appel 2024")
    make_application(db, julie, call=call, status="accepted", decided_at=at("2024-02-01"))
    make_application(db, marc, call=call, status="rejected", decided_at=at("2024-02-01"))
    offer = make_offer(db, make_unit(), title="Cellule Grand-Place")
    make_application(db, marc, offer=offer, status="accepted", decided_at=at("2023-12-31"))  # before the period
    response = as_staff.get(f"/c/lessines/dashboard?{PERIOD}")
    assert figures_of(response)["tested"] == "1"
    rows = csv_rows(as_staff.get(f"/c/lessines/dashboard/entrepreneurs.csv?{PERIOD}"))
    assert rows[1:] == [["Julie Carlier", "Épicerie Julie", "Appel 2024", "2024-02-01"]]


def test_accepted_applications_of_another_commune_do_not_count(as_staff, db, make_user, make_commune):
    ath = make_commune(name="Ath", slug="ath")
    make_application(
        db, make_user(role="entrepreneur"), call=make_call(db, ath), status="accepted", decided_at=at("2024-02-01")
    )
    assert figures_of(as_staff.get(f"/c/lessines/dashboard?{PERIOD}"))["tested"] == "0"


def test_coached_entrepreneurs_and_meetings_of_the_period(as_staff, db, make_user, commune, make_commune):
    coach = make_user(role="coach", name="Coach Anne")
    julie, marc, old = (make_user(role="entrepreneur", name=n) for n in ("Julie", "Marc", "Old"))
    current = CoachAssignment(commune=commune, coach=coach, entrepreneur=julie, since_on=date(2024, 2, 1))
    current.notes += [
        CoachingNote(author=coach, met_on=date(2024, 2, 5), text="1"),
        CoachingNote(author=coach, met_on=date(2024, 4, 30), text="2"),
        CoachingNote(author=coach, met_on=date(2024, 5, 1), text="after the period"),
    ]
    ended = CoachAssignment(
        commune=commune, coach=coach, entrepreneur=marc, since_on=date(2023, 6, 1), until_on=date(2024, 1, 2)
    )
    before = CoachAssignment(
        commune=commune, coach=coach, entrepreneur=old, since_on=date(2022, 1, 1), until_on=date(2024, 1, 1)
    )
    elsewhere = CoachAssignment(
        commune=make_commune(name="Ath", slug="ath"), coach=coach, entrepreneur=old, since_on=date(2024, 1, 1)
    )
    elsewhere.notes.append(CoachingNote(author=coach, met_on=date(2024, 2, 1), text="Ath"))
    db.session.add_all([current, ended, before, elsewhere])
    db.session.flush()
    figures = figures_of(as_staff.get(f"/c/lessines/dashboard?{PERIOD}"))
    assert (figures["coached"], figures["meetings"]) == ("2", "2")
    rows = csv_rows(as_staff.get(f"/c/lessines/dashboard/coaching.csv?{PERIOD}"))
    assert rows[1:] == [
        ["Marc", "Coach Anne", "2023-06-01", "2024-01-02", "0"],
        ["Julie", "Coach Anne", "2024-02-01", "", "2"],
    ]


def test_the_default_period_is_the_last_twelve_months(as_staff):
    from popup.units.queries import local_today

    today = local_today()
    response = as_staff.get("/c/lessines/dashboard")
    assert response.status_code == 200
    assert f'value="{today:%Y-%m}"' in response.get_data(as_text=True)
    rows = csv_rows(as_staff.get("/c/lessines/dashboard/monthly.csv"))
    assert len(rows) == 1 + 12 and rows[-1][0] == f"{today:%Y-%m}"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2024-13&to=2024-04", "from", "Give the first month as year and month"),
        ("from=2024-01&to=avril", "to", "Give the last month as year and month"),
        ("from=2024-05&to=2024-01", "to", "The last month comes before the first month"),
        ("from=2999-01&to=2999-02", "from", "nothing is known of it yet"),
        ("from=1990-01&to=2024-01", "to", "at most 120 months"),
        ("core=99999", "core", "Choose one of the commune's commercial cores"),
        ("core=abc", "core", "Choose one of the commune's commercial cores"),
        ("core=" + "9" * 40, "core", "Choose one of the commune's commercial cores"),
    ],
)
def test_a_bad_period_or_core_gets_a_clear_message(as_staff, query, field, message):
    response = as_staff.get(f"/c/lessines/dashboard?{query}")
    assert response.status_code == 400
    text = page_text(response)
    assert message in text
    assert f'id="period-{field}-error"' in text and 'aria-invalid="true"' in text
    csv = as_staff.get(f"/c/lessines/dashboard/monthly.csv?{query}")
    assert csv.status_code == 400 and message in csv.get_data(as_text=True)


def test_a_core_of_another_commune_is_refused(as_staff, make_commune, make_core):
    ath = make_commune(name="Ath", slug="ath")
    foreign = make_core(commune=ath, slug="ath-centre")
    response = as_staff.get(f"/c/lessines/dashboard?core={foreign.id}")
    assert response.status_code == 400


def test_unknown_figures_have_no_csv(as_staff):
    assert as_staff.get("/c/lessines/dashboard/nope.csv").status_code == 404


def test_csv_cells_cannot_run_as_formulas(as_staff, make_unit):
    make_unit(status="popup", address="=1+2 Grand-Place")
    rows = csv_rows(as_staff.get("/c/lessines/dashboard/popups.csv"))
    assert rows[1][0] == "'=1+2 Grand-Place"


def test_anonymous_users_are_sent_to_the_login_page(client, commune):
    for path in ("/c/lessines/dashboard", "/c/lessines/dashboard/monthly.csv"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ["owner", "entrepreneur", "coach", "staff of Ath"])
def test_only_the_communes_staff_and_admins_see_it(client, auth, make_user, make_commune, commune, role):
    if role == "staff of Ath":
        user = make_user(role="staff", communes=[make_commune(name="Ath", slug="ath")])
    else:
        user = make_user(role=role)
    auth.login(user.email)
    assert client.get("/c/lessines/dashboard").status_code == 403
    assert client.get("/c/lessines/dashboard/monthly.csv").status_code == 403


def test_admins_see_every_communes_dashboard_and_unknown_communes_are_404(client, auth, make_user, commune):
    auth.login(make_user(role="admin").email)
    assert client.get("/c/lessines/dashboard").status_code == 200
    assert client.get("/c/nowhere/dashboard").status_code == 404


def test_the_commune_page_links_its_staff_to_the_dashboard(as_staff, client):
    assert "/c/lessines/dashboard" in as_staff.get("/c/lessines").get_data(as_text=True)
