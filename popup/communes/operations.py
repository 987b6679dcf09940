"""Workflows on communes and their commercial cores. They flush; the caller commits."""

from __future__ import annotations

import re
import unicodedata

from shapely.geometry import Polygon
from sqlalchemy import select

from popup import geo
from popup.communes.models import CommercialCore, Commune
from popup.extensions import db

# The boundary is drawn by hand: a core may overlap it by a few metres.
BOUNDARY_TOLERANCE_DEG = 0.0005


class CoreError(ValueError):
    """A core that cannot be saved; ``code`` names the reason for the message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.translate(_LIGATURES)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "core"


def _unique_slug(commune: Commune, name: str, exclude_id: int | None = None) -> str:
    base = slugify(name)
    taken = set(
        db.session.scalars(
            select(CommercialCore.slug).where(
                CommercialCore.commune_id == commune.id,
                CommercialCore.id != (exclude_id or 0),
            )
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_inside(commune: Commune, polygon: Polygon) -> None:
    boundary = geo.shape(commune.boundary)
    if boundary is not None and not boundary.buffer(BOUNDARY_TOLERANCE_DEG).contains(polygon):
        raise CoreError("outside_commune")


def create_core(commune: Commune, name: str, polygon: Polygon) -> CommercialCore:
    _check_inside(commune, polygon)
    core = CommercialCore(
        commune=commune, name=name.strip(), slug=_unique_slug(commune, name), area=geo.from_geometry(polygon)
    )
    db.session.add(core)
    db.session.flush()
    return core


def update_core(core: CommercialCore, name: str, polygon: Polygon | None) -> None:
    if polygon is not None:
        _check_inside(core.commune, polygon)
        core.area = geo.from_geometry(polygon)
    if name.strip() != core.name:
        core.name = name.strip()
        core.slug = _unique_slug(core.commune, name, exclude_id=core.id)
    db.session.flush()


def delete_core(core: CommercialCore) -> None:
    """Delete the core; its units stay (a core is only an area drawn over them)."""
    db.session.delete(core)
    db.session.flush()
