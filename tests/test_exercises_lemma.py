"""Checkers of notebook 07: correct / not yet solved / wrong, each with a hint."""
from __future__ import annotations

import numpy as np
import pytest
from exercise_helpers import assert_verdicts
from scipy.stats import multivariate_normal

from vae_teach.exercises import WRONG, check_lemma_closed_form, check_mc_estimate, check_neg_entropy
from vae_teach.maths.gaussian import neg_entropy
from vae_teach.maths.lemma import lemma_closed_form


def _mc_right(xi, mu, Sigma):
    v = multivariate_normal(mu, Sigma).logpdf(xi)
    return v.mean(), v.std(ddof=1) / np.sqrt(len(v))


def _mc_ddof0(xi, mu, Sigma):
    v = multivariate_normal(mu, Sigma).logpdf(xi)
    return v.mean(), v.std() / np.sqrt(len(v))


def _lemma_full_trace(mu_tilde, Sigma_tilde, mu, Sigma):
    return (multivariate_normal(mu, Sigma).logpdf(mu_tilde)
            - np.trace(Sigma_tilde @ np.linalg.inv(Sigma)))


CASES = [
    (check_lemma_closed_form, lemma_closed_form, _lemma_full_trace),
    (check_mc_estimate, _mc_right, _mc_ddof0),
    (check_neg_entropy, neg_entropy, lambda S: multivariate_normal(cov=S).entropy()),
]


@pytest.mark.parametrize("checker,right,wrong", CASES, ids=[c[0].__name__ for c in CASES])
def test_checker_verdicts(checker, right, wrong, capsys):
    assert_verdicts(checker, right, wrong)
    assert "wrong" in capsys.readouterr().out  # verbose checkers print their verdict


def test_checkers_accept_an_independent_scipy_solution():
    def lemma(mu_tilde, Sigma_tilde, mu, Sigma):
        return (multivariate_normal(mu, Sigma).logpdf(mu_tilde)
                - np.trace(Sigma_tilde @ np.linalg.inv(Sigma)) / 2)

    assert check_lemma_closed_form(lemma, verbose=False)
    assert check_neg_entropy(lambda S: -multivariate_normal(cov=S).entropy(), verbose=False)


def test_checker_reports_a_crashing_solution_as_wrong():
    result = check_neg_entropy(lambda S: np.linalg.det(S[0]), verbose=False)
    assert result.status == WRONG and "raised" in result.message
