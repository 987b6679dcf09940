from datetime import UTC, datetime, timedelta

import pytest

from popup.domain.applications import Actor, Status, TransitionError, allowed_targets, check_transition

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
E, S = Actor.ENTREPRENEUR, Actor.STAFF


def test_the_happy_path():
    path = [
        ("draft", "submitted", E),
        ("submitted", "under_review", S),
        ("under_review", "shortlisted", S),
        ("shortlisted", "accepted", S),
    ]
    for source, target, actor in path:
        check_transition(source, target, actor, now=NOW, deadline=NOW + timedelta(days=1))


@pytest.mark.parametrize(
    ("source", "target", "actor", "code"),
    [
        ("draft", "accepted", S, "not_allowed"),  # accepting a draft
        ("draft", "submitted", S, "wrong_actor"),  # staff cannot submit for the entrepreneur
        ("shortlisted", "accepted", E, "wrong_actor"),  # nor accept themselves
        ("submitted", "rejected", S, "reason_required"),
        ("accepted", "withdrawn", E, "final"),
        ("rejected", "submitted", E, "final"),
        ("submitted", "submitted", E, "same_status"),
        ("submitted", "lost", S, "unknown_status"),
    ],
)
def test_illegal_transitions_say_why(source, target, actor, code):
    with pytest.raises(TransitionError) as raised:
        check_transition(source, target, actor)
    assert raised.value.code == code


def test_submitting_after_the_deadline_is_refused():
    with pytest.raises(TransitionError) as raised:
        check_transition("draft", "submitted", E, now=NOW, deadline=NOW)
    assert raised.value.code == "deadline_passed"


def test_a_rejection_with_a_reason_is_fine():
    assert check_transition("shortlisted", "rejected", S, reason="Secteur déjà présent").target == Status.REJECTED


@pytest.mark.parametrize("source", ["draft", "submitted", "under_review", "shortlisted"])
def test_the_entrepreneur_may_withdraw_before_a_decision(source):
    assert "withdrawn" in allowed_targets(source, E)


def test_nothing_moves_after_a_decision():
    for status in ("accepted", "rejected", "withdrawn"):
        assert allowed_targets(status, E) == [] and allowed_targets(status, S) == []
