"""The map's data version: a stamp in the database that every committed change of units, cores or communes renews.

Any SQLAlchemy INSERT, UPDATE or DELETE on a watched table (ORM flushes,
bulk imports, ``popup synth``) marks its connection; when the session commits,
the stamp of ``data_versions`` row ``map`` is set to a new random value in the
same transaction, as its last statement (so the row's lock is held only for
the commit and taken last: no deadlock with other writers). Readers read the
stamp first, then the data, and cache what they derive under that stamp
(popup/maps/cache.py). A random stamp, not a counter: a rolled-back change can
never bring back a stamp that was once cached with other data.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Delete, Engine, Insert, Update, event, update
from sqlalchemy.orm import Session

from popup.maps.models import DataVersion

MAP = "map"
WATCHED_TABLES = frozenset({"units", "commercial_cores", "communes"})
_DIRTY = "popup.map_data_changed"


def _table_name(statement) -> str | None:
    table = getattr(statement, "table", None)
    return getattr(table, "name", None)


@event.listens_for(Engine, "after_execute")
def _mark_changes(conn, clauseelement, multiparams, params, execution_options, result):
    if isinstance(clauseelement, Insert | Update | Delete) and _table_name(clauseelement) in WATCHED_TABLES:
        conn.info[_DIRTY] = True


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _forget(conn):
    conn.info.pop(_DIRTY, None)


@event.listens_for(Session, "before_commit")
def _renew_stamp(session: Session) -> None:
    if not session.in_transaction():
        return
    session.flush()
    conn = session.connection()
    if conn.info.pop(_DIRTY, None):
        conn.execute(update(DataVersion.__table__).where(DataVersion.name == MAP).values(stamp=new_stamp()))


def new_stamp() -> str:
    return uuid.uuid4().hex


def changed_in_this_transaction(session: Session) -> bool:
    """Whether this session's connection holds watched changes not committed yet (then no cache applies)."""
    return bool(session.connection().info.get(_DIRTY))


def current_stamp(session: Session) -> str:
    # On the driver: read on every map request, the ORM's own overhead was most of its cost.
    found = session.connection().exec_driver_sql(_READ_STAMP).scalar()
    return found or ""


_READ_STAMP = "SELECT stamp FROM data_versions WHERE name = 'map'"  # MAP
