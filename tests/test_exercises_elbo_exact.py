"""Checkers of notebooks 03, 04, 06: correct / not yet solved / wrong, each with a hint; the
correct answers are written independently (scipy, plain numpy), not copied from the package."""
from __future__ import annotations

import numpy as np
import pytest
from exercise_helpers import assert_verdicts
from scipy.stats import multivariate_normal, norm

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


def _grid_L_b(log_joint, log_q, dz):
    return np.sum(np.exp(log_q) * (log_joint - log_q)) * dz


def _grid_L_b_no_entropy(log_joint, log_q, dz):
    return np.sum(np.exp(log_q) * log_joint) * dz


def _posterior(W, mu, sigma2, x):
    B = W.T @ W + sigma2 * np.eye(W.shape[1])
    return np.linalg.solve(B, W.T @ (x - mu)), sigma2 * np.linalg.inv(B)


def _posterior_no_sigma2(W, mu, sigma2, x):
    B = W.T @ W + sigma2 * np.eye(W.shape[1])
    return np.linalg.solve(B, W.T @ (x - mu)), np.linalg.inv(B)


def _log_q(Z, mu_tilde, sigma2_tilde):
    return norm(mu_tilde, np.sqrt(sigma2_tilde)).logpdf(Z).sum()


def _log_q_std_as_var(Z, mu_tilde, sigma2_tilde):
    return norm(mu_tilde, sigma2_tilde).logpdf(Z).sum()


def _minibatch(L_b_i, batch):
    return len(L_b_i) / len(batch) * L_b_i[batch].sum()


def _minibatch_mean(L_b_i, batch):
    return L_b_i[batch].mean()


CASES = [
    (check_log_marginal, _log_marginal, _log_marginal_no_noise),
    (check_mle_sigma2, _sigma2, _sigma2_ddof1),
    (check_grid_lower_bound, _grid_L_b, _grid_L_b_no_entropy),
    (check_optimal_q, _posterior, _posterior_no_sigma2),
    (check_log_q_factorised, _log_q, _log_q_std_as_var),
    (check_minibatch_estimate, _minibatch, _minibatch_mean),
]


@pytest.mark.parametrize("checker,right,wrong", CASES, ids=[c[0].__name__ for c in CASES])
def test_checker_verdicts(checker, right, wrong, capsys):
    assert_verdicts(checker, right, wrong)
    assert "wrong" in capsys.readouterr().out  # verbose checkers print their verdict


@pytest.mark.parametrize("checker", [c[0] for c in CASES], ids=[c[0].__name__ for c in CASES])
def test_checkers_survive_none_and_garbage(checker):
    assert checker(lambda *a: None, verbose=False).status == NOT_SOLVED
    assert checker(lambda *a: "text", verbose=False).status == WRONG
    assert checker(42, verbose=False).status == WRONG
