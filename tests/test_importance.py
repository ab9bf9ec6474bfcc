"""Importance sampling, effective sample size and the IWAE bound L_k, exact on pPCA
(vae_teach/maths/importance.py) — and the failure of prior sampling as the data dimension grows."""
import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import logsumexp
from scipy.stats import norm

from vae_teach.maths.bound import lower_bound
from vae_teach.maths.importance import (DimensionSweep, IWAECurve, chi2_gaussian,
                                        effective_sample_size, importance_log_px,
                                        importance_log_weights, iwae_curve,
                                        iwae_from_log_weights, log_mean_exp, naive_log_px,
                                        naive_mc_by_dimension, summarize_weights)
from vae_teach.maths.ppca import PPCA


@pytest.fixture(scope="module")
def setup():
    rng = np.random.default_rng(0)
    model = PPCA(W=rng.normal(size=(5, 2)), mu=rng.normal(size=5), sigma2=0.3)
    x = model.sample(1, rng=rng)[0]
    pm, P = model.posterior(x[None])
    return model, x, pm[0], P


def _q(pm, P, shift, scale):
    return pm + shift * np.sqrt(np.diag(P)), scale * P


# ----------------------------------------------------------------------------- weights
def test_log_mean_exp_is_stable_and_matches_the_direct_formula():
    lw = np.array([[-1000.0, -1001.0, -1002.0], [0.5, 1.0, -2.0]])
    direct_row2 = np.log(np.mean(np.exp(lw[1])))
    out = log_mean_exp(lw, axis=1)
    assert np.isfinite(out).all()
    assert out[1] == pytest.approx(direct_row2, rel=1e-12)
    assert out[0] == pytest.approx(-1000 + np.log(np.mean(np.exp([0, -1, -2]))), rel=1e-12)


def test_effective_sample_size_limits():
    assert effective_sample_size(np.zeros(50)) == pytest.approx(50)
    assert effective_sample_size(np.array([0.0, -800.0, -900.0])) == pytest.approx(1.0)
    w = np.random.default_rng(1).exponential(size=200)
    assert effective_sample_size(np.log(w)) == pytest.approx(w.sum() ** 2 / np.sum(w ** 2))
    assert effective_sample_size(np.zeros((3, 10))).shape == (3,)


def test_summary_of_weights():
    lw = np.log(np.array([1.0, 1.0, 2.0]))
    s = summarize_weights(lw)
    assert s.log_p == pytest.approx(np.log(4 / 3)) and s.max_weight == pytest.approx(0.5)
    assert s.ess == pytest.approx(16 / 6) and s.n == 3


# ----------------------------------------------------------------------------- proposals
def test_posterior_proposal_is_exact_with_full_ess(setup):
    model, x, pm, P = setup
    exact = model.log_likelihood_per_sample(x[None])[0]
    r = importance_log_px(model, x, pm, P, n_samples=500, rng=2)
    assert abs(r.log_p - exact) < 1e-10 and r.ess == pytest.approx(500) and r.standard_error < 1e-10


def test_prior_and_q_proposals_agree_with_the_exact_value_within_se(setup):
    model, x, pm, P = setup
    exact = model.log_likelihood_per_sample(x[None])[0]
    for r in [naive_log_px(model, x, 20_000, rng=3),
              importance_log_px(model, x, *_q(pm, P, 1.0, 2.0), 20_000, rng=4)]:
        assert abs(r.log_p - exact) < 4 * r.standard_error + 1e-3


def test_importance_log_weights_are_the_joint_over_q(setup):
    model, x, pm, P = setup
    qm, qc = _q(pm, P, 0.5, 1.5)
    lw = importance_log_weights(model, x, qm, qc, (4, 3), rng=5)
    assert lw.shape == (4, 3)
    # the posterior ratio: log w − log p(x) = log p(z|x) − log q(z) for the same z
    rng = np.random.default_rng(5)
    Z = qm + rng.standard_normal((12, 2)) @ np.linalg.cholesky(qc).T
    from scipy.stats import multivariate_normal as mvn
    want = (model.log_likelihood_per_sample(x[None])[0] + mvn(pm, P).logpdf(Z)
            - mvn(qm, qc).logpdf(Z))
    assert np.allclose(lw.ravel(), want, atol=1e-9)


# ----------------------------------------------------------------------------- L_k
def test_L1_is_the_closed_form_lower_bound_within_se(setup):
    model, x, pm, P = setup
    for shift, scale in [(1.0, 2.0), (0.5, 1.5), (0.0, 0.7)]:
        qm, qc = _q(pm, P, shift, scale)
        c = iwae_curve(model, x, qm, qc, [1], n_repeats=8000, rng=6)
        assert c.L_b == pytest.approx(lower_bound(model, x[None], qm[None], qc))
        assert abs(c.L_k[0] - c.L_b) < 3.5 * c.standard_error[0]


def test_L_k_increases_with_k_stays_below_log_p_and_tends_to_it(setup):
    model, x, pm, P = setup
    qm, qc = _q(pm, P, 1.0, 2.0)
    c = iwae_curve(model, x, qm, qc, 2 ** np.arange(9), n_repeats=4000, rng=7)
    assert np.all(np.diff(c.L_k) > -3 * c.step_standard_error())      # monotone within s.e.
    assert np.all(c.L_k < c.log_p + 3 * c.standard_error)               # ≤ log p within s.e.
    assert c.L_b < c.L_k[-1] and c.gap[-1] < 0.05                        # → log p
    assert c.gap[0] == pytest.approx(c.log_p - c.L_b, abs=4 * c.standard_error[0])


def test_gap_shrinks_like_chi2_over_2k(setup):
    model, x, pm, P = setup
    qm, qc = _q(pm, P, 0.5, 1.5)
    chi2 = chi2_gaussian(pm, P, qm, qc)
    c = iwae_curve(model, x, qm, qc, [32, 64], n_repeats=20_000, rng=8)
    assert np.allclose(c.ks * c.gap, chi2 / 2, rtol=0.35)


def test_iwae_from_log_weights_matches_a_direct_computation():
    lw = np.random.default_rng(9).normal(size=(30, 8))
    c = iwae_from_log_weights(lw, [1, 4, 8])
    assert c.L_k[0] == pytest.approx(lw[:, 0].mean())
    assert c.L_k[2] == pytest.approx(np.mean(logsumexp(lw, axis=1) - np.log(8)))
    assert isinstance(c, IWAECurve) and np.isnan(c.log_p)


def test_chi2_gaussian_matches_quadrature_and_is_infinite_for_narrow_q():
    for (a, p2, b, q2) in [(0.0, 1.0, 1.0, 2.0), (0.3, 0.5, -0.2, 0.4)]:
        log_ratio = lambda z: (2 * norm(a, np.sqrt(p2)).logpdf(z)  # noqa: E731  log p²/q
                               - norm(b, np.sqrt(q2)).logpdf(z))
        integral = quad(lambda z: np.exp(log_ratio(z)), -15, 15)[0]
        got = chi2_gaussian([a], [[p2]], [b], [[q2]])
        assert got == pytest.approx(integral - 1, rel=1e-7)
    assert chi2_gaussian([0.0], [[1.0]], [0.0], [[0.4]]) == np.inf       # q narrower than p/2
    assert chi2_gaussian(np.zeros(2), np.eye(2), np.zeros(2), np.eye(2)) == pytest.approx(0.0)


# ----------------------------------------------------------------------------- notebook 03
def test_naive_monte_carlo_error_grows_with_the_data_dimension():
    rng = np.random.default_rng(1)
    big = PPCA(W=rng.normal(size=(64, 3)), mu=rng.normal(size=64), sigma2=0.3)
    s = naive_mc_by_dimension(big, [2, 16, 64], n_samples=500, n_points=10, rng=2)
    assert isinstance(s, DimensionSweep)
    assert abs(s.error[0]) < 0.2 and s.error[-1] < -1.0
    assert abs(s.error[-1]) > abs(s.error[0]) + 1.0
    assert np.all(np.diff(s.ess) < 0) and np.all(np.diff(s.max_weight) > 0)
    assert abs(s.error[-1]) > 2 * s.standard_error[-1]      # its own s.e. misses the error


# ----------------------------------------------------------------------------- bad inputs
def test_bad_inputs_raise_clear_errors(setup):
    model, x, pm, P = setup
    with pytest.raises(TypeError, match="PPCA"):
        naive_log_px("model", x, 10)
    with pytest.raises(ValueError, match="M = 5"):
        naive_log_px(model, x[:3], 10)
    with pytest.raises(ValueError, match="q_mean"):
        importance_log_px(model, x, pm[:1], P, 10)
    with pytest.raises(ValueError, match="positive definite"):
        importance_log_px(model, x, pm, -P, 10)
    with pytest.raises(ValueError, match="increase"):
        iwae_from_log_weights(np.zeros((4, 8)), [4, 2])
    with pytest.raises(ValueError, match="increase"):
        iwae_from_log_weights(np.zeros((4, 8)), [1, 16])
    with pytest.raises(ValueError, match="NaN"):
        effective_sample_size([0.0, np.nan])
    with pytest.raises(ValueError, match="every weight"):
        effective_sample_size([-np.inf, -np.inf])
    with pytest.raises(TypeError):
        effective_sample_size("weights")
    with pytest.raises(ValueError, match="dims"):
        naive_mc_by_dimension(model, [2, 10])
    with pytest.raises(TypeError):
        naive_log_px(model, x, 2.5)


def test_figures_draw_and_reject_wrong_inputs(setup):
    from matplotlib.figure import Figure

    from vae_teach.viz.importance import fig_iwae_curve, fig_naive_mc_dimension
    model, x, pm, P = setup
    qm, qc = _q(pm, P, 1.0, 2.0)
    c = iwae_curve(model, x, qm, qc, [1, 2, 4], n_repeats=50, rng=1)
    assert isinstance(fig_iwae_curve(c, chi2_gaussian(pm, P, qm, qc)), Figure)
    rng = np.random.default_rng(1)
    big = PPCA(W=rng.normal(size=(16, 2)), mu=np.zeros(16), sigma2=0.3)
    assert isinstance(fig_naive_mc_dimension(naive_mc_by_dimension(big, [2, 16], 50, 3, 1)),
                      Figure)
    with pytest.raises(TypeError, match="IWAECurve"):
        fig_iwae_curve({"L_k": 1})
    with pytest.raises(ValueError, match="log_p"):
        fig_iwae_curve(iwae_from_log_weights(np.zeros((3, 2)), [1, 2]))
    with pytest.raises(TypeError, match="DimensionSweep"):
        fig_naive_mc_dimension([1, 2])
