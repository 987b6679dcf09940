"""Reads behind the staff dashboard: status histories, pop-ups, accepted applications."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import or_, select

from popup import geo
from popup.applications.models import Application, EntrepreneurProfile
from popup.auth.models import User
from popup.calls.models import Call
from popup.communes.models import CommercialCore, Commune
from popup.communes.queries import status_counts
from popup.domain.vacancy_history import Timeline
from popup.extensions import db
from popup.offers.models import Offer
from popup.units.models import Unit, UnitStatusChange
from popup.units.queries import LOCAL_TZ, local_date, local_today

__all__ = ["local_date", "local_today"]


def local_midnight(day: date) -> datetime:
    """The instant a local day starts, for comparing with stored UTC timestamps."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


def unit_conditions(commune: Commune, core: CommercialCore | None) -> list:
    """Units counted by the dashboard: the commune's approved units, inside the core if one is chosen."""
    conditions = [Unit.commune_id == commune.id, Unit.approval == "approved"]
    if core is not None:
        area = select(CommercialCore.area).where(CommercialCore.id == core.id).scalar_subquery()
        conditions.append(geo.within_polygon(db.engine.dialect.name, Unit.id, Unit.location, area))
    return conditions


def current_status_counts(commune: Commune, core: CommercialCore | None) -> dict[str, int]:
    return status_counts(*unit_conditions(commune, core))


def timelines(commune: Commune, core: CommercialCore | None) -> list[Timeline]:
    """The dated status history of every unit counted, archived ones included (until archived)."""
    rows = db.session.execute(
        select(UnitStatusChange.unit_id, UnitStatusChange.changed_at, UnitStatusChange.to_status, Unit.archived_at)
        .join(Unit, Unit.id == UnitStatusChange.unit_id)
        .where(*unit_conditions(commune, core))
        .order_by(UnitStatusChange.unit_id, UnitStatusChange.changed_at, UnitStatusChange.id)
    )
    changes: dict[int, list[tuple[date, str]]] = defaultdict(list)
    archived: dict[int, date | None] = {}
    for unit_id, changed_at, status, archived_at in rows:
        changes[unit_id].append((local_date(changed_at), status))
        archived[unit_id] = local_date(archived_at) if archived_at is not None else None
    return [Timeline(unit_id, _last_per_day(steps), archived[unit_id]) for unit_id, steps in changes.items()]


def _last_per_day(steps: list[tuple[date, str]]) -> list[tuple[date, str]]:
    # Several changes on one day: the last one is the status of that day.
    by_day: dict[date, str] = {}
    for on, status in steps:
        by_day[on] = status
    return sorted(by_day.items())


def addresses(unit_ids: list[int]) -> dict[int, str]:
    if not unit_ids:
        return {}
    rows = db.session.execute(select(Unit.id, Unit.address).where(Unit.id.in_(unit_ids)))
    return dict(rows.all())


def running_popups(commune: Commune, core: CommercialCore | None) -> list[Unit]:
    return list(
        db.session.scalars(
            select(Unit)
            .where(*unit_conditions(commune, core), Unit.archived_at.is_(None), Unit.status == "popup")
            .order_by(Unit.status_changed_at, Unit.id)
        )
    )


@dataclass(frozen=True)
class AcceptedApplication:
    entrepreneur_id: int
    entrepreneur: str
    business: str
    title: str
    accepted_on: date


def accepted_applications(commune: Commune, start: date, end: date) -> list[AcceptedApplication]:
    """Applications to the commune's calls or offers accepted in [start, end), oldest first."""
    rows = db.session.execute(
        select(Application, User.name, EntrepreneurProfile.business_name, Call.title, Offer.title)
        .join(User, User.id == Application.entrepreneur_id)
        .outerjoin(EntrepreneurProfile, EntrepreneurProfile.user_id == Application.entrepreneur_id)
        .outerjoin(Call, Call.id == Application.call_id)
        .outerjoin(Offer, Offer.id == Application.offer_id)
        .outerjoin(Unit, Unit.id == Offer.unit_id)
        .where(
            Application.status == "accepted",
            Application.decided_at >= local_midnight(start),
            Application.decided_at < local_midnight(end),
            or_(Call.commune_id == commune.id, Unit.commune_id == commune.id),
        )
        .order_by(Application.decided_at, Application.id)
    )
    return [
        AcceptedApplication(
            a.entrepreneur_id, name, business or "", call_title or offer_title or "", local_date(a.decided_at)
        )
        for a, name, business, call_title, offer_title in rows
    ]


def core_of(commune: Commune, ident: int) -> CommercialCore | None:
    core = db.session.get(CommercialCore, ident)
    return core if core is not None and core.commune_id == commune.id else None
