"""Who may run a call's matching, and who may see and answer a proposal.

A proposal is visible to the staff of the call's commune, the offer's owner and
the applicant; anyone else gets a 404, as if it did not exist. Among those who
see it, only the two sides answer it and only staff withdraw it (403 otherwise).
"""

from __future__ import annotations

from flask import abort

from popup.applications.policies import MAX_ID, may_manage_call
from popup.extensions import db
from popup.matching.models import MatchProposal
from popup.permissions import Policy, ViewArgs


def proposal_or_404(args: ViewArgs) -> MatchProposal:
    ident = args.get("proposal_id")
    proposal = db.session.get(MatchProposal, ident) if isinstance(ident, int) and 0 < ident <= MAX_ID else None
    if proposal is None:
        abort(404)
    return proposal


def is_party(user, proposal: MatchProposal) -> bool:
    if not user.is_authenticated:
        return False
    owner_id = proposal.stand.offer.owner_id
    return proposal.application.entrepreneur_id == user.id or (owner_id is not None and owner_id == user.id)


def is_staff(user, proposal: MatchProposal) -> bool:
    return may_manage_call(user, proposal.call)


def _visible(user, args: ViewArgs) -> MatchProposal:
    proposal = proposal_or_404(args)
    if not (is_party(user, proposal) or is_staff(user, proposal)):
        abort(404)
    return proposal


def _viewer(user, args: ViewArgs) -> bool:
    _visible(user, args)
    return True


def _party(user, args: ViewArgs) -> bool:
    return is_party(user, _visible(user, args))


def _staff(user, args: ViewArgs) -> bool:
    return is_staff(user, _visible(user, args))


proposal_viewer = Policy("the proposal's owner, applicant and the call's staff", _viewer)
proposal_party = Policy("the offer's owner or the applicant of the proposal", _party)
proposal_staff = Policy("staff of the proposal's call", _staff)
owner_or_entrepreneur = Policy("owners and entrepreneurs", lambda user, args: user.role in ("owner", "entrepreneur"))
