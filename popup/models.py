"""Every model, imported once so that the metadata is complete (migrations, tests)."""

from popup.applications.models import Application, ApplicationEvent, EntrepreneurProfile, Score
from popup.auth.models import User, staff_communes
from popup.calls.models import Call, Criterion, call_jurors, call_offers
from popup.communes.models import CommercialCore, Commune
from popup.imports.models import ImportMapping, ImportUpload
from popup.leases.models import Lease, LeasePayment, LeaseTenant
from popup.notifications.models import Notification
from popup.offers.models import Offer, Stand
from popup.units.models import Unit, UnitStatusChange
from popup.uploads.models import Document, Image

__all__ = [
    "Application",
    "ApplicationEvent",
    "Call",
    "CommercialCore",
    "Commune",
    "Criterion",
    "Document",
    "EntrepreneurProfile",
    "Image",
    "ImportMapping",
    "ImportUpload",
    "Lease",
    "LeasePayment",
    "LeaseTenant",
    "Notification",
    "Offer",
    "Score",
    "Stand",
    "Unit",
    "UnitStatusChange",
    "User",
    "call_jurors",
    "call_offers",
    "staff_communes",
]
