"""Leases in a real browser: staff create a lease with two co-tenants, read a statement, record a payment."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from popup.units.queries import local_today
from tests.browser.test_accessibility import violations
from tests.browser.test_inventory import log_in, settled

pytestmark = pytest.mark.browser


def month_start(offset: int) -> date:
    today = local_today()
    index = today.year * 12 + today.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


def submit(page, form_selector="main form"):
    with settled(page).expect_navigation(wait_until="load"):
        page.locator(f"{form_selector} [type=submit]").last.click()
    settled(page)


def test_staff_create_a_shared_lease_read_a_statement_and_record_a_payment(page, demo_password):
    log_in(page, demo_password)
    page.goto("/c/lessines/leases/new")
    assert violations(page) == []
    page.locator("#unit").select_option(label="Grand-Place 12, 7860 Lessines")
    page.locator("#starts_on").fill(month_start(0).isoformat())
    page.locator("#ends_on").fill(month_start(3).isoformat())
    page.locator("#rent").fill("900")
    page.locator("#charges").fill("150")
    page.locator("#rent_method").select_option("area")
    page.locator("#subsidy_percent").fill("50")
    submit(page)
    expect(page.locator("h1")).to_contain_text("Grand-Place 12")
    lease_url = page.url

    for name, area, subsidised in (("Julie Carlier", "30", True), ("Mehdi Bouazza", "20", False)):
        page.locator('a[href$="/tenants/new"]').click()
        settled(page)
        page.locator("#entrepreneur").select_option(label=name)
        page.locator("#area_m2").fill(area)
        if subsidised:
            page.locator("#subsidised").check()
        submit(page)
        expect(page.locator("#tenants")).to_contain_text(name)
    assert violations(page) == []

    submit(page, 'form[action$="/sign"]')
    expect(page.locator(".lease-status")).to_be_visible()

    page.locator("#months tbody th a").first.click()
    settled(page)
    julie = page.locator("table.statement-lines").first
    # 900 € by area 30:20 → 540 €; half of it subsidised by the commune; charges 75 € each.
    expect(julie.locator('[data-line="rent"]')).to_have_text(re.compile(r"540,00"))
    expect(julie.locator('[data-line="subsidy"]')).to_have_text(re.compile(r"-270,00"))
    expect(julie.locator('[data-line="due"]')).to_have_text(re.compile(r"345,00"))
    expect(page.locator('#owner-view [data-line="commune"]')).to_have_text(re.compile(r"270,00"))
    assert violations(page) == []

    page.goto(lease_url + "/payments/new")
    page.locator("#payer_id").select_option(label="Julie Carlier")
    page.locator("#amount").fill("345")
    page.locator("#reference").fill("Loyer")
    submit(page)
    expect(page.locator("#ledger")).to_contain_text("345,00")
    julie_balance = page.locator("#balances tr", has_text="Julie Carlier").locator("[data-paid]")
    expect(julie_balance).to_have_text(re.compile(r"345,00"))
    assert violations(page) == []
    assert page.problems == []
