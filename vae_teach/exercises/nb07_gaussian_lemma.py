"""Checkers for notebook 07 (slide CLOSE FORM: the Gaussian Lemma, its proof, its special case).

* ``check_mc_scaling_prediction(prediction, curve)`` — predict-then-run: by what factor does the
  Monte-Carlo error shrink when the sample count grows 100-fold (100, 10, 3.2 or 1)? The
  measured choice comes from the fitted slope of the error curve.
* ``check_lemma_closed_form(fn)`` — find the slip: a transcription of the proof's last line,
  fn(mu_tilde, Sigma_tilde, mu, Sigma) → float, fixed to
  log 1/√((2π)^m|Σ|) − ½((μ̃ − μ)ᵀΣ⁻¹(μ̃ − μ) + Tr(Σ̃ Σ⁻¹)).
* ``check_neg_entropy(fn)`` — going further: fn(Sigma) → −m/2 · log(2πe |Σ|^{1/m}).

The references are written here from the slide's formulas (``np.linalg.inv``, ``slogdet``);
the package's ``maths.lemma`` and ``maths.gaussian`` are tested against them and scipy.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from vae_teach.exercises._core import CheckResult, check_function, check_prediction
from vae_teach.maths.gaussian import random_spd
from vae_teach.maths.lemma import random_lemma_args


__all__ = ['check_mc_scaling_prediction', 'check_lemma_closed_form', 'check_neg_entropy']


LOG_2PI = math.log(2 * math.pi)


# ----------------------------------------------------------------------------- prediction
SCALING_CHOICES = ["100", "10", "3.2", "1"]


def error_shrink_factor(n, rms_error) -> float:
    """How many times smaller the error gets per 100-fold more samples: 100^(−slope) of the
    straight-line fit of log(rms_error) against log(n) (n, rms_error: (K,), K ≥ 2)."""
    n, rms_error = np.asarray(n, dtype=float), np.asarray(rms_error, dtype=float)
    if n.ndim != 1 or n.shape != rms_error.shape or n.size < 2 or np.any(n <= 0) \
            or np.any(rms_error <= 0):
        raise ValueError("n and rms_error must be 1-D arrays of the same length ≥ 2 with "
                         "positive entries (mc_error_vs_n(...).n and .rms_error).")
    slope = np.polyfit(np.log(n), np.log(rms_error), 1)[0]
    return float(100.0 ** (-slope))


def scaling_choice(factor: float) -> str:
    """The choice nearest to ``factor`` on a log scale."""
    return min(SCALING_CHOICES, key=lambda c: abs(math.log(float(c)) - math.log(factor)))


def _default_curve():
    from vae_teach.maths.lemma import mc_error_vs_n

    rng = np.random.default_rng(70)
    args = random_lemma_args(3, rng)
    return mc_error_vs_n(*args, ns=[10, 100, 1000, 10_000], n_repeats=20, rng=rng)


def check_mc_scaling_prediction(prediction: Callable[[], str], curve=None,
                                verbose: bool = True) -> CheckResult:
    """prediction() → "100", "10", "3.2" or "1"; ``curve``: the measured ``MCErrorCurve``
    (``mc_error_vs_n``); a small one is run when it is not given."""
    def measured():
        c = curve if curve is not None else _default_curve()
        return scaling_choice(error_shrink_factor(c.n, c.rms_error))

    hint = ["The estimate is an average of n independent values. Which quantity of an average "
            "falls in proportion to 1/n — and what does that make of its typical error, the "
            "square root of that quantity?",
            "The variance of a mean of n i.i.d. values is s²/n, so its standard deviation is "
            "s/√n: 100 times more samples divide the error by √100."]
    why = ("The variance of the mean is s²/n, so the error s/√n falls by √100 = 10 for 100 "
           "times more samples: each further correct digit costs a hundredfold the work.")
    slips = {"100": "1/n instead of 1/√n (the variance falls like 1/n, the error like its "
                    "square root)",
             "3.2": "taking the square root twice (√10, a 1/n^¼ law)",
             "1": "thinking more samples do not help an unbiased estimate"}
    return check_prediction("How the Monte-Carlo error scales", prediction, SCALING_CHOICES,
                            measured, why, hint, verbose=verbose, slips=slips)


# ----------------------------------------------------------------------------- the slip
def _log_c(Sigma):
    m = Sigma.shape[0]
    return -0.5 * (m * LOG_2PI + np.linalg.slogdet(Sigma)[1])


def _line_6(mu_tilde, Sigma_tilde, mu, Sigma, inverse=True, half=True, sign=1.0,
            quad_inverse=True):
    """log 1/√((2π)^m|Σ|) − ½((μ̃−μ)ᵀΣ⁻¹(μ̃−μ) + Tr(Σ̃Σ⁻¹)), with switches for the slips."""
    mu_tilde, mu = np.asarray(mu_tilde, float), np.asarray(mu, float)
    Sigma_tilde, Sigma = np.asarray(Sigma_tilde, float), np.asarray(Sigma, float)
    P = np.linalg.inv(Sigma)
    d = mu_tilde - mu
    trace = np.trace(Sigma_tilde @ (P if inverse else Sigma))
    quad = d @ (P if quad_inverse else Sigma) @ d
    return float(_log_c(Sigma) - 0.5 * quad - sign * (0.5 if half else 1.0) * trace)


def _lemma_cases():
    rng = np.random.default_rng(7)
    # m = 2 first: a wrong answer is named from the first case it misses, and in m = 1 a
    # covariance can come out close to its own inverse
    cases = [random_lemma_args(m, rng, condition_number=c) for m, c in [(2, 5.0), (1, 4.0),
                                                                        (4, 50.0), (6, 10.0)]]
    m = 3  # μ̃ = μ, Σ̃ = Σ: the special case
    Sigma = random_spd(m, 20.0, rng)
    mu = rng.normal(size=m)
    return cases + [(mu, Sigma, mu, Sigma)]


def check_lemma_closed_form(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(mu_tilde (m,), Sigma_tilde (m, m), mu (m,), Sigma (m, m)) → the proof's last line."""
    hint = ["Go back to the line before: the trace there is of (Σ̃ + (μ̃−μ)(μ̃−μ)ᵀ) times the "
            "INVERSE of Σ, with the factor one half in front of all of it. Split that trace "
            "into its two parts and compare each with the given code.",
            "The last line is log 1/√((2π)^m|Σ|) − ½(μ̃−μ)ᵀΣ⁻¹(μ̃−μ) − ½Tr(Σ̃Σ⁻¹): both terms "
            "carry the ½, and both use Σ⁻¹ (np.linalg.inv(Sigma)), the trace too.",
            "Check: for μ̃ = μ and Σ̃ = Σ the trace is Tr(I) = m, the special case of section 4."]
    slips = {"both slips of the given line (Tr(Σ̃Σ) and no ½ on the trace)":
             lambda *a: _line_6(*a, inverse=False, half=False),
             "Tr(Σ̃Σ) where Tr(Σ̃Σ⁻¹) belongs": lambda *a: _line_6(*a, inverse=False),
             "a missing ½ on the trace": lambda *a: _line_6(*a, half=False),
             "the sign of the trace term": lambda *a: _line_6(*a, sign=-1.0),
             "Σ where Σ⁻¹ belongs in the quadratic form": lambda *a: _line_6(*a,
                                                                               quad_inverse=False)}
    return check_function("The proof's last line, slip fixed", fn, _line_6, _lemma_cases(),
                          hint, rtol=1e-6, verbose=verbose, slips=slips)


# ----------------------------------------------------------------------------- special case
def _neg_entropy_reference(Sigma):
    Sigma = np.asarray(Sigma, float)
    m = Sigma.shape[0]
    return float(-m / 2 * (LOG_2PI + 1) - 0.5 * np.linalg.slogdet(Sigma)[1])


def _entropy_cases():
    rng = np.random.default_rng(9)
    return [(np.array([[2.0]]),), (random_spd(2, 3.0, rng),), (random_spd(5, 100.0, rng, 0.3),),
            (np.diag([0.5, 1.0, 4.0]),)]


def check_neg_entropy(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(Sigma (m, m)) → E_{ξ~N(μ, Σ)}[log N(ξ; μ, Σ)] = −m/2 · log(2πe |Σ|^{1/m})."""
    hint = ["Expand the logarithm of the product 2πe·|Σ|^{1/m} into a sum of three logarithms "
            "before you compute anything: the determinant then only enters through log|Σ|, "
            "which never overflows. The result is MINUS the entropy.",
            "−m/2·log(2πe|Σ|^{1/m}) = −m/2·(log 2π + 1) − ½ log|Σ|; np.linalg.slogdet(Sigma)[1] "
            "is log|Σ| (scipy's .entropy() has the opposite sign)."]
    slips = {"the entropy (the sign)": lambda S: -_neg_entropy_reference(S),
             "a missing ½ on log|Σ|": lambda S: _neg_entropy_reference(S)
             - 0.5 * np.linalg.slogdet(np.asarray(S, float))[1]}
    return check_function("Special case: minus the entropy", fn, _neg_entropy_reference,
                          _entropy_cases(), hint, rtol=1e-8, verbose=verbose, slips=slips)
