"""Error pages: generic, in the user's language, never a traceback; JSON under /api/."""

from __future__ import annotations

import io

import pytest
from flask import abort
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from popup import create_app
from popup.config import TestingConfig
from popup.extensions import db as _db
from popup.permissions import policy, public
from tests.conftest import page_text

TRACEBACK_SIGNS = ("Traceback", 'File "', "RuntimeError", "werkzeug", "sqlalchemy", "secret detail")


def translated(app, message: str, lang: str) -> str:
    with app.test_request_context(), force_locale(lang):
        return _(message)


def choose_language(client, lang: str) -> None:
    assert client.post("/language", data={"lang": lang, "next": "/"}).status_code == 302


def assert_generic(response, code: int, title: str) -> None:
    assert response.status_code == code
    text = page_text(response)
    assert f"<h1>{title}</h1>" in text, text[:2000]
    for sign in TRACEBACK_SIGNS:
        assert sign not in text
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


@pytest.fixture
def failing_app(app, database_url, tmp_path):
    """An app on the same database with views that fail in every way (routes added before any request)."""
    config = TestingConfig(str(tmp_path), database_url=database_url)
    config.WTF_CSRF_ENABLED = False
    failing = create_app(config)

    @policy(public)
    def boom():
        from popup.communes.models import Commune
        from popup.geo import point

        _db.session.add(Commune(name="Half-saved", slug="half-saved", centre=point(4.0, 50.0)))
        _db.session.flush()
        raise RuntimeError("secret detail of the failure")

    @policy(public)
    def bad_request():
        abort(400)

    failing.add_url_rule("/boom", "boom", boom, methods=("GET", "POST"))
    failing.add_url_rule("/bad", "bad", bad_request)
    failing.add_url_rule("/api/v1/boom", "api_boom", boom)
    failing.config["PROPAGATE_EXCEPTIONS"] = False
    yield failing
    with failing.app_context():
        _db.engine.dispose()


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_a_failing_view_shows_a_generic_500_and_saves_nothing(failing_app, lang):
    client = failing_app.test_client()
    choose_language(client, lang)
    response = client.post("/boom")
    assert_generic(response, 500, translated(failing_app, "Something went wrong", lang))
    with failing_app.app_context():
        from popup.communes.models import Commune

        assert _db.session.scalars(select(Commune).filter_by(slug="half-saved")).first() is None


def test_a_failing_api_view_answers_json_without_details(failing_app):
    response = failing_app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json["status"] == 500
    assert "secret detail" not in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_400(failing_app, lang):
    client = failing_app.test_client()
    choose_language(client, lang)
    assert_generic(client.get("/bad"), 400, translated(failing_app, "Bad request", lang))


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_404(app, client, lang):
    choose_language(client, lang)
    assert_generic(client.get("/no/such/page"), 404, translated(app, "Page not found", lang))
    assert_generic(client.get("/units/999999"), 404, translated(app, "Page not found", lang))


def test_404_under_the_api_is_json(client):
    response = client.get("/api/v1/units/999999")
    assert response.status_code == 404
    assert response.json["status"] == 404


def test_403_in_the_users_language(app, client, auth, make_user):
    owner = make_user(role="owner", language="nl")
    auth.login(owner.email)
    assert_generic(client.get("/admin/users"), 403, translated(app, "Access refused", "nl"))


def test_405(app, client):
    response = client.get("/logout")
    assert_generic(response, 405, translated(app, "Method not allowed", "fr"))
    assert response.headers["Allow"]


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_413_on_an_oversized_upload(app, client, auth, make_user, lang):
    entrepreneur = make_user(role="entrepreneur", language=lang)
    auth.login(entrepreneur.email)
    old = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    try:
        pdf = b"%PDF-1.4\n" + b"0" * 100_000 + b"\n%%EOF\n"
        response = client.post(
            "/my/profile/documents",
            data={"file": (io.BytesIO(pdf), "plan.pdf")},
            content_type="multipart/form-data",
        )
    finally:
        app.config["MAX_CONTENT_LENGTH"] = old
    assert_generic(response, 413, translated(app, "Too large", lang))


def test_429_after_too_many_failed_logins(app, client, make_user):
    user = make_user()
    choose_language(client, "nl")
    for _attempt in range(10):
        client.post("/login", data={"email": user.email, "password": "wrong password"})
    response = client.post("/login", data={"email": user.email, "password": "wrong password"})
    assert_generic(response, 429, translated(app, "Too many attempts", "nl"))


def test_csrf_failure_is_a_400_with_an_explanation(app, client, csrf):
    response = client.post("/login", data={"email": "a@example.org", "password": "x"})
    assert_generic(response, 400, translated(app, "Bad request", "fr"))
    expected = translated(app, "Your form expired or was sent from elsewhere. Reload the page and try again.", "fr")
    assert expected in page_text(response)


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_a_database_that_does_not_answer_gives_a_503_to_retry(tmp_path, lang):
    # Nothing listens on port 1: every query fails as when PostgreSQL restarts.
    config = TestingConfig(str(tmp_path), database_url="postgresql+psycopg://postgres@127.0.0.1:1/popup")
    config.WTF_CSRF_ENABLED = False
    down = create_app(config)
    down.config["PROPAGATE_EXCEPTIONS"] = False
    client = down.test_client()
    choose_language(client, lang)
    response = client.get("/")
    assert_generic(response, 503, translated(down, "Service unavailable", lang))
    assert response.headers["Retry-After"] == "5"
    assert f'lang="{lang}"' in response.get_data(as_text=True)
    api = client.get("/api/v1/units?bbox=3.8,50.7,3.9,50.8")
    assert api.status_code == 503 and api.json["status"] == 503
    # A logged-in visitor too: loading their account is what fails first.
    with client.session_transaction() as session:
        session["_user_id"] = "1:1"
        session["_fresh"] = True
    response = client.get("/my/applications")
    assert_generic(response, 503, translated(down, "Service unavailable", lang))


def test_a_connection_lost_mid_request_gives_a_503_even_when_the_rollback_fails(tmp_path, monkeypatch):
    from sqlalchemy.exc import OperationalError

    config = TestingConfig(str(tmp_path), database_url=f"sqlite:///{tmp_path}/p.sqlite")
    config.WTF_CSRF_ENABLED = False
    lost = create_app(config)

    @policy(public)
    def cut():
        raise OperationalError("SELECT 1", {}, Exception("terminating connection due to administrator command"))

    lost.add_url_rule("/cut", "cut", cut)
    lost.config["PROPAGATE_EXCEPTIONS"] = False

    def dead_rollback():
        raise OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(_db.session, "rollback", dead_rollback)
    response = lost.test_client().get("/cut")
    assert response.status_code == 503
    assert "Internal Server Error" not in response.get_data(as_text=True)


def test_an_answer_already_committed_keeps_its_status_when_the_database_goes_before_the_emails(tmp_path, monkeypatch):
    from flask import g
    from sqlalchemy.exc import OperationalError

    from popup.notifications import operations as notifications

    config = TestingConfig(str(tmp_path), database_url=f"sqlite:///{tmp_path}/p.sqlite")
    done = create_app(config)

    @policy(public)
    def saved():
        g.popup_new_notifications = [1]  # as notify() leaves it for the emails after the commit
        return "saved"

    done.add_url_rule("/saved", "saved", saved)
    done.config["PROPAGATE_EXCEPTIONS"] = False

    def lost(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(notifications, "deliver", lost)
    monkeypatch.setattr(_db.session, "rollback", lost)
    response = done.test_client().get("/saved")
    assert response.status_code == 200 and response.get_data(as_text=True) == "saved"
