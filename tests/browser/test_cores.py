"""Staff draw a commercial core by clicking on the map."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_staff_draws_a_core_with_three_clicks(page, demo_password):
    page.goto("/login")
    page.locator("#email").fill("staff@demo.popup.example")
    page.locator("#password").fill(demo_password)
    page.locator("form").last.get_by_role("button").click()
    page.wait_for_load_state("load")
    page.goto("/c/lessines/cores/new")
    box = page.locator("#core-map").bounding_box()
    for dx, dy in ((0.3, 0.3), (0.7, 0.3), (0.5, 0.7)):
        page.mouse.click(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
    geometry = page.locator("#geometry").input_value()
    assert '"type":"Polygon"' in geometry
    page.locator("#name").fill("Rue drawn in the browser")
    with page.expect_navigation():
        page.locator("#submit").click()
    expect(page.locator("table").first).to_contain_text("Rue drawn in the browser")
    assert page.problems == []
