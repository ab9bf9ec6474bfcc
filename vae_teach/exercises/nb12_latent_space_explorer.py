"""Checkers for notebook 12 (latent-space explorer).

* ``check_interpolate(fn)`` — fn(z_a (m,), z_b (m,), n) → (n, m), the straight line
  z(t) = (1 − t)·z_a + t·z_b at t = 0, 1/(n−1), …, 1.
* ``check_log_prior(fn)`` — fn(Z (N, m)) → (N,), log p_θ(z) = log N(z; 0, I).
* ``check_prior_grid(fn)`` — fn(n) → (n², 2), every pair (Φ⁻¹(u_i), Φ⁻¹(u_j)) with
  u_k = (k + ½)/n (row order is free).

References: ``vae_teach.measure.codes`` and scipy.stats (norm, multivariate_normal).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.stats import multivariate_normal, norm

from vae_teach.exercises._core import CheckResult, check_function
from vae_teach.maths.prior import interpolate_codes


__all__ = ['check_interpolate', 'check_log_prior', 'check_prior_grid']


def check_interpolate(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(z_a, z_b, n) → (n, m) codes on the segment from z_a (first row) to z_b (last)."""
    rng = np.random.default_rng(10)
    cases = [(np.array([0.0, 0.0]), np.array([1.0, 2.0]), 3),
             (rng.normal(size=2), rng.normal(size=2), 8),
             (rng.normal(size=5), rng.normal(size=5), 2)]
    hint = ("use n values t = 0, …, 1 including both ends (np.linspace(0, 1, n)) and "
            "return (1 − t)·z_a + t·z_b with t as a column, shape (n, m); the first row must "
            "be z_a and the last z_b.")
    return check_function("Interpolation in latent space", fn, interpolate_codes, cases, hint,
                          verbose=verbose)


def _log_prior_reference(Z):
    return np.atleast_1d(multivariate_normal(np.zeros(Z.shape[1])).logpdf(Z))


def check_log_prior(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(Z (N, m)) → (N,) log N(z_i; 0, I)."""
    rng = np.random.default_rng(11)
    cases = [(np.zeros((1, 2)),), (rng.normal(size=(6, 2)) * 3,), (rng.normal(size=(4, 5)),)]
    hint = ("log N(z; 0, I) = −(m/2)·log(2π) − ½‖z‖², one value per row: sum the squares "
            "over axis=1, and m = Z.shape[1] (the latent dimension, not the number of rows).")
    return check_function("Log prior density", fn, _log_prior_reference, cases, hint,
                          rtol=1e-8, verbose=verbose)


def _sorted_rows(Z):
    Z = np.asarray(Z, dtype=float)
    if Z.ndim != 2:
        return Z
    return Z[np.lexsort(Z.T[::-1])]


def _grid_reference(n):
    q = norm.ppf((np.arange(n) + 0.5) / n)
    z1, z2 = np.meshgrid(q, q)
    return _sorted_rows(np.column_stack([z1.ravel(), z2.ravel()]))


def check_prior_grid(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(n) → (n², 2) codes whose coordinates are the N(0, 1) quantiles (k + ½)/n."""
    def sorted_fn(n):
        out = fn(n)
        return out if out is None or out is Ellipsis else _sorted_rows(out)

    hint = ("the quantiles are q = scipy.stats.norm.ppf((np.arange(n) + 0.5) / n); return "
            "every pair (q_i, q_j) as the rows of an (n², 2) array, e.g. from "
            "np.meshgrid(q, q).")
    return check_function("Prior quantile grid", sorted_fn, _grid_reference, [(1,), (3,), (6,)],
                          hint, verbose=verbose)
