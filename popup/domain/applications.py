"""The life of an application, as a pure state machine.

draft → submitted → under_review → shortlisted → accepted | rejected, and
withdrawn by the entrepreneur at any time before a decision. Each transition
names who may make it; some need a reason or the call still open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    SHORTLISTED = "shortlisted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


APPLICATION_STATUSES: Final = tuple(s.value for s in Status)
FINAL: Final = frozenset({Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN})
# An application in one of these blocks a second one to the same call.
ACTIVE: Final = frozenset(set(Status) - {Status.REJECTED, Status.WITHDRAWN})


class Actor(StrEnum):
    ENTREPRENEUR = "entrepreneur"  # the applicant
    STAFF = "staff"  # staff of the call's commune, or admin


@dataclass(frozen=True)
class Rule:
    source: Status
    target: Status
    actor: Actor
    needs_reason: bool = False
    before_deadline: bool = False


RULES: Final[tuple[Rule, ...]] = (
    Rule(Status.DRAFT, Status.SUBMITTED, Actor.ENTREPRENEUR, before_deadline=True),
    Rule(Status.SUBMITTED, Status.UNDER_REVIEW, Actor.STAFF),
    Rule(Status.SUBMITTED, Status.SHORTLISTED, Actor.STAFF),
    Rule(Status.UNDER_REVIEW, Status.SHORTLISTED, Actor.STAFF),
    Rule(Status.SUBMITTED, Status.REJECTED, Actor.STAFF, needs_reason=True),
    Rule(Status.UNDER_REVIEW, Status.REJECTED, Actor.STAFF, needs_reason=True),
    Rule(Status.SHORTLISTED, Status.REJECTED, Actor.STAFF, needs_reason=True),
    Rule(Status.SHORTLISTED, Status.ACCEPTED, Actor.STAFF),
    Rule(Status.UNDER_REVIEW, Status.ACCEPTED, Actor.STAFF),
    *(
        Rule(source, Status.WITHDRAWN, Actor.ENTREPRENEUR)
        for source in (Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.SHORTLISTED)
    ),
)


class TransitionError(ValueError):
    """A transition that is not allowed; ``code`` names why (for the message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def check_transition(
    source: str,
    target: str,
    actor: Actor,
    *,
    reason: str = "",
    now: datetime | None = None,
    deadline: datetime | None = None,
) -> Rule:
    """Return the rule that allows the transition, or raise TransitionError saying why not.

    Codes: ``unknown_status``, ``same_status``, ``final`` (the application is
    decided or withdrawn), ``not_allowed`` (no such step), ``wrong_actor``,
    ``reason_required``, ``deadline_passed``.
    """
    try:
        src, dst = Status(source), Status(target)
    except ValueError:
        raise TransitionError("unknown_status") from None
    if src == dst:
        raise TransitionError("same_status")
    if src in FINAL:
        raise TransitionError("final")
    candidates = [r for r in RULES if r.source == src and r.target == dst]
    if not candidates:
        raise TransitionError("not_allowed")
    rule = next((r for r in candidates if r.actor == actor), None)
    if rule is None:
        raise TransitionError("wrong_actor")
    if rule.needs_reason and not reason.strip():
        raise TransitionError("reason_required")
    if rule.before_deadline and deadline is not None and now is not None and now >= deadline:
        raise TransitionError("deadline_passed")
    return rule


def allowed_targets(source: str, actor: Actor) -> list[str]:
    """The statuses this actor may move an application to from ``source``."""
    if Status(source) in FINAL:
        return []
    return [r.target.value for r in RULES if r.source == Status(source) and r.actor == actor]
