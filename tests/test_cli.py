"""`flask popup ...` commands."""

from sqlalchemy import func, select

from popup.auth.models import User
from popup.communes.models import CommercialCore, Commune
from popup.units.models import Unit, UnitStatusChange


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_loads_lessines_and_can_run_twice(runner, db):
    first = runner.invoke(args=["popup", "seed-demo"])
    assert first.exit_code == 0, first.output
    assert "staff@demo.popup.example" in first.output
    counts = {m: _count(db, m) for m in (Commune, CommercialCore, User, Unit, UnitStatusChange)}
    assert counts[Commune] == 1
    assert counts[CommercialCore] == 2
    assert 55 <= counts[Unit] <= 65
    assert counts[UnitStatusChange] >= counts[Unit]

    second = runner.invoke(args=["popup", "seed-demo"])
    assert second.exit_code == 0, second.output
    assert {m: _count(db, m) for m in counts} == counts

    lessines = db.session.execute(select(Commune).filter_by(slug="lessines")).scalar_one()
    assert len(lessines.section_names) == 7
    vacant = db.session.scalar(select(func.count()).where(Unit.status == "vacant"))
    assert 12 <= vacant <= 18
    assert all(u.is_demo for u in db.session.scalars(select(User)))
    staff = db.session.execute(select(User).filter_by(role="staff")).scalar_one()
    assert staff.is_staff_of(lessines)


def test_demo_units_lie_in_the_commune_and_the_cores(runner, db, client):
    runner.invoke(args=["popup", "seed-demo"])
    page = client.get("/c/lessines")
    assert page.status_code == 200
    assert "Centre-ville (Grand-Place)" in page.text


def test_create_user_makes_a_staff_account(runner, db, commune):
    result = runner.invoke(
        args=[
            "popup",
            "create-user",
            "--email",
            "Agent@Lessines.be",
            "--name",
            "Agent Communal",
            "--role",
            "staff",
            "--commune",
            "lessines",
            "--password",
            "a long password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User).filter_by(email="agent@lessines.be")).scalar_one()
    assert user.role == "staff"
    assert user.check_password("a long password")
    assert user.is_staff_of(commune)


def test_create_user_refuses_bad_input_and_creates_nothing(runner, db, commune, make_user):
    make_user(email="taken@example.org")
    base = ["popup", "create-user", "--name", "N", "--password", "a long password"]
    cases = [
        (["--email", "taken@example.org", "--role", "admin"], "cannot create the account"),
        (["--email", "x@example.org", "--role", "staff"], "needs at least one --commune"),
        (["--email", "x@example.org", "--role", "staff", "--commune", "atlantis"], "unknown commune"),
        (["--email", "x@example.org", "--role", "wizard"], "Invalid value"),
        (["--email", "not an email", "--role", "admin"], "not a valid email"),
    ]
    for extra, message in cases:
        result = runner.invoke(args=base + extra)
        assert result.exit_code != 0
        assert message in result.output
    assert _count(db, User) == 1


def test_create_user_refuses_a_short_password(runner, db):
    result = runner.invoke(
        args=[
            "popup",
            "create-user",
            "--email",
            "a@example.org",
            "--name",
            "A",
            "--role",
            "admin",
            "--password",
            "short",
        ]
    )
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
