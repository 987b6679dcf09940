"""Matching workflows: saving a run's settings, proposing and rejecting pairs, both sides confirming.

They flush, never commit: the view commits once. Status changes of a proposal are
compare-and-set updates (``WHERE status = <what the user saw>``), so two people
acting at the same time cannot both win: the loser gets ProposalError("changed").
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from flask import current_app, url_for
from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from popup.applications import queries as application_queries
from popup.applications.models import Application
from popup.applications.operations import change_status
from popup.auth.models import User
from popup.calls.models import Call
from popup.domain.applications import Actor, Status, TransitionError, check_transition
from popup.domain.matching import SCALE, PairScore
from popup.domain.proposals import (
    LIVE_STATUSES,
    ProposalError,
    ProposalStatus,
    Side,
    confirm,
    decline,
    reservation_period,
    withdraw,
)
from popup.domain.rentsplit import RentSplitError
from popup.extensions import db
from popup.leases import operations as lease_operations
from popup.leases.messages import LeaseError
from popup.leases.models import Lease, LeaseTenant
from popup.matching import queries
from popup.matching.models import MatchProposal, MatchRejection
from popup.matching.queries import Inputs, Settings
from popup.notifications.operations import notify
from popup.offers.models import Offer
from popup.types import utcnow


class MatchingError(ValueError):
    """A matching step that is not possible; ``code`` names why (for the message).

    Codes: ``no_stands``, ``unknown_application``, ``unknown_stand``,
    ``application_taken``, ``stand_taken``, ``hard_rules`` (``rules`` lists them).
    """

    def __init__(self, code: str, rules: tuple[str, ...] = ()) -> None:
        super().__init__(code)
        self.code = code
        self.rules = rules


# -- settings ------------------------------------------------------------------------------


def save_settings(call: Call, settings: Settings, needs: list[str], by: User) -> None:
    """Keep the run's settings and the local needs on the call, so that a rerun gives the same result."""
    if not queries.has_stands(call):
        raise MatchingError("no_stands")
    call.local_needs = list(dict.fromkeys(needs))
    call.matching_settings = settings.to_json() | {"ran_at": utcnow().isoformat(), "ran_by_id": by.id}
    db.session.flush()


# -- proposing and rejecting pairs -------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A reason parameter as JSON keeps it (dates as ISO strings, fractions as floats)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    return value


def snapshot(score: PairScore) -> list[dict[str, Any]]:
    return [
        {
            "name": c.name,
            "value": c.value,
            "weight": c.weight,
            "reason_code": c.reason_code,
            "reason_params": _plain(c.reason_params),
        }
        for c in score.components
    ]


def _check_pair(inp: Inputs, application_id: int, stand_id: int) -> tuple[Application, Any]:
    application = inp.applications.get(application_id)
    if application is None:
        raise MatchingError("unknown_application")
    stand = inp.stands.get(stand_id)
    if stand is None:
        raise MatchingError("unknown_stand")
    return application, stand


def propose_pair(inp: Inputs, application_id: int, stand_id: int, by: User, *, forced: bool, accept_rules: bool):
    """A live proposal for the pair, sent to the offer's owner and the entrepreneur.

    A pair that breaks a hard rule needs ``accept_rules`` (staff confirmed they
    mean it). When the offer has no owner account, the commune speaks for the
    owner: the owner's side starts confirmed. The database refuses a second live
    proposal on the stand or the application even when two requests race past
    the checks (the caller catches that IntegrityError).
    """
    application, stand = _check_pair(inp, application_id, stand_id)
    taken = inp.taken.values()
    if any(p.application_id == application_id for p in taken):
        raise MatchingError("application_taken")
    if any(p.stand_id == stand_id for p in taken):
        raise MatchingError("stand_taken")
    score = inp.pair(application_id, stand_id)
    rules = tuple(r.value for r in score.impossible)
    if rules and not accept_rules:
        raise MatchingError("hard_rules", rules)
    now = utcnow()
    owner = stand.offer.owner
    owner_speaks = owner is not None and owner.active
    proposal = MatchProposal(
        call=inp.call,
        application=application,
        stand=stand,
        status=ProposalStatus.PROPOSED.value if owner_speaks else ProposalStatus.OWNER_CONFIRMED.value,
        owner_confirmed_at=None if owner_speaks else now,
        score_micros=round(score.total * SCALE),
        components=snapshot(score),
        hard_rules=list(rules),
        forced=forced,
        proposed_by=by,
        created_at=now,
    )
    db.session.add(proposal)
    for rejection in db.session.scalars(
        select(MatchRejection).filter_by(call_id=inp.call.id, application_id=application_id, stand_id=stand_id)
    ):
        db.session.delete(rejection)
    db.session.flush()
    params = _params(proposal)
    notify(application.entrepreneur, "match_proposed_entrepreneur", params, link=_link(proposal))
    if owner_speaks:
        notify(owner, "match_proposed_owner", params, link=_link(proposal))
    return proposal


def reject_pair(inp: Inputs, application_id: int, stand_id: int, by: User) -> None:
    """Leave the pair out of the call's later runs."""
    _check_pair(inp, application_id, stand_id)
    if (application_id, stand_id) in inp.rejected:
        return
    db.session.add(MatchRejection(call_id=inp.call.id, application_id=application_id, stand_id=stand_id, by_id=by.id))
    db.session.flush()


# -- the two sides, and staff --------------------------------------------------------------


def _link(proposal: MatchProposal) -> str:
    return url_for("matching.proposal", proposal_id=proposal.id)


def _params(proposal: MatchProposal, **more: Any) -> dict[str, Any]:
    stand = proposal.stand
    return {
        "applicant": queries.applicant_name(proposal.application),
        "stand": stand.label,
        "offer": stand.offer.title,
        "address": stand.offer.unit.address,
        "call": proposal.call.title,
    } | {k: v for k, v in more.items() if v not in (None, "")}


def _set_status(proposal: MatchProposal, source: str, **values: Any) -> None:
    """Compare-and-set: change the proposal only if nobody changed it since it was read."""
    changed = db.session.execute(
        update(MatchProposal)
        .where(MatchProposal.id == proposal.id, MatchProposal.status == source)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise ProposalError("changed")
    db.session.refresh(proposal)


def _owner(proposal: MatchProposal) -> User | None:
    owner = proposal.stand.offer.owner
    return owner if owner is not None and owner.active else None


def _staff(proposal: MatchProposal) -> list[User]:
    return application_queries.staff_of(proposal.call.commune)


def _tell(users: list[User | None], kind: str, proposal: MatchProposal, params: dict[str, Any], skip: User) -> None:
    seen = {skip.id}
    for user in users:
        if user is not None and user.id not in seen:
            seen.add(user.id)
            notify(user, kind, params, link=_link(proposal))


def side_of(user: User, proposal: MatchProposal) -> Side | None:
    """The side the user speaks for in this proposal, or None."""
    if proposal.application.entrepreneur_id == user.id:
        return Side.ENTREPRENEUR
    owner_id = proposal.stand.offer.owner_id
    if owner_id is not None and owner_id == user.id:
        return Side.OWNER
    return None


def confirm_side(proposal: MatchProposal, side: Side, by: User) -> None:
    """Record this side's yes; when both said yes, the match is confirmed (see on_proposal_confirmed)."""
    source = proposal.status
    target = confirm(source, side)
    now = utcnow()
    stamp = "owner_confirmed_at" if side == Side.OWNER else "entrepreneur_confirmed_at"
    values: dict[str, Any] = {"status": target.value, stamp: now}
    if target == ProposalStatus.CONFIRMED:
        values["confirmed_at"] = now
    _set_status(proposal, source, **values)
    if target == ProposalStatus.CONFIRMED:
        on_proposal_confirmed(proposal, by)
        return
    params = _params(proposal, who=by.name, side=side.value)
    _tell(
        [proposal.application.entrepreneur, _owner(proposal), *_staff(proposal)],
        "match_side_confirmed",
        proposal,
        params,
        by,
    )


def decline_side(proposal: MatchProposal, side: Side, by: User, reason: str = "") -> None:
    source = proposal.status
    target = decline(source)
    _set_status(
        proposal,
        source,
        status=target.value,
        declined_at=utcnow(),
        declined_by_id=by.id,
        declined_side=side.value,
        decline_reason=reason,
    )
    params = _params(proposal, who=by.name, side=side.value, reason=reason)
    _tell(
        [proposal.application.entrepreneur, _owner(proposal), *_staff(proposal)], "match_declined", proposal, params, by
    )


def withdraw_proposal(proposal: MatchProposal, by: User | None, reason: str = "", *, code: str = "staff") -> None:
    """Staff take a waiting proposal back.

    ``code`` "taken": withdrawn because another match of the stand or the entrepreneur was confirmed.
    """
    source = proposal.status
    target = withdraw(source)
    _set_status(
        proposal,
        source,
        status=target.value,
        withdrawn_at=utcnow(),
        withdrawn_by_id=by.id if by is not None else None,
        withdraw_reason=reason,
    )
    params = _params(proposal, reason=reason, why=code)
    recipients: list[User | None] = [proposal.application.entrepreneur, _owner(proposal)]
    if code == "taken":
        recipients += _staff(proposal)
    for user in {u.id: u for u in recipients if u is not None}.values():
        notify(user, "match_withdrawn", params, link=_link(proposal))


def on_proposal_confirmed(proposal: MatchProposal, by: User) -> None:
    """Both sides confirmed: reserve the stand, prepare the draft shared lease, accept the application,
    withdraw competing proposals.
    """
    application = proposal.application
    offer = proposal.stand.offer
    profile = queries.profiles_of([application.entrepreneur_id]).get(application.entrepreneur_id)
    proposal.reserved_from, proposal.reserved_until = reservation_period(
        offer.available_from,
        offer.available_until,
        offer.max_term_months,
        profile.wanted_start_on if profile is not None else None,
        profile.test_months if profile is not None else None,
    )
    db.session.flush()
    prepare_draft_lease(proposal, by)

    if _may_accept(application):
        change_status(application, Status.ACCEPTED.value, by=proposal.proposed_by or by, actor=Actor.STAFF)

    competing = db.session.scalars(
        select(MatchProposal)
        .join(Application, Application.id == MatchProposal.application_id)
        .where(
            MatchProposal.id != proposal.id,
            MatchProposal.status.in_(LIVE_STATUSES),
            MatchProposal.status != ProposalStatus.CONFIRMED.value,
            or_(
                MatchProposal.stand_id == proposal.stand_id,
                MatchProposal.application_id == proposal.application_id,
                Application.entrepreneur_id == application.entrepreneur_id,
            ),
        )
        .order_by(MatchProposal.id)
    ).all()
    for other in competing:
        withdraw_proposal(other, None, code="taken")

    params = _params(proposal, start=proposal.reserved_from.isoformat(), end=proposal.reserved_until.isoformat())
    _tell([application.entrepreneur, _owner(proposal), *_staff(proposal)], "match_confirmed", proposal, params, by)


def _may_accept(application: Application) -> bool:
    try:
        check_transition(application.status, Status.ACCEPTED.value, Actor.STAFF)
    except TransitionError:
        return False
    return True


# -- the draft shared lease ------------------------------------------------------------------


def shared_draft_lease(offer: Offer, start: date, end: date) -> Lease | None:
    """The offer's draft lease (the shared shop's) whose period covers ``[start, end)``: the oldest one."""
    return db.session.scalar(
        select(Lease)
        .where(Lease.offer_id == offer.id, Lease.status == "draft", Lease.starts_on <= start, Lease.ends_on >= end)
        .order_by(Lease.id)
        .limit(1)
    )


def _refusal(error: Exception, lease_id: int | None) -> dict[str, Any]:
    if isinstance(error, RentSplitError):
        source, code, params = "split", error.code, error.params
    elif isinstance(error, LeaseError):
        source, code, params = "lease", error.code, error.params
    else:
        source, code, params = "other", type(error).__name__, {}
    return {"source": source, "code": code, "params": _plain(dict(params)), "lease_id": lease_id}


def prepare_draft_lease(proposal: MatchProposal, by: User) -> LeaseTenant | None:
    """Put the confirmed entrepreneur on the stand in the shop's draft shared lease, for the reservation.

    The offer's draft lease that covers the reservation gets them as a co-tenant;
    without one, a new draft lease of the offer (its terms, over the offer's
    window, else the reservation) is made. This never undoes the confirmation:
    when the leases module refuses (the stand already held in that lease, a
    co-tenant outside its dates...), everything it wrote is rolled back to a
    savepoint and the proposal keeps why (``lease_refusal``) for the staff.
    """
    stand = proposal.stand
    offer = stand.offer
    entrepreneur = proposal.application.entrepreneur
    start, end = proposal.reserved_from, proposal.reserved_until
    lease_id = None
    try:
        with db.session.begin_nested():
            lease = shared_draft_lease(offer, start, end)
            if lease is not None:
                lease_id = lease.id
                tenant = lease_operations.add_tenant(
                    lease,
                    by=by,
                    entrepreneur=entrepreneur,
                    stand=stand,
                    area_m2=stand.area_m2,
                    entry_on=start,
                    exit_on=end,
                )
            else:
                window = offer.available_until is not None and offer.available_from <= start
                period = (offer.available_from, offer.available_until) if window else (start, end)
                lease = lease_operations.create_draft_lease_from_offer(
                    offer, [(entrepreneur, stand, start, end)], by, period=period
                )
                tenant = lease.tenants[0]
    except (LeaseError, RentSplitError, SQLAlchemyError) as error:
        current_app.logger.info("No draft lease for match proposal %s: %r", proposal.id, error)
        proposal.lease_tenant_id = None
        proposal.lease_refusal = _refusal(error, lease_id)
        db.session.flush()
        return None
    proposal.lease_tenant_id = tenant.id
    proposal.lease_refusal = None
    db.session.flush()
    return tenant
