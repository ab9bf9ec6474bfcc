"""Checkers of notebook 08: correct / not yet solved / wrong, each with a hint."""
from __future__ import annotations

import math

import numpy as np
import pytest
from exercise_helpers import assert_verdicts

from vae_teach.exercises import NOT_SOLVED, WRONG, check_closed_part, check_simpler_close_form


LOG_2PI = math.log(2 * math.pi)



def closed_part(mu_tilde, s2):
    return -0.5 * mu_tilde @ mu_tilde + 0.5 * np.log(s2).sum() - 0.5 * (s2 - 1).sum()


def closed_part_as_printed(mu_tilde, s2):      # the slide's line 4 with Σ_θ = I: no log|Σ̃|
    return -0.5 * mu_tilde @ mu_tilde - 0.5 * (s2 - 1).sum()


def simpler(sq_err, mu_tilde, s2, M):
    return -M / 2 * LOG_2PI - 0.5 * (sq_err.mean() + mu_tilde @ mu_tilde
                                     + (s2 - np.log(s2) - 1).sum())


def simpler_sum(sq_err, mu_tilde, s2, M):      # sums the draws instead of averaging
    return -M / 2 * LOG_2PI - 0.5 * (sq_err.sum() + mu_tilde @ mu_tilde
                                     + (s2 - np.log(s2) - 1).sum())


CASES = [
    (check_closed_part, closed_part, closed_part_as_printed),
    (check_simpler_close_form, simpler, simpler_sum),
]


@pytest.mark.parametrize("checker,right,wrong", CASES, ids=[c[0].__name__ for c in CASES])
def test_checker_verdicts(checker, right, wrong, capsys):
    assert_verdicts(checker, right, wrong)
    assert "wrong" in capsys.readouterr().out


def test_checkers_never_raise_on_garbage():
    for checker, _, _ in CASES:
        assert checker(lambda *a: "nonsense", verbose=False).status == WRONG
        assert checker(lambda *a: None, verbose=False).status == NOT_SOLVED
