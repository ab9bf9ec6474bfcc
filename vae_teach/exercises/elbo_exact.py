"""Checkers for notebooks 03 (generative model, MLE), 04 (lower bound), 06 (independent samples).

Notebook 03 · VAE GENERATIVE MODEL AND MLE
* ``check_log_marginal(fn)`` — fn(X, W, mu, sigma2) → (N,) log p_θ(x_i) = log N(x_i; μ, WWᵀ + σ²I).
* ``check_mle_sigma2(fn)`` — fn(X, m) → σ²_ML, the mean of the M − m smallest eigenvalues of S.

Notebook 04 · LOG-LIKELIHOOD LOWER BOUND
* ``check_grid_lower_bound(fn)`` — fn(log_joint, log_q, dz) → L_b = Σ_k q_k Δz (log p(x,z_k) − log q_k).
* ``check_optimal_q(fn)`` — fn(W, mu, sigma2, x) → (mu_tilde, Sigma_tilde): the q with KL = 0.

Notebook 06 · VAE WITH INDEPENDENT SAMPLES
* ``check_log_q_factorised(fn)`` — fn(Z, mu_tilde, sigma2_tilde) → log q(𝒵|𝒳) for a
  diagonal-Gaussian q that factorises over samples (a float).
* ``check_minibatch_estimate(fn)`` — fn(L_b_i, batch) → (N/B) Σ_{i∈batch} L_b_i.

References come from the package (``ppca.PPCA``, ``latent_grid``, ``minibatch.joint_log_q``,
which the tests check against scipy and closed forms).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..latent_grid import LatentGrid1D
from ..minibatch import block_diag_cov, joint_log_q
from ..ppca import PPCA
from ._core import CheckResult, check_function

__all__ = ["check_log_marginal", "check_mle_sigma2", "check_grid_lower_bound",
           "check_optimal_q", "check_log_q_factorised", "check_minibatch_estimate"]


def _ppca_cases(seed: int, shapes=((3, 1, 4), (5, 2, 10), (8, 3, 25))):
    rng = np.random.default_rng(seed)
    cases = []
    for M, m, N in shapes:
        model = PPCA(rng.normal(size=(M, m)), rng.normal(size=M), float(rng.uniform(0.1, 2)))
        cases.append((model.sample(N, rng=rng), model.W, model.mu, model.sigma2))
    return cases


# ----------------------------------------------------------------------------- notebook 03
def check_log_marginal(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(X (N, M), W (M, m), mu (M,), sigma2) → (N,) log N(x_i; μ, W Wᵀ + σ² I)."""
    hint = ("the integral ∫ N(x; Wz + μ, σ²I) N(z; 0, I) dz is the Gaussian N(x; μ, C) with "
            "C = W @ W.T + sigma2 * np.eye(M); return scipy.stats.multivariate_normal(mu, C)"
            ".logpdf(X) (one value per row, shape (N,)).")
    return check_function("log p_θ(x_i) of pPCA", fn,
                          lambda X, W, mu, s2: PPCA(W, mu, s2).log_likelihood_per_sample(X),
                          _ppca_cases(31), hint, rtol=1e-8, verbose=verbose)


def check_mle_sigma2(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(X (N, M), m) → σ²_ML = mean of the M − m smallest eigenvalues of S (1/N)."""
    hint = ("S = (X − x̄)ᵀ(X − x̄) / N (divide by N, not N − 1: it is the MLE); "
            "np.linalg.eigvalsh(S) returns eigenvalues in ASCENDING order, so the M − m "
            "smallest are the first M − m; return their mean.")
    cases = [(X, W.shape[1]) for X, W, _, _ in _ppca_cases(32)]
    return check_function("closed-form MLE of σ²", fn, lambda X, m: PPCA.fit(X, m).sigma2,
                          cases, hint, rtol=1e-8, verbose=verbose)


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


# ----------------------------------------------------------------------------- notebook 06
def _diag_q_cases():
    rng = np.random.default_rng(34)
    cases = []
    for N, m in [(1, 1), (4, 2), (10, 3)]:
        mu_tilde = rng.normal(size=(N, m))
        sigma2_tilde = rng.uniform(0.1, 2.0, size=(N, m))
        cases.append((mu_tilde + rng.normal(size=(N, m)), mu_tilde, sigma2_tilde))
    return cases


def _joint_reference(Z, mu_tilde, sigma2_tilde):
    """log N(vec 𝒵; vec μ̃, blockdiag(diag σ̃²_i)) — one Nm-dimensional Gaussian."""
    Sigma = np.stack([np.diag(s) for s in sigma2_tilde])
    return float(joint_log_q(Z, mu_tilde, block_diag_cov(Sigma)))


def check_log_q_factorised(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(Z (N, m), mu_tilde (N, m), sigma2_tilde (N, m)) → Σ_i log N(z_i; μ̃_i, diag σ̃²_i)."""
    hint = ("q(𝒵|𝒳) = Π_i q(z_i|x_i), so log q is a SUM over samples i (and, for a diagonal "
            "covariance, over coordinates j) of −½(log 2π + log σ̃²_ij + (z_ij − μ̃_ij)²/σ̃²_ij). "
            "sigma2_tilde holds variances, not standard deviations. Return one float.")
    return check_function("log q(𝒵|𝒳) as a sum over samples", fn, _joint_reference,
                          _diag_q_cases(), hint, rtol=1e-9, verbose=verbose)


def _minibatch_cases():
    rng = np.random.default_rng(35)
    cases = []
    for N, B in [(10, 10), (50, 5), (200, 32)]:
        cases.append((rng.normal(-30.0, 5.0, size=N), rng.choice(N, size=B, replace=False)))
    return cases


def check_minibatch_estimate(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(L_b_i (N,), batch (B,) indices) → (N/B) Σ_{i∈batch} L_b_i."""
    hint = ("sum the per-sample terms of the batch, L_b_i[batch].sum(), and scale by N/B "
            "(N = len(L_b_i), B = len(batch)) so that its AVERAGE over random batches is the "
            "full-data sum Σ_i L_b_i.")
    return check_function("minibatch estimate of L_b", fn,
                          lambda L, b: len(L) / len(b) * float(np.sum(L[b])),
                          _minibatch_cases(), hint, rtol=1e-10, verbose=verbose)
