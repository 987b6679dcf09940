from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from popup.extensions import db
from popup.types import UTCDateTime, utcnow

AUDIT_ACTIONS = ("insert", "update", "delete")


class AuditEntry(db.Model):
    """One change to one audited row, written in the transaction that made it.

    Append-only: the app has no way to change an entry, and the database
    refuses UPDATE and DELETE on the table (triggers from the migration).
    ``actor_id`` is a plain number, not a foreign key, so that no cascade
    can ever touch an entry; the actor's name is read from the account when
    the log is shown (an erased account shows its anonymised name).
    ``actor_label`` names actors that are not accounts ("command line: …").
    """

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_object", "table_name", "row_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    commune_id: Mapped[int | None] = mapped_column(Integer, index=True)
    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(10))
    # {column: [before, after]}; before is null on insert, after on delete.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
