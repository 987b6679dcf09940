"""Residents' participation: the wishes a user made with their account.

Reports are anonymous (an optional e-mail, erased when staff decide); staff
who decided reports or hid wish texts stay referenced through their
anonymised account. On erasure a user's wishes keep their sector (the counts
and the local needs stay true) and lose their text and their link to the
person.
"""

from __future__ import annotations

from sqlalchemy import select, update

from popup import gdpr
from popup.extensions import db
from popup.participation.models import Wish


def export(user) -> dict:
    wishes = db.session.scalars(select(Wish).where(Wish.user_id == user.id).order_by(Wish.id)).all()
    return {"wishes": [gdpr.row(w, "unit_id", "sector", "text", "created_at") for w in wishes]}


def erase(user) -> None:
    db.session.execute(
        update(Wish)
        .where(Wish.user_id == user.id)
        .values(text="", user_id=None, voter_key=Wish.voter_key + ":erased")
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


gdpr.register("participation", export, erase, tables=("vacancy_reports", "wishes"))
