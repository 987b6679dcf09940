"""Read-only queries of the staff inventory."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from popup.auth.models import User
from popup.communes.models import CommercialCore, Commune
from popup.domain.vacancy import vacancy_days
from popup.domain.vocabulary import UNIT_STATUSES
from popup.extensions import db
from popup.units.filters import UnitFilters
from popup.units.models import Unit, UnitStatusChange

LOCAL_TZ = ZoneInfo("Europe/Brussels")  # dates of the domain are local (docs: DESIGN.md, "Dates")
PER_PAGE = 50
SORTS = ("address", "status", "area", "rent", "vacancy", "changed")


def local_date(at: datetime) -> date:
    return at.astimezone(LOCAL_TZ).date()


def local_today() -> date:
    return datetime.now(LOCAL_TZ).date()


# -- what a user may see -------------------------------------------------------


def managed_communes(user) -> list[Commune]:
    """The communes whose units the user manages: all for admins, their own for staff."""
    if user.role == "admin":
        return list(db.session.scalars(select(Commune).order_by(Commune.name)))
    if user.role == "staff":
        return sorted(user.communes, key=lambda c: c.name)
    return []


def cores_of(communes: Iterable[Commune]) -> list[CommercialCore]:
    ids = [c.id for c in communes]
    if not ids:
        return []
    stmt = (
        select(CommercialCore)
        .join(Commune, Commune.id == CommercialCore.commune_id)
        .where(CommercialCore.commune_id.in_(ids))
        .order_by(Commune.name, CommercialCore.name)
    )
    return list(db.session.scalars(stmt))


def owners() -> list[User]:
    """Accounts that may be recorded as a unit's owner."""
    return list(db.session.scalars(select(User).where(User.role == "owner", User.active.is_(True)).order_by(User.name)))


def external_id_taken(commune_id: int, external_id: str, *, except_unit_id: int | None = None) -> bool:
    stmt = select(Unit.id).where(Unit.commune_id == commune_id, Unit.external_id == external_id)
    if except_unit_id is not None:
        stmt = stmt.where(Unit.id != except_unit_id)
    return db.session.execute(stmt.limit(1)).first() is not None


def units_by_ids(ids: Iterable[int]) -> list[Unit]:
    ids = sorted(set(ids))
    if not ids:
        return []
    stmt = select(Unit).options(joinedload(Unit.commune)).where(Unit.id.in_(ids), Unit.archived_at.is_(None))
    return list(db.session.scalars(stmt))


# -- vacancy -------------------------------------------------------------------


def vacancy_days_by_unit(unit_ids: Iterable[int], today: date | None = None) -> dict[int, int | None]:
    """Days each unit has been vacant, from its status history: one query for them all."""
    ids = sorted(set(unit_ids))
    if not ids:
        return {}
    today = today or local_today()
    rows = db.session.execute(
        select(UnitStatusChange.unit_id, UnitStatusChange.changed_at, UnitStatusChange.to_status).where(
            UnitStatusChange.unit_id.in_(ids)
        )
    )
    history: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for unit_id, changed_at, status in rows:
        history[unit_id].append((local_date(changed_at), status))
    return {unit_id: vacancy_days(history.get(unit_id, []), today) for unit_id in ids}


def unit_vacancy_days(unit: Unit, today: date | None = None) -> int | None:
    return vacancy_days([(local_date(c.changed_at), c.to_status) for c in unit.history], today or local_today())


def _vacancy_start():
    """When the unit's current run of vacancy began (NULL unless vacant), for sorting in SQL.

    The same rule as popup.domain.vacancy.vacancy_days: the earliest change to
    ``vacant`` after the last change to anything else.
    """
    other = aliased(UnitStatusChange)
    vacant = aliased(UnitStatusChange)
    last_other = (
        select(func.max(other.changed_at))
        .where(other.unit_id == Unit.id, other.to_status != "vacant")
        .correlate(Unit)
        .scalar_subquery()
    )
    start = (
        select(func.min(vacant.changed_at))
        .where(
            vacant.unit_id == Unit.id,
            vacant.to_status == "vacant",
            or_(last_other.is_(None), vacant.changed_at > last_other),
        )
        .correlate(Unit)
        .scalar_subquery()
    )
    return case((Unit.status == "vacant", start), else_=None)


# -- the inventory -------------------------------------------------------------


@dataclass(frozen=True)
class InventoryRow:
    unit: Unit
    vacancy_days: int | None


@dataclass(frozen=True)
class InventoryPage:
    rows: list[InventoryRow]
    total: int
    page: int
    pages: int

    @property
    def first_index(self) -> int:
        return (self.page - 1) * PER_PAGE + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.page * PER_PAGE, self.total)


class PageOutOfRange(ValueError):
    def __init__(self, pages: int) -> None:
        super().__init__(f"only {pages} page(s)")
        self.pages = pages


def _order_by(sort: str, descending: bool) -> list:
    status_rank = case({status: rank for rank, status in enumerate(UNIT_STATUSES)}, value=Unit.status, else_=99)
    keys = {
        "address": func.lower(Unit.address),
        "status": status_rank,
        "area": Unit.floor_area_m2,
        "rent": Unit.asking_rent_cents,
        "changed": Unit.status_changed_at,
    }
    if sort == "vacancy":
        # A longer vacancy began earlier: sort the start the other way round.
        key, descending = _vacancy_start(), not descending
    else:
        key = keys[sort]
    # Units without a value (no area, not vacant...) come last in both directions.
    return [case((key.is_(None), 1), else_=0), key.desc() if descending else key.asc(), Unit.id]


def inventory_page(filters: UnitFilters, *, sort: str, descending: bool, page: int, dialect: str) -> InventoryPage:
    """One page of the units matching ``filters``, sorted; raises PageOutOfRange past the last page."""
    total = db.session.scalar(select(func.count()).select_from(filters.apply(select(Unit.id), dialect).subquery()))
    pages = max(1, math.ceil(total / PER_PAGE))
    if page > pages:
        raise PageOutOfRange(pages)
    stmt = (
        filters.apply(select(Unit).options(joinedload(Unit.commune)), dialect)
        .order_by(*_order_by(sort, descending))
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    units = list(db.session.scalars(stmt))
    days = vacancy_days_by_unit(u.id for u in units if u.status == "vacant")
    rows = [InventoryRow(unit, days.get(unit.id)) for unit in units]
    return InventoryPage(rows=rows, total=total, page=page, pages=pages)
