"""Who may see and do what on a lease.

Staff of the lease's commune (and admins) manage it; its owner sees it whole
and records payments; a co-tenant sees their own share only. A coach reads,
read only, the statements of the co-tenants they coach now in the lease's
commune (``lease_statement_reader``), and nothing else of the lease. Anyone
else gets a 404, as if the lease did not exist.
"""

from __future__ import annotations

from flask import abort

from popup.coaching.queries import coached_entrepreneur_ids
from popup.extensions import db
from popup.leases.models import Lease
from popup.permissions import Policy, ViewArgs
from popup.units.queries import local_today


def live_lease(lease_id) -> Lease:
    lease = db.session.get(Lease, lease_id) if isinstance(lease_id, int) else None
    if lease is None:
        abort(404)
    return lease


def is_staff(user, lease: Lease) -> bool:
    return bool(user.is_authenticated) and user.is_staff_of(lease.commune)


def is_owner(user, lease: Lease) -> bool:
    return bool(user.is_authenticated) and lease.owner_id is not None and lease.owner_id == user.id


def own_tenancies(user, lease: Lease) -> set[int]:
    """The ids of the user's co-tenancies in the lease."""
    if not user.is_authenticated:
        return set()
    return {t.id for t in lease.tenants if t.entrepreneur_id == user.id}


def coached_tenancies(user, lease: Lease) -> set[int]:
    """The ids of the lease's co-tenancies of entrepreneurs the user coaches today in the lease's commune."""
    if not user.is_authenticated or user.role != "coach":
        return set()
    coached = coached_entrepreneur_ids(user, lease.commune_id, local_today())
    return {t.id for t in lease.tenants if t.entrepreneur_id in coached}


def readable_tenancies(user, lease: Lease) -> set[int]:
    """The co-tenancies whose statements the user reads: their own, and those of the entrepreneurs they coach."""
    return own_tenancies(user, lease) | coached_tenancies(user, lease)


def sees_whole(user, lease: Lease) -> bool:
    return is_staff(user, lease) or is_owner(user, lease)


def _relation(user, args: ViewArgs) -> str:
    lease = live_lease(args.get("lease_id"))
    if is_staff(user, lease):
        return "staff"
    if is_owner(user, lease):
        return "owner"
    if own_tenancies(user, lease):
        return "tenant"
    abort(404)  # someone else's lease: not even said to exist


lease_staff = Policy("staff of the lease's commune", lambda user, args: _relation(user, args) == "staff")
lease_manager = Policy(
    "staff of the lease's commune or its owner", lambda user, args: _relation(user, args) in ("staff", "owner")
)
lease_viewer = Policy("staff, the owner or a co-tenant of the lease", lambda user, args: bool(_relation(user, args)))


def _statement_reader(user, args: ViewArgs) -> bool:
    lease = live_lease(args.get("lease_id"))
    if coached_tenancies(user, lease):
        return True
    return bool(_relation(user, args))


lease_statement_reader = Policy(
    "staff, the owner, a co-tenant of the lease, or the coach of a co-tenant (read only)", _statement_reader
)
