"""Checkers of notebook 01: correct / not yet solved / wrong (with a hint), never a crash."""
from __future__ import annotations

import numpy as np
import pytest

from vae_teach.exercises import (CORRECT, NOT_SOLVED, WRONG, check_label_entropy,
                                 check_nearest_distance, check_reparameterise)


def _stub(*args):
    raise NotImplementedError("exercise")


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
    assert checker(right).status == CORRECT
    stub = checker(_stub)
    assert stub.status == NOT_SOLVED and "Hint" in stub.message
    bad = checker(wrong)
    assert bad.status == WRONG and "Hint" in bad.message
    assert checker(lambda *a: None).status == NOT_SOLVED
    assert "correct" in capsys.readouterr().out
