"""EM for pPCA (vae_teach.maths.em) against scipy/sklearn, and the lines of the slide
"VAE V.S. EM ALGORITHM" checked numerically."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.decomposition import PCA

from vae_teach.data.digits import load_digits_split
from vae_teach.maths import em
from vae_teach.maths.ppca import PPCA


def _data(N=200, M=6, m=2, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(M, m))
    Z = rng.normal(size=(N, m))
    return Z @ W.T + 0.3 * rng.normal(size=(N, M)) + rng.normal(size=M)


def _random_q(N, m, rng, shared=False):
    mean = rng.normal(size=(N, m))
    if shared:
        A = rng.normal(size=(m, m))
        return mean, A @ A.T + 0.5 * np.eye(m)
    A = rng.normal(size=(N, m, m))
    return mean, A @ np.swapaxes(A, 1, 2) + 0.5 * np.eye(m)


@pytest.fixture(scope="module")
def X():
    return _data()


@pytest.fixture(scope="module")
def digits():
    return load_digits_split("train")[0].astype(np.float64)  # sklearn's PCA in float64


def test_log_likelihood_matches_scipy(X):
    theta = em.init_params(X.shape[1], 2, seed=3, scale=0.5)
    C = theta.W @ theta.W.T + theta.sigma2 * np.eye(X.shape[1])
    want = multivariate_normal(theta.mu, C).logpdf(X)
    np.testing.assert_allclose(theta.log_likelihood_per_sample(X), want, rtol=1e-10)
    assert theta.log_likelihood(X) == pytest.approx(want.sum(), rel=1e-10)


def test_log_likelihood_matches_sklearn_pca_score(digits):
    pca = PCA(n_components=2).fit(digits)
    W = pca.components_.T * np.sqrt(pca.explained_variance_ - pca.noise_variance_)
    theta = PPCA(W, pca.mean_, float(pca.noise_variance_))
    assert theta.log_likelihood(digits) == pytest.approx(pca.score(digits) * len(digits),
                                                             rel=1e-8)


def test_mle_is_sklearn_with_1_over_N_and_beats_perturbations(digits):
    N = len(digits)
    pca = PCA(n_components=2).fit(digits)
    theta = PPCA.fit(digits, 2)
    assert theta.sigma2 == pytest.approx(pca.noise_variance_ * (N - 1) / N, rel=1e-8)
    best = theta.log_likelihood(digits)
    rng = np.random.default_rng(0)
    for _ in range(5):
        W = theta.W + 1e-2 * rng.normal(size=theta.W.shape)
        mu = theta.mu + 1e-2 * rng.normal(size=theta.mu.shape)
        assert PPCA(W, mu, theta.sigma2 * 1.01).log_likelihood(digits) < best


def test_posterior_matches_gaussian_conditioning(X):
    theta = em.init_params(X.shape[1], 2, seed=1)
    W, mu, s2 = theta.W, theta.mu, theta.sigma2
    C = W @ W.T + s2 * np.eye(X.shape[1])
    mean, cov = theta.posterior(X)
    np.testing.assert_allclose(cov, np.eye(2) - W.T @ np.linalg.solve(C, W), atol=1e-12)
    np.testing.assert_allclose(mean, np.linalg.solve(C, (X - mu).T).T @ W, atol=1e-10)


@pytest.mark.parametrize("shared", [False, True])
def test_log_lik_equals_L_b_plus_KL(X, shared):
    """Slide LOG-LIKELIHOOD LOWER BOUND: log p(X) = L_b + KL(q ‖ p(·|X)), KL ≥ 0."""
    rng = np.random.default_rng(2)
    theta = em.init_params(X.shape[1], 2, seed=4)
    q = _random_q(len(X), 2, rng, shared)
    gap = em.kl_gap(X, theta, *q)
    assert gap > 0
    assert theta.log_likelihood(X) == pytest.approx(em.lower_bound(X, theta, *q) + gap,
                                                        rel=1e-10)


def test_kl_gap_matches_scipy_entropy_and_cross_entropy(X):
    """KL(q_n ‖ p_n) = −H(q_n) − E_q[log p_n] via scipy's entropy and a large MC sample."""
    rng = np.random.default_rng(5)
    theta = em.init_params(X.shape[1], 2, seed=6)
    q_mean, q_cov = _random_q(3, 2, rng)
    p_mean, p_cov = theta.posterior(X[:3])
    kl = em.kl_gap(X[:3], theta, q_mean, q_cov, per_sample=True)
    for n in range(3):
        qn = multivariate_normal(q_mean[n], q_cov[n])
        z = qn.rvs(100_000, random_state=n)
        log_p = multivariate_normal(p_mean[n], p_cov).logpdf(z)
        mc, se = -qn.entropy() - log_p.mean(), log_p.std() / np.sqrt(len(z))
        assert abs(kl[n] - mc) < 5 * se


def test_e_step_closes_the_gap_and_log_lik_never_decreases(digits):
    h = em.run_em(digits, 2, n_steps=30, seed=0)
    rel = np.abs(h.log_lik - h.L_b_after_E) / np.abs(h.log_lik)
    assert rel.max() <= 1e-8
    assert np.abs(h.gap_after_E).max() <= 1e-8 * np.abs(h.log_lik).max()
    assert np.all(h.gap_before_E[1:] > 0)
    lls = np.r_[h.log_lik, h.log_lik_final]
    assert np.all(np.diff(lls) >= -1e-9 * np.abs(lls[1:]))
    assert np.all(h.Q_new >= h.Q_old)                       # the M-step raises Q
    assert np.all(h.L_b_after_M >= h.L_b_after_E)            # ... and so L_b, q fixed
    assert np.all(lls[1:] >= h.L_b_after_M - 1e-9 * np.abs(lls[1:]))  # bound stays below


def test_em_converges_to_the_closed_form_mle(X):
    h = em.run_em(X, 2, n_steps=600, seed=0)  # EM for pPCA converges slowly (linearly)
    best = PPCA.fit(X, 2).log_likelihood(X)
    assert h.log_lik_final <= best + 1e-9 * abs(best)
    assert h.log_lik_final == pytest.approx(best, rel=1e-8)


def test_m_step_is_the_argmax_of_Q(X):
    theta_t = em.init_params(X.shape[1], 2, seed=7)
    q = em.e_step(X, theta_t)
    theta = em.m_step(X, *q)
    best = em.Q(X, theta, theta_t)
    rng = np.random.default_rng(8)
    for _ in range(10):
        W = theta.W + 1e-3 * rng.normal(size=theta.W.shape)
        mu = theta.mu + 1e-3 * rng.normal(size=theta.mu.shape)
        s2 = theta.sigma2 * np.exp(1e-3 * rng.normal())
        assert em.Q(X, PPCA(W, mu, s2), theta_t) < best


def test_slide_L_b_minus_expected_complete_log_lik_is_entropy_constant_in_theta(X):
    """Slide: with q fixed, maximising L_b over θ ⇔ maximising E_q[log p(X, Z; θ)] (≈ Q)."""
    rng = np.random.default_rng(9)
    q = _random_q(len(X), 2, rng)
    H = em.entropy_q(q[1])
    for seed in range(4):
        theta = em.init_params(X.shape[1], 2, seed=seed, scale=0.3 + seed)
        diff = em.lower_bound(X, theta, *q) - em.expected_complete_log_lik(X, theta, *q)
        assert diff == pytest.approx(H, rel=1e-10)
    # and with q = the exact posterior at θ^(t), E_q[log p(X, Z; θ)] is exactly Q(θ|θ^(t))
    theta_t, theta = em.init_params(X.shape[1], 2, seed=10), em.init_params(X.shape[1], 2, 11)
    q_t = em.e_step(X, theta_t)
    assert em.lower_bound(X, theta, *q_t) - em.entropy_q(q_t[1], len(X)) == pytest.approx(
        em.Q(X, theta, theta_t), rel=1e-10)


def test_entropy_matches_scipy():
    rng = np.random.default_rng(1)
    _, S = _random_q(4, 3, rng)
    want = sum(multivariate_normal(np.zeros(3), s).entropy() for s in S)
    assert em.entropy_q(S) == pytest.approx(want, rel=1e-12)
    assert em.entropy_q(S[0], N=5) == pytest.approx(
        5 * multivariate_normal(np.zeros(3), S[0]).entropy(), rel=1e-12)


@pytest.mark.parametrize("call, exc, words", [
    (lambda X: em.e_step(X, (1, 2, 3)), TypeError, "PPCA"),
    (lambda X: em.e_step(X[:, :3], em.init_params(6, 2)), ValueError, "M = 6"),
    (lambda X: em.e_step(X, PPCA(np.ones((6, 2)), np.zeros(6), -1.0)),
     ValueError, "sigma2"),
    (lambda X: em.lower_bound(X, em.init_params(6, 2), np.zeros((5, 2)), np.eye(2)),
     ValueError, "q_mean"),
    (lambda X: em.lower_bound(X, em.init_params(6, 2), np.zeros((200, 2)), -np.eye(2)),
     ValueError, "positive definite"),
    (lambda X: PPCA.fit(X, 6), ValueError, "m < M"),
    (lambda X: em.run_em(X, 2, n_steps=0), ValueError, "n_steps"),
    (lambda X: em.entropy_q(np.eye(2)), TypeError, "N"),
])
def test_bad_input_raises_one_clear_error(X, call, exc, words):
    with pytest.raises(exc, match=words):
        call(X)
