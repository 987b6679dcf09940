"""Residents' participation: distances between reported points, local needs from wishes.

Pure: plain values in, plain values out (no Flask, no database).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final

from popup.domain.vocabulary import SECTORS

EARTH_RADIUS_M: Final = 6_371_008.8
# A report this close to a known unit (or to another pending report) is about the same premises.
NEAR_DUPLICATE_M: Final = 25.0
# "Well represented": at least this share of the commune's occupied and pop-up units
# whose sector is known, and at least MIN_WELL_REPRESENTED of them.
WELL_REPRESENTED_SHARE: Final = 0.10
MIN_WELL_REPRESENTED: Final = 2
# "other" names no sector a commune could look for: it is never a local need.
NOT_A_NEED: Final = frozenset({"other"})
MAX_WISH_TEXT: Final = 280


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine); within a few metres of the geodesic at 25 m."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def well_represented_threshold(present: Mapping[str, int]) -> int:
    """How many occupied or pop-up units of one sector make it well represented."""
    known = sum(n for n in present.values() if n > 0)
    return max(MIN_WELL_REPRESENTED, math.ceil(WELL_REPRESENTED_SHARE * known))


def local_needs(wished: Mapping[str, int], present: Mapping[str, int], limit: int = 10) -> list[str]:
    """The sectors residents wish for most and the commune lacks, as sector codes.

    ``wished``: wishes per sector (on the commune's units); ``present``: the
    commune's occupied and pop-up units per sector (units without a sector are
    not counted). A wished sector is *lacking* when it has fewer occupied or
    pop-up units than ``well_represented_threshold(present)``: 10 % of the
    occupied and pop-up units whose sector is known, and at least 2. Lacking
    sectors come most wished first; ties go to the sector with fewer units,
    then to the taxonomy's order. ``other`` is never a need.
    """
    if limit <= 0:
        return []
    threshold = well_represented_threshold(present)
    order = {code: i for i, code in enumerate(SECTORS)}
    lacking = [
        code
        for code, count in wished.items()
        if count > 0 and code in order and code not in NOT_A_NEED and present.get(code, 0) < threshold
    ]
    lacking.sort(key=lambda code: (-wished[code], present.get(code, 0), order[code]))
    return lacking[:limit]
