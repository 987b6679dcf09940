"""Public pages, languages, errors and the health check."""

import re

import pytest

from popup import create_app
from popup.config import TestingConfig
from tests.conftest import page_text


def _figures(html):
    return dict(re.findall(r'data-figure="(\w+)">([^<]+)<', html))


def test_home_lists_communes_with_their_vacancy(client, make_unit):
    for status in ("vacant", "occupied", "occupied", "popup"):
        make_unit(status=status)
    page = client.get("/")
    assert page.status_code == 200
    assert "Lessines" in page.text
    assert "25,0 %" in page.text


def test_commune_home_shows_key_figures(client, make_unit, make_core, db):
    make_core()
    make_unit(status="vacant")
    make_unit(status="vacant", lon=3.80, lat=50.70)  # outside the core
    make_unit(status="occupied")
    make_unit(status="unavailable")
    archived = make_unit(status="vacant")
    from popup.types import utcnow

    archived.archived_at = utcnow()
    db.session.flush()
    page = client.get("/c/lessines")
    assert page.status_code == 200
    assert _figures(page.text) == {"units": "4", "vacant": "2", "rate": "66,7 %"}
    # the core holds three of them, one vacant among the two in the stock
    assert re.search(r"Centre</th>\s*<td[^>]*>3</td>\s*<td[^>]*>1</td>\s*<td[^>]*>50,0 %", page.text)


def test_unknown_commune_and_unit_give_a_404_in_french(client):
    for path in ("/c/nowhere", "/units/424242", "/units/not-a-number"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Page introuvable" in page_text(response)


def test_unit_page_shows_public_facts_and_no_owner(client, make_unit, make_user):
    owner = make_user(role="owner", name="Jean-Pierre Lemaire", email="jp@example.org")
    unit = make_unit(
        address="Rue de Grammont 8, 7860 Lessines",
        owner=owner,
        asking_rent_cents=95000,
        floor_area_m2=85,
        has_water=True,
        public_description="<script>alert(1)</script>",
    )
    page = client.get(f"/units/{unit.id}")
    assert page.status_code == 200
    assert "Rue de Grammont 8" in page.text
    assert "950,00" in page.text
    assert "Lemaire" not in page.text and "jp@example.org" not in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text


def test_pages_are_french_by_default(client):
    page = client.get("/")
    assert '<html lang="fr">' in page.text
    assert "Des boutiques pop-up contre les cellules commerciales vides" in page.text


@pytest.mark.parametrize(
    ("lang", "heading"), [("nl", "Pop-upwinkels"), ("en", "Pop-up shops against empty shop cells")]
)
def test_language_switch_is_remembered(client, lang, heading):
    response = client.post("/language", data={"lang": lang, "next": "/c/nowhere"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/c/nowhere"
    page = client.get("/")
    assert f'<html lang="{lang}">' in page.text
    assert heading in page.text


def test_language_switch_refuses_unknown_languages_and_foreign_redirects(client):
    response = client.post("/language", data={"lang": "de", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert '<html lang="fr">' in client.get("/").text


def test_a_logged_in_users_language_is_saved_on_the_account(app, client, auth, make_user, db):
    user = make_user(email="koen@example.org", language="fr")
    auth.login(user.email)
    client.post("/language", data={"lang": "nl"})
    db.session.refresh(user)
    assert user.language == "nl"
    other_browser = app.test_client()
    other_browser.post("/login", data={"email": user.email, "password": "correct horse battery"})
    assert '<html lang="nl">' in other_browser.get("/account").text


def test_amounts_and_numbers_follow_the_locale(client, make_unit):
    unit = make_unit(asking_rent_cents=123456, floor_area_m2=1250.5)
    fr = client.get(f"/units/{unit.id}").text
    assert "1\u202f234,56\xa0€" in fr or "1 234,56 €" in fr
    client.post("/language", data={"lang": "en"})
    en = client.get(f"/units/{unit.id}").text
    assert "€1,234.56" in en


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "db": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    config = TestingConfig(str(tmp_path), database_url="postgresql+psycopg://postgres@127.0.0.1:1/none")
    app = create_app(config)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["db"] == "unreachable"


def test_no_asset_comes_from_a_cdn(client):
    html = client.get("/").text
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "#")), url


def test_security_headers_on_every_page(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_get_never_changes_the_language(client):
    assert client.get("/language?lang=nl").status_code == 405
    assert '<html lang="fr">' in client.get("/").text


def _rows(html: str, figures: str) -> list[tuple[str, ...]]:
    """The (name, units, vacant, rate) rows of a figures table."""
    table = html.split(figures, 1)[1].split("</table>", 1)[0]
    rows = re.findall(
        r'<th scope="row">(.*?)</th>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)<', table, re.S
    )
    return [(re.sub(r"<[^>]+>", "", name).strip(), *cells) for name, *cells in rows]


def test_commune_home_shows_vacancy_per_street_most_vacant_first(client, make_unit):
    for n in range(12):  # twelve streets with one occupied unit each
        make_unit(status="occupied", address=f"Rue {chr(65 + n)} 1, 7860 Lessines")
    make_unit(status="vacant", address="Rue K 3, 7860 Lessines")
    make_unit(status="vacant", address="Rue K 5, 7860 Lessines")
    make_unit(status="vacant", address="Rue B 9, 7860 Lessines")
    html = client.get("/c/lessines").text
    section = html.split('id="streets-title"', 1)[1]
    shown, rest = section.split("<details>", 1)
    first = _rows(shown, "<table")
    assert first[:2] == [("Rue K", "3", "2", "66,7 %"), ("Rue B", "2", "1", "50,0 %")]
    assert len(first) == 10
    assert "2 autres rues" in rest  # the other two streets, folded away
    assert len(_rows(rest, "<table")) == 2


def test_maps_show_the_vacancy_of_each_commune_and_the_streets_with_most_vacant_units(
    client, make_unit, make_commune, commune
):
    from popup import geo

    ath = make_commune(name="Ath", slug="ath", centre=geo.point(3.7763, 50.6290), boundary=None)
    make_unit(status="vacant", address="Rue de Grammont 2, 7860 Lessines")
    make_unit(status="occupied", address="Rue de Grammont 4, 7860 Lessines")
    make_unit(status="vacant", address="Grand-Place 1, 7860 Lessines")
    make_unit(
        status="occupied", commune=ath, address="Rue de Pintamont 1, 7800 Ath", location=geo.point(3.7763, 50.629)
    )

    overview = client.get("/map").text
    assert _rows(overview, 'data-figures="communes"') == [("Ath", "1", "0", "0,0 %"), ("Lessines", "3", "2", "66,7 %")]
    assert 'href="/c/ath"' in overview.split('data-figures="communes"', 1)[1].split("</table>", 1)[0]

    lessines = client.get("/c/lessines/map").text
    assert _rows(lessines, 'data-figures="communes"') == [("Lessines", "3", "2", "66,7 %")]
    assert _rows(lessines, 'data-figures="streets"') == [  # most vacant first, then the bigger street
        ("Rue de Grammont", "2", "1", "50,0 %"),
        ("Grand-Place", "1", "1", "100,0 %"),
    ]
    assert "autres rues" not in lessines  # all the streets fit
