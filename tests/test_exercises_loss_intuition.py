"""Checkers of notebook 02: correct for the solution, 'not yet solved' for a stub, 'wrong'
(naming the slip) for a wrong answer — and never an exception."""
from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from exercise_helpers import assert_verdicts, stub

from vae_teach.exercises import (NOT_SOLVED, WRONG, check_aggregate_moments, check_regulariser,
                                 check_regulariser_gradient, check_sigma_prediction)
from vae_teach.exercises.nb02_vae_loss_intuition import sigma_outcome


@pytest.mark.parametrize("wrong, slip", [("stays about where it started", "rewards a spread"),
                                         ("grows", "noisier")])
def test_sigma_prediction(wrong, slip):
    checker = partial(check_sigma_prediction, sigma_start=[0.3, 0.2], sigma_end=[0.004, 0.006])
    assert_verdicts(checker, lambda: "falls towards 0", lambda: wrong, slip=slip)
    assert check_sigma_prediction(lambda: "grows", verbose=False).status == WRONG  # no numbers
    assert check_sigma_prediction(stub, verbose=False).status == NOT_SOLVED


def test_sigma_outcome_follows_the_numbers():
    assert sigma_outcome([0.3, 0.2], [0.004, 0.006]) == "falls towards 0"
    assert sigma_outcome([0.3, 0.2], [0.5, 0.4]) == "grows"
    assert sigma_outcome([0.3, 0.2], [0.25, 0.3]) == "stays about where it started"


def _r(mu, zeta):
    return mu ** 2 + np.exp(zeta) - (1 + zeta)


def _colleague(mu, zeta):
    sigma = np.exp(zeta)
    return mu ** 2 + sigma ** 2 - (1 + np.log(sigma ** 2))


@pytest.mark.parametrize("slip, wrong", [
    ("exp(ζ) for σ̃", _colleague),
    ("a missing 1", lambda mu, zeta: mu ** 2 + np.exp(zeta) - zeta),
    ("KL(q ‖ N(0, 1)) itself", lambda mu, zeta: 0.5 * _r(mu, zeta)),
    ("log σ̃ for log σ̃²", lambda mu, zeta: mu ** 2 + np.exp(zeta) - (1 + zeta / 2)),
    ("the sign", lambda mu, zeta: mu ** 2 + np.exp(zeta) - 1 + zeta),
])
def test_regulariser(slip, wrong):
    assert_verdicts(check_regulariser, _r, wrong, slip=slip)
    assert check_regulariser(lambda *a: 1 / 0, verbose=False).status == WRONG


@pytest.mark.parametrize("slip, wrong", [
    ("forgetting the 2", lambda mu, zeta: (mu, np.exp(zeta) - 1)),
    ("forgetting the −1", lambda mu, zeta: (2 * mu, np.exp(zeta))),
    ("the sign", lambda mu, zeta: (-2 * mu, 1 - np.exp(zeta))),
])
def test_regulariser_gradient(slip, wrong):
    assert_verdicts(check_regulariser_gradient, lambda mu, zeta: (2 * mu, np.exp(zeta) - 1),
                    wrong, slip=slip)


@pytest.mark.parametrize("slip, wrong", [
    ("E[σ̃²]", lambda mu, zeta: (mu.mean(0), mu.var(0))),
    ("Var(μ̃)", lambda mu, zeta: (mu.mean(0), np.exp(zeta).mean(0))),
    ("σ̃ for σ̃²", lambda mu, zeta: (mu.mean(0), mu.var(0) + np.exp(zeta / 2).mean(0))),
])
def test_aggregate_moments(slip, wrong):
    assert_verdicts(check_aggregate_moments,
                    lambda mu, zeta: (mu.mean(0), mu.var(0) + np.exp(zeta).mean(0)), wrong,
                    slip=slip)
