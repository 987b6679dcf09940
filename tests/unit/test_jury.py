from fractions import Fraction

import pytest

from popup.domain.jury import rank, weighted_score

WEIGHTS = {1: 2, 2: 1}


def test_weighted_score_averages_jurors_then_weights_criteria():
    assert weighted_score({1: [4, 5], 2: [2]}, WEIGHTS) == Fraction(2 * Fraction(9, 2) + 2, 3)


def test_unscored_criteria_do_not_drag_the_score_down():
    assert weighted_score({1: [4], 2: []}, WEIGHTS) == 4
    assert weighted_score({}, WEIGHTS) is None


@pytest.mark.parametrize("bad", [[0], [6]])
def test_scores_stay_between_one_and_five(bad):
    with pytest.raises(ValueError):
        weighted_score({1: bad}, WEIGHTS)


def test_ranking_shows_ties_and_puts_unscored_last():
    ranked = rank({10: {1: [5]}, 11: {1: [3]}, 12: {1: [5]}, 13: {}, 14: {1: [2]}}, WEIGHTS)
    assert [(r.application_id, r.rank, r.tied) for r in ranked] == [
        (10, 1, True),
        (12, 1, True),
        (11, 3, False),
        (14, 4, False),
        (13, None, False),
    ]
