"""Checkers of notebook 02: correct for the solution, 'not yet solved' for a stub, 'wrong'
(with a hint) for a wrong answer — and never an exception."""
from __future__ import annotations

import numpy as np
import pytest
from exercise_helpers import assert_verdicts

from vae_teach.exercises import (NOT_SOLVED, WRONG, check_aggregate_moments, check_regulariser,
                                 check_regulariser_gradient)


CASES = {
    check_regulariser: (lambda mu, zeta: mu ** 2 + np.exp(zeta) - (1 + zeta),
                        lambda mu, zeta: mu ** 2 + np.exp(zeta) - zeta),      # forgot the 1
    check_regulariser_gradient: (lambda mu, zeta: (2 * mu, np.exp(zeta) - 1),
                                 lambda mu, zeta: (mu, np.exp(zeta) - 1)),    # forgot the 2
    check_aggregate_moments: (lambda mu, zeta: (mu.mean(0), mu.var(0) + np.exp(zeta).mean(0)),
                              lambda mu, zeta: (mu.mean(0), mu.var(0))),      # forgot E[σ̃²]
}


@pytest.mark.parametrize("checker", list(CASES), ids=lambda c: c.__name__)
def test_verdicts(checker, capsys):
    right, wrong = CASES[checker]
    assert_verdicts(checker, right, wrong)
    assert checker(lambda *a: None).status == NOT_SOLVED
    assert checker(lambda *a: 1 / 0).status == WRONG
    assert "correct" in capsys.readouterr().out
