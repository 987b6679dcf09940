"""The map shell is cached per worker under the database's data stamp: any committed change shows at once."""

from __future__ import annotations

import re

import pytest

from popup.maps import versions
from popup.maps.cache import StampedCache, shells

SQUARE = '{"type": "Polygon", "coordinates": [[[3.830, 50.708], [3.841, 50.708], [3.841, 50.715], [3.830, 50.708]]]}'


def core_row(client, path: str, name: str) -> tuple[str, str]:
    """(units, vacant) shown for the core in the map's table of cores."""
    html = client.get(path).get_data(as_text=True)
    row = re.search(rf"</span> {re.escape(name)}</th>\s*<td[^>]*>(\d+)</td><td[^>]*>(\d+)</td>", html)
    assert row, f"no row for {name} in {path}"
    return row.group(1), row.group(2)


@pytest.fixture
def staff(make_user, commune, auth):
    user = make_user(role="staff", communes=[commune])
    auth.login(user.email)
    return user


@pytest.fixture
def committed(db, make_core, make_unit):
    """A core holding a vacant and an occupied unit, committed (the test's savepoint), so the cache applies."""
    core = make_core(name="Centre")
    units = [make_unit(status="vacant"), make_unit(status="occupied")]
    db.session.commit()
    return core, units


@pytest.mark.parametrize("path", ["/map", "/c/lessines/map"])
def test_a_second_view_comes_from_the_cache(client, committed, path):
    before = shells.builds
    assert core_row(client, path, "Centre") == ("2", "1")
    assert core_row(client, path, "Centre") == ("2", "1")
    assert shells.builds == before + 1


def test_a_status_change_shows_on_the_map_at_once(client, db, committed, staff):
    _, (vacant, occupied) = committed
    assert core_row(client, "/map", "Centre") == ("2", "1")
    response = client.post("/units/bulk-status", data={"unit_ids": [occupied.id], "status": "vacant", "reason": "x"})
    assert response.status_code == 302
    assert core_row(client, "/map", "Centre") == ("2", "2")
    assert core_row(client, "/c/lessines/map", "Centre") == ("2", "2")
    client.post("/units/bulk-status", data={"unit_ids": [vacant.id, occupied.id], "status": "popup", "reason": "x"})
    assert core_row(client, "/c/lessines/map", "Centre") == ("2", "0")


def test_a_changed_or_deleted_core_shows_on_the_map_at_once(client, db, committed, staff):
    core, _ = committed
    assert core_row(client, "/c/lessines/map", "Centre") == ("2", "1")
    response = client.post(f"/c/lessines/cores/{core.id}/edit", data={"name": "Cœur de ville", "geometry": SQUARE})
    assert response.status_code == 302
    html = client.get("/c/lessines/map").get_data(as_text=True)
    assert "</span> Cœur de ville</th>" in html and "</span> Centre</th>" not in html
    assert client.post(f"/c/lessines/cores/{core.id}/delete").status_code == 302
    html = client.get("/c/lessines/map").get_data(as_text=True)
    assert "</span> Cœur de ville</th>" not in html and f'<option value="{core.id}"' not in html


def test_an_archived_unit_leaves_the_figures(client, db, committed, staff):
    _, (vacant, _occupied) = committed
    assert core_row(client, "/map", "Centre") == ("2", "1")
    assert client.post(f"/units/{vacant.id}/archive").status_code == 302
    assert core_row(client, "/map", "Centre") == ("1", "0")


def test_changes_not_committed_yet_are_never_hidden_by_the_cache(client, db, committed, make_unit):
    assert core_row(client, "/map", "Centre") == ("2", "1")
    make_unit(status="vacant")  # flushed in the test's transaction, not committed
    assert core_row(client, "/map", "Centre") == ("3", "2")


def test_each_language_has_its_own_shell(client, committed):
    french = client.get("/map").get_data(as_text=True)
    client.post("/language", data={"lang": "en"})
    english = client.get("/map").get_data(as_text=True)
    # The texts the browser's unit layer shows come from the cached Folium script.
    assert '"units": "Cellules"' in french and '"units": "Units"' in english
    client.post("/language", data={"lang": "fr"})
    assert '"units": "Cellules"' in client.get("/map").get_data(as_text=True)


def test_only_committed_changes_of_watched_tables_renew_the_stamp(db, committed, make_user, make_unit):
    stamp = versions.current_stamp(db.session)
    make_user(role="owner")
    db.session.commit()
    assert versions.current_stamp(db.session) == stamp
    make_unit(status="vacant")
    db.session.rollback()  # the savepoint: nothing changed
    assert versions.current_stamp(db.session) == stamp
    make_unit(status="vacant")
    db.session.commit()
    assert versions.current_stamp(db.session) != stamp


def test_another_stamp_is_a_miss_and_old_entries_go(app, db, committed):
    cache = StampedCache(size=4)
    with app.test_request_context():
        assert cache.get_or_build(("k",), lambda: "first") == "first"
        assert cache.get_or_build(("k",), lambda: "second") == "first"
        db.session.execute(
            versions.update(versions.DataVersion.__table__).values(stamp=versions.new_stamp())
        )  # what another server's commit does
        assert cache.get_or_build(("k",), lambda: "third") == "third"
        assert len(cache._entries) == 1
