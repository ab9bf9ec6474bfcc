"""VAE WITH INDEPENDENT SAMPLES: q and p factorise over samples (joint Gaussians vs sums), every
line of the slide, and the minibatch estimate of L_b is unbiased (fixed seeds)."""
from __future__ import annotations

import numpy as np
import pytest

from vae_teach.maths.bound import lower_bound, random_q, sample_q
from vae_teach.maths.factorise import (block_diag_cov, correlated_cov, factorisation_check,
                                       independent_samples_lines, joint_lower_bound,
                                       total_correlation)
from vae_teach.maths.lemma import proof_lines_hold
from vae_teach.maths.minibatch import (mean_check, minibatch_estimates, minibatch_mc_estimates,
                                       minibatch_std)
from vae_teach.maths.ppca import PPCA


@pytest.fixture(scope="module")
def model():
    rng = np.random.default_rng(0)
    return PPCA(rng.normal(size=(5, 2)), rng.normal(size=5), 0.3)


@pytest.fixture(scope="module")
def small(model):
    X = model.sample(15, rng=1)
    return (X,) + random_q(model, X, spread=0.3, rng=2)


def test_densities_factorise(model, small):
    X, mu_tilde, Sigma_tilde = small
    check = factorisation_check(model, X, mu_tilde, Sigma_tilde,
                                sample_q(mu_tilde, Sigma_tilde, 50, rng=3))
    assert max(check) < 1e-9


def test_joint_bound_equals_per_sample_sum(model, small):
    X, mu_tilde, Sigma_tilde = small
    joint = joint_lower_bound(model, X, mu_tilde, block_diag_cov(Sigma_tilde))
    assert joint == pytest.approx(lower_bound(model, X, mu_tilde, Sigma_tilde), abs=1e-8)


def test_every_line_of_the_slide(model, small):
    X, mu_tilde, Sigma_tilde = small
    lines = independent_samples_lines(model, X, mu_tilde, Sigma_tilde, n_samples=2000, rng=4)
    assert len(lines) == 6 and all(proof_lines_hold(lines))


def test_correlated_q_breaks_the_factorised_formula(model, small):
    """When q couples samples, the per-sample formula with q's marginals overstates L_b by the
    total correlation (a positive number) — the independence assumption matters."""
    X, mu_tilde, Sigma_tilde = small
    shared = np.broadcast_to(Sigma_tilde[0], Sigma_tilde.shape)
    for rho in (0.3, 0.7):
        Sigma_joint = correlated_cov(shared, rho)
        tc = total_correlation(Sigma_joint, model.m)
        per_sample = lower_bound(model, X, mu_tilde, shared)
        assert tc > 0.1
        assert per_sample - joint_lower_bound(model, X, mu_tilde, Sigma_joint) == \
            pytest.approx(tc, rel=1e-9)
    assert total_correlation(block_diag_cov(shared), model.m) == pytest.approx(0, abs=1e-12)


@pytest.fixture(scope="module")
def big(model):
    X = model.sample(600, rng=5)
    mu_tilde, Sigma_tilde = random_q(model, X, spread=0.3, rng=6)
    return X, mu_tilde, Sigma_tilde, lower_bound(model, X, mu_tilde, Sigma_tilde,
                                                  per_sample=True)


def test_minibatch_estimate_is_unbiased(big):
    *_, L_b_i = big
    for B, seed in [(8, 0), (32, 1), (200, 2)]:
        est = minibatch_estimates(L_b_i, B, 4000, rng=seed)
        check = mean_check(est, L_b_i.sum())
        assert abs(check.z) < 4
        assert est.std(ddof=1) == pytest.approx(minibatch_std(L_b_i, B), rel=0.1)
    full = minibatch_estimates(L_b_i, len(L_b_i), 3, rng=0)
    assert np.allclose(full, L_b_i.sum())


def test_doubly_stochastic_estimate_is_unbiased(model, big):
    X, mu_tilde, Sigma_tilde, L_b_i = big
    est = minibatch_mc_estimates(model, X, mu_tilde, Sigma_tilde, 32, 3000, rng=7)
    assert abs(mean_check(est, L_b_i.sum()).z) < 4


def test_a_biased_estimator_is_detected(big):
    """The check can fail: forgetting the N/B factor is off by orders of s.e."""
    *_, L_b_i = big
    est = minibatch_estimates(L_b_i, 32, 2000, rng=0) * 32 / len(L_b_i)
    assert abs(mean_check(est, L_b_i.sum()).z) > 100


def test_bad_input_raises_clear_errors(model, big):
    X, mu_tilde, Sigma_tilde, L_b_i = big
    with pytest.raises(ValueError, match="batch_size"):
        minibatch_estimates(L_b_i, 10_000, 5)
    with pytest.raises(ValueError, match="dense"):
        block_diag_cov(Sigma_tilde[0], N=5000)
    with pytest.raises(ValueError, match="rho"):
        correlated_cov(np.broadcast_to(np.eye(2), (3, 2, 2)), 1.5)
    with pytest.raises(ValueError, match="at least 2"):
        mean_check([1.0], 0.0)
