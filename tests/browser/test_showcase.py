"""The public showcase of Lessines in a real browser: who is in the pop-up, offers, the calendar feed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_visitor_sees_the_pop_up_shops_and_subscribes_to_the_openings(page):
    page.goto("/c/lessines")
    section = page.locator('section[aria-labelledby="popup-title"]')
    expect(section.locator("h2")).to_have_count(1)
    shops = section.locator("article.showcase-shop")
    assert shops.count() >= 1
    first = shops.first
    expect(first.locator("h3")).to_have_count(1)
    expect(first.locator("table caption")).to_have_count(1)
    assert first.locator("tbody tr").count() >= 1
    # The demo's entrepreneurs have no public vitrine: they appear as businesses in test, never by name.
    text = section.inner_text()
    assert "Julie Carlier" not in text and "@" not in text and "€" not in text
    # The feed is a public calendar, reached from the page.
    link = section.locator('a[href="/c/lessines/openings.ics"]')
    expect(link).to_have_count(1)
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.text().startswith("BEGIN:VCALENDAR\r\n")
    assert page.problems == []


def test_offers_and_the_map_are_reachable_with_the_keyboard(page):
    page.goto("/c/lessines")
    offers = page.locator('section[aria-labelledby="offers-title"]')
    map_link = offers.locator('a[href="/c/lessines/map"]')
    expect(map_link).to_have_count(1)
    map_link.focus()
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert page.url.endswith("/c/lessines/map")
    assert page.problems == []
