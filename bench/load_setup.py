"""Accounts and things to apply to for the load test (bench/load.sh). Not part of the app.

Runs inside the app's context against $DATABASE_URL (the throwaway cluster of
bench/load.sh), after `flask db upgrade`, `popup seed-demo` and `popup synth`,
and goes through the app's own operations, as the views would:

- 120 entrepreneur accounts with a complete profile (business name and
  concept: what popup.applications.views._profile_ready asks for);
- 5 staff accounts of Lessines;
- published offers (with stands) on vacant demo units of Lessines, and an
  open call of Lessines with a deadline next month that lists the first ones;
- the ids of public units for the residents' unit pages.

Writes the credentials and ids to the JSON file given as argument
(bench/out/load-users.json). Run it again on the same database: it adds
nothing twice (accounts and the call are found by their e-mail and title).

    python bench/load_setup.py bench/out/load-users.json
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from popup import create_app
from popup.audit.recorder import acting_as
from popup.auth import operations as accounts
from popup.auth.models import User
from popup.calls import operations as calls
from popup.calls.models import Call
from popup.communes.models import Commune
from popup.extensions import db
from popup.offers import operations as offers
from popup.offers.models import Offer
from popup.profiles import operations as profiles
from popup.types import utcnow
from popup.units.models import Unit

ENTREPRENEURS = 120
STAFF = 5
OFFERS = 12  # on vacant demo units of Lessines
CALL_TITLE = "Appel à projets — test de charge"
PASSWORD = "load-test-password-2026"  # noqa: S105  (throwaway accounts of a throwaway database)
PUBLIC_UNIT_SAMPLE = 600
SECTORS = ("food", "fashion", "crafts", "services", "culture")


def _account(email: str, name: str, role: str, communes: list[Commune], password_hash: str | None) -> User:
    user = accounts.find_by_email(email)
    if user is None:
        user = accounts.create_user(email=email, name=name, password=PASSWORD, role=role, communes=communes)
    if password_hash is not None:
        # One production-strength hash (PBKDF2, 600,000 rounds) shared by the
        # throwaway accounts: hashing 125 of them one by one costs a minute of CPU.
        user.password_hash = password_hash
    return user


def _production_hash(app) -> str:
    probe = User(email="hash@load.invalid", name="hash", role="entrepreneur")
    probe.set_password(PASSWORD, app.config["PASSWORD_HASH_METHOD"])
    return probe.password_hash


def build(app) -> dict:
    lessines = db.session.execute(select(Commune).filter_by(slug="lessines")).scalar_one()
    password_hash = _production_hash(app)

    staff = []
    for n in range(1, STAFF + 1):
        email = f"staff{n:02d}@load.popup.example"
        _account(email, f"Agent de charge {n}", "staff", [lessines], password_hash)
        staff.append({"email": email, "password": PASSWORD})

    entrepreneurs = []
    for n in range(1, ENTREPRENEURS + 1):
        email = f"entrepreneur{n:03d}@load.popup.example"
        user = _account(email, f"Entrepreneur de charge {n}", "entrepreneur", [lessines], password_hash)
        profiles.save_profile(
            user,
            business_name=f"Boutique éphémère {n}",
            concept=f"Concept de test de charge n° {n}: vente de produits locaux.",
            sector=SECTORS[n % len(SECTORS)],
            area_min_m2=20.0,
            area_max_m2=120.0,
            budget_cents=80_000,
            test_months=3,
        )
        entrepreneurs.append({"email": email, "password": PASSWORD})

    today = date.today()
    by = db.session.execute(select(User).filter_by(email="staff@demo.popup.example")).scalar_one()
    vacant = db.session.scalars(
        select(Unit)
        .where(
            Unit.commune_id == lessines.id,
            Unit.status == "vacant",
            Unit.owner_id.is_not(None),
            Unit.archived_at.is_(None),
            Unit.approval == "approved",
        )
        .order_by(Unit.id)
    ).all()
    published = list(
        db.session.scalars(
            select(Offer).where(Offer.status == "published", Offer.title.like("Test de charge%")).order_by(Offer.id)
        )
    )
    for unit in vacant[len(published) : OFFERS]:
        offer = offers.create_offer(
            unit,
            by=by,
            stands=[("Stand A", 20.0), ("Stand B", 25.0), ("Stand C", 15.0)],
            title=f"Test de charge — {unit.address}",
            available_from=today + timedelta(days=14),
            available_until=today + timedelta(days=200),
            min_term_months=1,
            max_term_months=6,
            rent_cents=60_000,
            charges_cents=8_000,
            deposit_cents=60_000,
            conditions="Offre créée pour le test de charge.",
        )
        offers.publish_offer(offer, by=by, today=today)
        published.append(offer)

    call = db.session.execute(select(Call).filter_by(title=CALL_TITLE)).scalar_one_or_none()
    if call is None:
        deadline = utcnow().replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=31)
        call = calls.create_call(
            lessines,
            by=by,
            title=CALL_TITLE,
            description="Appel ouvert pour le test de charge.",
            deadline_at=deadline,
            starts_on=today + timedelta(days=45),
            ends_on=today + timedelta(days=135),
            offers=published[:4],
            jurors=[],
            criteria=[(None, "Concept", 3), (None, "Viabilité", 2)],
        )
        calls.open_call(call)

    unit_ids = list(
        db.session.scalars(
            select(Unit.id).where(Unit.archived_at.is_(None), Unit.approval == "approved").order_by(Unit.id)
        )
    )
    lessines_ids = list(
        db.session.scalars(
            select(Unit.id).where(
                Unit.commune_id == lessines.id, Unit.archived_at.is_(None), Unit.approval == "approved"
            )
        )
    )
    sample = random.Random(0).sample(unit_ids, min(PUBLIC_UNIT_SAMPLE, len(unit_ids)))
    return {
        "created_at": datetime.now().isoformat(timespec="seconds"),
        "commune": lessines.slug,
        "entrepreneurs": entrepreneurs,
        "staff": staff,
        "call_id": call.id,
        "offer_ids": [o.id for o in published],
        "public_unit_ids": sorted(set(sample) | set(lessines_ids)),
        "units_total": len(unit_ids),
    }


def _leases(data: dict) -> None:
    """The running leases of Lessines, for the Staff user to record payments on.

    The leases module (merged on main after this script was written) seeds a
    running demo lease in Lessines with `popup seed-demo`: its id goes to
    data["lease_ids"]. In a tree without the module, no lease: the Staff user
    skips payments with a note.
    """
    try:
        from popup.leases.models import Lease
    except ImportError:
        data["lease_ids"] = []
        data["leases_note"] = "popup.leases is not in this tree: no payments in the load test"
        return
    lessines = db.session.execute(select(Commune).filter_by(slug="lessines")).scalar_one()
    data["lease_ids"] = list(
        db.session.scalars(
            select(Lease.id)
            .join(Unit, Unit.id == Lease.unit_id)
            .where(Unit.commune_id == lessines.id, Lease.status == "running")
            .order_by(Lease.id)
        )
    )
    data["leases_note"] = f"running leases of Lessines: {data['lease_ids'] or 'none (seed-demo made none?)'}"


def main(out: str) -> None:
    app = create_app()
    with app.app_context(), acting_as("bench/load_setup.py"):
        data = build(app)
        _leases(data)
        db.session.commit()
    Path(out).write_text(json.dumps(data, indent=1, ensure_ascii=False))
    print(
        f"load_setup: {len(data['entrepreneurs'])} entrepreneurs, {len(data['staff'])} staff, "
        f"call {data['call_id']}, offers {data['offer_ids']}, {len(data['public_unit_ids'])} public unit ids "
        f"of {data['units_total']}; {data['leases_note']}; written to {out}"
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/out/load-users.json")
