"""LOG-LIKELIHOOD LOWER BOUND on pPCA and on a 1-D latent grid: log p = L_b + KL exactly,
KL ≥ 0, L_b = log p iff q = posterior, and each of the slide's three lines."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from vae_teach.maths.bound import (gap_check, kl_to_posterior, log_q, lower_bound,
                                   lower_bound_lines, lower_bound_terms, random_q, sample_q)
from vae_teach.maths.gaussian import kl_gaussian
from vae_teach.maths.lemma import proof_lines_hold
from vae_teach.maths.ppca import PPCA
from vae_teach.maths.quadrature import LatentGrid1D


def make_model(M=5, m=2, seed=0, sigma2=0.3) -> PPCA:
    rng = np.random.default_rng(seed)
    return PPCA(rng.normal(size=(M, m)), rng.normal(size=M), sigma2)


@pytest.fixture(scope="module")
def model():
    return make_model()


@pytest.fixture(scope="module")
def X(model):
    return model.sample(40, rng=1)


# ----------------------------------------------------------------------------- the identity
@pytest.mark.parametrize("seed", range(8))
def test_identity_log_p_equals_L_b_plus_kl_for_random_q(seed):
    rng = np.random.default_rng(seed)
    M, m = int(rng.integers(2, 7)), 0
    m = int(rng.integers(1, M))
    model = make_model(M, m, seed, sigma2=float(rng.uniform(0.05, 2.0)))
    X = model.sample(int(rng.integers(1, 30)), rng=seed)
    mu_tilde, Sigma_tilde = random_q(model, X, spread=float(rng.uniform(0.1, 2.0)), rng=seed)
    g = gap_check(model, X, mu_tilde, Sigma_tilde)
    assert abs(g.residual) <= 1e-6 * max(1.0, abs(g.log_p))
    assert abs(g.residual) < 1e-8
    assert g.kl >= 0 and g.L_b <= g.log_p


def test_kl_is_nonnegative_and_per_sample_sums(model, X):
    for seed in range(5):
        mu_tilde, Sigma_tilde = random_q(model, X, spread=0.5, rng=seed)
        kl_i = kl_to_posterior(model, X, mu_tilde, Sigma_tilde, per_sample=True)
        assert kl_i.shape == (len(X),) and np.all(kl_i >= 0)
        assert np.isclose(kl_i.sum(), kl_to_posterior(model, X, mu_tilde, Sigma_tilde))


def test_kl_matches_gaussian_kl_gaussian(model, X):
    mu_tilde, Sigma_tilde = random_q(model, X[:6], spread=0.7, rng=9)
    post_mean, post_cov = model.posterior(X[:6])
    want = [kl_gaussian(mu_tilde[i], Sigma_tilde[i], post_mean[i], post_cov) for i in range(6)]
    got = kl_to_posterior(model, X[:6], mu_tilde, Sigma_tilde, per_sample=True)
    assert np.allclose(got, want, rtol=1e-11, atol=1e-12)


def test_L_b_equals_log_p_iff_q_is_the_posterior(model, X):
    post_mean, post_cov = model.posterior(X)
    g = gap_check(model, X, post_mean, post_cov)
    assert abs(g.kl) < 1e-10 and abs(g.log_p - g.L_b) < 1e-8
    # any move of the mean or the covariance opens a gap
    for delta_mean, scale in [(1e-2, 1.0), (0.0, 1.1), (0.0, 0.9), (0.3, 2.0)]:
        g = gap_check(model, X, post_mean + delta_mean, scale * post_cov)
        assert g.kl > 1e-6 and g.log_p - g.L_b > 1e-6


def test_shared_and_per_sample_covariances_agree(model, X):
    _, post_cov = model.posterior(X)
    mu_tilde = np.zeros((len(X), model.m))
    shared = lower_bound(model, X, mu_tilde, post_cov)
    stacked = lower_bound(model, X, mu_tilde, np.broadcast_to(post_cov, (len(X), 2, 2)))
    assert shared == pytest.approx(stacked, rel=1e-14)


def test_terms_against_monte_carlo(model, X):
    """Each closed-form expectation vs a Monte-Carlo average of the exact log-densities."""
    mu_tilde, Sigma_tilde = random_q(model, X[:5], spread=0.4, rng=3)
    terms = lower_bound_terms(model, X[:5], mu_tilde, Sigma_tilde)
    Z = sample_q(mu_tilde, Sigma_tilde, 20000, rng=4)                  # (S, 5, m)
    S = Z.shape[0]
    Xs = np.broadcast_to(X[:5], (S, 5, model.M)).reshape(-1, model.M)
    rec = model.log_px_given_z(Xs, Z.reshape(-1, model.m)).reshape(S, 5)
    prior = model.log_pz(Z.reshape(-1, model.m)).reshape(S, 5)
    lq = log_q(Z, mu_tilde, Sigma_tilde)
    for closed, mc in [(terms.log_px_given_z, rec), (terms.log_pz, prior), (terms.log_q, lq)]:
        se = mc.std(0, ddof=1) / np.sqrt(S)
        assert np.all(np.abs(mc.mean(0) - closed) < 5 * se + 1e-12)


def test_log_q_matches_scipy():
    rng = np.random.default_rng(0)
    mu_tilde, Z = rng.normal(size=(3, 2)), rng.normal(size=(4, 3, 2))
    A = rng.normal(size=(3, 2, 2))
    Sigma_tilde = A @ A.transpose(0, 2, 1) + 0.1 * np.eye(2)
    want = np.array([[multivariate_normal(mu_tilde[i], Sigma_tilde[i]).logpdf(Z[s, i])
                      for i in range(3)] for s in range(4)])
    assert np.allclose(log_q(Z, mu_tilde, Sigma_tilde), want, rtol=1e-12)


def test_slide_lines_hold(model, X):
    mu_tilde, Sigma_tilde = random_q(model, X[:10], spread=0.3, rng=0)
    lines = lower_bound_lines(model, X[:10], mu_tilde, Sigma_tilde, n_samples=2000, rng=1)
    assert len(lines) == 5 and all(proof_lines_hold(lines))
    assert lines[2].standard_error > 0


def test_lower_bound_lines_catch_a_wrong_line(model, X):
    """A check that can fail: shifting the MC KL term by one nat is detected."""
    mu_tilde, Sigma_tilde = random_q(model, X[:10], spread=0.3, rng=0)
    lines = lower_bound_lines(model, X[:10], mu_tilde, Sigma_tilde, n_samples=2000, rng=1)
    bad = lines[2]._replace(value=lines[2].value + 20 * lines[2].standard_error)
    assert not proof_lines_hold([bad, lines[-1]])[0]


def test_bad_input_raises_clear_errors(model, X):
    mu_tilde, Sigma_tilde = model.posterior(X)
    with pytest.raises(ValueError, match="mu_tilde must be"):
        lower_bound(model, X, mu_tilde[:3], Sigma_tilde)
    with pytest.raises(ValueError, match="Sigma_tilde must be"):
        lower_bound(model, X, mu_tilde, np.eye(3))
    with pytest.raises(ValueError, match="positive definite"):
        lower_bound(model, X, mu_tilde, -np.eye(2))
    with pytest.raises(TypeError, match="PPCA"):
        lower_bound("model", X, mu_tilde, Sigma_tilde)


# ----------------------------------------------------------------------------- 1-D grid model
@pytest.fixture(scope="module")
def linear_grid():
    w, b = np.array([1.5, -0.5, 0.8]), np.array([0.2, 0.1, -0.3])
    return LatentGrid1D.linear(w, b, 0.3), PPCA(w[:, None], b, 0.3)


def test_grid_marginal_matches_ppca(linear_grid):
    grid, ppca = linear_grid
    X = ppca.sample(5, rng=0)
    for x, want in zip(X, ppca.log_likelihood_per_sample(X)):
        assert grid.log_px(x) == pytest.approx(want, abs=1e-10)


@pytest.mark.parametrize("mu_tilde, zeta", [(0.0, 0.0), (1.0, -2.0), (-2.5, 0.5), (0.3, -5.0)])
def test_grid_bound_matches_closed_forms(linear_grid, mu_tilde, zeta):
    grid, ppca = linear_grid
    x = ppca.sample(1, rng=1)
    r = grid.bound(x[0], mu_tilde, zeta)
    q_mean, q_cov = np.array([[mu_tilde]]), np.array([[np.exp(zeta)]])
    assert r.q_mass == pytest.approx(1.0, abs=1e-10)
    assert r.L_b == pytest.approx(lower_bound(ppca, x, q_mean, q_cov), abs=1e-8)
    assert r.kl == pytest.approx(kl_to_posterior(ppca, x, q_mean, q_cov), abs=1e-8)
    # the slide's three lines
    for value in (r.line1, r.line2, r.L_b + r.kl):
        assert value == pytest.approx(r.log_p, abs=1e-6)


def test_best_gaussian_q_is_the_posterior_for_ppca(linear_grid):
    grid, ppca = linear_grid
    x = ppca.sample(1, rng=2)
    mean, cov = ppca.posterior(x)
    mu_tilde, zeta = grid.best_gaussian_q(x[0])
    assert mu_tilde == pytest.approx(mean[0, 0], abs=1e-4)
    assert zeta == pytest.approx(np.log(cov[0, 0]), abs=1e-3)
    assert grid.bound(x[0], mu_tilde, zeta).kl < 1e-7


def test_nonlinear_decoder_keeps_a_gap():
    """Bimodal posterior (μ_θ(z) = (z², 0.3 z), x = (1, 0)): no Gaussian closes the gap."""
    grid = LatentGrid1D(lambda z: np.stack([z ** 2, 0.3 * z], axis=-1), 0.1)
    x = np.array([1.0, 0.0])
    mu_tilde, zeta = grid.best_gaussian_q(x, mu0=0.5)
    r = grid.bound(x, mu_tilde, zeta)
    assert abs(r.log_p - r.L_b - r.kl) < 1e-9
    assert r.kl > 0.5                      # ≈ log 2 for two well-separated equal modes
    post = np.exp(grid.log_posterior(x))
    assert np.sum(post) * grid.dz == pytest.approx(1.0, abs=1e-10)
    assert post[np.argmin(np.abs(grid.z - 1))] == pytest.approx(
        post[np.argmin(np.abs(grid.z + 1))], rel=1e-9)


def test_grid_rejects_q_outside_the_grid(linear_grid):
    grid, _ = linear_grid
    with pytest.raises(ValueError, match="does not fit the grid"):
        grid.bound(np.zeros(3), 14.0, 0.0)
    with pytest.raises(ValueError, match="does not fit the grid"):
        grid.bound(np.zeros(3), 0.0, -20.0)
    with pytest.raises(ValueError, match="finite"):
        grid.bound(np.zeros(3), np.nan, 0.0)
    with pytest.raises(ValueError, match="length"):
        grid.bound(np.zeros(2), 0.0, 0.0)
    with pytest.raises(ValueError, match=r"\(K, M\)"):
        LatentGrid1D(lambda z: z, 1.0)
