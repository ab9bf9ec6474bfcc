"""Checkers of notebook 06: correct / not yet solved / wrong, each with a hint, slips named."""
from __future__ import annotations

import math

import numpy as np
import pytest
from exercise_helpers import assert_verdicts
from scipy.stats import norm

from vae_teach.exercises import (check_batch_size, check_log_q_factorised,
                                 check_minibatch_estimate, check_one_code_prediction)
from vae_teach.exercises.nb06_independent_samples import one_code_effect


def _log_q(Z, mu_tilde, sigma2_tilde):
    return norm(mu_tilde, np.sqrt(sigma2_tilde)).logpdf(Z).sum()


def _log_q_std_as_var(Z, mu_tilde, sigma2_tilde):
    return norm(mu_tilde, sigma2_tilde).logpdf(Z).sum()


def _minibatch(L_b_i, batch):
    return len(L_b_i) / len(batch) * L_b_i[batch].sum()


def _minibatch_mean(L_b_i, batch):
    return L_b_i[batch].mean()


def _batch_size(L, target):
    N, s2 = len(L), np.var(L, ddof=1)
    return math.ceil(N * N * s2 / (target ** 2 + N * s2))


def _batch_size_no_fpc(L, target):
    return min(len(L), math.ceil(len(L) ** 2 * np.var(L, ddof=1) / target ** 2))


@pytest.mark.parametrize("checker,right,wrong,slip", [
    (check_log_q_factorised, _log_q, _log_q_std_as_var, "σ̃ for σ̃²"),
    (check_minibatch_estimate, _minibatch, _minibatch_mean, "the batch mean"),
    (check_batch_size, _batch_size, _batch_size_no_fpc, "finite-population factor"),
], ids=["log_q", "minibatch", "batch_size"])
def test_function_checkers(checker, right, wrong, slip):
    assert_verdicts(checker, right, wrong, slip=slip)


def _measurement(bias=0.0, widen=1.0):
    rng = np.random.default_rng(0)
    exact = rng.normal(-1000.0, 10.0, size=4000)
    return exact, rng.normal(-1000.0 + bias, 10.0 * widen, size=4000), -1000.0


def test_one_code_prediction_uses_the_measurement():
    exact, one_code, L_b = _measurement(widen=1.6)

    def check(prediction):
        return check_one_code_prediction(prediction, exact, one_code, L_b, verbose=False)

    assert_verdicts(check, lambda: "wider", lambda: "biased", slip="shifts the estimate")
    assert check(lambda: "WIDER ").status == "correct"


def test_one_code_effect_reads_bias_and_spread():
    assert one_code_effect(*_measurement(widen=1.6)) == "wider"
    assert one_code_effect(*_measurement(bias=5.0, widen=1.6)) == "biased"
    assert one_code_effect(*_measurement(widen=1.0)) == "same"
    assert one_code_effect(*_measurement(widen=0.5)) == "narrower"
    with pytest.raises(ValueError, match="1-D arrays"):
        one_code_effect([1.0], [1.0, 2.0], 0.0)


def test_one_code_prediction_runs_its_own_experiment_when_not_given():
    assert check_one_code_prediction(lambda: "wider", verbose=False)
