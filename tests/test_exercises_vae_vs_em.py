"""Checkers of notebook 05: correct / not yet solved / wrong (with a hint), never a crash."""
from __future__ import annotations

import numpy as np
import pytest
from exercise_helpers import assert_verdicts

from vae_teach.exercises import NOT_SOLVED, check_e_step, check_entropy_q, check_sigma2_update
from vae_teach.maths import em


def _posterior(X, W, mu, sigma2):
    P = W.T @ W + sigma2 * np.eye(W.shape[1])
    return np.linalg.solve(P, W.T @ (X - mu).T).T, sigma2 * np.linalg.inv(P)


def _entropy(q_cov):
    m = q_cov.shape[-1]
    return float(np.sum(0.5 * (m * np.log(2 * np.pi * np.e) + np.linalg.slogdet(q_cov)[1])))


def _sigma2(X, W, mu, q_mean, q_cov):
    return (np.sum((X - mu - q_mean @ W.T) ** 2) + np.trace(W.T @ W @ q_cov.sum(0))) / X.size


CASES = {
    check_e_step: (_posterior, lambda X, W, mu, s2: (_posterior(X, W, mu, s2)[0],
                                                     np.linalg.inv(W.T @ W + s2 * np.eye(
                                                         W.shape[1])))),   # forgot σ²
    check_entropy_q: (_entropy, lambda S: float(np.sum(0.5 * np.linalg.slogdet(S)[1]))),
    check_sigma2_update: (_sigma2, lambda X, W, mu, a, S: np.sum((X - mu - a @ W.T) ** 2)
                          / X.size),                                      # no trace term
}


@pytest.mark.parametrize("checker", list(CASES), ids=lambda c: c.__name__)
def test_verdicts(checker, capsys):
    right, wrong = CASES[checker]
    assert_verdicts(checker, right, wrong)
    assert checker(lambda *a: None).status == NOT_SOLVED
    assert "correct" in capsys.readouterr().out


def test_sigma2_reference_is_the_m_step():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 5))
    q = em.e_step(X, em.init_params(5, 2, seed=1))
    theta = em.m_step(X, *q)
    q_cov = np.broadcast_to(q[1], (30, 2, 2))
    assert _sigma2(X, theta.W, theta.mu, q[0], q_cov) == pytest.approx(theta.sigma2, rel=1e-10)
