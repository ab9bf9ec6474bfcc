"""Checkers for notebook 03 (generative model, MLE): log p_θ(x) of pPCA and the MLE of σ²."""

from __future__ import annotations

from typing import Callable

import numpy as np

from vae_teach.exercises._core import CheckResult, check_function
from vae_teach.maths.ppca import PPCA


__all__ = ['check_log_marginal', 'check_mle_sigma2']


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
