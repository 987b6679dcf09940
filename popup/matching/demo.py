"""The Lessines demo of matching: a shared shop of five stands, its call and five applications (idempotent)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from popup.applications.models import Application, ApplicationEvent, EntrepreneurProfile
from popup.auth.models import User
from popup.calls.models import Call, Criterion
from popup.communes.models import Commune
from popup.extensions import db
from popup.offers.models import Offer, Stand
from popup.units.models import Unit

DEMO_FILE = Path(__file__).resolve().parents[2] / "seed_data" / "lessines-matching.json"


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def load_call_demo(commune: Commune, users: dict[str, User], path: Path = DEMO_FILE) -> bool:
    """Create the demo call with its offer and applications unless the call exists; True when created."""
    if not path.exists():
        return False
    data = json.loads(path.read_text(encoding="utf-8"))
    c = data["call"]
    if db.session.scalars(select(Call.id).filter_by(commune_id=commune.id, title=c["title"])).first() is not None:
        return False
    o = data["offer"]
    unit = db.session.scalars(select(Unit).filter_by(commune_id=commune.id, external_id=o["unit"])).one()
    offer = Offer(
        unit=unit,
        owner=unit.owner,
        title=o["title"],
        status="published",
        available_from=_day(o["available_from"]),
        available_until=_day(o.get("available_until")),
        min_term_months=o["min_term_months"],
        max_term_months=o["max_term_months"],
        rent_cents=o["rent_cents"],
        charges_cents=o.get("charges_cents", 0),
        allowed_sectors=o.get("allowed_sectors", []),
        excluded_sectors=o.get("excluded_sectors", []),
        opening_days=o.get("opening_days", []),
        conditions=o.get("conditions", ""),
        published_at=datetime.fromisoformat(c["deadline"]),
    )
    for position, s in enumerate(o["stands"]):
        offer.stands.append(
            Stand(label=s["label"], area_m2=float(s["area_m2"]), position=position, description=s["description"])
        )
    call = Call(
        commune=commune,
        title=c["title"],
        description=c["description"],
        status=c["status"],
        deadline_at=datetime.fromisoformat(c["deadline"]),
        starts_on=_day(c.get("starts_on")),
        ends_on=_day(c.get("ends_on")),
        local_needs=c.get("local_needs", []),
    )
    call.offers.append(offer)
    for position, (name, weight) in enumerate(c["criteria"]):
        call.criteria.append(Criterion(name=name, weight=weight, position=position))
    db.session.add_all([offer, call])
    for a in data["applicants"]:
        user = users[a["email"]]
        if db.session.get(EntrepreneurProfile, user.id) is None:
            db.session.add(
                EntrepreneurProfile(
                    user_id=user.id,
                    business_name=a["business_name"],
                    concept=a["concept"],
                    sector=a["sector"],
                    area_min_m2=a.get("area_min_m2"),
                    area_max_m2=a.get("area_max_m2"),
                    budget_cents=a.get("budget_cents"),
                    wanted_start_on=_day(a.get("wanted_start_on")),
                    test_months=a.get("test_months"),
                    opening_days=a.get("opening_days", []),
                    preferred_core_ids=[],
                    links=[],
                )
            )
        submitted = call.deadline_at
        application = Application(
            entrepreneur=user, call=call, status=a["status"], motivation=a["concept"], submitted_at=submitted
        )
        application.events.append(ApplicationEvent(from_status=None, to_status="submitted", at=submitted, by=user))
        if a["status"] != "submitted":
            application.events.append(ApplicationEvent(from_status="submitted", to_status=a["status"], at=submitted))
        db.session.add(application)
    db.session.flush()
    return True
