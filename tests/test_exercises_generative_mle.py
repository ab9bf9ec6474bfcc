"""Checkers of notebook 03: each is correct for an answer written independently (scipy, plain
numpy), 'not yet solved' for a stub, and names the slip of a typical wrong answer."""
from __future__ import annotations

import numpy as np
import pytest
from exercise_helpers import assert_verdicts
from scipy.stats import multivariate_normal

from vae_teach.exercises import (CORRECT, NOT_SOLVED, WRONG, check_best_draw_dimension,
                                 check_log_marginal, check_mle_sigma2, check_naive_mc_trend)
from vae_teach.maths.importance import naive_mc_by_dimension
from vae_teach.maths.ppca import PPCA


def _log_marginal(X, W, mu, sigma2):
    return multivariate_normal(mu, W @ W.T + sigma2 * np.eye(len(mu))).logpdf(X).reshape(-1)


def _log_marginal_sigma(X, W, mu, sigma2):
    return multivariate_normal(mu, W @ W.T + np.sqrt(sigma2) * np.eye(len(mu))).logpdf(X).reshape(-1)


def _sigma2(X, m):
    return np.linalg.eigvalsh(np.cov(X.T, bias=True))[: X.shape[1] - m].mean()


def _sigma2_ddof1(X, m):
    return np.linalg.eigvalsh(np.cov(X.T))[: X.shape[1] - m].mean()


def _sigma2_largest(X, m):
    return np.sort(np.linalg.eigvalsh(np.cov(X.T, bias=True)))[::-1][: X.shape[1] - m].mean()


def _sigma2_given(X, m):
    return np.linalg.eigvalsh(np.cov(X.T))[m:].mean()


@pytest.mark.parametrize("wrong,slip", [
    (_sigma2_ddof1, "1/(N − 1) covariance"),
    (_sigma2_largest, "the largest M − m eigenvalues"),
    (_sigma2_given, "the given function unchanged"),
])
def test_mle_sigma2_names_each_slip(wrong, slip):
    assert_verdicts(check_mle_sigma2, _sigma2, wrong, slip=slip)


def test_log_marginal_names_sigma_for_sigma2(capsys):
    assert_verdicts(check_log_marginal, _log_marginal, _log_marginal_sigma, slip="σ instead of σ²")
    assert "wrong" in capsys.readouterr().out


@pytest.fixture(scope="module")
def sweep():
    rng = np.random.default_rng(1)
    big = PPCA(W=rng.normal(size=(256, 3)), mu=rng.normal(size=256), sigma2=0.3)
    return naive_mc_by_dimension(big, [2, 5, 16, 64, 256], n_samples=1000, n_points=30, rng=11)


def test_trend_prediction_is_measured_and_explained(sweep):
    assert check_naive_mc_trend(lambda: "larger", sweep, verbose=False).status == CORRECT
    wrong = check_naive_mc_trend(lambda: "smaller", sweep, verbose=False)
    assert wrong.status == WRONG and "narrows" in wrong.message      # the explanation follows
    assert check_naive_mc_trend(lambda: "bigger", sweep, verbose=False).status == WRONG
    assert check_naive_mc_trend(lambda: None, sweep, verbose=False).status == NOT_SOLVED


def test_trend_prediction_follows_the_measurement_not_a_fixed_answer(sweep):
    flat = sweep._replace(error=np.zeros_like(sweep.error))
    assert check_naive_mc_trend(lambda: "about the same", flat, verbose=False).status == CORRECT


def test_best_draw_reading(sweep):
    def stub():
        raise NotImplementedError()
    assert check_best_draw_dimension(lambda: 64, sweep, verbose=False).status == CORRECT
    assert check_best_draw_dimension(stub, sweep, verbose=False).status == NOT_SOLVED
    early = check_best_draw_dimension(lambda: 16, sweep, verbose=False)
    assert early.status == WRONG and "one point too early" in early.message
    last = check_best_draw_dimension(lambda: 256, sweep, verbose=False)
    assert last.status == WRONG and "the largest M" in last.message


def test_default_measurements_match_the_notebooks():
    assert check_best_draw_dimension(lambda: 64, verbose=False).status == CORRECT
    assert check_naive_mc_trend(lambda: "larger", verbose=False).status == CORRECT


@pytest.mark.parametrize("checker", [check_log_marginal, check_mle_sigma2,
                                     check_naive_mc_trend, check_best_draw_dimension])
def test_checkers_survive_none_and_garbage(checker):
    assert checker(lambda *a: None, verbose=False).status == NOT_SOLVED
    assert checker(lambda *a: "text", verbose=False).status == WRONG
    assert checker(lambda *a: 1 / 0, verbose=False).status == WRONG
