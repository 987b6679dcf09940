"""Concurrent payments on one lease, through a real server, on both databases: none is lost.

The app here commits for real (no rolled-back test transaction): it serves
requests from werkzeug's threaded server on a free port, 20 clients post a
payment at the same moment, and the ledger must hold all 20 with a balance
equal to their sum. It cleans up after itself on PostGIS.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, func, select
from werkzeug.serving import make_server

from popup import create_app, geo
from popup.auth import operations as accounts
from popup.auth.models import User, staff_communes
from popup.communes.models import Commune
from popup.config import TestingConfig
from popup.extensions import db
from popup.leases import operations
from popup.leases.accounting import paid_by_payer
from popup.leases.models import Lease, LeasePayment, LeaseTenant
from popup.units.models import Unit, UnitStatusChange
from popup.units.operations import create_unit
from popup.units.queries import local_today

PASSWORD = "correct horse battery"
CLIENTS = 20


@pytest.fixture
def committed_app(backend, database_url, tmp_path):
    url = f"sqlite:///{tmp_path / 'payments.sqlite'}" if backend == "sqlite" else database_url
    config = TestingConfig(str(tmp_path / "instance"), database_url=url)
    config.WTF_CSRF_ENABLED = False
    app = create_app(config)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def running_lease(committed_app):
    """A running lease with one co-tenant, committed; removed afterwards."""
    tag = uuid.uuid4().hex[:8]
    today = local_today()
    with committed_app.app_context(), committed_app.test_request_context(method="POST"):
        commune = Commune(name=f"Concurrency {tag}", slug=f"conc-{tag}", centre=geo.point(3.8, 50.7))
        db.session.add(commune)
        db.session.flush()
        staff = accounts.create_user(
            email=f"staff-{tag}@example.org", name="Staff", password=PASSWORD, role="staff", communes=[commune]
        )
        julie = accounts.create_user(
            email=f"julie-{tag}@example.org", name="Julie", password=PASSWORD, role="entrepreneur"
        )
        unit = create_unit(commune=commune, address="Grand-Place 9", location=geo.point(3.8, 50.7))
        lease = operations.create_lease(
            unit=unit,
            by=staff,
            starts_on=today - timedelta(days=40),
            ends_on=today + timedelta(days=90),
            rent_cents=90_000,
        )
        operations.add_tenant(lease, by=staff, entrepreneur=julie, area_m2=20, entry_on=lease.starts_on)
        operations.sign(lease, by=staff)
        operations.start(lease, by=staff, today=today)
        db.session.commit()
        ids = {"lease": lease.id, "tenant": lease.tenants[0].id, "staff_email": staff.email}
        cleanup = {"commune": commune.id, "users": [staff.id, julie.id], "unit": unit.id}
    yield ids
    with committed_app.app_context(), committed_app.test_request_context(method="POST"):
        db.session.execute(delete(LeasePayment).where(LeasePayment.lease_id == ids["lease"]))
        db.session.execute(delete(LeaseTenant).where(LeaseTenant.lease_id == ids["lease"]))
        db.session.execute(delete(Lease).where(Lease.id == ids["lease"]))
        db.session.execute(delete(UnitStatusChange).where(UnitStatusChange.unit_id == cleanup["unit"]))
        db.session.execute(delete(Unit).where(Unit.id == cleanup["unit"]))
        db.session.execute(delete(staff_communes).where(staff_communes.c.commune_id == cleanup["commune"]))
        db.session.execute(delete(User).where(User.id.in_(cleanup["users"])))
        db.session.execute(delete(Commune).where(Commune.id == cleanup["commune"]))
        db.session.commit()


@pytest.fixture
def server(committed_app):
    httpd = make_server("127.0.0.1", 0, committed_app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)
    httpd.server_close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post(url: str, data: dict, cookie: str | None = None):
    """POST a form; returns (status, Set-Cookie header) without following redirects."""
    request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(), method="POST")  # noqa: S310 (our local server)
    if cookie:
        request.add_header("Cookie", cookie)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.headers.get("Set-Cookie")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Set-Cookie")


def test_twenty_concurrent_payments_are_all_recorded(committed_app, running_lease, server):
    status, set_cookie = post(f"{server}/login", {"email": running_lease["staff_email"], "password": PASSWORD})
    assert status == 302 and set_cookie
    cookie = set_cookie.split(";", 1)[0]
    today = local_today().isoformat()
    lease_id, tenant_id = running_lease["lease"], running_lease["tenant"]
    start = threading.Barrier(CLIENTS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def pay(n: int) -> None:
        try:
            start.wait()
            form = {"payer_id": tenant_id, "amount": f"{n},{n:02d}", "paid_on": today, "method": "transfer"}
            statuses.append(post(f"{server}/leases/{lease_id}/payments/new", form, cookie)[0])
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=pay, args=(n,)) for n in range(1, CLIENTS + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert statuses == [302] * CLIENTS
    expected = sum(n * 100 + n for n in range(1, CLIENTS + 1))
    with committed_app.app_context():
        count, total = db.session.execute(
            select(func.count(LeasePayment.id), func.sum(LeasePayment.amount_cents)).where(
                LeasePayment.lease_id == lease_id
            )
        ).one()
        assert (count, total) == (CLIENTS, expected)
        assert paid_by_payer(lease_id) == ({tenant_id: expected}, 0)
