"""Checkers for notebook 08 (slides CLOSE FORM OF L_b and SIMPLER CLOSE FORM OF L_b).

* ``check_first_failing_line(prediction, lines)`` — find the slip: which line of CLOSE FORM OF
  L_b, read literally as printed, is the first that does not equal the left-hand side ("1",
  "2", "3", "4" or "none")? The measured choice comes from the evaluated lines
  (``measure.slide_lines.slide_lines``).
* ``check_regulariser_per_dim(fn)`` — derive a line: fn(mu_tilde (m,), sigma2_tilde (m,)) →
  (m,), the bracket r_j = μ̃_j² + σ̃_j² − log σ̃_j² − 1 with
  −½‖μ̃‖² + ½ log|Σ̃| − ½ Tr(Σ̃ − I) = −½ Σ_j r_j for Σ̃ = diag(σ̃²).
* ``check_simpler_close_form(fn)`` — fn(sq_err (S,), mu_tilde (m,), sigma2_tilde (m,), M) →
  float, the SIMPLER form's last line for one x_i with E‖x_i − μ_θ(z_i)‖² ≈ mean(sq_err).

References: the formulas above, written here in numpy.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from vae_teach.exercises._core import CheckResult, check_function, check_prediction


__all__ = ['check_first_failing_line', 'check_regulariser_per_dim', 'check_simpler_close_form']


# ----------------------------------------------------------------------------- which line
LINE_CHOICES = ["1", "2", "3", "4", "none"]


def first_failing_line(lines) -> str:
    """The first line of CLOSE FORM OF L_b, as printed (kind "slide"), that does not hold:
    its number ("1" … "4"), or "none". lines: ``SlideLine`` records from ``slide_lines``."""
    from vae_teach.measure.slide_lines import CLOSE

    for r in lines:
        if r.section == CLOSE and r.kind == "slide" and r.holds is False:
            return r.label.split()[0]
    return "none"


def _default_lines():
    from vae_teach.measure import slide_lines
    from vae_teach.nets.pretrained import load, load_data

    vae = load("vae_slide").double()
    X, _ = load_data("vae_slide", "test")
    return slide_lines.slide_lines(vae, X[0], 4000, seed=0)


def check_first_failing_line(prediction: Callable[[], str], lines=None,
                             verbose: bool = True) -> CheckResult:
    """prediction() → "1", "2", "3", "4" or "none"; ``lines``: the evaluated lines (run on the
    shipped slide model when not given)."""
    def measured():
        return first_failing_line(lines if lines is not None else _default_lines())

    hint = ["Read each line as it is typeset, not as you know it should be: write every "
            "density as its formula and ask, for each fraction, which factor stands above and "
            "which below the bar, and for each determinant, whose covariance it is.",
            "Compare the middle term of line 3 with the density N(μ̃; 0, I) it stands for: "
            "where does the exponential exp(−½‖μ̃‖²) sit?"]
    why = ("Line 3 as typeset divides by exp(−½‖μ̃‖²) (the exponential sits in the "
           "denominator of the inner fraction), so it is larger than line 2 by ‖μ̃‖². Lines "
           "1–2 hold; line 4 is wrong too, for a second reason (section 4).")
    slips = {"none": "trusting a derivation because its last line is the familiar loss",
             "4": "stopping at the line whose determinant looks odd (line 3 already fails)",
             "2": "doubting the lemma's step, which the Monte-Carlo numbers of section 2 confirm",
             "1": "doubting the step that only writes the densities as Gaussians"}
    return check_prediction("The first line that does not hold", prediction, LINE_CHOICES,
                            measured, why, hint, verbose=verbose, slips=slips)


# ----------------------------------------------------------------------------- regulariser
def _bracket(mu_tilde, sigma2_tilde):
    mu_tilde, s2 = np.asarray(mu_tilde, float), np.asarray(sigma2_tilde, float)
    return mu_tilde ** 2 + s2 - np.log(s2) - 1


def _regulariser_cases():
    rng = np.random.default_rng(80)
    cases = [(np.array([0.0]), np.array([1.0])), (np.array([1.5, -0.5]), np.array([0.05, 0.2]))]
    for m in (3, 8):
        cases.append((rng.normal(size=m), np.exp(rng.normal(-1.0, 1.0, size=m))))
    return cases


def check_regulariser_per_dim(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(mu_tilde (m,), sigma2_tilde (m,)) → (m,) the brackets μ̃_j² + σ̃_j² − log σ̃_j² − 1."""
    hint = ["For a diagonal covariance the squared norm, the log-determinant and the trace all "
            "split into sums over the latent dimensions j. Write each of the three terms of the "
            "corrected line 4 as such a sum, pull out the common factor −½, and read off what "
            "dimension j contributes.",
            "‖μ̃‖² = Σ_j μ̃_j², log|Σ̃| = Σ_j log σ̃_j², Tr(Σ̃ − I) = Σ_j (σ̃_j² − 1); so "
            "−½‖μ̃‖² + ½log|Σ̃| − ½Tr(Σ̃ − I) = −½ Σ_j (μ̃_j² + σ̃_j² − log σ̃_j² − 1). Return the "
            "bracket, one value per j (no ½, no sum)."]
    slips = {"the slide's line 4 as printed (½ log|Σ_θ| = 0 where ½ log|Σ̃| belongs, so no "
             "log σ̃²)": lambda mu, s2: np.asarray(mu, float) ** 2 + np.asarray(s2, float) - 1,
             "σ̃ for σ̃² (sigma2_tilde squared again)":
             lambda mu, s2: _bracket(mu, np.asarray(s2, float) ** 2),
             "a ½ too many (that is KL_j; the bracket is twice it)":
             lambda mu, s2: 0.5 * _bracket(mu, s2),
             "the sign of log σ̃²": lambda mu, s2: _bracket(mu, s2) + 2 * np.log(s2),
             "the sum over j (one value per dimension was asked for)":
             lambda mu, s2: float(np.sum(_bracket(mu, s2))),
             "the closed part itself, −½ Σ_j (…), not the bracket":
             lambda mu, s2: -0.5 * _bracket(mu, s2)}
    return check_function("Regulariser per latent dimension", fn, _bracket,
                          _regulariser_cases(), hint, rtol=1e-8, verbose=verbose, slips=slips)


# ----------------------------------------------------------------------------- S2
def _simpler_reference(sq_err, mu_tilde, sigma2_tilde, M):
    sq_err, mu_tilde = np.asarray(sq_err, float), np.asarray(mu_tilde, float)
    s2 = np.asarray(sigma2_tilde, float)
    return (math.log(1 / math.sqrt((2 * math.pi) ** M))
            - 0.5 * (sq_err.mean() + mu_tilde @ mu_tilde + np.sum(s2 - np.log(s2) - 1)))


def _simpler_cases():
    rng = np.random.default_rng(81)
    cases = [(np.array([2.0, 4.0]), np.array([0.0]), np.array([1.0]), 1)]
    for S, m, M in [(10, 2, 64), (500, 5, 16)]:
        cases.append((rng.gamma(3.0, 10.0, size=S), rng.normal(size=m),
                      np.exp(rng.normal(-2.0, 1.0, size=m)), M))
    return cases


def check_simpler_close_form(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(sq_err (S,), mu_tilde (m,), sigma2_tilde (m,), M) → the SIMPLER form's last line."""
    hint = ["Three pieces: the constant of the decoder's density in M dimensions, the "
            "expected squared error estimated from the S draws, and your regulariser summed "
            "over the latent dimensions, the last two inside −½(…). An expectation estimated "
            "from draws is an average over them, not a total.",
            "log(1/√((2π)^M)) = −M/2·log 2π; E‖x_i − μ_θ(z_i)‖² ≈ np.mean(sq_err); then "
            "−½(mean + ‖μ̃‖² + Σ_j(σ̃_j² − log σ̃_j² − 1))."]

    def summed(sq, mu, s2, M):
        return _simpler_reference(sq, mu, s2, M) - 0.5 * (np.sum(sq) - np.mean(sq))

    def no_half(sq, mu, s2, M):
        return 2 * _simpler_reference(sq, mu, s2, M) + M / 2 * math.log(2 * math.pi)

    def const_m(sq, mu, s2, M):
        return _simpler_reference(sq, mu, s2, M) + (M - len(mu)) / 2 * math.log(2 * math.pi)

    slips = {"a sum over the draws where the expectation is their mean": summed,
             "a missing ½ in front of the bracket": no_half,
             "the latent m where the pixel count M belongs in the constant": const_m}
    return check_function("SIMPLER CLOSE FORM, last line", fn, _simpler_reference,
                          _simpler_cases(), hint, rtol=1e-8, verbose=verbose, slips=slips)
