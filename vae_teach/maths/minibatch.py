"""Minibatch estimates of L_b (slide "VAE WITH INDEPENDENT SAMPLES"), exact on pPCA.

L_b(θ, φ; 𝒳) = Σ_i ℓ_i is a sum over samples, so (N / B) Σ_{i∈batch} ℓ_i with a uniformly random
batch of size B is an unbiased estimate of it (and of its gradient in θ). ``minibatch_estimates``
draws the batches; ``minibatch_mc_estimates`` adds the Monte Carlo draw of z; ``mean_check``
compares the estimates' mean with the exact value in standard errors.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from vae_teach._checks import as_float_array, check_int
from vae_teach.maths.bound import _model, _q, log_q
from vae_teach.maths.lines import mean_se


__all__ = ["minibatch_estimates", "minibatch_mc_estimates", "minibatch_std", "MeanCheck",
           "mean_check"]


# ----------------------------------------------------------------------------- minibatches
def _batches(N: int, batch_size: int, n_batches: int, rng) -> np.ndarray:
    """(n_batches, B) indices: each row a uniform subset of {0..N−1}, drawn independently."""
    batch_size = check_int(batch_size, "batch_size", 1)
    if batch_size > N:
        raise ValueError(f"batch_size = {batch_size} is larger than N = {N} samples; pick "
                         f"batch_size ≤ N.")
    n_batches = check_int(n_batches, "n_batches", 2)
    # argpartition returns the B chosen indices in an order that depends on numpy's SIMD code
    # path; sorting them makes the k-th index (paired with the k-th noise draw) the same on
    # every CPU.
    chosen = np.argpartition(rng.random((n_batches, N)), batch_size - 1, axis=1)[:, :batch_size]
    return np.sort(chosen, axis=1)


def minibatch_estimates(L_b_i, batch_size: int, n_batches: int, rng=None) -> np.ndarray:
    """L̂_b = (N/B) Σ_{i∈ℬ} ℓ_i for ``n_batches`` independent uniform batches ℬ, |ℬ| = B.

    L_b_i: per-sample terms ℓ_i, (N,). Returns (n_batches,).
    """
    L_b_i = as_float_array(L_b_i, "L_b_i", ndim=1)
    N = L_b_i.size
    idx = _batches(N, batch_size, n_batches, np.random.default_rng(rng))
    return N / idx.shape[1] * L_b_i[idx].sum(axis=1)


def minibatch_mc_estimates(model, X, mu_tilde, Sigma_tilde, batch_size: int,
                           n_batches: int, rng=None) -> np.ndarray:
    """Doubly stochastic L̂_b = (N/B) Σ_{i∈ℬ} [one-draw MC term], fresh ℬ and z's each time.

    What a VAE training step sees. Returns (n_batches,).
    """
    model = _model(model)
    X, mu_tilde, Sigma_tilde = _q(model, X, mu_tilde, Sigma_tilde)
    rng = np.random.default_rng(rng)
    N, m = mu_tilde.shape
    idx = _batches(N, batch_size, n_batches, rng)                          # (K, B)
    L = np.linalg.cholesky(Sigma_tilde)[idx]                               # (K, B, m, m)
    Z = mu_tilde[idx] + np.einsum("kbij,kbj->kbi", L, rng.standard_normal(idx.shape + (m,)))
    flat = idx.reshape(-1)
    terms = (model.joint_log_prob(X[flat], Z.reshape(-1, m))
             - log_q(Z.reshape(-1, m), mu_tilde[flat], Sigma_tilde[flat]))
    return N / idx.shape[1] * terms.reshape(idx.shape).sum(axis=1)


def minibatch_std(L_b_i, batch_size: int) -> float:
    """Exact std of (N/B) Σ_{i∈ℬ} ℓ_i: N √((1 − B/N) s² / B), s² = var(ℓ, ddof=1)."""
    L_b_i = as_float_array(L_b_i, "L_b_i", ndim=1)
    N, B = L_b_i.size, check_int(batch_size, "batch_size", 1)
    if N < 2 or B > N:
        raise ValueError(f"minibatch_std needs N ≥ 2 terms in L_b_i and 1 ≤ batch_size ≤ N; got "
                         f"N = {N}, batch_size = {B}. Pass all N per-sample terms and a "
                         f"smaller batch_size.")
    return float(N * np.sqrt((1 - B / N) * np.var(L_b_i, ddof=1) / B))


class MeanCheck(NamedTuple):
    """Mean of many estimates vs a target: is the estimator unbiased?"""

    mean: float
    standard_error: float
    target: float

    @property
    def z(self) -> float:
        """(mean − target) / s.e.: |z| ≲ 3 is consistent with no bias."""
        return (self.mean - self.target) / self.standard_error


def mean_check(estimates, target: float) -> MeanCheck:
    """Mean ± s.e. (ddof=1, /√K) of K i.i.d. estimates, with the target they should hit."""
    estimates = as_float_array(estimates, "estimates", ndim=1)
    if estimates.size < 2:
        raise ValueError("estimates needs at least 2 values to have a standard error.")
    if not np.isfinite(target):
        raise ValueError(f"target must be a finite number (the exact L_b), got {target!r}.")
    return MeanCheck(*mean_se(estimates), float(target))
