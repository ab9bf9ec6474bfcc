"""Checkers for notebook 01 (slides AUTO ENCODER V.S. VAE; WHY VAE?).

* ``check_reparameterise(fn)`` — fn(mu_tilde, zeta, eps) → z = μ̃ + exp(ζ/2) ⊙ ε (all (N, m)).
* ``check_nearest_distance(fn)`` — fn(X_gen (n, M), X_train (N, M)) → (n,) RMS distance
  sqrt(min_i ‖x − x_i‖² / M) to the nearest training image.
* ``check_label_entropy(fn)`` — fn(labels (n,) ints in 0..9) → entropy of their histogram, nats.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from vae_teach.exercises._core import CheckResult, check_function
from vae_teach.measure.quality import label_entropy, nearest_train_distance


__all__ = ['check_reparameterise', 'check_nearest_distance', 'check_label_entropy']


def _reparameterise(mu_tilde, zeta, eps):
    return mu_tilde + np.exp(0.5 * zeta) * eps


def check_reparameterise(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(mu_tilde, zeta, eps) → z, the VAE encoder's sample (reparameterisation)."""
    rng = np.random.default_rng(4)
    cases = [(rng.normal(size=(5, 2)), rng.normal(size=(5, 2)), rng.normal(size=(5, 2))),
             (np.zeros((3, 4)), np.full((3, 4), 2.0), np.ones((3, 4))),
             (np.ones((1, 1)), np.zeros((1, 1)), np.zeros((1, 1)))]
    hint = ("ζ is the log-VARIANCE, so the standard deviation is σ̃ = exp(ζ / 2), not exp(ζ). "
            "z = μ̃ + σ̃ · ε, elementwise. With ε = 0 you get z = μ̃ (that is what the AE does).")
    return check_function("Reparameterised sample z", fn, _reparameterise, cases, hint,
                          verbose=verbose)


def check_nearest_distance(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(X_gen, X_train) → RMS distance from each row of X_gen to its nearest row of X_train."""
    rng = np.random.default_rng(5)
    X_train = rng.uniform(size=(40, 6))
    cases = [(rng.uniform(size=(7, 6)), X_train), (X_train[:3], X_train),
             (rng.uniform(size=(1, 6)) * 3, X_train)]
    hint = ("for each generated image take the squared distances ‖x − x_i‖² to ALL training "
            "images, keep the smallest (min over i, not the mean), divide by the number of "
            "pixels M and take the square root. A copy of a training image gives 0. "
            "Broadcasting: X_gen[:, None, :] − X_train[None, :, :] has shape (n, N, M).")
    return check_function("Nearest-training-image distance", fn, nearest_train_distance, cases,
                          hint, rtol=1e-6, atol=1e-6, verbose=verbose)


def check_label_entropy(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(labels) → −Σ_k p_k log p_k with p_k the fraction of labels equal to k (nats)."""
    rng = np.random.default_rng(6)
    cases = [(np.arange(10),), (np.full(7, 3),), (rng.integers(0, 10, size=50),),
             (np.array([1, 1, 7, 7, 7, 9]),)]
    hint = ("p = np.bincount(labels, minlength=10) / len(labels); drop the zeros (0·log 0 = 0) "
            "and return −Σ p log p with the natural log. All ten digits equally often gives "
            "log 10 ≈ 2.303; one digit only gives 0.")
    return check_function("Label entropy", fn, label_entropy, cases, hint, verbose=verbose)
