"""Checkers for notebook 09 (the last three VAE LOSS FUNCTION slides, β, training, evaluation).

* ``check_L_VAE_from_L_b(fn)`` — derive a line: fn(L_b, N, M) → L_VAE = −2·L_b − N·M·log 2π,
  solved from the SIMPLER CLOSE FORM's L_b = −(NM/2) log 2π − ½ L_VAE.
* ``check_L_VAE(fn)`` — find the slip: a given loss uses exp(ζ/2) and a mean over pixels;
  fn(x (N, M), x_hat (N, M), mu_tilde (N, m), zeta (N, m)) → the slide's
  L_VAE = Σ_i ( ‖x_i − x̂_i‖² + Σ_j ( μ̃_j² + exp(ζ_j) − (1 + ζ_j) ) ).
* ``check_beta_prediction(prediction, stats)`` — predict-then-run: what β = 4 does to the KL and
  the reconstruction error, compared with β = 1; the measured choice comes from
  ``measure.experiments.beta_stats`` of the two models.
* ``check_log_mean_exp(fn)`` — fn(log_w (k, N)) → (N,), log (1/k) Σ_s exp(log_w[s]) computed
  stably (the IWAE bound's inner step); cases include log-weights near −1000.

References: the formulas above (numpy) and ``scipy.special.logsumexp``.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from scipy.special import logsumexp

from vae_teach.exercises._core import CheckResult, check_function, check_prediction
from vae_teach.maths.vae_loss import random_batch


__all__ = ['check_L_VAE_from_L_b', 'check_L_VAE', 'check_beta_prediction', 'check_log_mean_exp']


LOG_2PI = math.log(2 * math.pi)


# ----------------------------------------------------------------------------- L_b → L_VAE
def check_L_VAE_from_L_b(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(L_b, N, M) → L_VAE (Σ_θ = I, the same samples x̂_i in both)."""
    cases = [(-100.0, 1, 64), (-5000.0, 100, 64), (12.5, 3, 2)]
    hint = ["The SIMPLER CLOSE FORM writes L_b as a constant plus a multiple of the sum that "
            "L_VAE is. Write that relation down, then solve it for L_VAE: divide by the "
            "factor in front, and keep track of what happens to the constant's sign.",
            "L_b = N·log(1/√((2π)^M)) − ½·L_VAE = −(N·M/2)·log 2π − ½·L_VAE; multiply by −2 "
            "and move the constant to the other side."]
    slips = {"the sign of the constant (+N·M·log 2π)": lambda L, N, M: -2 * L + N * M * LOG_2PI,
             "a missing ½ (−L_b instead of −2·L_b)": lambda L, N, M: -L - N * M * LOG_2PI / 2,
             "the sign of L_b (L_VAE is minimised, L_b maximised)":
             lambda L, N, M: 2 * L - N * M * LOG_2PI,
             "the constant of one sample (M·log 2π, without the N)":
             lambda L, N, M: -2 * L - M * LOG_2PI,
             "log √(2π) where log 2π belongs": lambda L, N, M: -2 * L - N * M * LOG_2PI / 2}
    return check_function("L_VAE from L_b", fn, lambda L, N, M: -2.0 * L - N * M * LOG_2PI,
                          cases, hint, rtol=1e-10, verbose=verbose, slips=slips)


# ----------------------------------------------------------------------------- the slip
def _L_VAE_reference(x, x_hat, mu_tilde, zeta, kl_scale=1.0, exp_scale=1.0, rec="sum"):
    x, x_hat = np.asarray(x, float), np.asarray(x_hat, float)
    mu_tilde, zeta = np.asarray(mu_tilde, float), np.asarray(zeta, float)
    sq = (x - x_hat) ** 2
    R = {"sum": sq.sum(), "pixel mean": sq.mean(axis=1).sum(), "mean": sq.mean()}[rec]
    K = np.sum(mu_tilde ** 2 + np.exp(exp_scale * zeta) - (1 + zeta))
    return float(R + kl_scale * K)


def check_L_VAE(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(x, x_hat, mu_tilde, zeta) (numpy) → the slide's L_VAE, a float."""
    cases = [random_batch(N, M, m, rng=90 + N) for N, M, m in [(1, 4, 1), (5, 64, 2), (20, 16, 6)]]
    hint = ["Go back to what ζ is (log σ̃², a log-VARIANCE) and to what the slide sums: every "
            "pixel of every digit in the reconstruction term, every latent dimension of every "
            "digit in the regulariser. Compare each with the given code.",
            "exp(ζ) is σ̃² itself; exp(ζ/2) would be σ̃. The reconstruction term is the SUM of "
            "(x − x_hat)² over i and pixels: a mean over pixels divides it by M and so "
            "multiplies the weight of the regulariser by M (a different β).",
            "No ½ and no mean anywhere on this slide."]
    slips = {"both slips of the given code (exp(ζ/2) and a mean over pixels)":
             lambda *a: _L_VAE_reference(*a, exp_scale=0.5, rec="pixel mean"),
             "exp(ζ/2) (that is σ̃, not σ̃²)": lambda *a: _L_VAE_reference(*a, exp_scale=0.5),
             "a mean over pixels where the slide sums (sum vs mean)":
             lambda *a: _L_VAE_reference(*a, rec="pixel mean"),
             "a mean over everything where the slide sums (sum vs mean)":
             lambda *a: _L_VAE_reference(*a, rec="mean"),
             "a ½ in front of the regulariser (that is the KL; the slide has 2·KL)":
             lambda *a: _L_VAE_reference(*a, kl_scale=0.5),
             "exp(2ζ) (σ̃⁴: σ̃² squared once more)": lambda *a: _L_VAE_reference(*a, exp_scale=2.0)}
    return check_function("L_VAE as on the last slide, slips fixed", fn, _L_VAE_reference, cases,
                          hint, rtol=1e-8, verbose=verbose, slips=slips)


# ----------------------------------------------------------------------------- β prediction
BETA_CHOICES = ["smaller KL, larger error", "smaller KL, smaller error",
                "larger KL, larger error", "larger KL, smaller error"]


def beta_effect(stats_beta1, stats_beta4) -> str:
    """The measured choice from two ``BetaStats`` (β = 1, β = 4): the direction of the KL and
    of the reconstruction error ``rec``."""
    kl = "smaller KL" if stats_beta4.kl < stats_beta1.kl else "larger KL"
    rec = "larger error" if stats_beta4.rec > stats_beta1.rec else "smaller error"
    return f"{kl}, {rec}"


def _default_beta_stats():
    from vae_teach.measure.experiments import beta_stats
    from vae_teach.nets.pretrained import load, load_data

    X, _ = load_data("vae2d", "test")
    return beta_stats(load("vae2d"), X), beta_stats(load("vae2d_beta4"), X)


def check_beta_prediction(prediction: Callable[[], str], stats=None,
                          verbose: bool = True) -> CheckResult:
    """prediction() → one of ``BETA_CHOICES``; ``stats``: {"β = 1": BetaStats, "β = 4":
    BetaStats} as measured (the shipped models are measured when not given)."""
    def measured():
        if stats is None:
            return beta_effect(*_default_beta_stats())
        return beta_effect(stats["β = 1"], stats["β = 4"])

    hint = ["Write the loss as reconstruction + β·KL and ask what an optimiser does when one "
            "term becomes four times as expensive: which term will it shrink, and what does "
            "it have to give up on the other to do so?",
            "A larger β makes each nat of KL cost more, so the minimiser carries fewer nats in "
            "the codes; with less information about x in z, the decoder reconstructs worse."]
    why = ("β = 4 makes each nat of KL four times as expensive: the codes carry fewer nats "
           "(a smaller KL, one dimension switched off) and the decoder, knowing less about x, "
           "reconstructs worse.")
    slips = {"larger KL, smaller error": "reading β as the weight of the reconstruction term",
             "smaller KL, smaller error": "thinking the KL term helps reconstruction (it "
                                          "competes with it)",
             "larger KL, larger error": "the direction of the KL: β multiplies it, so a larger "
                                        "β shrinks it"}
    return check_prediction("What β = 4 does", prediction, BETA_CHOICES, measured, why, hint,
                            verbose=verbose, slips=slips)


# ----------------------------------------------------------------------------- log-mean-exp
def _lme_reference(log_w):
    log_w = np.asarray(log_w, float)
    return logsumexp(log_w, axis=0) - math.log(log_w.shape[0])


def check_log_mean_exp(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(log_w (k, N)) → log (1/k) Σ_s exp(log_w[s]) per column, (N,)."""
    rng = np.random.default_rng(92)
    cases = [(np.array([[0.0], [0.0]]),), (rng.normal(size=(5, 3)),),
             (rng.normal(-1000.0, 5.0, size=(50, 4)),), (rng.normal(300.0, 30.0, size=(8, 2)),)]
    hint = ["The exponential of −1000 is 0.0 in floating point, so exponentiating first loses "
            "everything. Factor the largest weight of each column out of the sum before you "
            "exponentiate: the logarithm turns that factor back into an added constant.",
            "With c = log_w.max(axis=0): c + np.log(np.mean(np.exp(log_w − c), axis=0)) "
            "(scipy.special.logsumexp(log_w, axis=0) − log k does the same)."]
    slips = {"log Σ (logsumexp without the 1/k)": lambda lw: logsumexp(np.asarray(lw, float),
                                                                      axis=0),
             "the mean of the log-weights (the ELBO's average, not the IWAE's)":
             lambda lw: np.asarray(lw, float).mean(axis=0)}
    return check_function("log-mean-exp (IWAE)", fn, _lme_reference, cases, hint, rtol=1e-9,
                          verbose=verbose, slips=slips)
