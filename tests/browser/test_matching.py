"""Staff run the matching of the Lessines demo call in a real browser and accept a pair."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from popup.calls.models import Call
from popup.extensions import db
from popup.matching.models import MatchProposal

pytestmark = pytest.mark.browser

DEMO_CALL = "Boutique à l'essai Grand-Place 2027"


def demo_call_id(live_app) -> int:
    with live_app.app_context():
        return db.session.scalars(select(Call.id).filter_by(title=DEMO_CALL)).one()


def log_in(page, email, password):
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form").last.get_by_role("button").click()
    page.wait_for_load_state("load")


def test_staff_run_the_matching_and_accept_a_pair(page, live_app, demo_password):
    call_id = demo_call_id(live_app)
    log_in(page, "staff@demo.popup.example", demo_password)
    page.goto(f"/calls/{call_id}")
    page.locator(f"a[href='/calls/{call_id}/matching']").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/calls/{call_id}/matching")

    page.locator("#budget").fill("3")
    page.locator("#needs-0").select_option("food")
    page.locator("form.matching-settings #submit").click()
    page.wait_for_load_state("load")
    pairs = page.locator("tr.proposed-pair")
    expect(pairs.first).to_be_visible()
    # The reasons are written out, and the excluded restaurant is named as a hard rule.
    expect(page.locator(".pairs-table")).to_contain_text("m²")
    expect(page.locator("#unmatched-applications")).to_contain_text("Nathan")

    first = pairs.first
    row_id = first.get_attribute("id")  # pair-<application>-<stand>
    _, application_id, stand_id = row_id.split("-")
    first.locator("button.btn-success").click()
    page.wait_for_load_state("load")
    assert "/proposals/" in page.url
    expect(page.locator(".proposal-status-proposed")).to_be_visible()
    with live_app.app_context():
        proposal = db.session.scalars(
            select(MatchProposal).filter_by(application_id=int(application_id), stand_id=int(stand_id))
        ).one()
        assert proposal.status == "proposed"
    assert page.problems == []

    page.goto(f"/calls/{call_id}/matching")
    expect(page.locator(f"#{row_id}")).to_have_count(0)  # the pair is taken: the next run places the others
    expect(page.locator("#call-proposals")).to_be_visible()
