"""Residents' reports and wishes, the staff's decisions. They flush; the view commits."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from popup import geo
from popup.auth.models import User
from popup.communes.models import Commune
from popup.domain.participation import MAX_WISH_TEXT, NEAR_DUPLICATE_M
from popup.domain.vocabulary import SECTORS
from popup.extensions import db
from popup.mail import MailError, send_email
from popup.participation import queries
from popup.participation.models import VacancyReport, Wish
from popup.types import utcnow
from popup.units import operations as unit_operations
from popup.units.models import Unit
from popup.uploads.operations import TooManyPhotos, add_unit_photo
from popup.uploads.processing import ProcessedImage, UploadError

log = logging.getLogger(__name__)

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
# Households share an address: a few anonymous wishes per unit from one address, not more.
WISHES_PER_ADDRESS_PER_UNIT = 3


class AlreadyDecided(ValueError):
    """The report was decided already (by someone else, a moment ago)."""


class AlreadyWished(ValueError):
    """This person already made a wish for this unit."""


class TooManyFromAddress(ValueError):
    """Too many anonymous wishes for this unit came from the same address."""


class NotVacant(ValueError):
    """Wishes are for vacant units only."""


# -- reports -------------------------------------------------------------------


def submit_report(
    commune: Commune,
    *,
    address: str,
    lon: float,
    lat: float,
    description: str = "",
    email: str = "",
    language: str = "fr",
    photo: ProcessedImage | None = None,
) -> tuple[VacancyReport, VacancyReport | None]:
    """Record a resident's report; returns it and the pending report it joined (within 25 m), if any."""
    joined = queries.pending_report_near(commune, lon, lat, NEAR_DUPLICATE_M)
    report = VacancyReport(
        commune=commune,
        address=address.strip()[:200],
        location=geo.point(lon, lat),
        description=(description or "").strip()[:500],
        contact_email=(email or "").strip().lower()[:254],
        language=language,
        photo_data=photo.data if photo else None,
        photo_content_type=photo.content_type if photo else None,
        merged_into_id=joined.id if joined is not None else None,
    )
    db.session.add(report)
    db.session.flush()
    return report, joined


def _lock_pending(report: VacancyReport) -> VacancyReport:
    # Two staff deciding at once: the row lock (BEGIN IMMEDIATE on SQLite) makes the second see the first.
    locked = db.session.execute(
        select(VacancyReport)
        .where(VacancyReport.id == report.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if locked.status != PENDING or locked.merged_into_id is not None:
        raise AlreadyDecided(locked.status)
    return locked


def _group(report: VacancyReport) -> list[VacancyReport]:
    """The report and those merged into it (they share its decision)."""
    merged = db.session.scalars(
        select(VacancyReport).where(VacancyReport.merged_into_id == report.id).order_by(VacancyReport.id)
    ).all()
    return [report, *merged]


@dataclass(frozen=True)
class Acceptance:
    unit: Unit
    created: bool  # a new unit; False: an existing unit within 25 m was updated
    status_changed: bool
    photos_added: int


def accept_report(report: VacancyReport, *, by: User) -> Acceptance:
    """Accept a report: the known unit within 25 m becomes vacant (dated history), else a new vacant unit.

    The reporters' photos are attached to the unit (as far as the unit's photo limit allows).
    """
    report = _lock_pending(report)
    group = _group(report)
    lon, lat = geo.lonlat(report.location)
    near = queries.nearest_unit(report.commune, lon, lat)
    reason = _("Reported empty by a resident (report no. %(id)d)", id=report.id)
    if near is not None:
        unit, created = near.unit, False
        changed = unit_operations.change_status(unit, "vacant", by=by, reason=reason)
    else:
        unit = unit_operations.create_unit(
            commune=report.commune,
            address=report.address,
            location=geo.point(lon, lat),
            status="vacant",
            by=by,
            reason=reason,
        )
        created, changed = True, True
    photos = 0
    for member in group:
        if member.photo_data is None:
            continue
        try:
            add_unit_photo(
                unit,
                member.photo_data,
                alt_text=_("Photo sent by a resident: %(address)s", address=member.address),
                by=None,
            )
        except TooManyPhotos:
            break
        except UploadError:  # checked when it was sent; a photo that fails now is left out, not the decision
            log.warning("photo of report %s could not be attached", member.id)
            continue
        photos += 1
    now = utcnow()
    for member in group:
        member.status = ACCEPTED
        member.unit_id = unit.id
        member.decided_by_id = by.id
        member.decided_at = now
        member.contact_email = ""  # no longer needed: erased
        member.photo_data = None  # now a photo of the unit (or refused by its limit)
    db.session.flush()
    return Acceptance(unit=unit, created=created, status_changed=changed, photos_added=photos)


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    address: str
    reason: str


def reject_report(report: VacancyReport, *, by: User, reason: str) -> list[Recipient]:
    """Refuse a report (and those merged into it) with a reason; returns whom to tell by email.

    The contact emails are erased from the reports: the caller sends the
    messages after the commit and keeps nothing.
    """
    reason = (reason or "").strip()[:500]
    if not reason:
        raise ValueError("a refusal needs a reason")
    report = _lock_pending(report)
    now = utcnow()
    recipients: dict[str, Recipient] = {}
    for member in _group(report):
        if member.contact_email and member.contact_email not in recipients:
            recipients[member.contact_email] = Recipient(member.contact_email, member.language, member.address, reason)
        member.status = REJECTED
        member.reason = reason
        member.decided_by_id = by.id
        member.decided_at = now
        member.contact_email = ""
        member.photo_data = None
        member.photo_content_type = None
    db.session.flush()
    return list(recipients.values())


def tell_refusals(recipients: list[Recipient], commune: Commune) -> int:
    """Email each reporter why the report was refused, in their language; returns how many failed."""
    failed = 0
    for recipient in recipients:
        with force_locale(recipient.language):
            subject = _("Your report of an empty unit in %(commune)s", commune=commune.name)
            body = _(
                "Thank you for your report of %(address)s. The commune's staff could not use it.\nReason: %(reason)s",
                address=recipient.address,
                reason=recipient.reason,
            )
        try:
            send_email(recipient.email, subject, body)
        except MailError:
            failed += 1
    return failed


# -- wishes --------------------------------------------------------------------


def add_wish(
    unit: Unit, *, voter_key: str, sector: str, text: str = "", user: User | None = None, ip_hash: str = ""
) -> Wish:
    """Record a wish for a vacant unit; the database keeps it to one per person per unit."""
    if sector not in SECTORS:
        raise ValueError(f"unknown sector {sector!r}")
    if unit.status != "vacant":
        raise NotVacant(unit.status)
    if user is None and ip_hash:
        same_address = db.session.scalar(
            select(func.count(Wish.id)).where(Wish.unit_id == unit.id, Wish.ip_hash == ip_hash)
        )
        if same_address >= WISHES_PER_ADDRESS_PER_UNIT:
            raise TooManyFromAddress(unit.id)
    wish = Wish(
        unit_id=unit.id,
        voter_key=voter_key,
        user_id=user.id if user is not None else None,
        ip_hash=ip_hash if user is None else "",
        sector=sector,
        text=(text or "").strip()[:MAX_WISH_TEXT],
    )
    try:
        with db.session.begin_nested():
            db.session.add(wish)
    except IntegrityError:
        raise AlreadyWished(unit.id) from None
    return wish


def hide_wish_text(wish: Wish, *, by: User) -> None:
    """Hide an abusive text; the wish still counts."""
    wish.text_hidden = True
    wish.hidden_by_id = by.id
    db.session.flush()
