"""VAE GENERATIVE MODEL AND MLE on pPCA: the integral p(x) = ∫ p(x|z) p(z) dz by grid and
Monte Carlo vs the closed form, log p(𝒳) as a sum, gradient ascent vs the closed-form MLE."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA

from vae_teach.maths.marginal import log_px_grid, log_px_monte_carlo, log_px_stacked
from vae_teach.maths.mle import loglik_and_grad, loglik_sigma2_path, mle_gradient_ascent
from vae_teach.maths.ppca import PPCA


def make_model(M=5, m=2, seed=0, sigma2=0.3) -> PPCA:
    rng = np.random.default_rng(seed)
    return PPCA(rng.normal(size=(M, m)), rng.normal(size=M), sigma2)


@pytest.mark.parametrize("m", [1, 2])
def test_grid_integral_matches_closed_form(m):
    model = make_model(m=m)
    X = model.sample(3, rng=1)
    n_points = 401 if m == 1 else 201
    for x, want in zip(X, model.log_likelihood_per_sample(X)):
        assert log_px_grid(model, x, n_points=n_points) == pytest.approx(want, abs=1e-9)


def test_grid_integral_is_wrong_on_a_too_small_grid():
    """A check that can fail: a grid that cuts off the prior's mass underestimates p(x)."""
    model = make_model(m=1)
    x = model.sample(1, rng=1)[0]
    exact = model.log_likelihood_per_sample(x[None])[0]
    assert log_px_grid(model, x, z_max=0.5, n_points=101) < exact - 1e-3


def test_monte_carlo_within_standard_errors():
    model = make_model(M=3, m=2, sigma2=1.0)
    X = model.sample(5, rng=2)
    z_scores = []
    for k, (x, want) in enumerate(zip(X, model.log_likelihood_per_sample(X))):
        est, se = log_px_monte_carlo(model, x, 20000, rng=k)
        assert 0 < se < 0.05
        z_scores.append((est - want) / se)
    assert np.all(np.abs(z_scores) < 4)


def test_log_likelihood_is_a_sum_over_independent_samples():
    model = make_model()
    X = model.sample(30, rng=3)
    per_sample = model.log_likelihood_per_sample(X)
    assert log_px_stacked(model, X) == pytest.approx(per_sample.sum(), abs=1e-9)
    assert np.log(np.prod(np.exp(per_sample[:5]))) == pytest.approx(per_sample[:5].sum(),
                                                                   abs=1e-10)


def test_gradient_matches_finite_differences():
    model = make_model(M=4, m=2)
    X = model.sample(25, rng=4)
    W, mu, s = model.W + 0.1, model.mu - 0.2, np.log(0.5)
    g = loglik_and_grad(X, W, mu, s)
    assert g.loglik == pytest.approx(PPCA(W, mu, 0.5).log_likelihood(X), rel=1e-12)
    h = 1e-6
    f = lambda W_, mu_, s_: loglik_and_grad(X, W_, mu_, s_).loglik  # noqa: E731
    for (i, j) in [(0, 0), (3, 1), (2, 0)]:
        E = np.zeros_like(W)
        E[i, j] = h
        assert g.dW[i, j] == pytest.approx((f(W + E, mu, s) - f(W - E, mu, s)) / (2 * h),
                                           rel=1e-5, abs=1e-6)
    e = np.zeros_like(mu)
    e[1] = h
    assert g.dmu[1] == pytest.approx((f(W, mu + e, s) - f(W, mu - e, s)) / (2 * h), rel=1e-5)
    assert g.dlog_sigma2 == pytest.approx((f(W, mu, s + h) - f(W, mu, s - h)) / (2 * h),
                                          rel=1e-5)


def test_gradient_ascent_reaches_the_closed_form_mle():
    X = make_model(M=5, m=2).sample(300, rng=5)
    X = (X - X.mean(0)) / X.std(0)
    closed = PPCA.fit(X, 2)
    history = mle_gradient_ascent(X, 2, lr=0.2, n_steps=300, seed=0)
    assert np.all(np.diff(history.loglik) > -1e-9)              # ascent never goes down
    assert history.loglik[-1] == pytest.approx(closed.log_likelihood(X), abs=1e-6)
    # W is identified up to a rotation: compare W Wᵀ and σ²
    assert np.allclose(history.model.W @ history.model.W.T, closed.W @ closed.W.T, atol=1e-4)
    assert history.model.sigma2 == pytest.approx(closed.sigma2, rel=1e-4)
    assert np.allclose(history.model.mu, X.mean(0), atol=1e-6)
    # sklearn's PCA.score is the pPCA log-likelihood at its (ddof=1) estimate: not above the MLE
    sk = PCA(2).fit(X).score(X) * len(X)
    assert sk <= closed.log_likelihood(X) + 1e-9 and sk == pytest.approx(
        closed.log_likelihood(X), rel=1e-4)


def test_gradient_ascent_too_few_steps_is_not_there_yet():
    X = make_model(M=5, m=2).sample(300, rng=5)
    X = (X - X.mean(0)) / X.std(0)
    history = mle_gradient_ascent(X, 2, lr=0.2, n_steps=3, seed=0)
    assert history.loglik[-1] < PPCA.fit(X, 2).log_likelihood(X) - 1.0


def test_bad_input_raises_clear_errors():
    model = make_model(m=2)
    with pytest.raises(ValueError, match="length"):
        log_px_grid(model, np.zeros(3))
    with pytest.raises(ValueError, match="m ≤ 2"):
        log_px_grid(make_model(M=5, m=3), np.zeros(5))
    with pytest.raises(TypeError, match="PPCA"):
        log_px_monte_carlo("model", np.zeros(5), 10)
    with pytest.raises(ValueError, match="m must be smaller"):
        mle_gradient_ascent(np.zeros((10, 3)), 3)
    with pytest.raises(ValueError, match="lr"):
        mle_gradient_ascent(np.ones((10, 3)), 1, lr=-1.0)


def test_slide_max_vs_argmax():
    """Slide erratum: θ* = arg max p = arg max log p; the two *max values* differ and are not θ."""
    model = make_model()
    X = model.sample(20, rng=0)
    sigma2s = np.linspace(0.1, 1.0, 181)
    loglik = loglik_sigma2_path(model, X, sigma2s)
    assert np.argmax(np.exp(loglik)) == np.argmax(loglik)          # same maximiser
    max_p, max_log_p = np.exp(loglik).max(), loglik.max()
    assert 0 < max_p < 1e-10 and max_log_p < -10                   # no underflow, N = 20
    assert not np.isclose(max_p, max_log_p)                        # "max p = max log p" fails
    assert not np.isclose(max_p, sigma2s[np.argmax(loglik)])       # and neither is θ*
    assert not np.isclose(max_log_p, sigma2s[np.argmax(loglik)])


def test_sigma2_path_matches_the_model():
    model = make_model()
    X = model.sample(30, rng=2)
    sigma2s = np.array([0.05, 0.3, 1.7])
    want = [PPCA(model.W, model.mu, s2).log_likelihood(X) for s2 in sigma2s]
    assert np.allclose(loglik_sigma2_path(model, X, sigma2s), want, rtol=1e-12)
    with pytest.raises(ValueError, match="positive"):
        loglik_sigma2_path(model, X, [0.0, 1.0])
