"""Checkers for notebook 09 (the last three VAE LOSS FUNCTION slides, training, evaluation).

* ``check_L_VAE(fn)`` — fn(x (N, M), x_hat (N, M), mu_tilde (N, m), zeta (N, m)) → float,
  L_VAE = Σ_i ( ‖x_i − x̂_i‖² + Σ_j ( μ̃_j² + exp(ζ_j) − (1 + ζ_j) ) ).
* ``check_L_VAE_from_L_b(fn)`` — fn(L_b, N, M) → float, L_VAE = −2·L_b − N·M·log 2π.
* ``check_log_mean_exp(fn)`` — fn(log_w (k, N)) → (N,), log (1/k) Σ_s exp(log_w[s]) computed
  stably (the IWAE bound's inner step); cases include log-weights near −1000.

References: ``vae_teach.maths.vae_loss`` and ``scipy.special.logsumexp``.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from scipy.special import logsumexp

from vae_teach.exercises._core import CheckResult, check_function
from vae_teach.maths.vae_loss import L_VAE_from_L_b, random_batch, reconstruction_R, regulariser_K


__all__ = ['check_L_VAE', 'check_L_VAE_from_L_b', 'check_log_mean_exp']


def _L_VAE_reference(x, x_hat, mu_tilde, zeta):
    return reconstruction_R(x, x_hat) + regulariser_K(mu_tilde, zeta)


def check_L_VAE(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(x, x_hat, mu_tilde, zeta) (numpy) → the slide's L_VAE, a float."""
    cases = [random_batch(N, M, m, rng=90 + N) for N, M, m in [(1, 4, 1), (5, 64, 2), (20, 16, 6)]]
    hint = ("sum over BOTH i and pixels of (x − x_hat)**2, plus the sum over i and j of "
            "mu_tilde**2 + np.exp(zeta) − (1 + zeta). zeta is already log σ̃²: use exp(zeta), not "
            "exp(zeta)**2 or exp(zeta / 2). No ½ and no mean on this slide.")
    return check_function("L_VAE as on the last slide", fn, _L_VAE_reference, cases, hint,
                          rtol=1e-8, verbose=verbose)


def check_L_VAE_from_L_b(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(L_b, N, M) → L_VAE (Σ_θ = I, same samples)."""
    cases = [(-100.0, 1, 64), (-5000.0, 100, 64), (12.5, 3, 2)]
    hint = ("start from L_b = N·log(1/√((2π)^M)) − ½·L_VAE = −N·M/2·log 2π − ½·L_VAE and solve "
            "for L_VAE: multiply by −2, then mind the SIGN of the constant N·M·log 2π.")
    return check_function("L_VAE from L_b", fn, L_VAE_from_L_b, cases, hint, rtol=1e-10,
                          verbose=verbose)


def _lme_reference(log_w):
    log_w = np.asarray(log_w, float)
    return logsumexp(log_w, axis=0) - math.log(log_w.shape[0])


def check_log_mean_exp(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(log_w (k, N)) → log (1/k) Σ_s exp(log_w[s]) per column, (N,)."""
    rng = np.random.default_rng(92)
    cases = [(np.array([[0.0], [0.0]]),), (rng.normal(size=(5, 3)),),
             (rng.normal(-1000.0, 5.0, size=(50, 4)),), (rng.normal(300.0, 30.0, size=(8, 2)),)]
    hint = ("exp(−1000) is 0.0 in floating point, so log(mean(exp(log_w))) gives −inf. Subtract "
            "the column maximum c = log_w.max(axis=0) first: c + log(mean(exp(log_w − c), "
            "axis=0)) (scipy.special.logsumexp(log_w, axis=0) − log k does the same).")
    return check_function("log-mean-exp (IWAE)", fn, _lme_reference, cases, hint, rtol=1e-9,
                          verbose=verbose)
