"""Checkers of notebook 09: correct / not yet solved / wrong, each with a hint, slips named."""
from __future__ import annotations

import math

import numpy as np
import pytest
from exercise_helpers import assert_verdicts

from vae_teach.exercises import (check_beta_prediction, check_L_VAE, check_L_VAE_from_L_b,
                                 check_log_mean_exp)
from vae_teach.exercises.nb09_vae_loss_and_training import beta_effect
from vae_teach.maths.vae_loss import L_VAE_from_L_b
from vae_teach.measure.experiments import BetaStats


LOG_2PI = math.log(2 * math.pi)


def L_VAE(x, x_hat, mu, zeta):
    return ((x - x_hat) ** 2).sum() + (mu ** 2 + np.exp(zeta) - (1 + zeta)).sum()


def L_VAE_given(x, x_hat, mu, zeta):              # the notebook's colleague: both slips
    return np.mean((x - x_hat) ** 2, axis=1).sum() + (mu ** 2 + np.exp(zeta / 2)
                                                      - (1 + zeta)).sum()


def L_VAE_sigma(x, x_hat, mu, zeta):              # fixed the mean, kept exp(ζ/2)
    return ((x - x_hat) ** 2).sum() + (mu ** 2 + np.exp(zeta / 2) - (1 + zeta)).sum()


def L_VAE_half(x, x_hat, mu, zeta):
    return ((x - x_hat) ** 2).sum() + 0.5 * (mu ** 2 + np.exp(zeta) - (1 + zeta)).sum()


def from_L_b(L_b, N, M):
    return -2 * L_b - N * M * LOG_2PI


def from_L_b_issue_sign(L_b, N, M):            # the sign-flipped constant
    return -2 * L_b + N * M * LOG_2PI


def lme(log_w):
    c = log_w.max(axis=0)
    return c + np.log(np.mean(np.exp(log_w - c), axis=0))


def lme_naive(log_w):
    with np.errstate(divide="ignore"):
        return np.log(np.mean(np.exp(log_w), axis=0))


@pytest.mark.parametrize("checker,right,wrong,slip", [
    (check_L_VAE, L_VAE, L_VAE_given, "both slips of the given code"),
    (check_L_VAE, L_VAE, L_VAE_sigma, "exp(ζ/2)"),
    (check_L_VAE, L_VAE, L_VAE_half, "a ½ in front of the regulariser"),
    (check_L_VAE_from_L_b, from_L_b, from_L_b_issue_sign, "the sign of the constant"),
    (check_log_mean_exp, lme, lme_naive, None),
], ids=["L_VAE-given", "L_VAE-sigma", "L_VAE-half", "from-L_b", "log-mean-exp"])
def test_function_checkers(checker, right, wrong, slip):
    assert_verdicts(checker, right, wrong, slip=slip)


def test_package_relation_passes():
    assert check_L_VAE_from_L_b(L_VAE_from_L_b, verbose=False)


def _stats(rec, kl):
    return BetaStats(rec, kl, np.array([kl]), 1, np.array([1.0]))


def test_beta_prediction_uses_the_measured_stats():
    stats = {"β = 1": _stats(10.0, 3.0), "β = 4": _stats(14.0, 1.0)}

    def check(prediction):
        return check_beta_prediction(prediction, stats, verbose=False)

    assert_verdicts(check, lambda: "smaller KL, larger error",
                    lambda: "larger KL, smaller error", slip="weight of the reconstruction")
    assert beta_effect(_stats(10.0, 1.0), _stats(9.0, 3.0)) == "larger KL, smaller error"


def test_beta_prediction_on_the_shipped_models():
    assert check_beta_prediction(lambda: "smaller KL, larger error", verbose=False)
