"""An owner's offers: exported; on erasure they stay as records, published ones are closed
(nobody can answer for them any more)."""

from __future__ import annotations

from sqlalchemy import select, update

from popup import gdpr
from popup.extensions import db
from popup.offers.models import Offer

FIELDS = (
    "id",
    "unit_id",
    "title",
    "status",
    "available_from",
    "available_until",
    "min_term_months",
    "max_term_months",
    "rent_cents",
    "charges_cents",
    "deposit_cents",
    "conditions",
    "created_at",
    "published_at",
)


def export(user) -> list[dict]:
    offers = db.session.scalars(select(Offer).where(Offer.owner_id == user.id).order_by(Offer.id)).all()
    return [{**gdpr.row(offer, *FIELDS), "stands": [s.label for s in offer.stands]} for offer in offers]


def erase(user) -> None:
    db.session.execute(
        update(Offer).where(Offer.owner_id == user.id, Offer.status == "published").values(status="closed"),
        execution_options={"synchronize_session": False},
    )
    db.session.flush()


gdpr.register("offers", export, erase, tables=("offers",))
