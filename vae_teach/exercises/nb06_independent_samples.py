"""Checkers for notebook 06 (independent samples): log q of a factorised encoder and the
minibatch estimate of L_b.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from vae_teach.exercises._core import CheckResult, check_function
from vae_teach.maths.factorise import block_diag_cov, joint_log_q


__all__ = ['check_log_q_factorised', 'check_minibatch_estimate']


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
