"""Maximum likelihood on pPCA: log p_θ(𝒳) along σ², its gradient, and gradient ascent.

``loglik_sigma2_path`` (log-likelihood as σ² varies), ``loglik_and_grad`` (value and exact
gradient in W, μ, σ²), ``mle_gradient_ascent`` (the slide's argmax by plain ascent, compared
with the closed-form MLE of ``maths.ppca.PPCA.fit``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from vae_teach._checks import as_float_array, check_int
from vae_teach.maths.gaussian import LOG_2PI
from vae_teach.maths.marginal import _model
from vae_teach.maths.ppca import PPCA


__all__ = ["loglik_sigma2_path", "LogLikGrad", "loglik_and_grad", "AscentHistory",
           "mle_gradient_ascent"]


def loglik_sigma2_path(model, X, sigma2s) -> np.ndarray:
    """log p_θ(𝒳) for each σ² in ``sigma2s`` with W and μ of ``model`` held fixed, (K,).

    One eigen-decomposition W Wᵀ = U diag(λ) Uᵀ serves every σ²: C = U diag(λ + σ²) Uᵀ, so
    log|C| = Σ_j log(λ_j + σ²) and (x − μ)ᵀ C⁻¹ (x − μ) = Σ_j ((Uᵀ(x − μ))_j)² / (λ_j + σ²).
    model: PPCA; X: (N, M); sigma2s: (K,) positive.
    """
    model = _model(model)
    X = model._X(X)
    sigma2s = as_float_array(sigma2s, "sigma2s", ndim=1)
    if np.any(sigma2s <= 0):
        raise ValueError(f"sigma2s must be positive variances, smallest is {sigma2s.min():.3g}.")
    lam, U = np.linalg.eigh(model.W @ model.W.T)
    proj2 = ((X - model.mu) @ U) ** 2                                   # (N, M)
    var = np.maximum(lam, 0.0)[None, :] + sigma2s[:, None]              # (K, M)
    N, M = X.shape
    return -0.5 * (N * M * LOG_2PI + N * np.log(var).sum(1)
                   + (proj2.sum(0)[None, :] / var).sum(1))


# ----------------------------------------------------------------------------- gradient ascent
class LogLikGrad(NamedTuple):
    """log p_θ(𝒳) and its gradient w.r.t. W (M, m), μ (M,) and s = log σ²."""

    loglik: float
    dW: np.ndarray
    dmu: np.ndarray
    dlog_sigma2: float


def loglik_and_grad(X, W, mu, log_sigma2: float) -> LogLikGrad:
    """Exact pPCA log-likelihood Σ_i log N(x_i; μ, W Wᵀ + σ² I) and its gradient (module doc).

    X: (N, M); W: (M, m); mu: (M,); log_sigma2: s = log σ² (float). Sums over samples.
    """
    X = as_float_array(X, "X", ndim=2)
    model = PPCA(W, mu, float(np.exp(log_sigma2)))
    if X.shape[1] != model.M:
        raise ValueError(f"X has {X.shape[1]} columns but W has M = {model.M} rows.")
    N, M = X.shape
    D = X - model.mu
    S_mu = D.T @ D / N
    C_inv = np.linalg.inv(model.covariance())
    G = -0.5 * N * (C_inv - C_inv @ S_mu @ C_inv)
    loglik = -0.5 * N * (M * LOG_2PI + np.linalg.slogdet(model.covariance())[1]
                         + np.sum(C_inv * S_mu))
    dmu = N * C_inv @ (X.mean(axis=0) - model.mu)
    return LogLikGrad(float(loglik), 2.0 * G @ model.W, dmu, float(model.sigma2 * np.trace(G)))


class AscentHistory(NamedTuple):
    """What :func:`mle_gradient_ascent` saw: loglik (T+1,), and the final model."""

    loglik: np.ndarray
    model: PPCA


def mle_gradient_ascent(X, m: int, lr: float = 0.2, n_steps: int = 300,
                        seed: int = 0) -> AscentHistory:
    """Maximise log p_θ(𝒳) over θ = (W, μ, log σ²) by plain gradient ascent.

    θ ← θ + lr · ∇ (1/N) log p_θ(𝒳) (the per-sample average, so lr does not depend on N).
    Start: W ~ 0.1 · N(0, 1) (seeded), μ = 0, σ² = 1. X: (N, M) (standardise it first so
    that lr ≈ 0.2 is stable); 1 ≤ m < M. Returns the log-likelihood after every step.
    """
    X = as_float_array(X, "X", ndim=2)
    N, M = X.shape
    m = check_int(m, "m", 1)
    if m >= M:
        raise ValueError(f"m must be smaller than M = {M} (latent dimension < data "
                         f"dimension), got m = {m}.")
    n_steps = check_int(n_steps, "n_steps", 1)
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be a positive step size, got {lr!r}; try 0.2.")
    W = 0.1 * np.random.default_rng(seed).standard_normal((M, m))
    mu, s = np.zeros(M), 0.0
    history = []
    for _ in range(n_steps):
        g = loglik_and_grad(X, W, mu, s)
        history.append(g.loglik)
        W, mu, s = W + lr * g.dW / N, mu + lr * g.dmu / N, s + lr * g.dlog_sigma2 / N
    model = PPCA(W, mu, float(np.exp(s)))
    history.append(model.log_likelihood(X))
    return AscentHistory(np.array(history), model)
