"""Load the Lessines demo data from seed_data/ (idempotent)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

from shapely.geometry import shape
from sqlalchemy import select

from popup import geo
from popup.auth import operations as accounts
from popup.auth.models import User
from popup.communes.models import CommercialCore, Commune
from popup.extensions import db
from popup.matching.demo import load_call_demo
from popup.units import operations as units
from popup.units.models import Unit, UnitStatusChange

SEED_DIR = Path(__file__).resolve().parent.parent / "seed_data"
FEATURES = ("has_water", "has_kitchen", "step_free_access", "has_shop_window")


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=lambda: {"communes": 0, "cores": 0, "users": 0, "units": 0})
    logins: list[tuple[str, str]] = field(default_factory=list)
    password: str = ""


def _at(on: str) -> datetime:
    # Status changes are dated by day; noon UTC keeps the day in Brussels.
    return datetime.combine(date.fromisoformat(on), time(12), tzinfo=UTC)


def load_demo(path: Path = SEED_DIR / "lessines.json") -> SeedReport:
    """Create what is missing from the demo file; existing rows are left as they are."""
    data = json.loads(path.read_text(encoding="utf-8"))
    report = SeedReport(password=data["demo_password"])
    commune = _commune(data["commune"], report)
    for core in data["cores"]:
        _core(commune, core, report)
    communes = {commune.slug: commune}
    users = {u["email"]: _user(u, communes, data["demo_password"], report) for u in data["users"]}
    for unit in data["units"]:
        _unit(commune, unit, users, report)
    for coaching in data.get("coaching", []):
        _coaching(communes[coaching["commune"]], coaching, users, report)
    db.session.flush()
    load_call_demo(commune, users)  # the matching demo: a shared shop, its call, five applications
    from popup.schedules.demo import seed_rotation  # a rotation on the demo shared shop, when there is one

    seed_rotation(commune)
    from popup.leases.seed import load_demo_lease  # the leases module builds on units and accounts

    load_demo_lease(commune, users)
    return report


def _commune(d: dict, report: SeedReport) -> Commune:
    commune = db.session.execute(select(Commune).filter_by(slug=d["slug"])).scalar_one_or_none()
    if commune is None:
        commune = Commune(
            name=d["name"],
            slug=d["slug"],
            postal_code=d.get("postal_code"),
            centre=geo.point(*d["centre"]),
            boundary=geo.from_geometry(shape(d["boundary"])),
            languages=",".join(d.get("languages", ["fr"])),
            sections="\n".join(d.get("sections", [])),
            is_demo=True,
        )
        db.session.add(commune)
        db.session.flush()
        report.created["communes"] += 1
    return commune


def _core(commune: Commune, d: dict, report: SeedReport) -> None:
    exists = db.session.execute(
        select(CommercialCore).filter_by(commune_id=commune.id, slug=d["slug"])
    ).scalar_one_or_none()
    if exists is None:
        db.session.add(
            CommercialCore(
                commune=commune, name=d["name"], slug=d["slug"], area=geo.from_geometry(shape(d["area"])), is_demo=True
            )
        )
        db.session.flush()
        report.created["cores"] += 1


def _user(d: dict, communes: dict[str, Commune], password: str, report: SeedReport) -> User:
    report.logins.append((d["role"], d["email"]))
    user = accounts.find_by_email(d["email"])
    if user is None:
        user = accounts.create_user(
            email=d["email"],
            name=d["name"],
            password=password,
            role=d["role"],
            language=d.get("language", "fr"),
            communes=[communes[slug] for slug in d.get("communes", [])],
            is_demo=True,
        )
        report.created["users"] += 1
    return user


def _unit(commune: Commune, d: dict, users: dict[str, User], report: SeedReport) -> None:
    exists = db.session.execute(
        select(Unit.id).filter_by(commune_id=commune.id, external_id=d["external_id"])
    ).scalar_one_or_none()
    if exists is not None:
        return
    history = d["history"]
    unit = units.create_unit(
        status=history[0]["status"],
        at=_at(history[0]["on"]),
        commune=commune,
        external_id=d["external_id"],
        address=d["address"],
        location=geo.point(d["lon"], d["lat"]),
        floor_area_m2=d.get("floor_area_m2"),
        frontage_m=d.get("frontage_m"),
        ground_floor=d.get("ground_floor", True),
        asking_rent_cents=d.get("asking_rent_cents"),
        owner=users.get(d.get("owner") or ""),
        public_description=d.get("public_description", ""),
        is_demo=True,
        **{f: f in d.get("features", []) for f in FEATURES},
    )
    for step in history[1:]:
        units.change_status(unit, step["status"], by=None, reason=step.get("reason", ""), at=_at(step["on"]))
    report.created["units"] += 1


def _coaching(commune: Commune, d: dict, users: dict[str, User], report: SeedReport) -> None:
    from popup.coaching.models import CoachAssignment, CoachingNote

    coach, entrepreneur = users[d["coach"]], users[d["entrepreneur"]]
    exists = db.session.execute(
        select(CoachAssignment.id).filter_by(commune_id=commune.id, entrepreneur_id=entrepreneur.id)
    ).first()
    if exists is not None:
        return
    assignment = CoachAssignment(
        commune=commune, coach=coach, entrepreneur=entrepreneur, since_on=date.fromisoformat(d["since"])
    )
    for note in d.get("notes", []):
        assignment.notes.append(
            CoachingNote(
                author=coach,
                met_on=date.fromisoformat(note["on"]),
                text=note["text"],
                next_meeting_on=date.fromisoformat(note["next"]) if note.get("next") else None,
            )
        )
    db.session.add(assignment)
    db.session.flush()
    report.created["coaching"] = report.created.get("coaching", 0) + 1


def demo_counts() -> dict[str, int]:
    return {
        "communes": db.session.query(Commune).count(),
        "units": db.session.query(Unit).count(),
        "history": db.session.query(UnitStatusChange).count(),
        "users": db.session.query(User).count(),
    }
