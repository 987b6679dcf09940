"""Every model, imported once so that the metadata is complete (migrations, tests)."""

from popup.applications.models import Application, ApplicationEvent, EntrepreneurProfile, Score
from popup.audit.models import AuditEntry
from popup.auth.models import User, staff_communes
from popup.calls.models import Call, Criterion, call_jurors, call_offers
from popup.coaching.models import CoachAssignment, CoachingNote
from popup.communes.models import CommercialCore, Commune
from popup.imports.models import ImportMapping, ImportUpload
from popup.leases.models import Lease, LeasePayment, LeaseTenant
from popup.maps import versions as _map_versions  # noqa: F401  (renews the map's data stamp on commit)
from popup.maps.models import DataVersion
from popup.matching.models import MatchProposal, MatchRejection
from popup.notifications.models import Notification
from popup.offers.models import Offer, Stand
from popup.participation.models import VacancyReport, Wish
from popup.schedules.models import Booking, CalendarFeed, Rotation, RotationCandidate, SwapRequest
from popup.units.models import Unit, UnitStatusChange
from popup.uploads.models import Document, Image

__all__ = [
    "Application",
    "ApplicationEvent",
    "AuditEntry",
    "Booking",
    "CalendarFeed",
    "Call",
    "CoachAssignment",
    "CoachingNote",
    "CommercialCore",
    "Commune",
    "Criterion",
    "DataVersion",
    "Document",
    "EntrepreneurProfile",
    "Image",
    "ImportMapping",
    "ImportUpload",
    "Lease",
    "LeasePayment",
    "LeaseTenant",
    "MatchProposal",
    "MatchRejection",
    "Notification",
    "Offer",
    "Rotation",
    "RotationCandidate",
    "Score",
    "Stand",
    "SwapRequest",
    "Unit",
    "UnitStatusChange",
    "User",
    "VacancyReport",
    "Wish",
    "call_jurors",
    "call_offers",
    "staff_communes",
]
