"""The whole path in a real browser, one context per party.

An owner registers, proposes a unit with a photo, staff approve it, the owner
publishes an offer, an entrepreneur registers, fills in the profile and
applies, staff shortlist then accept; each party sees their own notifications.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale
from PIL import Image as PILImage
from playwright.sync_api import expect
from sqlalchemy import select

from popup.auth.models import User
from popup.extensions import db
from popup.labels import application_status_label
from popup.notifications.texts import texts
from tests.browser.conftest import open_page

pytestmark = pytest.mark.browser

STAFF_EMAIL = "staff@demo.popup.example"
PASSWORD = "Pop-up shops 2025!"
INSIDE_LESSINES = ("50.7117", "3.8370")  # latitude, longitude typed in the unit form


# -- one browser context per party ----------------------------------------------


@pytest.fixture
def new_page(browser, live_server):
    """Open as many pages as there are parties, each in its own context; closed at the end."""
    contexts = []

    def make():
        context, page = open_page(browser, live_server, record_dialogs=True)
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()


# -- helpers ------------------------------------------------------------------------


def settled(page):
    """Let the page finish loading, favicon included, before leaving it."""
    page.wait_for_load_state("networkidle")
    return page


def submit(page, button):
    """Click a form's button, wait until the page it leads to has loaded; return that page's path."""
    with page.expect_navigation(wait_until="load") as navigation:
        button.click()
    response = navigation.value
    assert response.ok, f"{response.url} answered {response.status}"
    settled(page)
    return urlsplit(page.url).path


def go(page, path: str):
    response = page.goto(path)
    assert response.ok, f"{path} answered {response.status}"
    return settled(page)


def register(page, *, name: str, email: str, role: str) -> None:
    go(page, "/register")
    page.locator("#name").fill(name)
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").fill(PASSWORD)
    page.locator("#role").select_option(role)
    page.locator("#language").select_option("fr")
    assert submit(page, page.locator("form:has(#confirm) [type=submit]")) == "/account"


def log_in(page, email: str, password: str) -> None:
    go(page, "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    assert submit(page, page.locator("form:has(#password) [type=submit]")) == "/account"


def notification_title(app, email: str, kind: str, **params) -> str:
    """The title of a notification as its recipient reads it (in their language, from today's catalog)."""
    with app.app_context():
        language = db.session.scalar(select(User.language).where(User.email == email))
    with app.test_request_context():
        return texts(kind, params, language)[0]


def french_status(app, code: str) -> str:
    with app.test_request_context(), force_locale("fr"):
        return application_status_label(code)


def notifications_linking_to(page, link: str):
    """The items of /notifications/ whose "Open" link leads to ``link``."""
    go(page, "/notifications/")
    return page.locator("main li.list-group-item").filter(has=page.locator(f'a[href="{link}"]'))


def unread_badge(page):
    return page.locator('header a[href="/notifications/"] .badge')


def small_jpeg(path):
    PILImage.new("RGB", (64, 48), (200, 120, 40)).save(path, "JPEG")
    return path


def assert_clean(page, party: str) -> None:
    settled(page)
    assert page.problems == [], f"the {party}'s pages had problems:\n" + "\n".join(map(str, page.problems))
    assert page.dialogs == [], f"the {party} saw JavaScript dialogs: {page.dialogs}"


# -- the test -----------------------------------------------------------------------


def test_owner_staff_and_entrepreneur_walk_the_whole_path(new_page, live_app, demo_password, tmp_path):
    run = uuid.uuid4().hex[:8]
    owner_email = f"owner-{run}@example.org"
    entrepreneur_email = f"entrepreneur-{run}@example.org"
    address = f"Rue des Tanneurs {run}, 7860 Lessines"
    offer_title = f"Boutique partagée {run}"
    owner, staff, entrepreneur = new_page(), new_page(), new_page()

    # The owner registers and proposes a unit in Lessines, typing its position.
    register(owner, name=f"Odile Propriétaire {run}", email=owner_email, role="owner")
    go(owner, "/my/units/new")
    expect(owner.locator("#unit-form-map.leaflet-container")).to_be_visible()
    owner.locator("#commune").select_option(label="Lessines")
    owner.locator("#address").fill(address)
    owner.locator("#latitude").fill(INSIDE_LESSINES[0])
    owner.locator("#longitude").fill(INSIDE_LESSINES[1])
    expect(owner.locator("#unit-form-map .leaflet-marker-icon")).to_have_count(1)  # typing placed the marker
    owner.locator("#floor_area_m2").fill("80")
    owner.locator("#frontage_m").fill("6")
    owner.locator("#has_shop_window").check()
    owner.locator("#public_description").fill("Une cellule lumineuse près de la Grand-Place.")
    owner.locator("#asking_rent").fill("950")
    assert submit(owner, owner.locator("form.unit-form #submit")) == "/my/units"
    row = owner.locator("table.owner-units tbody tr[data-unit-id]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(address)
    expect(row.locator(".approval-badge")).to_have_class(re.compile(r"\bapproval-pending\b"))
    unit_id = int(row.get_attribute("data-unit-id"))

    # ... and adds a photo with its text alternative.
    go(owner, f"/units/{unit_id}/photos")
    owner.locator("#photo").set_input_files(small_jpeg(tmp_path / "vitrine.jpg"))
    owner.locator("#alt_text").fill("La vitrine vue depuis la rue")
    assert submit(owner, owner.locator("form[enctype='multipart/form-data'] #submit")) == f"/units/{unit_id}/photos"
    photo = owner.locator("ul.photo-manage li[data-image-id] img")
    expect(photo).to_have_count(1)
    expect(photo).to_have_attribute("alt", "La vitrine vue depuis la rue")
    expect(unread_badge(owner)).to_have_count(0)  # nothing decided yet

    # Staff approve the unit.
    log_in(staff, STAFF_EMAIL, demo_password)
    go(staff, "/moderation/units")
    item = staff.locator(f'section.moderation-item[data-unit-id="{unit_id}"]')
    expect(item).to_contain_text(address)
    expect(item).to_contain_text(owner_email)
    assert submit(staff, item.locator("form[action$='/approve'] [type=submit]")) == "/moderation/units"
    expect(staff.locator(f'section.moderation-item[data-unit-id="{unit_id}"]')).to_have_count(0)

    # The owner is told, in the list and by the header's badge.
    approved = notifications_linking_to(owner, f"/units/{unit_id}")
    expect(approved).to_have_count(1)
    expect(approved).to_contain_text(notification_title(live_app, owner_email, "unit_approved"))
    expect(unread_badge(owner)).to_have_text(re.compile(r"^\s*1\b"))
    go(owner, "/my/units")
    expect(owner.locator(f'tr[data-unit-id="{unit_id}"] .approval-badge')).to_have_class(
        re.compile(r"\bapproval-approved\b")
    )

    # The owner writes an offer on the unit and publishes it.
    go(owner, f"/my/units/{unit_id}/offers/new")
    today = date.today()
    owner.locator("#title").fill(offer_title)
    owner.locator("#available_from").fill(today.isoformat())
    owner.locator("#available_until").fill((today + timedelta(days=120)).isoformat())
    owner.locator("#min_term_months").fill("2")
    owner.locator("#max_term_months").fill("4")
    owner.locator("#rent").fill("900")
    owner.locator("#charges").fill("120")
    owner.locator("#deposit").fill("1800")
    owner.locator("#stand_count").fill("2")
    expect(owner.locator("[data-stand-rows] [data-stand-row]")).to_have_count(2)  # the script added a line
    owner.locator("#stands-0-label").fill("Coin vitrine")
    owner.locator("#stands-0-area_m2").fill("30")
    owner.locator("#stands-1-label").fill("Fond de boutique")
    owner.locator("#stands-1-area_m2").fill("25")
    for day in (2, 4, 5):  # Wednesday, Friday, Saturday
        owner.locator(f"#opening_days-{day}").check()
    owner.locator("#conditions").fill("Assurance en responsabilité civile exigée.")
    manage_path = submit(owner, owner.locator("form.offer-form #submit"))
    match = re.fullmatch(r"/my/offers/(\d+)", manage_path)
    assert match, manage_path
    offer_id = int(match.group(1))
    expect(owner.locator(".offer-status")).to_have_class(re.compile(r"\boffer-draft\b"))
    assert submit(owner, owner.locator("form[action$='/publish'] [type=submit]")) == manage_path
    expect(owner.locator(".offer-status")).to_have_class(re.compile(r"\boffer-published\b"))
    expect(owner.locator(f'a[href="/offers/{offer_id}"]')).to_be_visible()  # "as the public sees it"

    # The entrepreneur registers and fills in the profile.
    register(entrepreneur, name=f"Elsa Entreprend {run}", email=entrepreneur_email, role="entrepreneur")
    go(entrepreneur, "/my/profile")
    entrepreneur.locator("#business_name").fill(f"Atelier Céramique {run}")
    entrepreneur.locator("#sector").select_option("crafts")
    entrepreneur.locator("#concept").fill("Des bols et des tasses tournés à Lessines, vendus là où ils sont faits.")
    entrepreneur.locator("#area_min_m2").fill("20")
    entrepreneur.locator("#area_max_m2").fill("40")
    entrepreneur.locator("#budget").fill("450")
    entrepreneur.locator("#wanted_start_on").fill((today + timedelta(days=30)).isoformat())
    entrepreneur.locator("#test_months").fill("3")
    for day in (4, 5):
        entrepreneur.locator(f"#opening_days-{day}").check()
    assert submit(entrepreneur, entrepreneur.locator("form.profile-form #submit")) == "/my/profile"
    expect(entrepreneur.locator("#business_name")).to_have_value(f"Atelier Céramique {run}")
    expect(entrepreneur.locator("#sector")).to_have_value("crafts")

    # The offer is on the public list; the entrepreneur opens it and applies.
    go(entrepreneur, "/offers")
    listed = entrepreneur.locator(f'ul.offer-list li[data-offer-id="{offer_id}"]')
    expect(listed).to_contain_text(offer_title)
    expect(listed).to_contain_text("900")
    assert submit(entrepreneur, listed.locator(f'a[href="/offers/{offer_id}"]')) == f"/offers/{offer_id}"
    expect(entrepreneur.locator("ul.photo-gallery img")).to_have_attribute("alt", "La vitrine vue depuis la rue")
    apply_path = f"/offers/{offer_id}/apply"
    assert submit(entrepreneur, entrepreneur.locator(f'main a[href="{apply_path}"]')) == apply_path
    entrepreneur.locator("#motivation").fill("Tester la vente en boutique avant d'ouvrir un atelier à l'année.")
    application_path = submit(entrepreneur, entrepreneur.locator("#submit_now"))
    assert re.fullmatch(r"/applications/\d+", application_path), application_path
    status = entrepreneur.locator("main .application-status")
    expect(status).to_have_class(re.compile(r"\bapplication-status-submitted\b"))

    # The owner hears of the application; so do the staff, who open it from their notification.
    on_offer = notifications_linking_to(owner, application_path)
    expect(on_offer).to_have_count(1)
    expect(on_offer).to_contain_text(notification_title(live_app, owner_email, "offer_application", title=offer_title))
    expect(unread_badge(owner)).to_have_text(re.compile(r"^\s*2\b"))

    submitted = notifications_linking_to(staff, application_path)
    expect(submitted).to_have_count(1)
    expect(submitted).to_contain_text(
        notification_title(live_app, STAFF_EMAIL, "application_submitted", title=offer_title)
    )
    expect(unread_badge(staff)).to_be_visible()
    assert submit(staff, submitted.locator(f'a[href="{application_path}"]')) == application_path

    # Staff shortlist the application, then accept it.
    for target in ("shortlisted", "accepted"):
        button = staff.locator(f"form[action$='/status'] button[name=status][value={target}]")
        assert submit(staff, button) == application_path
        expect(staff.locator("main .application-status")).to_have_class(re.compile(rf"\bapplication-status-{target}\b"))

    # The entrepreneur reads both decisions and sees the application accepted, in French.
    decisions = notifications_linking_to(entrepreneur, application_path)
    expect(decisions).to_have_count(2)
    for target in ("shortlisted", "accepted"):
        title = notification_title(live_app, entrepreneur_email, "application_status", status=target)
        expect(decisions.filter(has_text=title)).to_have_count(1)
    expect(unread_badge(entrepreneur)).to_have_text(re.compile(r"^\s*2\b"))
    go(entrepreneur, application_path)
    expect(status).to_have_class(re.compile(r"\bapplication-status-accepted\b"))
    expect(status).to_have_text(french_status(live_app, "accepted"))

    for page, party in ((owner, "owner"), (staff, "staff"), (entrepreneur, "entrepreneur")):
        assert_clean(page, party)
