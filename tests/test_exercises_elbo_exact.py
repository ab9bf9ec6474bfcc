"""Checkers of notebook 03: correct / not yet solved / wrong, each with a hint; the correct
answers are written independently (scipy, plain numpy), not copied from the package. Every
checker of 03, 04 and 06 survives None and garbage."""
from __future__ import annotations

import numpy as np
import pytest
from exercise_helpers import assert_verdicts
from scipy.stats import multivariate_normal

from vae_teach.exercises import (NOT_SOLVED, WRONG, check_grid_lower_bound, check_log_marginal,
                                 check_log_q_factorised, check_minibatch_estimate, check_mle_sigma2,
                                 check_optimal_q)


def _log_marginal(X, W, mu, sigma2):
    return multivariate_normal(mu, W @ W.T + sigma2 * np.eye(len(mu))).logpdf(X).reshape(-1)


def _log_marginal_no_noise(X, W, mu, sigma2):
    return multivariate_normal(mu, W @ W.T + np.eye(len(mu))).logpdf(X).reshape(-1)


def _sigma2(X, m):
    S = np.cov(X.T, bias=True)
    return np.linalg.eigvalsh(S)[: X.shape[1] - m].mean()


def _sigma2_ddof1(X, m):
    S = np.cov(X.T)
    return np.linalg.eigvalsh(S)[: X.shape[1] - m].mean()


CASES = [
    (check_log_marginal, _log_marginal, _log_marginal_no_noise),
    (check_mle_sigma2, _sigma2, _sigma2_ddof1),
]
# 04's and 06's checkers: their right/wrong answers and named slips are tested in
# test_exercises_elbo_iwae.py and test_exercises_independent_samples.py.
ALL_CHECKERS = [c[0] for c in CASES] + [check_grid_lower_bound, check_optimal_q,
                                        check_log_q_factorised, check_minibatch_estimate]


@pytest.mark.parametrize("checker,right,wrong", CASES, ids=[c[0].__name__ for c in CASES])
def test_checker_verdicts(checker, right, wrong, capsys):
    assert_verdicts(checker, right, wrong)
    assert "wrong" in capsys.readouterr().out  # verbose checkers print their verdict


@pytest.mark.parametrize("checker", ALL_CHECKERS, ids=[c.__name__ for c in ALL_CHECKERS])
def test_checkers_survive_none_and_garbage(checker):
    assert checker(lambda *a: None, verbose=False).status == NOT_SOLVED
    assert checker(lambda *a: "text", verbose=False).status == WRONG
    assert checker(42, verbose=False).status == WRONG
