from __future__ import annotations

from flask import abort, render_template

from popup.communes import queries
from popup.permissions import policy, public


@policy(public)
def home(slug: str):
    commune = queries.commune_by_slug(slug)
    if commune is None:
        abort(404)
    return render_template(
        "communes/home.html",
        commune=commune,
        figures=queries.commune_figures(commune),
        cores=queries.cores_with_figures(commune),
    )
