"""Checkers for notebook 05 (slide VAE V.S. EM ALGORITHM), references from ``vae_teach.maths.em``.

* ``check_e_step(fn)`` — fn(X (N, M), W (M, m), mu (M,), sigma2) → (mean (N, m), cov (m, m)) of
  the exact pPCA posterior p(z|x) = N(P⁻¹Wᵀ(x − μ), σ²P⁻¹), P = WᵀW + σ²I.
* ``check_entropy_q(fn)`` — fn(q_cov (N, m, m)) → H(q) = Σ_n ½ log det(2πe S_n), the constant
  that separates L_b from E_q[log p(X, Z; θ)].
* ``check_sigma2_update(fn)`` — fn(X, W, mu, q_mean, q_cov) → the M-step's σ² for given W, μ:
  (1/NM) Σ_n (‖x_n − μ − W a_n‖² + Tr(WᵀW S_n)).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from vae_teach.exercises._core import CheckResult, check_function
from vae_teach.maths import em
from vae_teach.maths.ppca import PPCA


__all__ = ['check_e_step', 'check_entropy_q', 'check_sigma2_update']


def _problem(seed, N=12, M=5, m=2):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(N, M)) * 2 + 1, rng.normal(size=(M, m)), rng.normal(size=M),
            float(rng.uniform(0.2, 2.0)))


def _covs(seed, N=12, m=2):
    A = np.random.default_rng(seed).normal(size=(N, m, m))
    return A @ np.swapaxes(A, 1, 2) + 0.3 * np.eye(m)


def check_e_step(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(X, W, mu, sigma2) → (posterior means (N, m), posterior covariance (m, m))."""
    def reference(X, W, mu, sigma2):
        mean, cov = PPCA(W, mu, sigma2).posterior(X)
        return np.vstack([mean, cov])

    def wrapped(X, W, mu, sigma2):
        out = fn(X, W, mu, sigma2)
        if out is None or out is Ellipsis:
            return out
        mean, cov = out
        return np.vstack([np.asarray(mean, float), np.asarray(cov, float)])

    hint = ("P = W.T @ W + sigma2 * I (m × m). The mean of z_n is P⁻¹ Wᵀ (x_n − μ): with rows, "
            "np.linalg.solve(P, W.T @ (X − mu).T).T. The covariance is sigma2 * inv(P) — the "
            "same for every n, and it does NOT depend on x.")
    return check_function("E-step: exact posterior", wrapped, reference,
                          [_problem(1), _problem(2, m=3), _problem(3, N=1, m=1)], hint,
                          rtol=1e-8, verbose=verbose)


def check_entropy_q(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(q_cov (N, m, m)) → H(q) summed over the N Gaussians."""
    hint = ("each Gaussian N(a_n, S_n) in m dimensions has entropy ½ log det(2πe S_n) = "
            "m/2 · log(2πe) + ½ log det S_n (use np.linalg.slogdet). Sum over n. It does not "
            "depend on the means, nor on θ.")
    cases = [(_covs(4),), (_covs(5, N=3, m=4),), (np.eye(2)[None] * 0.01,)]
    return check_function("Entropy H(q)", fn, em.entropy_q, cases, hint, rtol=1e-8,
                          verbose=verbose)


def check_sigma2_update(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(X, W, mu, q_mean, q_cov) → σ² maximising E_q[log p(X, Z; W, μ, σ²)] for fixed W, μ."""
    def reference(X, W, mu, q_mean, q_cov):
        sq = np.sum((X - mu - q_mean @ W.T) ** 2) + np.trace(W.T @ W @ q_cov.sum(0))
        return sq / X.size

    cases = []
    for seed in (6, 7):
        X, W, mu, _ = _problem(seed)
        q_mean = np.random.default_rng(seed).normal(size=(X.shape[0], W.shape[1]))
        cases.append((X, W, mu, q_mean, _covs(seed + 10)))
    hint = ("σ² is the average squared error per pixel, in expectation over q: "
            "E‖x − μ − Wz‖² = ‖x − μ − W a‖² + Tr(Wᵀ W S) for z ~ N(a, S). Sum over n and divide "
            "by N·M. Forgetting the trace term gives the error of the means only (too small).")
    return check_function("M-step: σ² update", fn, reference, cases, hint, rtol=1e-8,
                          verbose=verbose)
