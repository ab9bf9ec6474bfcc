"""Checkers of notebook 01: correct / not yet solved / wrong (naming the slip), never a crash."""
from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from exercise_helpers import assert_verdicts, stub

from vae_teach.exercises import (NOT_SOLVED, WRONG, check_generation_prediction,
                                 check_nearest_distance, check_spread_prediction)
from vae_teach.exercises.nb01_autoencoder_vs_vae import generation_outcome, spread_outcome


RNG = np.random.default_rng(0)
Z_AE, Z_VAE = RNG.normal(size=(200, 2)) * 5 + 3, RNG.normal(size=(200, 2)) * 0.9


@pytest.mark.parametrize("wrong, slip", [("the VAE's", "the KL keeps the codes"),
                                         ("about the same", "different losses")])
def test_spread_prediction(wrong, slip):
    checker = partial(check_spread_prediction, Z_ae=Z_AE, Z_vae=Z_VAE)
    assert_verdicts(checker, lambda: "the AE's", lambda: wrong, slip=slip)


def test_spread_outcome_follows_the_codes():
    assert spread_outcome(Z_AE, Z_VAE) == "the AE's"
    assert spread_outcome(Z_VAE, Z_AE) == "the VAE's"
    assert spread_outcome(Z_VAE, Z_VAE * 1.1) == "about the same"


@pytest.mark.parametrize("wrong, slip", [("the AE with a fitted Gaussian", "holes between codes"),
                                         ("about the same", "grow with the code size")])
def test_generation_prediction(wrong, slip):
    checker = partial(check_generation_prediction, ae_failures=0.2, vae_failures=0.08)
    assert_verdicts(checker, lambda: "the VAE with N(0, I)", lambda: wrong, slip=slip)


def test_generation_outcome_and_missing_numbers():
    assert generation_outcome(0.2, 0.08) == "the VAE with N(0, I)"
    assert generation_outcome(0.05, 0.08) == "the AE with a fitted Gaussian"
    assert generation_outcome(0.08, 0.085) == "about the same"
    assert check_generation_prediction(lambda: "about the same", verbose=False).status == WRONG
    assert check_generation_prediction(stub, verbose=False).status == NOT_SOLVED


def _nearest(X_gen, X_train):
    d2 = ((X_gen[:, None, :] - X_train[None, :, :]) ** 2).sum(-1)
    return np.sqrt(d2.min(1) / X_train.shape[1])


def _d2(G, X):
    return ((G[:, None] - X[None]) ** 2).sum(-1)


@pytest.mark.parametrize("slip, wrong", [
    ("the mean over training images", lambda G, X: np.sqrt(_d2(G, X).mean(1) / X.shape[1])),
    ("divide by the number of pixels", lambda G, X: np.sqrt(_d2(G, X).min(1))),
    ("no square root", lambda G, X: _d2(G, X).min(1) / X.shape[1]),
    ("the farthest", lambda G, X: np.sqrt(_d2(G, X).max(1) / X.shape[1])),
])
def test_nearest_distance(slip, wrong):
    assert_verdicts(check_nearest_distance, _nearest, wrong, slip=slip)
    assert check_nearest_distance(lambda *a: None, verbose=False).status == NOT_SOLVED
