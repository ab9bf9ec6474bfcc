"""Checkers of notebook 01: correct / not yet solved / wrong (with a hint), never a crash."""
from __future__ import annotations

import numpy as np
import pytest
from exercise_helpers import assert_verdicts

from vae_teach.exercises import (NOT_SOLVED, check_label_entropy, check_nearest_distance,
                                 check_reparameterise)


def _nearest(X_gen, X_train):
    d2 = ((X_gen[:, None, :] - X_train[None, :, :]) ** 2).sum(-1)
    return np.sqrt(d2.min(1) / X_train.shape[1])


def _entropy(labels):
    p = np.bincount(labels, minlength=10) / len(labels)
    p = p[p > 0]
    return -(p * np.log(p)).sum()


CASES = {
    check_reparameterise: (lambda mu, zeta, eps: mu + np.exp(zeta / 2) * eps,
                           lambda mu, zeta, eps: mu + np.exp(zeta) * eps),      # σ̃² for σ̃
    check_nearest_distance: (_nearest,
                             lambda G, X: np.sqrt(((G[:, None] - X[None]) ** 2).sum(-1)
                                                  .mean(1) / X.shape[1])),      # mean, not min
    check_label_entropy: (_entropy, lambda labels: np.log(len(np.unique(labels))) + 0.1),
}


@pytest.mark.parametrize("checker", list(CASES), ids=lambda c: c.__name__)
def test_verdicts(checker, capsys):
    right, wrong = CASES[checker]
    assert_verdicts(checker, right, wrong)
    assert checker(lambda *a: None).status == NOT_SOLVED
    assert "correct" in capsys.readouterr().out
