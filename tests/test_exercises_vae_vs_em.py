"""Checkers of notebook 05: correct / not yet solved / wrong (naming the slip), never a crash."""
from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from exercise_helpers import assert_verdicts, stub

from vae_teach.exercises import (NOT_SOLVED, WRONG, check_amortisation_gap, check_e_step_gap,
                                 check_sigma2_update)
from vae_teach.exercises.nb05_vae_vs_em import e_step_outcome
from vae_teach.maths import em


def _sigma2(X, W, mu, q_mean, q_cov):
    return (np.sum((X - mu - q_mean @ W.T) ** 2) + np.trace(W.T @ W @ q_cov.sum(0))) / X.size


MEASURED = {"floor": 0.16, "approximation": 0.001}


@pytest.mark.parametrize("wrong, slip", [
    ("zero", "q_φ is diagonal and amortised"),
    ("the approximation gap", "amortisation"),
])
def test_e_step_prediction(wrong, slip):
    assert_verdicts(partial(check_e_step_gap, **MEASURED), lambda: "above the approximation gap",
                    lambda: wrong, slip=slip)


def test_e_step_outcome_follows_the_numbers():
    assert e_step_outcome(0.0, 0.0) == "zero"
    assert e_step_outcome(0.0011, 0.001) == "the approximation gap"
    assert e_step_outcome(0.16, 0.001) == "above the approximation gap"
    right = partial(check_e_step_gap, floor=0.0011, approximation=0.001, verbose=False)
    assert right(lambda: "The approximation gap ").status == "correct"


def test_e_step_prediction_without_numbers_is_never_correct():
    assert check_e_step_gap(lambda: "zero", verbose=False).status == WRONG
    assert check_e_step_gap(stub, verbose=False).status == NOT_SOLVED


@pytest.mark.parametrize("wrong, slip", [
    (0.001, "the approximation gap, not the amortisation gap"),
    (159.0, "the sum over all N images"),
    (8.9, "where the E-step started"),
])
def test_amortisation_reading(wrong, slip):
    checker = partial(check_amortisation_gap, floor=0.16, approximation=0.001, kl_start=8.9,
                      N=1000)
    assert_verdicts(checker, lambda: 0.13, lambda: wrong, slip=slip)
    assert checker(lambda: 0.2, verbose=False).status == "correct"      # a rough reading is fine
    assert checker(lambda: 0.05, verbose=False).status == WRONG


SIGMA2_SLIPS = {
    "leaving out Tr(WᵀW S_n)": lambda X, W, mu, a, S: np.sum((X - mu - a @ W.T) ** 2) / X.size,
    "dividing by N instead of N·M": lambda X, W, mu, a, S: _sigma2(X, W, mu, a, S) * X.shape[1],
    "σ for σ²": lambda X, W, mu, a, S: np.sqrt(_sigma2(X, W, mu, a, S)),
    "Tr(S_n) for Tr(WᵀW S_n)": lambda X, W, mu, a, S: (np.sum((X - mu - a @ W.T) ** 2)
                                                      + np.trace(S.sum(0))) / X.size,
}


@pytest.mark.parametrize("slip", list(SIGMA2_SLIPS))
def test_sigma2_update(slip):
    assert_verdicts(check_sigma2_update, _sigma2, SIGMA2_SLIPS[slip], slip=slip)
    assert check_sigma2_update(lambda *a: None, verbose=False).status == NOT_SOLVED


def test_sigma2_reference_is_the_m_step():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 5))
    q = em.e_step(X, em.init_params(5, 2, seed=1))
    theta = em.m_step(X, *q)
    q_cov = np.broadcast_to(q[1], (30, 2, 2))
    assert _sigma2(X, theta.W, theta.mu, q[0], q_cov) == pytest.approx(theta.sigma2, rel=1e-10)
