"""Write an audit entry for every change to a registered model.

Models are registered once (``popup.audit.catalogue``) with the columns to
leave out and a way to find the commune the row belongs to. A session
listener, run after each flush, compares the attribute history of the new,
changed and deleted objects and inserts the entries with one Core statement
on the flush's own connection: the entries commit or roll back with the
change they describe, whatever the module that made it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import has_request_context
from geoalchemy2.elements import WKBElement, WKTElement
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

from popup.types import utcnow

CommuneOf = Callable[[Any, Session], int | None]


@dataclass(frozen=True)
class Audited:
    model: type
    exclude: frozenset[str] = field(default_factory=frozenset)
    only: frozenset[str] | None = None
    commune_of: CommuneOf | None = None
    collections: frozenset[str] = field(default_factory=frozenset)

    def columns(self, mapper) -> list[str]:
        names = [attr.key for attr in mapper.column_attrs]
        if self.only is not None:
            names = [n for n in names if n in self.only or n in ("id",)]
        return [n for n in names if n not in self.exclude]


_REGISTRY: dict[type, Audited] = {}
_SYSTEM_ACTOR: list[str] = []


def register(
    model: type,
    *,
    exclude: Iterable[str] = (),
    only: Iterable[str] | None = None,
    commune_of: CommuneOf | None = None,
    collections: Iterable[str] = (),
) -> None:
    """Audit every insert, update and delete of ``model``.

    ``only`` limits the columns recorded (for tables holding personal data,
    e.g. users: role and state, never names or e-mails); ``exclude`` drops
    some (file contents, password hashes); ``collections`` names
    many-to-many relationships whose membership is recorded as lists of ids
    (a staff member's communes).
    """
    _REGISTRY[model] = Audited(
        model,
        exclude=frozenset(exclude),
        only=frozenset(only) if only is not None else None,
        commune_of=commune_of,
        collections=frozenset(collections),
    )


def registered() -> dict[type, Audited]:
    return dict(_REGISTRY)


def json_value(value: Any) -> Any:
    """A JSON-safe rendering of a column value, readable in the log."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, WKBElement):
        from geoalchemy2.shape import to_shape

        return to_shape(value).wkt
    if isinstance(value, WKTElement):
        return str(value.data)
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(bytes(value))} bytes>"
    if isinstance(value, ClauseElement):
        return "<computed by the database>"
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(json_value(v) for v in value)
    return str(value)


def _actor() -> tuple[int | None, str]:
    if has_request_context():
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            # The name is read from the account when the log is shown: an erased
            # account shows its anonymised name, and the log keeps no personal data.
            return current_user.id, ""
        return None, "anonymous"
    if _SYSTEM_ACTOR:
        return None, _SYSTEM_ACTOR[-1]
    import click

    command = click.get_current_context(silent=True)
    return None, f"command line: {command.command_path}" if command is not None else "system"


@contextmanager
def acting_as(label: str) -> Iterator[None]:
    """Name the actor of changes made outside a request (CLI, scripts)."""
    _SYSTEM_ACTOR.append(label)
    try:
        yield
    finally:
        _SYSTEM_ACTOR.pop()


def _row_id(obj, mapper) -> str:
    return "/".join(str(v) for v in mapper.primary_key_from_instance(obj))


def _entry(session: Session, obj, action: str, spec: Audited) -> dict[str, Any] | None:
    state = inspect(obj)
    mapper = state.mapper
    changes: dict[str, list[Any]] = {}
    for key in spec.columns(mapper):
        if action == "update":
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            if history.deleted:
                before = history.deleted[0]
            else:  # the old value was not loaded (expired object): read before the flush
                before = session.info.get(_UNLOADED, {}).get(id(obj), {}).get(key)
            after = history.added[0] if history.added else None
            if json_value(before) == json_value(after):
                continue
            changes[key] = [json_value(before), json_value(after)]
        else:
            value = state.dict.get(key)
            if action == "insert" and key not in state.dict:
                continue  # expired by the flush (server default): not known here
            changes[key] = [None, json_value(value)] if action == "insert" else [json_value(value), None]
    for key in sorted(spec.collections) if action == "update" else ():
        history = state.attrs[key].history
        if history.added or history.deleted:
            current = sorted(inspect(o).identity[0] for o in state.attrs[key].value if inspect(o).identity)
            before = sorted(set(current) - {_pk(o) for o in history.added} | {_pk(o) for o in history.deleted})
            changes[key] = [before, current]
    if action == "update" and not changes:
        return None
    actor_id, actor_label = _actor()
    commune_id = None
    if spec.commune_of is not None:
        with session.no_autoflush:
            commune_id = spec.commune_of(obj, session)
    return {
        "at": utcnow(),
        "actor_id": actor_id,
        "actor_label": actor_label[:200],
        "commune_id": commune_id,
        "table_name": mapper.persist_selectable.name,
        "row_id": _row_id(obj, mapper),
        "action": action,
        "changes": changes,
    }


def _pk(obj) -> Any:
    return inspect(obj).mapper.primary_key_from_instance(obj)[0]


def _spec(obj) -> Audited | None:
    for cls in type(obj).__mro__:
        if cls in _REGISTRY:
            return _REGISTRY[cls]
    return None


_UNLOADED = "popup_audit_unloaded"


def _before_flush(session: Session, flush_context, instances) -> None:
    """Read the stored values of changed attributes whose old value was never loaded."""
    unloaded: dict[int, dict[str, Any]] = {}
    for obj in session.dirty:
        spec = _spec(obj)
        if spec is None:
            continue
        state = inspect(obj)
        keys = [
            key
            for key in spec.columns(state.mapper)
            if (h := state.attrs[key].history).added and not h.deleted and not h.unchanged
        ]
        if not keys or state.identity is None:
            continue
        mapper = state.mapper
        columns = [mapper.columns[key] for key in keys]
        where = [col == value for col, value in zip(mapper.primary_key, state.identity, strict=True)]
        row = session.connection().execute(select(*columns).where(*where)).first()
        if row is not None:
            unloaded[id(obj)] = dict(zip(keys, row, strict=True))
    session.info[_UNLOADED] = unloaded


def _after_flush(session: Session, flush_context) -> None:
    if not _REGISTRY:
        return
    rows = []
    for action, objects in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            spec = _spec(obj)
            if spec is None:
                continue
            if action == "update" and not session.is_modified(obj, include_collections=bool(spec.collections)):
                continue
            row = _entry(session, obj, action, spec)
            if row is not None:
                rows.append(row)
    if rows:
        from popup.audit.models import AuditEntry

        session.connection().execute(AuditEntry.__table__.insert(), rows)


def install() -> None:
    """Listen to every session (the app's and the tests' own)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)


def record(session: Session, entries: Iterable[dict[str, Any]]) -> None:
    """Audit changes written with set-based statements, which the ORM's flush never sees.

    Each entry gives ``table_name``, ``row_id``, ``action``, ``changes`` and
    optionally ``commune_id``; the actor and the time are filled in here.
    """
    actor_id, actor_label = _actor()
    at = utcnow()
    rows = [
        {
            "at": at,
            "actor_id": actor_id,
            "actor_label": actor_label[:200],
            "commune_id": e.get("commune_id"),
            "table_name": e["table_name"],
            "row_id": str(e["row_id"]),
            "action": e["action"],
            "changes": {k: [json_value(b), json_value(a)] for k, (b, a) in e["changes"].items()},
        }
        for e in entries
    ]
    if rows:
        from popup.audit.models import AuditEntry

        session.connection().execute(AuditEntry.__table__.insert(), rows)
