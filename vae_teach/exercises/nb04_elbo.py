"""Checkers for notebook 04 (the ELBO): the lower bound on a 1-D latent grid and the optimal q."""

from __future__ import annotations

from typing import Callable

import numpy as np

from vae_teach.exercises._core import CheckResult, check_function
from vae_teach.exercises.nb03_generative_model_mle import _ppca_cases
from vae_teach.maths.ppca import PPCA
from vae_teach.maths.quadrature import LatentGrid1D


__all__ = ['check_grid_lower_bound', 'check_optimal_q']


# ----------------------------------------------------------------------------- notebook 04
def _grid_reference(log_joint, log_q, dz):
    w = np.exp(log_q) * dz
    return float(w @ (log_joint - log_q))


def _grid_cases():
    grids = [LatentGrid1D.linear(np.array([1.5, -0.5]), np.array([0.2, 0.1]), 0.3,
                                 n_points=1201),
             LatentGrid1D(lambda z: np.stack([z ** 2, 0.3 * z], axis=-1), 0.1, n_points=1201)]
    cases = []
    for grid, x, mu_tilde, zeta in [(grids[0], [1.0, 0.5], 0.0, 0.0),
                                    (grids[0], [-2.0, 1.0], 1.0, -2.0),
                                    (grids[1], [1.0, 0.0], 0.9, -3.5)]:
        x = np.asarray(x, dtype=float)
        cases.append((grid.log_joint(x), grid.log_q(mu_tilde, zeta), grid.dz))
    return cases


def check_grid_lower_bound(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(log_joint (K,), log_q (K,), dz) → Σ_k q(z_k) Δz · (log p(x, z_k) − log q(z_k))."""
    hint = ("L_b = ∫ q(z) log(p(x, z) / q(z)) dz; on the grid the weights are q(z_k) Δz = "
            "np.exp(log_q) * dz, and the integrand is log_joint − log_q. Return one float.")
    return check_function("L_b on the grid", fn, _grid_reference, _grid_cases(), hint,
                          rtol=1e-8, verbose=verbose)


def _flatten_q(result):
    """(mu_tilde (m,), Sigma_tilde (m, m)) → one vector; None/... stay (\"not yet solved\")."""
    if result is None or result is Ellipsis:
        return result
    mu_tilde, Sigma_tilde = result
    return np.concatenate([np.ravel(mu_tilde), np.ravel(Sigma_tilde)])


def _posterior_reference(W, mu, sigma2, x):
    mean, cov = PPCA(W, mu, sigma2).posterior(np.asarray(x)[None, :])
    return _flatten_q((mean[0], cov))


def check_optimal_q(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(W (M, m), mu (M,), sigma2, x (M,)) → (mu_tilde (m,), Sigma_tilde (m, m)), KL = 0."""
    hint = ("the gap KL(q ‖ p(·|x)) is 0 only for q = p_θ(z|x) = N(B⁻¹Wᵀ(x − μ), σ²B⁻¹) with "
            "B = Wᵀ W + σ² I_m (m × m, not M × M). Return the pair (mean of shape (m,), "
            "covariance of shape (m, m)).")
    cases = [(W, mu, s2, X[0]) for X, W, mu, s2 in _ppca_cases(33)]
    return check_function("q that closes the gap", lambda *a: _flatten_q(fn(*a)),
                          _posterior_reference, cases, hint, rtol=1e-7, verbose=verbose)
