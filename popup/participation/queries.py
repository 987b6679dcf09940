"""Reads of residents' reports and wishes, and the commune's local needs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from popup import geo
from popup.communes.models import Commune
from popup.domain import participation as rules
from popup.domain.vocabulary import SECTORS
from popup.extensions import db
from popup.participation.models import VacancyReport, Wish
from popup.units.models import Unit

PRESENT_STATUSES = ("occupied", "popup")


def _dialect() -> str:
    return db.engine.dialect.name


# -- reports -------------------------------------------------------------------


@dataclass(frozen=True)
class NearUnit:
    unit: Unit
    distance_m: float


def nearest_unit(commune: Commune, lon: float, lat: float, metres: float = rules.NEAR_DUPLICATE_M) -> NearUnit | None:
    """The commune's known unit nearest to the point, if one lies within ``metres``."""
    candidates = db.session.scalars(
        select(Unit).where(
            Unit.commune_id == commune.id,
            Unit.archived_at.is_(None),
            Unit.approval == "approved",
            geo.within_metres(_dialect(), Unit.id, Unit.location, lon, lat, metres),
        )
    ).all()
    best: NearUnit | None = None
    for unit in candidates:
        ulon, ulat = geo.lonlat(unit.location)
        distance = rules.distance_m(lon, lat, ulon, ulat)
        if best is None or (distance, unit.id) < (best.distance_m, best.unit.id):
            best = NearUnit(unit, distance)
    return best


def pending_report_near(commune: Commune, lon: float, lat: float, metres: float) -> VacancyReport | None:
    """The oldest pending report (not itself merged) within ``metres`` of the point."""
    return db.session.scalars(
        select(VacancyReport)
        .where(
            VacancyReport.commune_id == commune.id,
            VacancyReport.status == "pending",
            VacancyReport.merged_into_id.is_(None),
            geo.within_metres(_dialect(), VacancyReport.id, VacancyReport.location, lon, lat, metres),
        )
        .order_by(VacancyReport.created_at, VacancyReport.id)
        .limit(1)
    ).first()


@dataclass(frozen=True)
class PendingReport:
    report: VacancyReport
    count: int  # reports merged into this one, itself included
    photos: list[VacancyReport]  # reports of the group that carry a photo
    contacts: int  # reporters who left an email
    near: NearUnit | None


def _pending_roots(commune: Commune):
    return select(VacancyReport).where(
        VacancyReport.commune_id == commune.id,
        VacancyReport.status == "pending",
        VacancyReport.merged_into_id.is_(None),
    )


def pending_reports(commune: Commune) -> list[PendingReport]:
    """Reports awaiting a decision, the oldest first, each with its merged ones and the unit within 25 m."""
    roots = list(db.session.scalars(_pending_roots(commune).order_by(VacancyReport.created_at, VacancyReport.id)))
    if not roots:
        return []
    members = db.session.scalars(
        select(VacancyReport).where(VacancyReport.merged_into_id.in_([r.id for r in roots])).order_by(VacancyReport.id)
    ).all()
    groups: dict[int, list[VacancyReport]] = {r.id: [r] for r in roots}
    for member in members:
        groups[member.merged_into_id].append(member)
    result = []
    for root in roots:
        group = groups[root.id]
        lon, lat = geo.lonlat(root.location)
        result.append(
            PendingReport(
                report=root,
                count=len(group),
                photos=[m for m in group if m.has_photo],
                contacts=sum(1 for m in group if m.contact_email),
                near=nearest_unit(commune, lon, lat),
            )
        )
    return result


def pending_count(commune: Commune) -> int:
    stmt = _pending_roots(commune).with_only_columns(func.count(VacancyReport.id))
    return db.session.scalar(stmt) or 0


def report_of(commune: Commune, report_id: int) -> VacancyReport | None:
    report = db.session.get(VacancyReport, report_id)
    return report if report is not None and report.commune_id == commune.id else None


# -- wishes --------------------------------------------------------------------


@dataclass(frozen=True)
class WishSummary:
    total: int
    by_sector: list[tuple[str, int]]  # most wished first
    texts: list[Wish]  # the latest wishes with a visible text


def unit_wish_counts(unit_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Wish.sector, func.count(Wish.id)).where(Wish.unit_id == unit_id).group_by(Wish.sector)
    ).all()
    return dict(rows)


def _ranked(counts: dict[str, int]) -> list[tuple[str, int]]:
    order = {code: i for i, code in enumerate(SECTORS)}
    return sorted(counts.items(), key=lambda item: (-item[1], order.get(item[0], len(order))))


def unit_wishes(unit: Unit, *, with_hidden: bool = False, limit: int = 30) -> WishSummary:
    """How many wishes the unit has, per sector, and the latest texts (hidden ones only for staff)."""
    counts = unit_wish_counts(unit.id)
    stmt = select(Wish).where(Wish.unit_id == unit.id, Wish.text != "")
    if not with_hidden:
        stmt = stmt.where(Wish.text_hidden.is_(False))
    texts = list(db.session.scalars(stmt.order_by(Wish.created_at.desc(), Wish.id.desc()).limit(limit)))
    return WishSummary(total=sum(counts.values()), by_sector=_ranked(counts), texts=texts)


def wish_by(unit: Unit, voter_key: str) -> Wish | None:
    return db.session.scalars(select(Wish).where(Wish.unit_id == unit.id, Wish.voter_key == voter_key)).first()


def _commune_units(commune: Commune):
    return (Unit.commune_id == commune.id, Unit.archived_at.is_(None), Unit.approval == "approved")


def commune_wish_counts(commune: Commune) -> dict[str, int]:
    """Wishes per sector on the commune's units (hidden texts still count)."""
    rows = db.session.execute(
        select(Wish.sector, func.count(Wish.id))
        .join(Unit, Unit.id == Wish.unit_id)
        .where(*_commune_units(commune))
        .group_by(Wish.sector)
    ).all()
    return dict(rows)


def present_sector_counts(commune: Commune) -> dict[str, int]:
    """The commune's occupied and pop-up units per sector (units without a sector left out)."""
    rows = db.session.execute(
        select(Unit.sector, func.count(Unit.id))
        .where(*_commune_units(commune), Unit.status.in_(PRESENT_STATUSES), Unit.sector.is_not(None))
        .group_by(Unit.sector)
    ).all()
    return dict(rows)


def local_needs(commune: Commune, limit: int = 10) -> list[str]:
    """Sector codes residents wish for most and the commune lacks (see popup.domain.participation.local_needs).

    Kept stable for the matching: ``local_needs(commune, limit=10) -> list[str]``.
    """
    return rules.local_needs(commune_wish_counts(commune), present_sector_counts(commune), limit)


@dataclass(frozen=True)
class SectorLine:
    sector: str
    wishes: int
    present: int
    lacking: bool


def sector_table(commune: Commune) -> list[SectorLine]:
    """Every wished sector with its wishes and its occupied and pop-up units, most wished first."""
    wished = commune_wish_counts(commune)
    present = present_sector_counts(commune)
    threshold = rules.well_represented_threshold(present)
    return [
        SectorLine(code, count, present.get(code, 0), present.get(code, 0) < threshold and code not in rules.NOT_A_NEED)
        for code, count in _ranked(wished)
    ]


def most_wished_units(commune: Commune, limit: int = 20) -> list[tuple[Unit, int]]:
    """The commune's vacant units with the most wishes."""
    rows = db.session.execute(
        select(Unit, func.count(Wish.id).label("n"))
        .join(Wish, Wish.unit_id == Unit.id)
        .where(*_commune_units(commune))
        .group_by(Unit.id)
        .order_by(func.count(Wish.id).desc(), Unit.id)
        .limit(limit)
    ).all()
    return [(unit, n) for unit, n in rows]
