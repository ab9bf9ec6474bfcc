"""Checkers of notebook 04 (the lower bound, importance sampling, L_k): correct for an answer
written independently, 'not yet solved' for a stub, the usual slips named."""
from __future__ import annotations

import numpy as np
import pytest
from exercise_helpers import assert_verdicts, stub
from scipy.special import logsumexp

from vae_teach.exercises import (CORRECT, NOT_SOLVED, WRONG, check_grid_lower_bound,
                                 check_k_within, check_L_k, check_optimal_q,
                                 check_posterior_L_k)
from vae_teach.maths.importance import IWAECurve


def _L_k(log_w):
    k = log_w.shape[1]
    return np.mean([logsumexp(row) - np.log(k) for row in log_w])


@pytest.mark.parametrize("wrong,slip", [
    (lambda lw: lw.mean(), "the mean of the logs"),
    (lambda lw: np.mean(logsumexp(lw, axis=1)), "without the 1/k"),
    (lambda lw: np.mean(logsumexp(lw, axis=0) - np.log(lw.shape[0])), "over the repeats"),
    (lambda lw: logsumexp(lw) - np.log(lw.size), "all R·k weights"),
    (lambda lw: np.mean(np.log(np.mean(np.exp(lw), axis=1))), "without subtracting the maximum"),
])
def test_L_k_names_each_slip(wrong, slip):
    with np.errstate(divide="ignore", under="ignore"):
        assert_verdicts(check_L_k, _L_k, wrong, slip=slip)


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


def test_warm_ups_name_their_slips():
    assert_verdicts(check_grid_lower_bound, _grid_L_b, _grid_L_b_no_entropy, slip="no entropy")
    assert_verdicts(check_optimal_q, _posterior, _posterior_no_sigma2, slip="without its factor σ²")


def _curve(gaps, ks=(1, 2, 4, 8, 16)):
    ks = np.asarray(ks)
    L_k = -1.0 - np.asarray(gaps, dtype=float)
    return IWAECurve(ks, L_k, np.full(len(ks), 1e-3), np.zeros((2, len(ks))), log_p=-1.0,
                     L_b=L_k[0])


def test_k_within_reads_the_first_k_below_the_tolerance():
    c = _curve([2.0, 1.0, 0.3, 0.09, 0.04])
    assert_verdicts(lambda fn, verbose=True: check_k_within(fn, c, verbose=verbose),
                    lambda: 8, lambda: 4, slip="one point too early")
    last = check_k_within(lambda: 16, c, verbose=False)
    assert last.status == WRONG and "the largest k" in last.message
    assert check_k_within(lambda: 4, c, tol=0.5, verbose=False).status == CORRECT


def test_default_measurements_match_the_notebooks():
    assert check_k_within(lambda: 64, verbose=False).status == CORRECT
    assert check_posterior_L_k(lambda: "constant, equal to log p", verbose=False).status == CORRECT


def test_posterior_prediction_follows_the_measurement():
    exact = _curve([0.0] * 5)
    rising = _curve([2.0, 1.0, 0.5, 0.25, 0.12])
    ok = check_posterior_L_k(lambda: "constant, equal to log p", exact, verbose=False)
    assert ok.status == CORRECT and "p_θ(x)" in ok.message
    assert check_posterior_L_k(lambda: "rises towards log p", rising,
                               verbose=False).status == CORRECT
    assert check_posterior_L_k(lambda: "rises towards log p", exact,
                               verbose=False).status == WRONG
    assert check_posterior_L_k(stub, exact, verbose=False).status == NOT_SOLVED


@pytest.mark.parametrize("checker", [check_L_k, check_k_within, check_posterior_L_k,
                                     check_grid_lower_bound, check_optimal_q])
def test_checkers_survive_none_and_garbage(checker):
    assert checker(lambda *a: None, verbose=False).status == NOT_SOLVED
    assert checker(lambda *a: "text", verbose=False).status == WRONG
    assert checker(lambda *a: 1 / 0, verbose=False).status == WRONG
    assert checker(42, verbose=False).status == WRONG
