"""Malformed requests get a clear answer and change nothing; never a 500."""

import pytest

from popup.auth.models import User
from tests.conftest import page_text


def _users(db):
    return db.session.query(User).count()


@pytest.mark.parametrize(
    "body",
    [
        b"name=%FF%FE&email=%C3%28@example.org&password=x&confirm=x&role=owner",  # invalid UTF-8
        b"&&&===&",
        b"email=" + b"a" * 5000 + b"@example.org",
    ],
)
def test_malformed_form_bodies_never_break_registration(client, db, body):
    response = client.post("/register", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 413, 422)
    assert _users(db) == 0


def test_thousands_of_unknown_form_fields_change_nothing(client, db):
    data = {f"f{i}": "x" for i in range(2000)}
    response = client.post("/register", data=data)
    assert response.status_code in (400, 413, 422)
    assert _users(db) == 0


def test_wrong_content_type_is_handled(client, db):
    response = client.post("/login", data='{"email": "x"}', content_type="application/json")
    assert response.status_code == 422
    assert _users(db) == 0


def test_unknown_pages_and_methods(client):
    assert client.get("/no/such/page").status_code == 404
    response = client.delete("/login")
    assert response.status_code == 405
    assert "Méthode non autorisée" in page_text(response) or response.status_code == 405


def test_api_paths_answer_json_errors(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.is_json
    assert "error" in response.get_json()


def test_internal_errors_show_a_friendly_page_without_traceback(app, client, monkeypatch):
    from popup.communes import queries

    def boom():
        raise RuntimeError("secret internals")

    monkeypatch.setattr(queries, "communes_with_figures", boom)
    response = client.get("/")
    assert response.status_code == 500
    text = page_text(response)
    assert "Une erreur inattendue" in text
    assert "secret internals" not in text and "Traceback" not in text
