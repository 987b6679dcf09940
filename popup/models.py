"""Every model, imported once so that the metadata is complete (migrations, tests)."""

from popup.applications.models import Application, ApplicationEvent, EntrepreneurProfile, Score
from popup.auth.models import User, staff_communes
from popup.calls.models import Call, Criterion, call_jurors, call_offers
from popup.communes.models import CommercialCore, Commune
from popup.imports.models import ImportMapping, ImportUpload
from popup.maps import versions as _map_versions  # noqa: F401  (renews the map's data stamp on commit)
from popup.maps.models import DataVersion
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
    "DataVersion",
    "Document",
    "EntrepreneurProfile",
    "Image",
    "ImportMapping",
    "ImportUpload",
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
