"""Accounts: registration, login, revocation, password change and reset, rate limit."""

from __future__ import annotations

import re

import pytest

from popup.auth.models import User
from tests.conftest import PASSWORD, csrf_token_from, page_text

NEW_PASSWORD = "another long secret 42"


def _user(db, email):
    return db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()


def _register(client, **overrides):
    data = {
        "name": "Julie Carlier",
        "email": "julie@example.org",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "role": "entrepreneur",
        "language": "fr",
    }
    data.update(overrides)
    return client.post("/register", data=data)


# -- registration --------------------------------------------------------------


def test_register_as_entrepreneur_logs_in(client, db):
    response = _register(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account")
    user = _user(db, "julie@example.org")
    assert user.role == "entrepreneur"
    assert user.password_hash != PASSWORD
    page = client.get("/account")
    assert "Julie Carlier" in page.text


def test_register_stores_email_lowercased_and_refuses_a_duplicate_in_any_case(client, db):
    assert _register(client, email="Julie@Example.ORG").status_code == 302
    client.post("/logout")
    response = _register(client, email="  JULIE@example.org ", name="Someone Else")
    assert response.status_code == 422
    assert "Un compte existe déjà avec cette adresse" in page_text(response)
    assert db.session.query(User).count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not-an-email"}, "Adresse électronique non valide"),
        ({"password": "short", "confirm": "short"}, "Utilisez au moins 10 caractères"),
        ({"confirm": "something else entirely"}, "Les deux mots de passe diffèrent"),
        ({"role": "admin"}, "N'est pas un choix valide"),
        ({"role": "staff"}, "N'est pas un choix valide"),
        ({"name": ""}, "Ce champ est requis"),
    ],
)
def test_register_refuses_bad_input_and_creates_nothing(client, db, overrides, message):
    response = _register(client, **overrides)
    assert response.status_code == 422
    assert message in page_text(response)
    assert db.session.query(User).count() == 0


def test_oversized_form_is_refused_with_413(client, app, db):
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/register", data={"name": big}, headers={"Accept": "text/html"})
    assert response.status_code == 413
    assert db.session.query(User).count() == 0


# -- login and logout ----------------------------------------------------------


def test_login_with_the_right_password(client, auth, make_user, db):
    user = make_user(role="owner", email="owner@example.org")
    response = auth.login("OWNER@example.org")
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    db.session.refresh(user)
    assert user.last_login_at is not None


def test_login_with_a_wrong_password_says_so_in_french(auth, make_user):
    make_user(email="owner@example.org")
    response = auth.login("owner@example.org", "wrong password!")
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect" in page_text(response)


def test_login_of_an_unknown_email_gives_the_same_answer(auth):
    response = auth.login("nobody@example.org", "wrong password!")
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect" in page_text(response)


def test_deactivated_user_cannot_log_in(auth, make_user, db):
    user = make_user(email="gone@example.org")
    user.active = False
    db.session.flush()
    assert auth.login("gone@example.org").status_code == 401


def test_login_redirects_to_a_local_next_only(client, auth, make_user):
    make_user(email="owner@example.org")
    response = client.post(
        "/login?next=https://evil.example/", data={"email": "owner@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/account"
    client.post("/logout")
    response = client.post("/login?next=/c/lessines", data={"email": "owner@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/c/lessines"


def test_logout_revokes_a_captured_session_cookie(app, auth, client, make_user):
    make_user(email="owner@example.org")
    auth.login("owner@example.org")
    stolen = client.get_cookie("session").value
    assert auth.logout().status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_logout_revokes_the_remember_cookie(app, auth, client, make_user):
    make_user(email="owner@example.org")
    auth.login("owner@example.org", remember=True)
    remember = client.get_cookie("remember_token")
    assert remember is not None
    other = app.test_client()
    other.set_cookie("remember_token", remember.value)
    assert other.get("/account").status_code == 200, "the remember cookie works before logout"
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("remember_token", remember.value)
    assert thief.get("/account").status_code == 302


def test_logout_is_post_only(client, auth, make_user):
    make_user(email="owner@example.org")
    auth.login("owner@example.org")
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200


# -- password change -----------------------------------------------------------


def test_password_change_keeps_this_session_and_ends_the_others(app, client, auth, make_user, db):
    make_user(email="owner@example.org")
    auth.login("owner@example.org")
    other_device = app.test_client()
    other_device.post("/login", data={"email": "owner@example.org", "password": PASSWORD})
    assert other_device.get("/account").status_code == 200

    response = client.post(
        "/account/password", data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302
    client.post("/logout")
    assert auth.login("owner@example.org", PASSWORD).status_code == 401
    assert auth.login("owner@example.org", NEW_PASSWORD).status_code == 302


def test_password_change_needs_the_current_password(client, auth, make_user):
    user = make_user(email="owner@example.org")
    auth.login("owner@example.org")
    before = user.password_hash
    response = client.post(
        "/account/password", data={"current": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 422
    assert "Votre mot de passe actuel n'est pas le bon" in page_text(response)
    assert user.password_hash == before


# -- password reset by email ---------------------------------------------------


def _reset_link(message) -> str:
    body = message.get_payload(decode=True).decode()
    return re.search(r"http://localhost(/password-reset/\S+)", body).group(1)


def test_password_reset_by_emailed_link(client, auth, make_user, smtp):
    make_user(email="owner@example.org", language="nl")
    response = client.post("/password-reset", data={"email": "Owner@example.org"})
    assert response.status_code == 302
    assert len(smtp) == 1
    mail = smtp[0]
    assert mail["To"] == "owner@example.org"
    assert "wachtwoord" in mail["Subject"].lower(), "the email is in the user's language"
    link = _reset_link(mail)

    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert auth.login("owner@example.org", NEW_PASSWORD).status_code == 302
    client.post("/logout")
    # the link is single-use
    assert client.post(link, data={"password": PASSWORD, "confirm": PASSWORD}).status_code == 400
    assert auth.login("owner@example.org", NEW_PASSWORD).status_code == 302


def test_password_reset_for_an_unknown_email_reveals_nothing_and_sends_nothing(client, smtp):
    response = client.post("/password-reset", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Si un compte existe pour cette adresse" in page_text(response)
    assert smtp == []


def test_a_forged_reset_token_is_refused(client, make_user):
    make_user(email="owner@example.org")
    response = client.post("/password-reset/not-a-token", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert "Ce lien de réinitialisation n'est pas valable" in page_text(response)


def test_reset_when_the_mail_server_is_down_says_so_and_changes_nothing(app, client, make_user):
    user = make_user(email="owner@example.org")
    before = user.password_hash
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "127.0.0.1", 9  # discard port: refused
    response = client.post("/password-reset", data={"email": "owner@example.org"})
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "localhost", 25
    assert response.status_code == 503
    assert "Nous n'avons pas pu envoyer" in page_text(response)
    assert user.password_hash == before


# -- rate limit and CSRF -------------------------------------------------------


def test_login_is_rate_limited_after_ten_failures_a_minute(client, auth, make_user):
    make_user(email="owner@example.org")
    for _ in range(10):
        assert auth.login("owner@example.org", "wrong password!").status_code == 401
    response = auth.login("owner@example.org", PASSWORD)
    assert response.status_code == 429
    assert "Trop de tentatives" in page_text(response)


def test_successful_logins_do_not_count_against_the_limit(client, auth, make_user):
    make_user(email="owner@example.org")
    for _ in range(12):
        assert auth.login("owner@example.org").status_code == 302
        client.post("/logout")


def test_forms_without_a_csrf_token_are_refused(client, csrf, db):
    response = _register(client)
    assert response.status_code == 400
    assert "Votre formulaire a expiré" in page_text(response)
    assert db.session.query(User).count() == 0


def test_forms_with_the_csrf_token_work(client, csrf, db):
    token = csrf_token_from(client.get("/register").text)
    response = _register(client, csrf_token=token)
    assert response.status_code == 302
