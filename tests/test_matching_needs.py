"""Residents' wishes feed the local needs the matching scores against."""

from __future__ import annotations

from popup.matching import queries
from popup.participation.operations import add_wish
from tests.test_applications import make_call


def test_wished_and_lacking_sectors_follow_the_staff_list(app, db, commune, make_unit, make_user, auth, client):
    call = make_call(db, commune, local_needs=["crafts"])
    assert queries.local_needs(call) == ("crafts",)
    unit = make_unit(status="vacant")
    for n in range(3):
        add_wish(unit, voter_key=f"cookie:{n}", sector="food")
    add_wish(unit, voter_key="cookie:x", sector="crafts")
    assert queries.residents_needs(call)[0] == "food"
    assert queries.local_needs(call)[:2] == ("crafts", "food")  # staff first, each sector once
    assert queries.staff_needs(call) == ("crafts",)  # the staff's form is not filled with the wishes

    auth.login(make_user(role="staff", communes=[commune]).email)
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/calls/{call.id}/matching").get_data(as_text=True)
    assert "from residents&#39; wishes" in page or "from residents' wishes" in page
