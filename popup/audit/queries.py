"""Reading the audit log, filtered, one page at a time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from popup.audit.models import AUDIT_ACTIONS, AuditEntry
from popup.audit.recorder import registered
from popup.auth.models import User
from popup.extensions import db
from popup.units.queries import LOCAL_TZ

PER_PAGE = 50
MAX_PAGE = 100_000


class AuditFilterError(ValueError):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class AuditFilters:
    table: str = ""
    action: str = ""
    row_id: str = ""
    actor: str = ""
    since: date | None = None
    until: date | None = None  # inclusive, as people say "until the 30th"
    page: int = 1

    def apply(self, stmt: Select, commune_ids: tuple[int, ...] | None) -> Select:
        if commune_ids is not None:
            stmt = stmt.where(AuditEntry.commune_id.in_(commune_ids))
        if self.table:
            stmt = stmt.where(AuditEntry.table_name == self.table)
        if self.action:
            stmt = stmt.where(AuditEntry.action == self.action)
        if self.row_id:
            stmt = stmt.where(AuditEntry.row_id == self.row_id)
        if self.actor:
            needle = self.actor.lower()
            stmt = stmt.where(
                or_(
                    func.lower(AuditEntry.actor_label).contains(needle, autoescape=True),
                    func.lower(User.name).contains(needle, autoescape=True),
                    func.lower(User.email).contains(needle, autoescape=True),
                )
            )
        if self.since is not None:
            stmt = stmt.where(AuditEntry.at >= _utc_midnight(self.since))
        if self.until is not None:
            stmt = stmt.where(AuditEntry.at < _utc_midnight(self.until + timedelta(days=1)))
        return stmt


def _utc_midnight(day: date) -> datetime:
    from datetime import UTC

    return datetime.combine(day, time(), tzinfo=LOCAL_TZ).astimezone(UTC)


def audited_tables() -> list[str]:
    return sorted({spec.model.__table__.name for spec in registered().values()})


def _date(args: Mapping[str, str], name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise AuditFilterError(name, _("Give a date as YYYY-MM-DD.")) from None


def parse_filters(args: Mapping[str, str]) -> AuditFilters:
    table = (args.get("table") or "").strip()
    if table and table not in audited_tables():
        raise AuditFilterError("table", _("Choose a kind of record from the list."))
    action = (args.get("action") or "").strip()
    if action and action not in AUDIT_ACTIONS:
        raise AuditFilterError("action", _("Choose an action from the list."))
    row_id = (args.get("row") or "").strip()[:60]
    actor = (args.get("actor") or "").strip()[:200]
    since, until = _date(args, "since"), _date(args, "until")
    if since and until and until < since:
        raise AuditFilterError("until", _("The end date comes before the start date."))
    raw_page = (args.get("page") or "1").strip()
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGE:
        raise AuditFilterError("page", _("Give a page number: a whole number from 1."))
    return AuditFilters(table, action, row_id, actor, since, until, int(raw_page))


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    actor: str  # the account's current name, or the label of a non-account actor


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    page: int
    has_next: bool


def audit_page(filters: AuditFilters, commune_ids: tuple[int, ...] | None) -> AuditPage:
    """Newest first; one row more than a page tells whether a next page exists."""
    stmt = (
        filters.apply(
            select(AuditEntry, User.name, User.email).outerjoin(User, User.id == AuditEntry.actor_id), commune_ids
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(PER_PAGE + 1)
        .offset((filters.page - 1) * PER_PAGE)
    )
    rows = [
        AuditRow(entry, f"{name} <{email}>" if name is not None else entry.actor_label)
        for entry, name, email in db.session.execute(stmt)
    ]
    return AuditPage(rows[:PER_PAGE], filters.page, len(rows) > PER_PAGE)
