"""Who may use what: every endpoint × every kind of user, for GET and every POST, in one table.

The table below is the expected outcome; the test walks the app's URL map, so
a new endpoint fails until it has its row. "Allowed" means the request
reaches the view (any answer but 401, 403, 404 or a detour to the login
page: an empty POST gets a form error, which is fine); "denied" means 401/403/
404, or the login page for anonymous visitors. Object ids in the URLs belong
to the first owner, entrepreneur and commune: the "other" users guess them
(IDOR). A second part sends form fields a role may not set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from popup import geo
from popup.applications.models import Application
from popup.coaching.operations import add_note, assign_coach
from popup.imports.operations import store_upload
from popup.leases.models import Lease, LeasePayment, LeaseTenant
from popup.matching.models import MatchProposal
from popup.notifications.operations import notify
from popup.offers.models import Stand
from popup.owners.operations import propose_unit
from popup.participation.operations import add_wish, submit_report
from popup.profiles.operations import replace_business_plan, set_photo
from popup.schedules.models import Booking, CalendarFeed, Rotation, RotationCandidate, SwapRequest
from popup.types import utcnow
from popup.units.models import Unit
from popup.uploads.operations import add_unit_photo
from popup.uploads.processing import process_image
from tests.conftest import PASSWORD
from tests.test_applications import PDF, make_application, make_call, make_offer, make_profile
from tests.test_profiles import png_bytes

ANON, OWNER, OTHER_OWNER, ENTR, OTHER_ENTR = "anonymous", "owner", "other_owner", "entrepreneur", "other_entrepreneur"
COACH, STAFF, OTHER_STAFF, ADMIN = "coach", "staff", "other_staff", "admin"
ROLES = (ANON, OWNER, OTHER_OWNER, ENTR, OTHER_ENTR, COACH, STAFF, OTHER_STAFF, ADMIN)

EVERYONE = frozenset(ROLES)
LOGGED_IN = EVERYONE - {ANON}
ANY_STAFF = frozenset({STAFF, OTHER_STAFF, ADMIN})
THIS_COMMUNE = frozenset({STAFF, ADMIN})  # staff of the objects' commune
ENTREPRENEURS = frozenset({ENTR, OTHER_ENTR})
OWNERS = frozenset({OWNER, OTHER_OWNER})
THE_OWNER = frozenset({OWNER, STAFF, ADMIN})  # the unit's owner or its commune's staff
APPLICATION_SIDE = frozenset({ENTR, OWNER, STAFF, ADMIN})  # applicant, the offer's owner, staff
LEASE_READERS = frozenset({OWNER, ENTR, STAFF, ADMIN})  # the lease's owner, a co-tenant, staff


@dataclass(frozen=True)
class Row:
    url: str
    get: frozenset[str] | None = None
    post: frozenset[str] | None = None
    post_data: tuple[tuple[str, str], ...] = ()  # when an empty form would be refused by the view itself


# endpoint -> where it is and who may use it; None: the method does not exist.
MATRIX: dict[str, Row] = {
    # public pages and the API
    "core.index": Row("/", get=EVERYONE),
    "core.healthz": Row("/healthz", get=EVERYONE),
    "core.set_language": Row("/language", post=EVERYONE),
    "vendor.file": Row("/vendor/leaflet/leaflet.js", get=EVERYONE),
    "communes.home": Row("/c/{slug}", get=EVERYONE),
    "communes.openings": Row("/c/{slug}/openings.ics", get=EVERYONE),
    "maps.overview": Row("/map", get=EVERYONE),
    "maps.commune": Row("/c/{slug}/map", get=EVERYONE),
    "api.units": Row("/api/v1/units?bbox=3.7,50.6,3.9,50.8", get=EVERYONE),
    "api.unit": Row("/api/v1/units/{unit}", get=EVERYONE),
    "api.cores": Row("/api/v1/cores", get=EVERYONE),
    "api.stats": Row("/api/v1/stats?commune={slug}", get=EVERYONE),
    "api.openapi": Row("/api/v1/openapi.json", get=EVERYONE),
    "units.detail": Row("/units/{unit}", get=EVERYONE),
    "uploads.image": Row("/images/{image_token}.{image_ext}", get=EVERYONE),
    "offers.index": Row("/offers", get=EVERYONE),
    "offers.detail": Row("/offers/{offer}", get=EVERYONE),
    "calls.index": Row("/calls", get=EVERYONE),
    "calls.detail": Row("/calls/{call}", get=EVERYONE),
    "profiles.vitrine": Row("/entrepreneurs/{entrepreneur}", get=EVERYONE),
    "profiles.photo": Row("/entrepreneurs/{entrepreneur}/photo", get=EVERYONE),
    # accounts
    "auth.login": Row("/login", get=EVERYONE, post=EVERYONE),
    "auth.register": Row("/register", get=EVERYONE, post=EVERYONE),
    "auth.request_reset": Row("/password-reset", get=EVERYONE, post=EVERYONE),
    "auth.reset_password": Row("/password-reset/not-a-valid-token", get=EVERYONE, post=EVERYONE),
    "auth.logout": Row("/logout", post=LOGGED_IN),
    "auth.account": Row("/account", get=LOGGED_IN),
    "auth.change_password": Row("/account/password", get=LOGGED_IN, post=LOGGED_IN),
    "auth.users": Row("/admin/users", get=frozenset({ADMIN})),
    "auth.create_user": Row("/admin/users/new", get=frozenset({ADMIN}), post=frozenset({ADMIN})),
    "notifications.index": Row("/notifications/", get=LOGGED_IN),
    "notifications.mark_read": Row("/notifications/read", post=LOGGED_IN),
    # staff: inventory, cores, imports, moderation, audit
    "units.index": Row("/units", get=ANY_STAFF),
    "units.create": Row("/units/new", get=ANY_STAFF, post=ANY_STAFF),
    "units.bulk_status": Row("/units/bulk-status", post=ANY_STAFF),
    "units.edit": Row("/units/{unit}/edit", get=THIS_COMMUNE, post=THIS_COMMUNE),
    "units.archive": Row("/units/{unit}/archive", post=THIS_COMMUNE),
    "communes.cores": Row("/c/{slug}/cores", get=THIS_COMMUNE),
    "communes.core_new": Row("/c/{slug}/cores/new", get=THIS_COMMUNE, post=THIS_COMMUNE),
    "communes.core_edit": Row("/c/{slug}/cores/{core}/edit", get=THIS_COMMUNE, post=THIS_COMMUNE),
    "communes.core_delete": Row("/c/{slug}/cores/{core}/delete", post=THIS_COMMUNE),
    "imports.upload": Row("/data/import", get=ANY_STAFF, post=ANY_STAFF),
    # An upload waiting for its column mapping is its uploader's only.
    "imports.mapping": Row("/data/import/{upload}", get=frozenset({STAFF}), post=frozenset({STAFF})),
    "imports.confirm": Row("/data/import/{upload}/confirm", post=frozenset({STAFF})),
    "imports.export_csv": Row("/data/export.csv", get=ANY_STAFF),
    "imports.export_geojson": Row("/data/export.geojson", get=ANY_STAFF),
    "owners.moderation": Row("/moderation/units", get=ANY_STAFF),
    "owners.approve": Row("/moderation/units/{pending_unit}/approve", post=THIS_COMMUNE),
    "owners.reject": Row("/moderation/units/{pending_unit}/reject", post=THIS_COMMUNE),
    "audit.index": Row("/audit", get=ANY_STAFF),
    # owners: their units, photos and offers
    "owners.units": Row("/my/units", get=OWNERS | {ADMIN}),
    "owners.propose_unit": Row("/my/units/new", get=OWNERS | {ADMIN}, post=OWNERS | {ADMIN}),
    "owners.edit_unit": Row("/my/units/{unit}/edit", get=frozenset({OWNER, ADMIN}), post=frozenset({OWNER, ADMIN})),
    "uploads.unit_photos": Row("/units/{unit}/photos", get=THE_OWNER, post=THE_OWNER),
    "uploads.update_alt_text": Row("/units/{unit}/photos/{image}/alt", post=THE_OWNER),
    "uploads.delete_photo": Row("/units/{unit}/photos/{image}/delete", post=THE_OWNER),
    "offers.create": Row("/my/units/{unit}/offers/new", get=THE_OWNER, post=THE_OWNER),
    "offers.mine": Row("/my/offers", get=OWNERS | ANY_STAFF),
    "offers.manage": Row("/my/offers/{offer}", get=THE_OWNER),
    "offers.edit": Row("/my/offers/{offer}/edit", get=THE_OWNER, post=THE_OWNER),
    "offers.publish": Row("/my/offers/{offer}/publish", post=THE_OWNER),
    "offers.close": Row("/my/offers/{offer}/close", post=THE_OWNER),
    # calls and the jury
    "calls.create": Row("/c/{slug}/calls/new", get=THIS_COMMUNE, post=THIS_COMMUNE),
    "calls.edit": Row("/calls/{call}/edit", get=THIS_COMMUNE, post=THIS_COMMUNE),
    "calls.open": Row("/calls/{call}/open", post=THIS_COMMUNE),
    "calls.close": Row("/calls/{call}/close", post=THIS_COMMUNE),
    "calls.jury": Row("/calls/{call}/jury", get=THIS_COMMUNE),
    "calls.score": Row("/calls/{call}/jury/{call_application}", post=THIS_COMMUNE),
    # entrepreneurs: profile, documents, applications
    "profiles.edit": Row("/my/profile", get=ENTREPRENEURS, post=ENTREPRENEURS),
    "profiles.documents": Row("/my/profile/documents", get=ENTREPRENEURS, post=ENTREPRENEURS),
    "profiles.delete_document": Row("/my/profile/documents/{document}/delete", post=frozenset({ENTR})),
    "profiles.document": Row("/documents/{document}", get=APPLICATION_SIDE),
    "applications.mine": Row("/my/applications", get=ENTREPRENEURS),
    "applications.apply_offer": Row("/offers/{offer}/apply", get=ENTREPRENEURS, post=ENTREPRENEURS),
    "applications.apply_call": Row("/calls/{call}/apply", get=ENTREPRENEURS, post=ENTREPRENEURS),
    "applications.detail": Row("/applications/{application}", get=APPLICATION_SIDE),
    "applications.edit": Row("/applications/{application}/edit", get=frozenset({ENTR}), post=frozenset({ENTR})),
    # The offer's owner reads the application but does not decide it. An unknown status
    # reaches the view (422) for those who may move it; the others are refused first.
    # matching and proposals
    "matching.screen": Row("/calls/{call}/matching", get=THIS_COMMUNE),
    "matching.run": Row("/calls/{call}/matching", post=THIS_COMMUNE),
    "matching.pair": Row("/calls/{call}/matching/pair", get=THIS_COMMUNE),
    "matching.propose": Row("/calls/{call}/matching/propose", post=THIS_COMMUNE),
    "matching.reject": Row("/calls/{call}/matching/reject", post=THIS_COMMUNE),
    "matching.proposal": Row("/proposals/{proposal}", get=frozenset({OWNER, ENTR, STAFF, ADMIN})),
    "matching.confirm": Row("/proposals/{proposal}/confirm", post=frozenset({OWNER, ENTR})),
    "matching.decline": Row("/proposals/{proposal}/decline", post=frozenset({OWNER, ENTR})),
    "matching.withdraw": Row("/proposals/{proposal}/withdraw", post=THIS_COMMUNE),
    "matching.mine": Row("/my/matches", get=OWNERS | ENTREPRENEURS),
    # leases, statements and the ledger
    "leases.index": Row("/leases/", get=LOGGED_IN),
    "leases.commune_index": Row("/c/{slug}/leases", get=THIS_COMMUNE),
    "leases.create": Row("/c/{slug}/leases/new", get=THIS_COMMUNE, post=THIS_COMMUNE),
    "leases.overdue": Row("/c/{slug}/leases/overdue", get=THIS_COMMUNE),
    "leases.subsidies": Row("/c/{slug}/leases/subsidies", get=THIS_COMMUNE),
    "leases.detail": Row("/leases/{lease}", get=LEASE_READERS),
    "leases.document": Row("/leases/{lease}/document", get=LEASE_READERS),
    "leases.payments": Row("/leases/{lease}/payments", get=LEASE_READERS),
    # a coach reads the statements of the co-tenants they coach
    "leases.statement": Row("/leases/{lease}/statements/{year}/{month}", get=LEASE_READERS | {COACH}),
    "leases.ledger_export": Row("/leases/{lease}/ledger.csv", get=THE_OWNER),
    "leases.payment_new": Row("/leases/{lease}/payments/new", get=THE_OWNER, post=THE_OWNER),
    "leases.payment_reverse": Row("/leases/{lease}/payments/{payment}/reverse", post=THE_OWNER),
    "leases.edit": Row("/leases/{lease}/edit", get=THIS_COMMUNE, post=THIS_COMMUNE),
    "leases.sign": Row("/leases/{lease}/sign", post=THIS_COMMUNE),
    "leases.start": Row("/leases/{lease}/start", post=THIS_COMMUNE),
    "leases.end": Row("/leases/{lease}/end", post=THIS_COMMUNE),
    "leases.terminate": Row("/leases/{lease}/terminate", get=THIS_COMMUNE, post=THIS_COMMUNE),
    "leases.tenant_new": Row("/leases/{lease}/tenants/new", get=THIS_COMMUNE, post=THIS_COMMUNE),
    "leases.tenant_edit": Row("/leases/{lease}/tenants/{tenant}/edit", get=THIS_COMMUNE, post=THIS_COMMUNE),
    "leases.tenant_remove": Row("/leases/{lease}/tenants/{tenant}/remove", post=THIS_COMMUNE),
    "leases.graduation": Row("/leases/{lease}/tenants/{tenant}/graduation", get=THIS_COMMUNE, post=THIS_COMMUNE),
    # rotations, bookings and calendars
    "schedules.index": Row("/rotations", get=ANY_STAFF),
    "schedules.create": Row("/offers/{offer}/rotations/new", get=THIS_COMMUNE, post=THIS_COMMUNE),
    "schedules.detail": Row("/rotations/{rotation}", get=THIS_COMMUNE),
    "schedules.calendar": Row("/rotations/{rotation}/calendar", get=THIS_COMMUNE),
    "schedules.plan": Row("/rotations/{rotation}/plan", post=THIS_COMMUNE),
    "schedules.accept": Row("/rotations/{rotation}/accept", post=THIS_COMMUNE),
    "schedules.add_candidate": Row("/rotations/{rotation}/candidates", post=THIS_COMMUNE),
    "schedules.remove_candidate": Row("/rotations/{rotation}/candidates/{candidate}/remove", post=THIS_COMMUNE),
    "schedules.add_booking": Row("/rotations/{rotation}/bookings", post=THIS_COMMUNE),
    "schedules.edit_booking": Row("/rotations/{rotation}/bookings/{booking}/edit", get=THIS_COMMUNE, post=THIS_COMMUNE),
    "schedules.free_booking": Row("/rotations/{rotation}/bookings/{booking}/free", post=THIS_COMMUNE),
    "schedules.swap": Row("/rotations/{rotation}/swap", post=THIS_COMMUNE),
    "schedules.decide_swap": Row("/rotations/{rotation}/swaps/{swap}/decide", post=THIS_COMMUNE),
    "schedules.reset_rotation_feed": Row("/rotations/{rotation}/feed", post=THIS_COMMUNE),
    "schedules.my_calendar": Row("/my/calendar", get=ENTREPRENEURS),
    "schedules.reset_my_feed": Row("/my/calendar/feed", post=ENTREPRENEURS),
    "schedules.request_swap": Row("/my/bookings/{booking}/swap", post=frozenset({ENTR})),
    "schedules.feed": Row("/ics/{feed}.ics", get=EVERYONE),  # the secret address is the key
    "schedules.set_lease": Row("/rotations/{rotation}/lease", post=THIS_COMMUNE),
    # personal data
    "privacy.data": Row("/account/data", get=LOGGED_IN),
    "privacy.download": Row("/account/data.zip", get=LOGGED_IN),
    "privacy.erase": Row("/account/erase", get=LOGGED_IN, post=LOGGED_IN),
    # dashboard and coaching
    "dashboard.index": Row("/c/{slug}/dashboard", get=THIS_COMMUNE),
    "dashboard.csv": Row("/c/{slug}/dashboard/status.csv", get=THIS_COMMUNE),
    "coaching.commune": Row("/c/{slug}/coaching", get=THIS_COMMUNE, post=THIS_COMMUNE),
    "coaching.end": Row("/c/{slug}/coaching/{assignment}/end", post=THIS_COMMUNE),
    "coaching.mine": Row("/coaching", get=frozenset({COACH})),
    "coaching.detail": Row("/coaching/{assignment}", get=frozenset({COACH, STAFF, ADMIN})),
    "coaching.add_note": Row("/coaching/{assignment}/notes", post=frozenset({COACH})),
    "coaching.edit_note": Row("/coaching/notes/{note}/edit", get=frozenset({COACH}), post=frozenset({COACH})),
    "coaching.my_notes": Row("/my/coaching", get=ENTREPRENEURS),
    # residents and open data
    "participation.report": Row("/c/{slug}/report", get=EVERYONE, post=EVERYONE),
    "participation.reports": Row("/c/{slug}/reports", get=THIS_COMMUNE),
    "participation.report_photo": Row("/c/{slug}/reports/{report}/photo", get=THIS_COMMUNE),
    "participation.accept": Row("/c/{slug}/reports/{report}/accept", post=THIS_COMMUNE),
    "participation.reject": Row("/c/{slug}/reports/{report}/reject", post=THIS_COMMUNE),
    "participation.wishes": Row("/c/{slug}/wishes", get=EVERYONE),
    "participation.wish": Row("/units/{unit}/wish", get=EVERYONE, post=EVERYONE),
    "participation.hide_wish": Row("/wishes/{wish}/hide", post=THIS_COMMUNE),
    "opendata.index": Row("/c/{slug}/open-data", get=EVERYONE),
    "opendata.units": Row("/c/{slug}/open-data/units.csv", get=EVERYONE),
    "opendata.vacancy": Row("/c/{slug}/open-data/vacancy-monthly.geojson", get=EVERYONE),
    "applications.transition": Row(
        "/applications/{application}/status",
        post=APPLICATION_SIDE - {OWNER},
        post_data=(("status", "no-such-status"),),
    ),
}

SKIPPED_ENDPOINTS = {"static", "bootstrap.static"}


@pytest.fixture
def world(app, db, commune, make_commune, make_user, make_unit, make_core):
    """Two communes and one user of each kind; the objects belong to the first ones."""
    lessines = commune
    ath = make_commune(name="Ath", slug="ath", centre=geo.point(3.7786, 50.6298))
    users = {
        OWNER: make_user(role="owner"),
        OTHER_OWNER: make_user(role="owner"),
        ENTR: make_user(role="entrepreneur"),
        OTHER_ENTR: make_user(role="entrepreneur"),
        COACH: make_user(role="coach"),
        STAFF: make_user(role="staff", communes=[lessines]),
        OTHER_STAFF: make_user(role="staff", communes=[ath]),
        ADMIN: make_user(role="admin"),
    }
    unit = make_unit(commune=lessines, owner=users[OWNER])
    make_unit(commune=ath, owner=users[OTHER_OWNER], lon=3.7786, lat=50.6298)
    core = make_core(commune=lessines)
    with app.test_request_context():  # notifications build links
        pending = propose_unit(
            users[OWNER], lessines, address="Rue d'Ath 4, 7860 Lessines", location=geo.point(3.836, 50.712)
        )
        image = add_unit_photo(unit, png_bytes(), alt_text="Vitrine", by=users[OWNER])
        offer = make_offer(db, unit, users[OWNER], available_from=utcnow().date() + timedelta(days=30))
        call = make_call(db, lessines)
        profile = make_profile(db, users[ENTR], public_name="Le Fournil de Julie")
        make_profile(db, users[OTHER_ENTR])
        set_photo(profile, process_image(png_bytes()), alt_text="Julie", by=users[ENTR])
        document = replace_business_plan(users[ENTR], PDF, "plan.pdf")
        application = make_application(db, users[ENTR], offer=offer, status="submitted")
        call_application = make_application(db, users[ENTR], call=call, status="submitted")
        upload = store_upload(lessines, users[STAFF], "units.csv", b"adresse;statut\nRue 1;vide\n")
        for user in users.values():
            notify(user, "welcome", email=False)
        stand = Stand(offer_id=offer.id, label="A", area_m2=12)
        db.session.add(stand)
        call.offers.append(offer)
        db.session.flush()
        proposal = MatchProposal(call=call, application=call_application, stand=stand, proposed_by=users[STAFF])
        db.session.add(proposal)
        today = utcnow().date()
        lease = Lease(
            commune_id=lessines.id,
            unit_id=unit.id,
            owner_id=users[OWNER].id,
            offer_id=offer.id,
            starts_on=today - timedelta(days=40),
            ends_on=today + timedelta(days=150),
            rent_cents=60000,
            status="running",
        )
        tenant = LeaseTenant(entrepreneur=users[ENTR], stand=stand, area_m2=12, entry_on=lease.starts_on)
        lease.tenants.append(tenant)
        db.session.add(lease)
        db.session.flush()
        payment = LeasePayment(
            lease_id=lease.id, tenant_id=tenant.id, amount_cents=10000, paid_on=today, recorded_by_id=users[STAFF].id
        )
        other_stand = Stand(offer_id=offer.id, label="B", area_m2=10, position=1)
        rotation = Rotation(offer_id=offer.id, title="Rotation", starts_on=today, ends_on=today + timedelta(days=70))
        db.session.add_all([payment, other_stand, rotation])
        db.session.flush()
        candidate = RotationCandidate(rotation_id=rotation.id, entrepreneur_id=users[ENTR].id, sector="food")
        booking = Booking(
            rotation_id=rotation.id,
            stand_id=stand.id,
            entrepreneur_id=users[ENTR].id,
            starts_on=today + timedelta(days=7),
            ends_on=today + timedelta(days=21),
        )
        other_booking = Booking(
            rotation_id=rotation.id,
            stand_id=other_stand.id,
            entrepreneur_id=users[OTHER_ENTR].id,
            starts_on=today + timedelta(days=7),
            ends_on=today + timedelta(days=21),
        )
        db.session.add_all([candidate, booking, other_booking])
        db.session.flush()
        swap = SwapRequest(
            rotation_id=rotation.id,
            booking_id=booking.id,
            other_booking_id=other_booking.id,
            requested_by_id=users[ENTR].id,
        )
        feed = CalendarFeed(token="matrix-feed-token-0123456789abcdef", user_id=users[ENTR].id)
        db.session.add_all([swap, feed])
        assignment = assign_coach(lessines, users[COACH], users[ENTR], utcnow().date(), by=users[STAFF])
        note = add_note(assignment, users[COACH], utcnow().date(), "Premier rendez-vous", None)
        report, _joined = submit_report(
            lessines, address="Rue d'Ath 20, 7860 Lessines", lon=3.8362, lat=50.7135, photo=process_image(png_bytes())
        )
        wish = add_wish(
            unit, voter_key=f"user:{users[OTHER_ENTR].id}", sector="food", text="Du pain", user=users[OTHER_ENTR]
        )
    db.session.flush()
    ids = {
        "slug": lessines.slug,
        "unit": unit.id,
        "pending_unit": pending.id,
        "core": core.id,
        "image": image.id,
        "image_token": image.token,
        "image_ext": "png" if image.content_type == "image/png" else "jpg",
        "offer": offer.id,
        "call": call.id,
        "entrepreneur": users[ENTR].id,
        "document": document.token,
        "application": application.id,
        "call_application": call_application.id,
        "upload": upload.id,
        "assignment": assignment.id,
        "note": note.id,
        "report": report.id,
        "wish": wish.id,
        "proposal": proposal.id,
        "lease": lease.id,
        "tenant": tenant.id,
        "payment": payment.id,
        "year": today.year,
        "month": today.month,
        "rotation": rotation.id,
        "candidate": candidate.id,
        "booking": booking.id,
        "swap": swap.id,
        "feed": feed.token,
    }
    return SimpleNamespace(users=users, ids=ids)


def _denied(role: str, response) -> bool:
    if role == ANON and response.status_code == 302:
        return response.headers["Location"].startswith("/login")
    return response.status_code in (401, 403, 404)


def _check(clients, login, db, world, endpoint: str) -> list[str]:
    row = MATRIX[endpoint]
    url = row.url.format(**world.ids)
    problems = []
    for role in ROLES:
        for method, allowed in (("GET", row.get), ("POST", row.post)):
            if allowed is None:
                continue
            # Each try starts from the same data: what one role deletes, the next still finds.
            attempt = db.session.begin_nested()
            db.session.execute(select(1))  # the SAVEPOINT is lazy: take it before the request
            client = clients[role]
            response = client.get(url) if method == "GET" else client.post(url, data=dict(row.post_data))
            response.close()
            denied = _denied(role, response)
            if role in allowed and denied:
                problems.append(f"{method} {url} as {role}: refused ({response.status_code})")
            if role not in allowed and not denied:
                problems.append(f"{method} {url} as {role}: let through ({response.status_code})")
            attempt.rollback()
            if endpoint.startswith("auth.") and role != ANON:
                login(role)  # logging out or in again changed this client's session
    return problems


def test_every_endpoint_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - SKIPPED_ENDPOINTS
    assert sorted(endpoints - set(MATRIX)) == [], "add the new endpoints to MATRIX"
    assert sorted(set(MATRIX) - endpoints) == [], "remove the endpoints that no longer exist"


def test_the_matrix_knows_every_method(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED_ENDPOINTS or rule.endpoint not in MATRIX:
            continue
        row = MATRIX[rule.endpoint]
        assert ("GET" in rule.methods) == (row.get is not None), rule.endpoint
        assert ("POST" in rule.methods) == (row.post is not None), rule.endpoint


def test_who_may_use_each_endpoint(app, db, world):
    # One world and one logged-in client per role for the whole table (each try is
    # rolled back): building the world per endpoint, or logging in per request, cost minutes.
    clients = {role: app.test_client() for role in ROLES}

    def login(role: str) -> None:
        response = clients[role].post("/login", data={"email": world.users[role].email, "password": PASSWORD})
        assert response.status_code == 302, role

    for role in ROLES:
        if role != ANON:
            login(role)
    problems = [problem for endpoint in sorted(MATRIX) for problem in _check(clients, login, db, world, endpoint)]
    assert problems == []


# -- fields a role may not set ---------------------------------------------------


def test_an_owner_cannot_set_status_owner_or_approval_through_their_form(client, auth, world, db):
    unit_id = world.ids["unit"]
    auth.login(world.users[OWNER].email)
    client.post(
        f"/my/units/{unit_id}/edit",
        data={
            "address": "Rue de Grammont 8, 7860 Lessines",
            "latitude": "50.7117",
            "longitude": "3.8357",
            "status": "popup",
            "owner_id": str(world.users[OTHER_OWNER].id),
            "approval": "rejected",
            "commune_id": "999",
        },
    )
    db.session.expire_all()
    unit = db.session.get(Unit, unit_id)
    assert (unit.status, unit.owner_id, unit.approval) == ("vacant", world.users[OWNER].id, "approved")


def test_an_applicant_cannot_accept_their_own_application_or_apply_as_someone_else(client, auth, world, db):
    auth.login(world.users[ENTR].email)
    application_id = world.ids["application"]
    client.post(f"/applications/{application_id}/edit", data={"motivation": "Encore", "status": "accepted"})
    client.post(f"/applications/{application_id}/status", data={"status": "accepted"})
    db.session.expire_all()
    assert db.session.get(Application, application_id).status in ("draft", "submitted")

    auth.logout()
    auth.login(world.users[OTHER_ENTR].email)
    client.post(
        f"/calls/{world.ids['call']}/apply",
        data={
            "motivation": "Moi",
            "submit_now": "y",
            "entrepreneur_id": str(world.users[ENTR].id),
            "status": "accepted",
        },
    )
    mine = db.session.scalars(
        select(Application).where(Application.call_id == world.ids["call"]).order_by(Application.id)
    ).all()
    assert {a.entrepreneur_id for a in mine} == {world.users[ENTR].id, world.users[OTHER_ENTR].id}
    assert all(a.status != "accepted" for a in mine)
