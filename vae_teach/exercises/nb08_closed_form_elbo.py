"""Checkers for notebook 08 (slides CLOSE FORM OF L_b and SIMPLER CLOSE FORM OF L_b).

* ``check_closed_part(fn)`` — fn(mu_tilde (m,), sigma2_tilde (m,)) → float, the part of line 2
  that the lemma makes exact: log N(μ̃; 0, I) − log N(μ̃; μ̃, Σ̃) − Tr(Σ̃ − I)/2 with
  Σ̃ = diag(σ̃²), i.e. −½‖μ̃‖² + ½ log|Σ̃| − ½ Tr(Σ̃ − I) (= −KL(q ‖ N(0, I))).
* ``check_simpler_close_form(fn)`` — fn(sq_err (S,), mu_tilde (m,), sigma2_tilde (m,), M) →
  float, the SIMPLER form's last line for one x_i with E‖x_i − μ_θ(z_i)‖² ≈ mean(sq_err).

References: ``vae_teach.maths.gaussian.log_normal`` (tested against scipy) and the formulas above.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from vae_teach.exercises._core import CheckResult, check_function
from vae_teach.maths.gaussian import log_normal


__all__ = ['check_closed_part', 'check_simpler_close_form']


def _closed_part_reference(mu_tilde, sigma2_tilde):
    mu_tilde, sigma2_tilde = np.asarray(mu_tilde, float), np.asarray(sigma2_tilde, float)
    m = mu_tilde.size
    Sigma_tilde = np.diag(sigma2_tilde)
    return (log_normal(mu_tilde, np.zeros(m), np.eye(m))
            - log_normal(mu_tilde, mu_tilde, Sigma_tilde) - 0.5 * np.trace(Sigma_tilde - np.eye(m)))


def _closed_part_cases():
    rng = np.random.default_rng(80)
    cases = [(np.array([0.0]), np.array([1.0])), (np.array([1.5, -0.5]), np.array([0.05, 0.2]))]
    for m in (3, 8):
        cases.append((rng.normal(size=m), np.exp(rng.normal(-1.0, 1.0, size=m))))
    return cases


def check_closed_part(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(mu_tilde (m,), sigma2_tilde (m,)) → log N(μ̃;0,I)/N(μ̃;μ̃,Σ̃) − Tr(Σ̃ − I)/2."""
    hint = ("N(μ̃; 0, I) = exp(−½‖μ̃‖²)/√((2π)^m) and N(μ̃; μ̃, Σ̃) = 1/√((2π)^m |Σ̃|), so their "
            "log-ratio is −½‖μ̃‖² + ½ log|Σ̃| = −½ Σ μ̃_j² + ½ Σ log σ̃_j² — the determinant is "
            "the ENCODER's Σ̃, not Σ_θ as printed on the slide's line 4. Then subtract "
            "½ Σ (σ̃_j² − 1).")
    return check_function("Closed part of line 2 (prior minus entropy)", fn,
                          _closed_part_reference, _closed_part_cases(), hint, rtol=1e-8,
                          verbose=verbose)


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
    hint = ("log(1/√((2π)^M)) = −M/2·log 2π; the expectation E‖x_i − μ_θ(z_i)‖² is the MEAN of "
            "sq_err over the S draws (not the sum); inside the −½(…) the regulariser is "
            "Σ_j (σ̃_j² − log σ̃_j² − 1) — note the minus in front of log σ̃_j².")
    return check_function("SIMPLER CLOSE FORM, last line", fn, _simpler_reference,
                          _simpler_cases(), hint, rtol=1e-8, verbose=verbose)
