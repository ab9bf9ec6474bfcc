"""The prior p_θ(z) = N(0, I_m) in latent space: density, samples, quantile grids, interpolation.

``log_prior(Z)`` = Σ_j log N(z_j; 0, 1) per row of Z (N, m); ``prior_samples(m, n, seed)``;
``prior_quantile_grid(n)`` (an n × n grid of evenly spaced N(0, 1) quantiles, equal prior
mass per cell); ``interpolate_codes(z_a, z_b, n)``; ``prior_fit(Z)`` (how prior-like a set of
codes is).
"""

from __future__ import annotations

import numpy as np

from vae_teach._checks import as_float_array, check_int
from vae_teach.maths.gaussian import LOG_2PI


__all__ = ["log_standard_normal", "interpolate_codes", "prior_samples", "prior_quantile_grid",
           "log_prior", "prior_fit"]


def interpolate_codes(z_a, z_b, n: int) -> np.ndarray:
    """n codes on the straight line z(t) = (1 − t)·z_a + t·z_b, t = 0, 1/(n−1), …, 1: (n, m)."""
    n = check_int(n, "n", 2)
    z_a = as_float_array(z_a, "z_a", ndim=1)
    z_b = as_float_array(z_b, "z_b", ndim=1)
    if z_a.shape != z_b.shape:
        raise ValueError(f"z_a {z_a.shape} and z_b {z_b.shape} must have the same length m.")
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1.0 - t) * z_a + t * z_b


def prior_samples(m: int, n: int, seed: int = 0) -> np.ndarray:
    """n draws z ~ p_θ(z) = N(0, I_m) from ``np.random.default_rng(seed)``: (n, m)."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((check_int(n, "n", 1), check_int(m, "m", 1)))


def prior_quantile_grid(n: int) -> np.ndarray:
    """n² codes (z₁, z₂) on a grid whose coordinates are the quantiles Φ⁻¹((k + ½)/n),
    k = 0 … n−1, of N(0, 1): each grid cell holds the same prior mass 1/n². Rows run over z₁
    fastest, top row = largest z₂ (as an image is read): (n², 2)."""
    from scipy.stats import norm

    q = norm.ppf((np.arange(check_int(n, "n", 1)) + 0.5) / n)
    z1, z2 = np.meshgrid(q, q[::-1])
    return np.column_stack([z1.ravel(), z2.ravel()])


def log_standard_normal(z):
    """log N(z; 0, I_m) = −½ Σ_j (log 2π + z_j²), summed over the last axis: (..., m) → (...).

    The prior density of the whole course, written once: numpy arrays and torch tensors take
    the same expression (``nets.objectives.log_prior`` and ``maths.ppca`` call it).
    """
    return -0.5 * (LOG_2PI + z ** 2).sum(-1)


def log_prior(Z) -> np.ndarray:
    """log p_θ(z) = log N(z; 0, I) = −m/2·log 2π − ½‖z‖² for each row of Z (N, m): (N,)."""
    Z = as_float_array(Z, "Z", ndim=2)
    return log_standard_normal(Z)


def prior_fit(Z) -> dict[str, float]:
    """How prior-like the codes Z (N, m) are, as plain floats:

    ``mean_norm`` ‖mean of Z‖, ``std_min``/``std_max`` the smallest/largest per-coordinate
    standard deviation (N(0, I): 1), ``in_95`` the fraction with ‖z‖² ≤ χ²_m(0.95) (the
    prior's 95 % ball; N(0, I): 0.95), ``log_prior`` the mean of log N(z; 0, I).
    """
    from scipy.stats import chi2

    Z = as_float_array(Z, "Z", ndim=2)
    std = Z.std(axis=0)
    radius2 = chi2.ppf(0.95, Z.shape[1])
    return {"mean_norm": float(np.linalg.norm(Z.mean(axis=0))), "std_min": float(std.min()),
            "std_max": float(std.max()),
            "in_95": float(np.mean(np.sum(Z ** 2, axis=1) <= radius2)),
            "log_prior": float(log_prior(Z).mean())}
