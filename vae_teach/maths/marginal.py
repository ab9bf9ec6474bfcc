"""The slide "VAE GENERATIVE MODEL AND MLE", made exact on probabilistic PCA (numpy, no torch).

On pPCA (``vae_teach.maths.ppca.PPCA``: z ~ N(0, I_m), x|z ~ N(W z + μ, σ² I_M)) the slide's integral

    p_θ(x) = ∫ p_θ(x|z) p_θ(z) dz = N(x; μ, C),   C = W Wᵀ + σ² I_M,

has a closed form, so we can check the two ways of computing it without the closed form:

* ``log_px_grid``        – a Riemann sum Σ_k p_θ(x|z_k) p_θ(z_k) Δz on a uniform grid (m ≤ 2);
* ``log_px_monte_carlo`` – p_θ(x) = E_{z~p(z)}[p_θ(x|z)] ≈ (1/n) Σ_k p_θ(x|z_k), z_k ~ N(0, I),
  with a standard error (delta method on the log).

For independent samples log p_θ(𝒳) = Σ_i log p_θ(x_i); ``log_px_stacked`` evaluates the left
side as ONE Gaussian over the stacked vector (x_1, …, x_N) ∈ R^{NM} with block-diagonal
covariance I_N ⊗ C, so the sum is checked, not assumed.

``loglik_sigma2_path`` gives log p_θ(𝒳) along σ² (W, μ fixed) from one eigen-decomposition:
the slide's θ* is an arg max, shared by p_θ(𝒳) and log p_θ(𝒳) (their max values differ).

MLE θ* = argmax_θ log p_θ(𝒳): ``mle_gradient_ascent`` climbs the exact gradient (below);
``PPCA.fit`` is the closed form (Tipping & Bishop). With S_μ = (1/N) Σ_i (x_i − μ)(x_i − μ)ᵀ,

    log p_θ(𝒳) = −N/2 (M log 2π + log|C| + Tr(C⁻¹ S_μ)),
    G := ∂/∂C = −N/2 (C⁻¹ − C⁻¹ S_μ C⁻¹),   ∂/∂W = 2 G W,   ∂/∂σ² = Tr G,
    ∂/∂μ = N C⁻¹ (x̄ − μ);   we climb in s = log σ² (so σ² stays > 0): ∂/∂s = σ² Tr G.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from vae_teach._checks import check_int
from vae_teach.maths.gaussian import log_normal
from vae_teach.maths.ppca import PPCA, as_point as _point, as_ppca as _model


__all__ = ['log_px_grid', 'log_px_monte_carlo', 'log_px_stacked']


def _log_px_given_z_one(model: PPCA, x: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """log p_θ(x | z_k) for one x (M,) and many codes Z (K, m) → (K,)."""
    return model.log_px_given_z(np.broadcast_to(x, (Z.shape[0], model.M)), Z)


# ----------------------------------------------------------------------------- the integral
def log_px_grid(model, x, z_max: float = 8.0, n_points: int = 401) -> float:
    """log ∫ p_θ(x|z) p_θ(z) dz by a Riemann sum on the grid [−z_max, z_max]^m.

    log Σ_k exp(log p_θ(x|z_k) + log p_θ(z_k)) + m log Δz, computed with logsumexp.
    The integrand is smooth and negligible at the edges, so the sum converges very fast.
    model: PPCA with m ≤ 2 (the grid has n_points^m nodes); x: (M,). Returns a float.
    """
    model = _model(model)
    x = _point(model, x)
    if model.m > 2:
        raise ValueError(f"log_px_grid needs a latent dimension m ≤ 2 (the grid has "
                         f"n_points^m nodes), got m = {model.m}; use log_px_monte_carlo.")
    n_points = check_int(n_points, "n_points", 3)
    if not np.isfinite(z_max) or z_max <= 0:
        raise ValueError(f"z_max must be a positive number (half-width of the grid), got "
                         f"{z_max!r}; 8 covers N(0, I) to 1e-15.")
    t = np.linspace(-z_max, z_max, n_points)
    Z = np.stack(np.meshgrid(*([t] * model.m), indexing="ij"), axis=-1).reshape(-1, model.m)
    log_f = _log_px_given_z_one(model, x, Z) + model.log_pz(Z)
    return float(logsumexp(log_f) + model.m * np.log(t[1] - t[0]))


def log_px_monte_carlo(model, x, n_samples: int, rng=None) -> tuple[float, float]:
    """Monte-Carlo log p_θ(x) = log E_{z~N(0,I)}[p_θ(x|z)] → ``(estimate, standard_error)``.

    estimate = log((1/n) Σ_k p_θ(x|z_k)), z_k ~ N(0, I_m) (log-sum-exp, no underflow);
    standard_error = s.e.(p̂) / p̂ (delta method). The log of an unbiased estimate of p is
    biased low by ≈ s.e.²/2 (Jensen), which is negligible when the s.e. is small.
    model: PPCA; x: (M,); n_samples ≥ 2; rng: seed or Generator.
    """
    model = _model(model)
    x = _point(model, x)
    n_samples = check_int(n_samples, "n_samples", 2)
    rng = np.random.default_rng(rng)
    log_w = _log_px_given_z_one(model, x, rng.standard_normal((n_samples, model.m)))
    w = np.exp(log_w - log_w.max())                      # p(x|z_k) up to a common factor
    estimate = float(np.log(w.mean()) + log_w.max())
    return estimate, float(w.std(ddof=1) / np.sqrt(n_samples) / w.mean())


def log_px_stacked(model, X) -> float:
    """log p_θ(𝒳) as ONE Gaussian over vec 𝒳 = (x_1, …, x_N) ∈ R^{NM}.

    vec 𝒳 ~ N(1_N ⊗ μ, I_N ⊗ C): independence of the samples is the block-diagonal
    covariance. Equals Σ_i log p_θ(x_i) (the slide); keep N·M ≲ 2000 (dense Cholesky).
    model: PPCA; X: (N, M). Returns a float.
    """
    model = _model(model)
    X = model._X(X)
    N, M = X.shape
    if N * M > 4000:
        raise ValueError(f"N·M = {N * M} is too large for one dense Gaussian; pass fewer rows "
                         f"(e.g. X[:100]) — this function exists to check the sum.")
    big_cov = np.kron(np.eye(N), model.covariance())
    return float(log_normal(X.reshape(-1), np.tile(model.mu, N), big_cov))
