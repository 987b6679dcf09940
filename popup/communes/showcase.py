"""The public showcase of a commune: its running pop-up shops, who is in them now and next, and their openings.

Everything here is public: entrepreneurs appear only through their public
vitrine (``popup.profiles.queries.public_profile``); one without a vitrine is
"a business in test" with no name. No owner, no account name or e-mail, no
amount leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from popup.applications.models import EntrepreneurProfile
from popup.communes.models import Commune
from popup.domain.openings import Span, feed_window, now_and_next, opening_dates, overlaps
from popup.extensions import db
from popup.leases.models import Lease, LeaseTenant
from popup.offers.models import Offer
from popup.offers.queries import public_offers
from popup.profiles.queries import public_profile, vitrine_photo
from popup.schedules.models import Booking, Rotation
from popup.units.models import Unit
from popup.uploads.models import Image


@dataclass(frozen=True)
class Holder:
    """An entrepreneur on a stand over ``[start, end)``, seen through their public vitrine only."""

    start: date
    end: date
    profile: EntrepreneurProfile | None  # None: a business in test, with no public vitrine
    photo: Image | None = None

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


@dataclass(frozen=True)
class StandLine:
    label: str
    now: Holder | None
    next: Holder | None


@dataclass
class Shop:
    lease: Lease
    title: str
    address: str
    unit_id: int
    opening_days: list[int]
    rotation: Rotation | None
    stands: list[StandLine] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)  # every holding, for the feed


class _Vitrines:
    """Public vitrines looked up once per request."""

    def __init__(self) -> None:
        self._seen: dict[int, tuple[EntrepreneurProfile | None, Image | None]] = {}

    def __call__(self, user_id: int) -> tuple[EntrepreneurProfile | None, Image | None]:
        if user_id not in self._seen:
            profile = public_profile(user_id)
            self._seen[user_id] = (profile, vitrine_photo(user_id) if profile is not None else None)
        return self._seen[user_id]


def running_leases(commune: Commune) -> list[Lease]:
    """The commune's running leases on units in pop-up use."""
    stmt = (
        select(Lease)
        .join(Unit, Unit.id == Lease.unit_id)
        .where(
            Lease.commune_id == commune.id,
            Lease.status == "running",
            Unit.status == "popup",
            Unit.archived_at.is_(None),
        )
        .options(
            joinedload(Lease.unit),
            joinedload(Lease.offer).selectinload(Offer.stands),
            selectinload(Lease.tenants).joinedload(LeaseTenant.stand),
        )
        .order_by(Unit.address, Lease.id)
    )
    return list(db.session.scalars(stmt).unique())


def active_rotation(lease: Lease) -> Rotation | None:
    if lease.offer_id is None:
        return None
    stmt = (
        select(Rotation)
        .where(Rotation.offer_id == lease.offer_id, Rotation.status == "active")
        .order_by(Rotation.starts_on.desc(), Rotation.id.desc())
        .limit(1)
    )
    return db.session.scalars(stmt).first()


def _bookings(rotation: Rotation) -> list[Booking]:
    stmt = (
        select(Booking)
        .where(Booking.rotation_id == rotation.id)
        .options(joinedload(Booking.stand))
        .order_by(Booking.starts_on, Booking.stand_id, Booking.id)
    )
    return list(db.session.scalars(stmt))


def _holder(span: Span | None, vitrines: _Vitrines) -> Holder | None:
    if span is None:
        return None
    profile, photo = vitrines(span.item.entrepreneur_id)
    return Holder(span.start, span.end, profile, photo)


def _stand_rows(lease: Lease, rotation: Rotation | None) -> list[tuple[object, str, list[Span]]]:
    """(stand key, label, spans) for each stand of the shop, in the offer's order."""
    rows: dict[object, tuple[str, list[Span]]] = {}
    if lease.offer is not None:
        for stand in lease.offer.stands:
            rows[stand.id] = (stand.label, [])
    if rotation is not None:
        for booking in _bookings(rotation):
            rows.setdefault(booking.stand_id, (booking.stand.label, []))[1].append(
                Span(booking, booking.starts_on, booking.ends_on)
            )
    else:
        end = lease.effective_end
        for tenant in lease.tenants:
            span = Span(tenant, tenant.entry_on, min(tenant.exit_on or end, end))
            if span.end <= span.start:
                continue
            key = tenant.stand_id if tenant.stand_id is not None else f"own-{tenant.id}"
            label = tenant.stand.label if tenant.stand is not None else ""
            rows.setdefault(key, (label, []))[1].append(span)
    return [(key, label, spans) for key, (label, spans) in rows.items()]


def shops(commune: Commune, today: date) -> list[Shop]:
    """The running pop-up shops of the commune, each stand with who holds it now and next."""
    vitrines = _Vitrines()
    found = []
    for lease in running_leases(commune):
        rotation = active_rotation(lease)
        offer = lease.offer
        shop = Shop(
            lease=lease,
            title=offer.title if offer is not None else lease.unit.address,
            address=lease.unit.address,
            unit_id=lease.unit_id,
            opening_days=sorted(offer.opening_days or []) if offer is not None else [],
            rotation=rotation,
        )
        for _key, label, spans in _stand_rows(lease, rotation):
            now, later = now_and_next(spans, today)
            shop.stands.append(StandLine(label, _holder(now, vitrines), _holder(later, vitrines)))
            shop.spans.extend(spans)
        found.append(shop)
    return found


def open_offers(commune: Commune, today: date) -> list[Offer]:
    """The commune's published offers open to applications (the same rule as /offers)."""
    return [offer for offer in public_offers(today) if offer.unit.commune_id == commune.id]


# -- the iCalendar feed of openings --------------------------------------------------------


@dataclass(frozen=True)
class Opening:
    uid: str  # stable: "opening-<lease>-<day>" or "opening-booking-<booking>"
    start: date
    end: date  # exclusive
    shop: Shop
    stand: str = ""
    holders: tuple[EntrepreneurProfile | None, ...] = ()


def openings(commune: Commune, today: date) -> list[Opening]:
    """Over the next weeks: one whole-day opening per opening day of each shop without a rotation,
    one per booking for a shop with a rotation."""
    window = feed_window(today)
    vitrines = _Vitrines()
    result = []
    for shop in shops(commune, today):
        if shop.rotation is not None:
            for span in shop.spans:
                booking = span.item
                if overlaps(span.start, span.end, window):
                    result.append(
                        Opening(
                            uid=f"opening-booking-{booking.id}",
                            start=span.start,
                            end=span.end,
                            shop=shop,
                            stand=booking.stand.label,
                            holders=(vitrines(booking.entrepreneur_id)[0],),
                        )
                    )
            continue
        lease = shop.lease
        start, end = max(window[0], lease.starts_on), min(window[1], lease.effective_end)
        for day in opening_dates(shop.opening_days, start, end):
            present = tuple(
                vitrines(span.item.entrepreneur_id)[0] for span in shop.spans if span.start <= day < span.end
            )
            result.append(
                Opening(
                    uid=f"opening-{lease.id}-{day:%Y%m%d}",
                    start=day,
                    end=day + timedelta(days=1),
                    shop=shop,
                    holders=present,
                )
            )
    return sorted(result, key=lambda o: (o.start, o.shop.address, o.stand, o.uid))
