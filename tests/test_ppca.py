"""vae_teach.maths.ppca against sklearn's PCA (PCA.score is the pPCA log-likelihood) and Bayes' rule."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal, norm
from sklearn.decomposition import PCA

from vae_teach.maths.ppca import PPCA


def _model(M=6, m=2, sigma2=0.3, seed=0) -> PPCA:
    rng = np.random.default_rng(seed)
    return PPCA(rng.normal(size=(M, m)), rng.normal(size=M), sigma2)


@pytest.fixture(scope="module")
def data():
    return _model().sample(400, rng=1)


def _from_sklearn(pca: PCA) -> PPCA:
    W = pca.components_.T * np.sqrt(pca.explained_variance_ - pca.noise_variance_)
    return PPCA(W, pca.mean_, pca.noise_variance_)


def test_log_likelihood_equals_sklearn_score(data):
    pca = PCA(n_components=2).fit(data)
    model = _from_sklearn(pca)
    assert model.log_likelihood(data) / len(data) == pytest.approx(pca.score(data), rel=1e-12)
    np.testing.assert_allclose(model.log_likelihood_per_sample(data), pca.score_samples(data),
                               rtol=1e-12)


def test_fit_is_the_mle_of_sklearns_model(data):
    """sklearn uses the 1/(N−1) covariance; the MLE uses 1/N — the same model otherwise."""
    N = len(data)
    fitted = PPCA.fit(data, 2)
    sk = PCA(n_components=2).fit(data)
    np.testing.assert_allclose(fitted.covariance(), sk.get_covariance() * (N - 1) / N,
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fitted.mu, data.mean(0))
    assert fitted.log_likelihood(data) >= _from_sklearn(sk).log_likelihood(data)


def test_fit_is_a_local_maximum(data):
    fitted = PPCA.fit(data, 2)
    best = fitted.log_likelihood(data)
    rng = np.random.default_rng(0)
    for _ in range(20):
        W = fitted.W + 0.01 * rng.normal(size=fitted.W.shape)
        sigma2 = fitted.sigma2 * np.exp(0.01 * rng.normal())
        mu = fitted.mu + 0.01 * rng.normal(size=fitted.M)
        assert PPCA(W, mu, sigma2).log_likelihood(data) < best


def test_fit_recovers_the_generating_covariance():
    true = _model(M=5, m=2, sigma2=0.2, seed=3)
    fitted = PPCA.fit(true.sample(50_000, rng=4), 2)
    np.testing.assert_allclose(fitted.covariance(), true.covariance(), atol=0.05)
    assert fitted.sigma2 == pytest.approx(0.2, rel=0.05)


@settings(max_examples=30, derandomize=True, deadline=None)
@given(M=st.integers(2, 8), data=st.data())
def test_posterior_satisfies_bayes_rule(M, data):
    """log p(x) = log p(x|z) + log p(z) − log p(z|x) for any z (Bayes' rule), exactly."""
    m = data.draw(st.integers(1, M - 1))
    seed = data.draw(st.integers(0, 2**31 - 1))
    model = _model(M, m, sigma2=float(np.exp(np.random.default_rng(seed).normal())), seed=seed)
    rng = np.random.default_rng(seed + 1)
    X, Z = model.sample(3, rng), rng.normal(size=(3, m))
    mean, cov = model.posterior(X)
    log_post = np.array([multivariate_normal(a, cov).logpdf(z) for a, z in zip(mean, Z)])
    rhs = model.joint_log_prob(X, Z) - log_post
    np.testing.assert_allclose(model.log_likelihood_per_sample(X), rhs, rtol=1e-8, atol=1e-8)


def test_posterior_matches_normalised_grid():
    """m = 1: p(z|x) ∝ p(x|z) p(z) on a grid, normalised numerically."""
    model = _model(M=4, m=1, sigma2=0.5, seed=5)
    x = model.sample(1, rng=6)
    z = np.linspace(-10, 10, 20001)[:, None]
    log_joint = model.joint_log_prob(np.repeat(x, len(z), 0), z)
    w = np.exp(log_joint - log_joint.max())
    w /= np.trapezoid(w, z[:, 0])
    grid_mean = np.trapezoid(w * z[:, 0], z[:, 0])
    grid_var = np.trapezoid(w * (z[:, 0] - grid_mean) ** 2, z[:, 0])
    mean, cov = model.posterior(x)
    assert mean[0, 0] == pytest.approx(grid_mean, rel=1e-6)
    assert cov[0, 0] == pytest.approx(grid_var, rel=1e-6)
    # and the normaliser is p(x)
    log_px = np.log(np.trapezoid(np.exp(log_joint), z[:, 0]))
    assert log_px == pytest.approx(model.log_likelihood(x), rel=1e-8)


def test_conditional_and_prior_match_scipy():
    model = _model()
    X, Z = model.sample(5, rng=7, return_latent=True)
    want_x = [multivariate_normal(model.W @ z + model.mu, model.sigma2 * np.eye(6)).logpdf(x)
              for x, z in zip(X, Z)]
    np.testing.assert_allclose(model.log_px_given_z(X, Z), want_x, rtol=1e-12)
    np.testing.assert_allclose(model.log_pz(Z), norm.logpdf(Z).sum(1), rtol=1e-12)
    np.testing.assert_allclose(model.joint_log_prob(X, Z),
                               model.log_px_given_z(X, Z) + model.log_pz(Z))


def test_sample_shapes_determinism_and_covariance():
    model = _model(M=4, m=2, sigma2=0.4, seed=8)
    X, Z = model.sample(100_000, rng=9, return_latent=True)
    assert X.shape == (100_000, 4) and Z.shape == (100_000, 2)
    np.testing.assert_array_equal(X, model.sample(100_000, rng=9))
    np.testing.assert_allclose(np.cov(X.T), model.covariance(), atol=0.05)
    assert model.M == 4 and model.m == 2


BAD = [
    ("mu length", lambda: PPCA(np.ones((3, 1)), np.zeros(2), 1.0), "mu has length 2"),
    ("sigma2 zero", lambda: PPCA(np.ones((3, 1)), np.zeros(3), 0.0), "sigma2 must be strictly"),
    ("sigma2 NaN", lambda: PPCA(np.ones((3, 1)), np.zeros(3), np.nan), "sigma2 contains"),
    ("W 1-D", lambda: PPCA(np.ones(3), np.zeros(3), 1.0), "W must have 2"),
    ("X columns", lambda: _model().log_likelihood(np.zeros((2, 5))), "X has 5 columns"),
    ("Z shape", lambda: _model().log_px_given_z(np.zeros((2, 6)), np.zeros((3, 2))),
     r"Z must have shape \(N, m\) = \(2, 2\)"),
    ("fit m >= M", lambda: PPCA.fit(np.random.default_rng(0).normal(size=(10, 3)), 3),
     "m < M"),
    ("fit rank deficient", lambda: PPCA.fit(np.outer(np.arange(10.0), np.ones(3)), 1),
     "discarded eigenvalues"),
    ("fit one sample", lambda: PPCA.fit(np.zeros((1, 3)), 1), "at least 2"),
    ("sample n = 0", lambda: _model().sample(0), "n must be at least 1"),
]


@pytest.mark.parametrize("call,match", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_raises_clear_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
