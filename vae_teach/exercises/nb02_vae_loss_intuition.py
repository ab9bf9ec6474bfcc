"""Checkers for notebook 02 (slides VAE LOSS FUNCTION (1st) and WHY VAE REGULARIZATION?).

* ``check_regulariser(fn)`` — fn(mu_tilde, zeta) → μ̃² + e^ζ − (1 + ζ), elementwise.
* ``check_regulariser_gradient(fn)`` — fn(mu_tilde, zeta) → (∂r/∂μ̃, ∂r/∂ζ) = (2μ̃, e^ζ − 1),
  checked against torch autograd.
* ``check_aggregate_moments(fn)`` — fn(mu_tilde (N, m), zeta (N, m)) → (mean (m,), var (m,)) of
  z ~ (1/N) Σ_i N(μ̃_i, diag e^{ζ_i}) (law of total variance).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from vae_teach.exercises._core import CheckResult, check_function
from vae_teach.maths.regulariser import aggregate_moments, regulariser


__all__ = ['check_regulariser', 'check_regulariser_gradient', 'check_aggregate_moments']


def _pairs():
    rng = np.random.default_rng(2)
    return [(np.array(0.0), np.array(0.0)), (np.array(1.5), np.array(-2.0)),
            (rng.normal(size=(5, 3)), rng.normal(size=(5, 3))),
            (rng.normal(size=4) * 3, rng.normal(size=4) * 3)]


def check_regulariser(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(mu_tilde, zeta) → the slide's per-dimension regulariser, same shape as its inputs."""
    hint = ("three pieces per dimension: μ̃ squared, plus exp(ζ), minus (1 + ζ). Use np.exp "
            "(elementwise), not a sum: the result has the shape of mu_tilde. At μ̃ = 0, ζ = 0 "
            "it is 0.")
    return check_function("Regulariser μ̃² + e^ζ − (1 + ζ)", fn, regulariser, _pairs(), hint,
                          verbose=verbose)


def _autograd_gradient(mu_tilde, zeta):
    import torch

    mu = torch.tensor(np.asarray(mu_tilde, float), requires_grad=True)
    ze = torch.tensor(np.asarray(zeta, float), requires_grad=True)
    (mu ** 2 + torch.exp(ze) - (1 + ze)).sum().backward()
    return np.stack([mu.grad.numpy(), ze.grad.numpy()])


def check_regulariser_gradient(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(mu_tilde, zeta) → (∂r/∂μ̃, ∂r/∂ζ), each with the inputs' shape (vs torch autograd)."""
    hint = ("differentiate each piece: d(μ̃²)/dμ̃ = 2μ̃; d(e^ζ)/dζ = e^ζ and d(1 + ζ)/dζ = 1. "
            "Return a pair (d_mu_tilde, d_zeta). Both vanish only at μ̃ = 0, ζ = 0.")

    def wrapped(mu_tilde, zeta):
        out = fn(mu_tilde, zeta)
        if out is None or out is Ellipsis:
            return out
        return np.stack([np.broadcast_to(np.asarray(o, float), np.shape(mu_tilde))
                         for o in out])

    return check_function("Gradient of the regulariser", wrapped, _autograd_gradient,
                          _pairs(), hint, rtol=1e-8, verbose=verbose)


def _moment_cases():
    rng = np.random.default_rng(3)
    return [(rng.normal(size=(50, 2)) * 2 + 1, rng.normal(size=(50, 2))),
            (np.zeros((10, 3)), np.zeros((10, 3))),
            (rng.normal(size=(7, 1)), np.full((7, 1), -3.0))]


def check_aggregate_moments(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(mu_tilde (N, m), zeta (N, m)) → (mean (m,), var (m,)) of the aggregate code q(z)."""
    hint = ("z is drawn in two stages: pick an input i (uniformly), then z ~ N(μ̃_i, σ̃_i²). "
            "The mean is the average of μ̃ over inputs (axis 0). The variance is the variance "
            "of μ̃ over inputs (np.var, 1/N) PLUS the average of σ̃² = exp(ζ). With μ̃ = 0 and "
            "ζ = 0 for all inputs it is 1.")

    def reference(mu_tilde, zeta):
        return np.stack(aggregate_moments(mu_tilde, zeta))

    def wrapped(mu_tilde, zeta):
        out = fn(mu_tilde, zeta)
        if out is None or out is Ellipsis:
            return out
        return np.stack([np.asarray(o, float) for o in out])

    return check_function("Mean and variance of the codes", wrapped, reference,
                          _moment_cases(), hint, verbose=verbose)
