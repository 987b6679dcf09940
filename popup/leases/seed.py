"""The Lessines demo lease: five young businesses sharing one cell of the Grand-Place (idempotent)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from popup.auth.models import User
from popup.communes.models import Commune
from popup.extensions import db
from popup.leases import operations
from popup.leases.models import Lease
from popup.units.models import Unit
from popup.units.queries import local_today

UNIT = "LES-006"  # Grand-Place 9: a pop-up shop since 1 October 2026 (three-month agreement)
START, END = date(2026, 10, 1), date(2027, 1, 1)
# (email, area in m², entry, subsidised as a test-phase business)
TENANTS = (
    ("julie.carlier@demo.popup.example", 18, START, True),
    ("mehdi.bouazza@demo.popup.example", 14, START, True),
    ("aurelie.wauters@demo.popup.example", 12, START, False),
    ("lotte.vandamme@demo.popup.example", 10, date(2026, 10, 15), True),
    ("nathan.claes@demo.popup.example", 8, START, False),
)


def load_demo_lease(commune: Commune, users: dict[str, User]) -> int:
    """Create the demo lease if its unit and people exist and it is not there yet; returns how many were created."""
    unit = db.session.scalar(select(Unit).filter_by(commune_id=commune.id, external_id=UNIT))
    people = [users.get(email) for email, *_ in TENANTS]
    staff = users.get("staff@demo.popup.example")
    if unit is None or None in people or db.session.scalar(select(Lease.id).filter_by(unit_id=unit.id)) is not None:
        return 0
    lease = operations.create_lease(
        unit=unit,
        by=staff,
        starts_on=START,
        ends_on=END,
        rent_cents=89_000,
        charges_cents=12_000,
        deposit_cents=0,
        rent_method="area_days",
        charges_method="equal",
        subsidy_percent=50,
        language="fr",
    )
    for person, (_, area, entry_on, subsidised) in zip(people, TENANTS, strict=True):
        operations.add_tenant(
            lease, by=staff, entrepreneur=person, area_m2=area, entry_on=entry_on, subsidised=subsidised
        )
    operations.sign(lease, by=staff)
    operations.start(lease, by=staff, today=START)
    today = max(local_today(), date(2026, 10, 31))
    julie, mehdi = lease.tenants[0], lease.tenants[1]
    for tenant, cents, paid_on, reference in (
        (julie, 9_000, date(2026, 10, 5), "Loyer octobre"),
        (mehdi, 8_000, date(2026, 10, 7), "Loyer octobre"),
        (None, 40_000, date(2026, 10, 30), "Subside communal octobre"),
    ):
        operations.record_payment(
            lease, by=staff, tenant=tenant, amount_cents=cents, paid_on=paid_on, today=today, reference=reference
        )
    return 1
