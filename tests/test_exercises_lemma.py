"""Checkers of notebook 07: correct / not yet solved / wrong, each with a hint, slips named."""
from __future__ import annotations

import numpy as np
import pytest
from exercise_helpers import assert_verdicts
from scipy.stats import multivariate_normal

from vae_teach.exercises import (WRONG, check_lemma_closed_form, check_mc_scaling_prediction,
                                 check_neg_entropy)
from vae_teach.exercises.nb07_gaussian_lemma import error_shrink_factor, scaling_choice
from vae_teach.maths.lemma import MCErrorCurve, lemma_closed_form


def _line_6_given(mu_tilde, Sigma_tilde, mu, Sigma):       # the notebook's transcription
    m = len(mu)
    log_c = -0.5 * (m * np.log(2 * np.pi) + np.linalg.slogdet(Sigma)[1])
    delta = mu_tilde - mu
    return log_c - 0.5 * delta @ np.linalg.inv(Sigma) @ delta - np.trace(Sigma_tilde @ Sigma)


def _line_6_half_only(mu_tilde, Sigma_tilde, mu, Sigma):   # fixed the ½, kept Tr(Σ̃Σ)
    return (multivariate_normal(mu, Sigma).logpdf(mu_tilde) - np.trace(Sigma_tilde @ Sigma) / 2)


def _lemma_scipy(mu_tilde, Sigma_tilde, mu, Sigma):
    return (multivariate_normal(mu, Sigma).logpdf(mu_tilde)
            - np.trace(Sigma_tilde @ np.linalg.inv(Sigma)) / 2)


def _lemma_full_trace(mu_tilde, Sigma_tilde, mu, Sigma):
    return (multivariate_normal(mu, Sigma).logpdf(mu_tilde)
            - np.trace(Sigma_tilde @ np.linalg.inv(Sigma)))


@pytest.mark.parametrize("wrong,slip", [
    (_line_6_given, "both slips of the given line"),
    (_line_6_half_only, "Tr(Σ̃Σ) where Tr(Σ̃Σ⁻¹) belongs"),
    (_lemma_full_trace, "a missing ½ on the trace"),
], ids=["unchanged", "half-fixed", "no-half"])
def test_proof_line_checker_names_each_slip(wrong, slip):
    assert_verdicts(check_lemma_closed_form, _lemma_scipy, wrong, slip=slip)


def test_package_lemma_passes_the_proof_line_checker():
    assert check_lemma_closed_form(lemma_closed_form, verbose=False)


def test_neg_entropy_checker():
    assert_verdicts(check_neg_entropy, lambda S: -multivariate_normal(cov=S).entropy(),
                    lambda S: multivariate_normal(cov=S).entropy(), slip="the entropy")
    result = check_neg_entropy(lambda S: np.linalg.det(S[0]), verbose=False)
    assert result.status == WRONG and "raised" in result.message


def _curve(slope):
    n = np.array([10.0, 100.0, 1000.0, 10_000.0])
    err = 3.0 * n ** slope
    return MCErrorCurve(n, err, err, err)


def test_scaling_prediction_reads_the_slope():
    def check(prediction):
        return check_mc_scaling_prediction(prediction, _curve(-0.5), verbose=False)

    assert_verdicts(check, lambda: "10", lambda: "100", slip="1/n instead of 1/√n")
    assert check_mc_scaling_prediction(lambda: "100", _curve(-1.0), verbose=False)
    assert scaling_choice(error_shrink_factor(*_curve(-0.25)[:2])) == "3.2"
    with pytest.raises(ValueError, match="positive"):
        error_shrink_factor([10, 100], [0.1, 0.0])


def test_scaling_prediction_measures_its_own_curve_when_not_given():
    assert check_mc_scaling_prediction(lambda: "10", verbose=False)
