"""Every endpoint declares who may use it; the declarations hold."""

import pytest

from popup import create_app
from popup.config import TestingConfig
from popup.permissions import policy_of


def test_every_endpoint_declares_a_policy(app):
    missing = [rule.endpoint for rule in app.url_map.iter_rules() if policy_of(app, rule.endpoint) is None]
    assert missing == []


def test_an_endpoint_without_a_policy_is_refused(tmp_path):
    # A route someone forgot to protect is locked, not open.
    app = create_app(TestingConfig(str(tmp_path), database_url=f"sqlite:///{tmp_path}/p.sqlite"))
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    response = app.test_client().get("/undeclared")
    assert response.status_code == 403
    assert "secret" not in response.text


@pytest.mark.parametrize("path", ["/admin/users", "/admin/users/new", "/account", "/account/password"])
def test_anonymous_users_are_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ["owner", "entrepreneur", "coach", "staff"])
def test_only_admins_manage_accounts(client, auth, make_user, role, commune):
    user = make_user(role=role, communes=[commune] if role == "staff" else [])
    auth.login(user.email)
    assert client.get("/admin/users").status_code == 403
    response = client.post(
        "/admin/users/new",
        data={"name": "X", "email": "x@example.org", "role": "admin", "password": "long enough pass"},
    )
    assert response.status_code == 403


def test_admin_creates_a_staff_account_for_a_commune(client, auth, make_user, commune, db):
    from popup.auth.models import User

    admin = make_user(role="admin")
    auth.login(admin.email)
    response = client.post(
        "/admin/users/new",
        data={
            "name": "Catherine Delhaye",
            "email": "Catherine@Lessines.be",
            "role": "staff",
            "communes": [str(commune.id)],
            "language": "fr",
            "password": "long enough pass",
        },
    )
    assert response.status_code == 302
    staff = db.session.execute(db.select(User).filter_by(email="catherine@lessines.be")).scalar_one()
    assert staff.role == "staff"
    assert [c.slug for c in staff.communes] == ["lessines"]
    assert staff.is_staff_of(commune)


def test_a_staff_account_needs_a_commune(client, auth, make_user, db):
    from popup.auth.models import User

    auth.login(make_user(role="admin").email)
    response = client.post(
        "/admin/users/new",
        data={"name": "N", "email": "n@example.org", "role": "staff", "language": "fr", "password": "long enough pass"},
    )
    assert response.status_code == 422
    assert db.session.execute(db.select(User).filter_by(email="n@example.org")).scalar_one_or_none() is None


def test_staff_of_one_commune_is_not_staff_of_another(make_user, make_commune):
    lessines = make_commune()
    ath = make_commune(name="Ath", slug="ath")
    staff = make_user(role="staff", communes=[lessines])
    assert staff.is_staff_of(lessines)
    assert not staff.is_staff_of(ath)
    assert make_user(role="admin").is_staff_of(ath)


def test_owner_policy_lets_the_owner_and_admins_in_only(app, make_user, make_unit, db):
    from werkzeug.exceptions import NotFound

    from popup.permissions import owner_of
    from popup.units.models import Unit

    owns_unit = owner_of("unit", lambda args: db.session.get(Unit, args["unit_id"]))
    owner, other, admin = make_user(role="owner"), make_user(role="owner"), make_user(role="admin")
    unit = make_unit(owner=owner)
    with app.test_request_context():
        assert owns_unit.allows(owner, {"unit_id": unit.id})
        assert not owns_unit.allows(other, {"unit_id": unit.id})
        assert owns_unit.allows(admin, {"unit_id": unit.id})
        with pytest.raises(NotFound):
            owns_unit.allows(other, {"unit_id": unit.id + 1000})
