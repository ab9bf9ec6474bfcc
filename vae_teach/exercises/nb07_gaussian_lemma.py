"""Checkers for notebook 07 (slide CLOSE FORM: the Gaussian Lemma and its special case).

* ``check_lemma_closed_form(fn)`` — fn(mu_tilde, Sigma_tilde, mu, Sigma) → float,
  E_{ξ~N(μ̃, Σ̃)}[log N(ξ; μ, Σ)] = log N(μ̃; μ, Σ) − Tr(Σ̃ Σ⁻¹)/2.
* ``check_mc_estimate(fn)`` — fn(xi, mu, Sigma) → (mean, standard_error) of log N(ξ_k; μ, Σ)
  over the given samples xi (n, m).
* ``check_neg_entropy(fn)`` — fn(Sigma) → float, −m/2 · log(2πe |Σ|^{1/m}).

References are ``vae_teach.maths.gaussian`` (itself tested against scipy.stats).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from vae_teach.exercises._core import CheckResult, check_function
from vae_teach.maths.gaussian import log_normal, neg_entropy, random_spd
from vae_teach.maths.lemma import lemma_closed_form, random_lemma_args


__all__ = ['check_lemma_closed_form', 'check_mc_estimate', 'check_neg_entropy']


def _lemma_cases():
    rng = np.random.default_rng(7)
    cases = [random_lemma_args(m, rng, condition_number=c) for m, c in [(1, 1.0), (2, 5.0),
                                                                        (4, 50.0), (6, 10.0)]]
    m = 3  # μ̃ = μ, Σ̃ = Σ: the special case
    Sigma = random_spd(m, 20.0, rng)
    mu = rng.normal(size=m)
    return cases + [(mu, Sigma, mu, Sigma)]


def check_lemma_closed_form(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(mu_tilde (m,), Sigma_tilde (m, m), mu (m,), Sigma (m, m)) → the lemma's value."""
    hint = ("two terms: the log-density of N(μ, Σ) evaluated at the point μ̃, minus half the "
            "trace of Σ̃ Σ⁻¹. Check the order (Σ̃ times the INVERSE of Σ) and the factor ½; the "
            "last test case has μ̃ = μ, Σ̃ = Σ (then the trace is m).")
    return check_function("Lemma, closed form", fn, lemma_closed_form, _lemma_cases(), hint,
                          rtol=1e-6, verbose=verbose)


def _mc_reference(xi, mu, Sigma):
    values = np.asarray(log_normal(xi, mu, Sigma))
    return np.array([values.mean(), values.std(ddof=1) / np.sqrt(values.size)])


def _mc_cases():
    rng = np.random.default_rng(8)
    cases = []
    for m, n in [(1, 50), (3, 200), (5, 1000)]:
        mu_tilde, Sigma_tilde, mu, Sigma = random_lemma_args(m, rng)
        xi = rng.multivariate_normal(mu_tilde, Sigma_tilde, size=n)
        cases.append((xi, mu, Sigma))
    return cases


def check_mc_estimate(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(xi (n, m), mu (m,), Sigma (m, m)) → (mean, standard_error) of log N(ξ_k; μ, Σ)."""
    hint = ("evaluate log N(ξ_k; μ, Σ) for every row ξ_k, then return the pair (average, "
            "standard error). The standard error is the sample standard deviation with "
            "ddof=1, divided by √n (not by n).")
    return check_function("Monte-Carlo estimate with standard error", fn, _mc_reference,
                          _mc_cases(), hint, rtol=1e-6, verbose=verbose)


def _entropy_cases():
    rng = np.random.default_rng(9)
    return [(np.array([[2.0]]),), (random_spd(2, 3.0, rng),), (random_spd(5, 100.0, rng, 0.3),),
            (np.diag([0.5, 1.0, 4.0]),)]


def check_neg_entropy(fn: Callable, verbose: bool = True) -> CheckResult:
    """fn(Sigma (m, m)) → E_{ξ~N(μ, Σ)}[log N(ξ; μ, Σ)] = −m/2 · log(2πe |Σ|^{1/m})."""
    hint = ("m = Sigma.shape[0]; use np.linalg.slogdet(Sigma)[1] for log|Σ| and expand "
            "−m/2 · log(2πe|Σ|^{1/m}) = −m/2 · (log 2π + 1) − ½ log|Σ|. The result is the "
            "NEGATIVE entropy (scipy's .entropy() has the opposite sign).")
    return check_function("Special case: minus the entropy", fn, neg_entropy, _entropy_cases(),
                          hint, rtol=1e-8, verbose=verbose)
