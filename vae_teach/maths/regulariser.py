"""The slide's regulariser r(μ̃, ζ) = μ̃² + e^ζ − (1 + ζ): formula, gradient, minimum, moments.

Slide "WHY VAE REGULARIZATION?": per latent dimension j and input x_i,

    r(μ̃, ζ) = μ̃² + e^ζ − (1 + ζ),   ζ = log σ̃²,
    ∂r/∂μ̃ = 2μ̃,   ∂r/∂ζ = e^ζ − 1,   Hessian diag(2, e^ζ) ≻ 0,

so r is strictly convex with its only minimum r = 0 at μ̃ = 0, ζ = 0 (σ̃ = 1): each
q_φ(z_j|x_i) is pulled to the prior N(0, 1). r = 2·KL(N(μ̃, e^ζ) ‖ N(0, 1)).

"Codes" of a data set: the aggregate q(z) = (1/N) Σ_i q_φ(z|x_i), whose moments follow from the
law of total variance: mean = mean_i μ̃_i, variance = var_i μ̃_i + mean_i σ̃²_i (per dimension).
"""

from __future__ import annotations

import numpy as np

from vae_teach._checks import as_float_array


__all__ = ["regulariser_formula", "regulariser", "regulariser_gradient", "minimise_regulariser",
           "aggregate_moments"]


def _pair(mu_tilde, zeta):
    mu_tilde = as_float_array(mu_tilde, "mu_tilde")
    zeta = as_float_array(zeta, "zeta")
    try:
        np.broadcast_shapes(mu_tilde.shape, zeta.shape)
    except ValueError:
        raise ValueError(f"mu_tilde {mu_tilde.shape} and zeta {zeta.shape} must have the same "
                         f"(or broadcastable) shapes, e.g. both (N, m).") from None
    return mu_tilde, zeta


def regulariser_formula(mu_tilde, zeta):
    """r = μ̃² + e^ζ − (1 + ζ) elementwise, for numpy arrays and torch tensors alike.

    The one place the course writes the formula: ``regulariser`` (numpy, checked), the torch
    objectives (``nets.objectives``), the KL to the prior (``maths.gaussian``) and the loss
    bookkeeping (``maths.vae_loss``) all call it. No input checks (the callers check).
    """
    exp_zeta = zeta.exp() if hasattr(zeta, "exp") else np.exp(zeta)
    return mu_tilde ** 2 + exp_zeta - (1 + zeta)


def regulariser(mu_tilde, zeta) -> np.ndarray:
    """The slide's r = μ̃² + e^ζ − (1 + ζ), elementwise (any broadcastable shapes)."""
    mu_tilde, zeta = _pair(mu_tilde, zeta)
    return regulariser_formula(mu_tilde, zeta)


def regulariser_gradient(mu_tilde, zeta) -> tuple[np.ndarray, np.ndarray]:
    """(∂r/∂μ̃, ∂r/∂ζ) = (2μ̃, e^ζ − 1), elementwise."""
    mu_tilde, zeta = _pair(mu_tilde, zeta)
    return np.broadcast_arrays(2.0 * mu_tilde, np.exp(zeta) - 1.0)


def minimise_regulariser(start=(2.0, -3.0)) -> tuple[float, float, float]:
    """Minimise r numerically (scipy BFGS with the exact gradient) from ``start`` = (μ̃, ζ).

    Returns (μ̃*, ζ*, r*): a check of the calculus, which says (0, 0, 0).
    """
    from scipy.optimize import minimize

    x0 = as_float_array(start, "start", ndim=1)
    if x0.shape != (2,):
        raise ValueError(f"start must be one point (mu_tilde, zeta), got shape {x0.shape}.")
    res = minimize(lambda v: float(regulariser(v[0], v[1])), x0,
                   jac=lambda v: np.array([g.item() for g in regulariser_gradient(v[0], v[1])]),
                   method="BFGS", options={"gtol": 1e-12})
    return float(res.x[0]), float(res.x[1]), float(res.fun)


def aggregate_moments(mu_tilde, zeta) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance per dimension of z ~ (1/N) Σ_i N(μ̃_i, diag e^{ζ_i}).

    mu_tilde, zeta: (N, m) → (mean (m,), var (m,)); var = var_i μ̃_i + mean_i e^{ζ_i}.
    """
    mu_tilde = as_float_array(mu_tilde, "mu_tilde", ndim=2)
    zeta = as_float_array(zeta, "zeta", ndim=2)
    if mu_tilde.shape != zeta.shape:
        raise ValueError(f"mu_tilde {mu_tilde.shape} and zeta {zeta.shape} must both be (N, m).")
    return mu_tilde.mean(0), mu_tilde.var(0) + np.exp(zeta).mean(0)
