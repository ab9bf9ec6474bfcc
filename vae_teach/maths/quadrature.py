"""A 1-D latent model on a grid: every integral of "LOG-LIKELIHOOD LOWER BOUND" is a sum.

    p_θ(z) = N(z; 0, 1),   p_θ(x|z) = N(x; μ_θ(z), σ² I_M),   z ∈ R (m = 1),

with ANY decoder mean μ_θ: R → R^M (linear = pPCA with m = 1; nonlinear = a tiny "VAE
decoder" whose posterior p_θ(z|x) is not Gaussian). On a uniform grid z_1 … z_K over
[−z_max, z_max] with spacing Δz, for one data point x:

    log p_θ(x)  = log Σ_k p_θ(x, z_k) Δz                 (logsumexp),
    p_θ(z_k|x)  = p_θ(x, z_k) / p_θ(x),
    L_b(q)      = Σ_k q(z_k) Δz · log(p_θ(x, z_k) / q(z_k)),
    KL(q ‖ p)   = Σ_k q(z_k) Δz · log(q(z_k) / p_θ(z_k|x)),

for a Gaussian q = N(μ̃, σ̃²), σ̃² = e^ζ. The integrands are smooth and vanish at the grid
ends, so these Riemann sums are exact to ~1e-12 (checked against pPCA's closed forms).
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp

from vae_teach._checks import as_float_array, check_int
from vae_teach.maths.gaussian import LOG_2PI


__all__ = ['GridBound', 'LatentGrid1D']


def _number(value, name: str) -> float:
    """``value`` as a float, or a TypeError naming ``name`` (finiteness is checked by callers)."""
    if isinstance(value, (str, bytes, bool)) or np.ndim(value) != 0 or np.iscomplexobj(value):
        raise TypeError(f"{name} must be one real number, got {value!r}.")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be one real number, got {value!r}.") from None


class GridBound(NamedTuple):
    """The slide's quantities for one x and one q = N(μ̃, e^ζ), by quadrature on the grid."""

    log_p: float     # log p_θ(x)
    L_b: float       # the lower bound
    kl: float        # KL(q ‖ p_θ(·|x)) ≥ 0
    line1: float     # ∫ q log p_θ(x) dz
    line2: float     # ∫ q (log p(z,x)/q − log p(z|x)/q) dz
    q_mass: float    # ∫ q dz on the grid (1 up to rounding when q fits in the grid)


class LatentGrid1D:
    """p_θ(z) = N(0, 1), p_θ(x|z) = N(x; mu_theta(z), sigma2 I_M), z on a uniform grid.

    mu_theta: callable mapping z (K,) → (K, M); sigma2 > 0; the grid has ``n_points`` nodes
    on [−z_max, z_max]. Use :meth:`linear` for pPCA with m = 1.
    """

    def __init__(self, mu_theta: Callable[[np.ndarray], np.ndarray], sigma2: float,
                 z_max: float = 15.0, n_points: int = 4001):
        if not callable(mu_theta):
            raise TypeError(f"mu_theta must be a function z (K,) → (K, M), got "
                            f"{type(mu_theta).__name__}.")
        sigma2, z_max = _number(sigma2, "sigma2"), _number(z_max, "z_max")
        if not np.isfinite(sigma2) or sigma2 <= 0:
            raise ValueError(f"sigma2 must be a positive decoder variance, got {sigma2!r}.")
        if not np.isfinite(z_max) or z_max <= 0:
            raise ValueError(f"z_max must be positive (grid half-width), got {z_max!r}.")
        self.z = np.linspace(-z_max, z_max, check_int(n_points, "n_points", 11))
        self.dz = float(self.z[1] - self.z[0])
        self.sigma2 = float(sigma2)
        self.mu_theta = mu_theta
        means = np.asarray(mu_theta(self.z), dtype=float)
        if means.ndim != 2 or means.shape[0] != self.z.size:
            raise ValueError(f"mu_theta(z) must return shape (K, M) for z of shape (K,), got "
                             f"{means.shape}; e.g. lambda z: np.stack([z, z**2], axis=-1).")
        self.means = means                                      # μ_θ(z_k), (K, M)
        self.log_prior = -0.5 * (LOG_2PI + self.z ** 2)         # log N(z_k; 0, 1)

    @classmethod
    def linear(cls, w, b, sigma2: float, **grid) -> "LatentGrid1D":
        """pPCA with m = 1: μ_θ(z) = w z + b, w, b: (M,)."""
        w = as_float_array(w, "w", ndim=1)
        b = as_float_array(b, "b", ndim=1)
        if w.shape != b.shape:
            raise ValueError(f"w {w.shape} and b {b.shape} must both be (M,).")
        return cls(lambda z: np.outer(z, w) + b, sigma2, **grid)

    @property
    def M(self) -> int:
        """Data dimension M."""
        return self.means.shape[1]

    def _x(self, x) -> np.ndarray:
        x = as_float_array(x, "x", ndim=1)
        if x.shape[0] != self.M:
            raise ValueError(f"x has length {x.shape[0]} but the decoder outputs M = {self.M};"
                             f" pass one data point of shape ({self.M},).")
        return x

    # ------------------------------------------------------------------ model densities
    def log_joint(self, x) -> np.ndarray:
        """log p_θ(x, z_k) = log p_θ(x|z_k) + log p_θ(z_k), (K,)."""
        x = self._x(x)
        sq = np.sum((x - self.means) ** 2, axis=1)
        return -0.5 * (self.M * (LOG_2PI + np.log(self.sigma2)) + sq / self.sigma2) \
            + self.log_prior

    def log_px(self, x) -> float:
        """log p_θ(x) = log ∫ p_θ(x, z) dz ≈ log Σ_k p_θ(x, z_k) Δz."""
        return float(logsumexp(self.log_joint(x)) + np.log(self.dz))

    def log_posterior(self, x) -> np.ndarray:
        """log p_θ(z_k|x) = log p_θ(x, z_k) − log p_θ(x), (K,) (a density in z)."""
        return self.log_joint(x) - self.log_px(x)

    def log_q(self, mu_tilde: float, zeta: float) -> np.ndarray:
        """log N(z_k; μ̃, e^ζ) on the grid, (K,); raises if q does not fit in the grid."""
        mu_tilde, zeta = _number(mu_tilde, "mu_tilde"), _number(zeta, "zeta")
        if not (np.isfinite(mu_tilde) and np.isfinite(zeta)):
            raise ValueError(f"mu_tilde and zeta must be finite numbers, got {mu_tilde}, "
                             f"{zeta}.")
        sigma_tilde = np.exp(0.5 * zeta)
        z_max = self.z[-1]
        if abs(mu_tilde) + 8.0 * sigma_tilde > z_max or sigma_tilde < 2.0 * self.dz:
            raise ValueError(
                f"q = N({mu_tilde:.3g}, e^{zeta:.3g}) does not fit the grid [−{z_max:g}, "
                f"{z_max:g}] with spacing {self.dz:.3g}: need |μ̃| + 8σ̃ ≤ {z_max:g} and "
                f"σ̃ ≥ {2 * self.dz:.3g} (σ̃ = {sigma_tilde:.3g}); move μ̃ towards 0 or pick "
                f"ζ in [{2 * np.log(2 * self.dz):.2f}, {2 * np.log(z_max / 8):.2f}].")
        return -0.5 * (LOG_2PI + zeta + (self.z - mu_tilde) ** 2 / sigma_tilde ** 2)

    # ------------------------------------------------------------------ the slide's lines
    def bound(self, x, mu_tilde: float, zeta: float) -> GridBound:
        """log p, L_b, KL and the slide's lines 1–2 for q = N(μ̃, e^ζ), by quadrature."""
        log_joint = self.log_joint(x)
        log_p = float(logsumexp(log_joint) + np.log(self.dz))
        log_post = log_joint - log_p
        lq = self.log_q(mu_tilde, zeta)
        w = np.exp(lq) * self.dz                                  # q(z_k) Δz
        return GridBound(
            log_p=log_p,
            L_b=float(w @ (log_joint - lq)),
            kl=float(w @ (lq - log_post)),
            line1=float(w @ np.full_like(lq, log_p)),
            line2=float(w @ ((log_joint - lq) - (log_post - lq))),
            q_mass=float(w.sum()),
        )

    def best_gaussian_q(self, x, mu0: float = 0.0, zeta0: float = -1.0) -> tuple[float, float]:
        """(μ̃, ζ) of the Gaussian q that maximises L_b for this x (L-BFGS-B from μ0, ζ0).

        Equivalently minimises KL(q ‖ p_θ(·|x)); for a non-Gaussian posterior the gap stays
        > 0. The search keeps q inside the grid: |μ̃| ≤ z_max/2, σ̃ ≤ z_max/16. A bimodal
        posterior has two local optima (one per mode); the start (μ0, ζ0) picks one.
        """
        x = self._x(x)
        z_max = float(self.z[-1])
        bounds = [(-z_max / 2, z_max / 2), (2 * np.log(2 * self.dz), 2 * np.log(z_max / 16))]
        start = np.clip([mu0, zeta0], [b[0] for b in bounds], [b[1] for b in bounds])
        res = minimize(lambda t: -self.bound(x, t[0], t[1]).L_b, start, method="L-BFGS-B",
                       bounds=bounds, options={"ftol": 1e-14, "gtol": 1e-10})
        return float(res.x[0]), float(res.x[1])
