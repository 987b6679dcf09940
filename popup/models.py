"""Every model, imported once so that the metadata is complete (migrations, tests)."""

from popup.auth.models import User, staff_communes
from popup.communes.models import CommercialCore, Commune
from popup.imports.models import ImportMapping
from popup.units.models import Unit, UnitStatusChange

__all__ = ["CommercialCore", "Commune", "ImportMapping", "Unit", "UnitStatusChange", "User", "staff_communes"]
