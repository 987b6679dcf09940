"""Read-only queries about communes and their vacancy figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from popup import geo
from popup.communes.models import CommercialCore, Commune
from popup.domain.vacancy import VacancyFigures, vacancy_figures
from popup.extensions import db
from popup.units.models import Unit


@dataclass(frozen=True)
class CommuneSummary:
    commune: Commune
    figures: VacancyFigures


@dataclass(frozen=True)
class CoreSummary:
    core: CommercialCore
    figures: VacancyFigures


def _dialect() -> str:
    return db.engine.dialect.name


def _figures_by_key(rows) -> dict:
    """{key: figures} from (key, status, count) rows of a grouped count."""
    counts: dict = {}
    for key, status, n in rows:
        counts.setdefault(key, {})[status] = n
    return {key: vacancy_figures(c) for key, c in counts.items()}


def status_counts(*conditions) -> dict[str, int]:
    rows = db.session.execute(
        select(Unit.status, func.count(Unit.id))
        .where(Unit.archived_at.is_(None), Unit.approval == "approved", *conditions)
        .group_by(Unit.status)
    )
    return dict(rows.all())


def status_counts_of_commune(commune: Commune) -> dict[str, int]:
    return status_counts(Unit.commune_id == commune.id)


def commune_figures(commune: Commune) -> VacancyFigures:
    return vacancy_figures(status_counts_of_commune(commune))


def street_figures(commune: Commune) -> list[tuple[str, VacancyFigures]]:
    """Vacancy per street of the commune, streets with the most vacant units first."""
    rows = db.session.execute(
        select(Unit.street, Unit.status, func.count(Unit.id))
        .where(
            Unit.commune_id == commune.id,
            Unit.archived_at.is_(None),
            Unit.approval == "approved",
            Unit.street.is_not(None),
        )
        .group_by(Unit.street, Unit.status)
    )
    figures = _figures_by_key(rows).items()
    return sorted(figures, key=lambda item: (-item[1].vacant, -item[1].units, item[0]))


def core_figures(core: CommercialCore) -> VacancyFigures:
    area = select(CommercialCore.area).where(CommercialCore.id == core.id).scalar_subquery()
    inside = geo.within_polygon(_dialect(), Unit.id, Unit.location, area)
    return vacancy_figures(status_counts(Unit.commune_id == core.commune_id, inside))


def figures_of_cores(commune_ids: Sequence[int] | None = None) -> dict[int, VacancyFigures]:
    """Vacancy figures of every core (of these communes), in one grouped spatial query."""
    stmt = select(CommercialCore.id, Unit.status, func.count(Unit.id)).select_from(CommercialCore)
    stmt = geo.join_points_in_polygons(
        _dialect(),
        stmt,
        Unit,
        Unit.id,
        Unit.location,
        CommercialCore.area,
        Unit.commune_id == CommercialCore.commune_id,
    )
    stmt = stmt.where(Unit.archived_at.is_(None), Unit.approval == "approved").group_by(CommercialCore.id, Unit.status)
    if commune_ids is not None:
        stmt = stmt.where(CommercialCore.commune_id.in_(commune_ids))
    return _figures_by_key(db.session.execute(stmt))


def cores_of_communes(communes: Sequence[Commune]) -> list[CoreSummary]:
    """The cores of these communes with their figures, in the communes' order then by name: two queries."""
    ids = [c.id for c in communes]
    if not ids:
        return []
    cores = db.session.scalars(
        select(CommercialCore).where(CommercialCore.commune_id.in_(ids)).order_by(CommercialCore.name)
    ).all()
    figures = figures_of_cores(ids)
    empty = vacancy_figures({})
    rank = {commune_id: i for i, commune_id in enumerate(ids)}
    ordered = sorted(cores, key=lambda core: rank[core.commune_id])  # stable: by name within a commune
    return [CoreSummary(core, figures.get(core.id, empty)) for core in ordered]


def figures_of_communes(commune_ids: Sequence[int] | None = None) -> dict[int, VacancyFigures]:
    """Vacancy figures of every commune (of these ids), in one grouped query."""
    stmt = (
        select(Unit.commune_id, Unit.status, func.count(Unit.id))
        .where(Unit.archived_at.is_(None), Unit.approval == "approved")
        .group_by(Unit.commune_id, Unit.status)
    )
    if commune_ids is not None:
        stmt = stmt.where(Unit.commune_id.in_(commune_ids))
    return _figures_by_key(db.session.execute(stmt))


def summaries_of_communes(communes: Sequence[Commune]) -> list[CommuneSummary]:
    """These communes with their figures, in their order: one query."""
    figures = figures_of_communes([c.id for c in communes])
    empty = vacancy_figures({})
    return [CommuneSummary(c, figures.get(c.id, empty)) for c in communes]


def communes_with_figures() -> list[CommuneSummary]:
    return summaries_of_communes(db.session.scalars(select(Commune).order_by(Commune.name)).all())


def cores_with_figures(commune: Commune) -> list[CoreSummary]:
    return cores_of_communes([commune])


def commune_by_slug(slug: str) -> Commune | None:
    return db.session.execute(select(Commune).filter_by(slug=slug)).scalar_one_or_none()
