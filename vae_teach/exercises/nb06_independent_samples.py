"""Checkers for notebook 06 (slide VAE WITH INDEPENDENT SAMPLES).

* ``check_log_q_factorised(fn)`` — warm-up: fn(Z, mu_tilde, sigma2_tilde) (all (N, m)) → float,
  log q(𝒵|𝒳) = Σ_i Σ_j log N(z_ij; μ̃_ij, σ̃²_ij), against ONE Nm-dimensional Gaussian.
* ``check_minibatch_estimate(fn)`` — find the slip: a given estimate returns the batch mean;
  fn(L_b_i (N,), batch (B,)) → (N/B) Σ_{i∈batch} ℓ_i, the unbiased one.
* ``check_one_code_prediction(prediction, exact, one_code, L_b)`` — predict-then-run: what does
  drawing one code per point do to the B = 32 estimate (biased / wider / same / narrower)?
  The measured choice comes from the two sets of estimates.
* ``check_batch_size(fn)`` — derive a line: fn(L_b_i (N,), target) → the smallest B whose
  minibatch standard deviation N √((1 − B/N) s²/B) is at most ``target``.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from vae_teach.exercises._core import CheckResult, check_function, check_prediction
from vae_teach.maths.factorise import block_diag_cov, joint_log_q


__all__ = ['check_log_q_factorised', 'check_minibatch_estimate', 'check_one_code_prediction',
           'check_batch_size']


# ----------------------------------------------------------------------------- shared
# ----------------------------------------------------------------------------- log q
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


def _log_q_terms(Z, mu_tilde, var):
    return -0.5 * (np.log(2 * np.pi * var) + (Z - mu_tilde) ** 2 / var)


def check_log_q_factorised(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(Z (N, m), mu_tilde (N, m), sigma2_tilde (N, m)) → Σ_i log N(z_i; μ̃_i, diag σ̃²_i)."""
    hint = ["q(𝒵|𝒳) is a product over the samples i, so its logarithm is a sum: add up one "
            "log-density per sample and, for a diagonal covariance, per coordinate j. The "
            "argument sigma2_tilde holds variances, not standard deviations.",
            "Each term is −½(log 2π + log σ̃²_ij + (z_ij − μ̃_ij)²/σ̃²_ij); return the sum of all "
            "N·m terms as one float."]
    slips = {"σ̃ for σ̃² (sigma2_tilde used as a standard deviation)":
             lambda Z, mu, s2: float(_log_q_terms(Z, mu, s2 ** 2).sum()),
             "a mean over samples where the product of densities gives a sum":
             lambda Z, mu, s2: float(_log_q_terms(Z, mu, s2).sum(axis=1).mean()),
             "a missing ½": lambda Z, mu, s2: float(2 * _log_q_terms(Z, mu, s2).sum())}
    return check_function("log q(𝒵|𝒳) as a sum over samples", fn, _joint_reference,
                          _diag_q_cases(), hint, rtol=1e-9, verbose=verbose, slips=slips)


# ----------------------------------------------------------------------------- the slip
def _minibatch_cases():
    rng = np.random.default_rng(35)
    cases = []
    for N, B in [(10, 10), (50, 5), (200, 32)]:
        cases.append((rng.normal(-30.0, 5.0, size=N), rng.choice(N, size=B, replace=False)))
    return cases


def check_minibatch_estimate(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(L_b_i (N,), batch (B,) indices) → (N/B) Σ_{i∈batch} ℓ_i."""
    hint = ["The estimate must be right on average over random batches: its mean has to equal "
            "the full-data SUM of the N per-sample terms, not their average. How many terms "
            "does one batch contain, and how many does the full sum have?",
            "Sum the terms of the batch and multiply by N/B (N = the number of per-sample "
            "terms, B = the batch size): each term is in a batch with probability B/N."]
    slips = {"the batch mean (a mean where the slide's L_b is a sum: off by the factor N)":
             lambda L, b: float(np.mean(L[b])),
             "the plain batch sum (no N/B: it estimates only B/N of L_b)":
             lambda L, b: float(np.sum(L[b])),
             "B/N where N/B belongs": lambda L, b: len(b) / len(L) * float(np.sum(L[b]))}
    return check_function("minibatch estimate of L_b, slip fixed", fn,
                          lambda L, b: len(L) / len(b) * float(np.sum(L[b])),
                          _minibatch_cases(), hint, rtol=1e-10, verbose=verbose, slips=slips)


# ----------------------------------------------------------------------------- prediction
ONE_CODE_CHOICES = ["biased", "wider", "same", "narrower"]


def one_code_effect(exact, one_code, L_b: float, z_max: float = 4.0,
                    ratio: float = 1.05) -> str:
    """The measured choice: "biased" if the one-code estimates' mean misses L_b by more than
    ``z_max`` standard errors, else "wider"/"narrower"/"same" by their std relative to the
    exact-ℓ_i estimates (exact, one_code: (K,) estimates of L_b at the same batch size)."""
    exact = np.asarray(exact, dtype=float)
    one_code = np.asarray(one_code, dtype=float)
    if exact.ndim != 1 or one_code.ndim != 1 or min(exact.size, one_code.size) < 2:
        raise ValueError("exact and one_code must be 1-D arrays of at least 2 estimates each "
                         "(minibatch_estimates and minibatch_mc_estimates give them).")
    se = one_code.std(ddof=1) / math.sqrt(one_code.size)
    if abs(one_code.mean() - L_b) > z_max * se:
        return "biased"
    r = one_code.std(ddof=1) / exact.std(ddof=1)
    return "wider" if r > ratio else "narrower" if r < 1 / ratio else "same"


def _default_one_code_measurement():
    """A small version of the notebook's experiment (pPCA, N = 200, B = 16), for when the
    checker is called without the notebook's numbers."""
    from vae_teach.maths.bound import lower_bound, random_q
    from vae_teach.maths.minibatch import minibatch_estimates, minibatch_mc_estimates
    from vae_teach.maths.ppca import PPCA

    rng = np.random.default_rng(6)
    model = PPCA(W=rng.normal(size=(5, 2)), mu=rng.normal(size=5), sigma2=0.3)
    X = model.sample(200, rng=rng)
    mu, Sigma = random_q(model, X, spread=0.3, rng=rng)
    ell = lower_bound(model, X, mu, Sigma, per_sample=True)
    exact = minibatch_estimates(ell, 16, n_batches=2000, rng=rng)
    one_code = minibatch_mc_estimates(model, X, mu, Sigma, batch_size=16, n_batches=2000,
                                      rng=rng)
    return exact, one_code, float(ell.sum())


def check_one_code_prediction(prediction: Callable[[], str], exact=None, one_code=None,
                              L_b: float | None = None, verbose: bool = True) -> CheckResult:
    """prediction() → one of "biased", "wider", "same", "narrower"; ``exact``, ``one_code``:
    the measured estimates (K,) with exact ℓ_i and with one drawn code per point, ``L_b`` the
    full-data value (a small experiment of its own is run when they are not given)."""
    def measured():
        if exact is None or one_code is None or L_b is None:
            return one_code_effect(*_default_one_code_measurement())
        return one_code_effect(exact, one_code, L_b)

    hint = ["Think of the one drawn code as noise added to each exact term ℓ_i. What is the "
            "average of that noise over the draw of the code — and does averaging over "
            "random batches change that?",
            "The one-code term is an unbiased estimate of ℓ_i (its expectation over "
            "z_i ~ q(·|x_i) is ℓ_i), and it is independent of which points are in the batch; "
            "so the mean stays L_b, while the variances of the two sources add."]
    why = ("E over the code of the one-draw term is exactly ℓ_i, so the mean is still L_b; "
           "but the code's randomness adds its own variance to the batch's, so the spread "
           "grows.")
    slips = {"biased": "thinking a random code shifts the estimate (it only adds noise)",
             "same": "thinking the code's noise averages out within one batch (one draw per "
                     "point cannot cancel: its variance adds)",
             "narrower": "confusing more randomness with more averaging"}
    return check_prediction("one code per point: bias or spread?", prediction,
                            ONE_CODE_CHOICES, measured, why, hint, verbose=verbose, slips=slips)


# ----------------------------------------------------------------------------- batch size
def _batch_size_reference(L_b_i, target):
    L = np.asarray(L_b_i, dtype=float)
    N, s2 = L.size, float(np.var(L, ddof=1))
    return min(N, max(1, math.ceil(N * N * s2 / (target ** 2 + N * s2) - 1e-9)))


def _batch_size_cases():
    rng = np.random.default_rng(36)
    cases = []
    for N, scale, target in [(1000, 20.0, 400.0), (1000, 20.0, 1500.0), (500, 3.0, 60.0),
                             (200, 10.0, 50.0)]:
        cases.append((rng.normal(-40.0, scale, size=N), target))
    return cases


def check_batch_size(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(L_b_i (N,), target) → the smallest batch size B with N √((1 − B/N) s²/B) ≤ target."""
    hint = ["The spread of the estimate falls as B grows. Write the condition std ≤ target, "
            "square both sides, and solve the inequality for B; then take the smallest whole "
            "number that satisfies it.",
            "N²(1 − B/N)s²/B ≤ t² rearranges to B ≥ N²s²/(t² + N s²), with s² the variance "
            "(ddof = 1) of the per-sample terms; round UP."]

    def without_fpc(L, t):
        L = np.asarray(L, float)
        return min(len(L), math.ceil(len(L) ** 2 * np.var(L, ddof=1) / t ** 2))

    def std_for_var(L, t):
        L = np.asarray(L, float)
        N, s = len(L), float(np.std(L, ddof=1))
        return min(N, max(1, math.ceil(N * N * s / (t ** 2 + N * s))))

    def rounded_down(L, t):
        L = np.asarray(L, float)
        N, s2 = len(L), float(np.var(L, ddof=1))
        return max(1, math.floor(N * N * s2 / (t ** 2 + N * s2)))

    slips = {"dropping the finite-population factor (1 − B/N)": without_fpc,
             "s (a standard deviation) where s² (a variance) belongs": std_for_var,
             "rounding down (that B leaves the spread just above the target)": rounded_down}
    return check_function("smallest batch size for a target spread", fn,
                          _batch_size_reference, _batch_size_cases(), hint, rtol=0, atol=0.5,
                          verbose=verbose, slips=slips)
