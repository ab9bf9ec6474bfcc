"""vae_teach.measure.e_step: the VAE's E-step (θ fixed, φ trained) and M-step (φ fixed) on pPCA,
the split of the E-step's floor, IWAE L_k, and the figure of notebook 05."""
from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from scipy.optimize import minimize

from vae_teach.data.digits import load_digits_split
from vae_teach.maths import em
from vae_teach.maths.ppca import PPCA
from vae_teach.measure import e_step, linear_vae
from vae_teach.viz.e_step import fig_e_and_m_steps


@pytest.fixture(scope="module")
def X():
    return load_digits_split("train", "raw")[0][:300].astype(np.float64)


@pytest.fixture(scope="module")
def theta(X):
    return em.run_em(X, 2, n_steps=3, seed=0).thetas[2]


@pytest.fixture(scope="module")
def runs(X, theta):
    E = e_step.train_encoder(e_step.vae_at_theta(theta, seed=0), X, steps=120, every=10)
    Mrec = e_step.train_decoder(E.model, X, steps=40, every=10)
    return E, Mrec


def _rotated(theta, angle):
    c, s = np.cos(angle), np.sin(angle)
    return PPCA(theta.W @ np.array([[c, -s], [s, c]]), theta.mu, theta.sigma2)


def test_best_diagonal_q_is_the_per_point_optimum(X, theta):
    """A free diagonal (μ̃_n, ζ_n) per point, optimised numerically, reaches the closed form."""
    Xs = X[:3]
    mean, cov = e_step.best_diagonal_q(theta, Xs)
    assert cov.shape == (3, 2, 2) and np.allclose(cov[:, 0, 1], 0)
    for n in range(3):
        def kl(v, n=n):
            return em.kl_gap(Xs[n:n + 1], theta, v[None, :2], np.diag(np.exp(v[2:])))
        best = minimize(kl, np.zeros(4), method="BFGS", options={"gtol": 1e-10})
        assert best.fun == pytest.approx(em.kl_gap(Xs[n:n + 1], theta, mean[n:n + 1], cov[n]),
                                         abs=1e-7)
        np.testing.assert_allclose(best.x[:2], mean[n], atol=1e-4)
    assert e_step.approximation_gap(theta, Xs) == pytest.approx(
        em.kl_gap(Xs, theta, mean, cov) / 3, rel=1e-12)


def test_approximation_gap_vanishes_for_a_diagonal_posterior_only(X):
    mle = PPCA.fit(X, 2)                               # WᵀW diagonal: posterior diagonal
    assert e_step.approximation_gap(mle, X) < 1e-10
    turned = _rotated(mle, np.pi / 4)                  # same p(x), correlated posterior
    assert turned.log_likelihood(X) == pytest.approx(mle.log_likelihood(X), rel=1e-10)
    assert e_step.approximation_gap(turned, X) > 1e-6


def test_vae_at_theta_has_theta_as_decoder(theta):
    got = linear_vae.vae_as_ppca(e_step.vae_at_theta(theta, seed=3))
    np.testing.assert_allclose(got.W, theta.W, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got.mu, theta.mu, rtol=1e-5, atol=1e-5)
    assert got.sigma2 == pytest.approx(theta.sigma2, rel=1e-5)


def test_e_step_keeps_theta_and_closes_most_of_the_gap(X, theta, runs):
    E, _ = runs
    assert np.ptp(E.log_lik) < 1e-9 * abs(E.log_lik[0])             # θ fixed: log p constant
    np.testing.assert_allclose(E.log_lik - E.L_b, E.kl, rtol=1e-6, atol=1e-6)
    assert E.kl[-1] < E.kl[0] / 10
    assert E.floor >= e_step.approximation_gap(theta, X)           # never below the family's best
    np.testing.assert_allclose(linear_vae.vae_as_ppca(E.model).W, theta.W, rtol=1e-5, atol=1e-5)
    assert E.step[0] == 0 and E.step[-1] == 120 and len(E.step) == 13


def test_m_step_keeps_phi_and_raises_log_p(X, runs):
    E, Mrec = runs
    mu0, zeta0 = E.model.encode_numpy(X)
    mu1, zeta1 = Mrec.model.encode_numpy(X)
    np.testing.assert_array_equal(mu0, mu1)
    np.testing.assert_array_equal(zeta0, zeta1)
    assert Mrec.log_lik[-1] > Mrec.log_lik[0] and Mrec.L_b[-1] > Mrec.L_b[0]


def test_training_does_not_touch_the_callers_model(X, theta):
    model = e_step.vae_at_theta(theta, seed=0)
    before = [p.detach().clone() for p in model.parameters()]
    e_step.train_encoder(model, X[:100], steps=3)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_em_round_closes_the_gap_and_raises_log_p(X, theta):
    r = e_step.em_round(X, theta)
    assert abs(r["kl_after_E"]) < 1e-8 and r["L_b_after_E"] == pytest.approx(r["log_lik"])
    assert r["log_lik_after_M"] > r["log_lik"] and r["L_b_after_M"] > r["L_b_after_E"]
    assert r["log_lik_after_M"] >= r["L_b_after_M"]


def test_iwae_curve_is_bracketed(X, runs):
    c = e_step.iwae_curve(runs[0].model, X, ks=(1, 10, 100), repeats=3)
    noise = 4 * c["se"] + 1e-3
    assert abs(c["L_k"][0] - c["L_b"]) < noise[0] + 0.01
    assert np.all(np.diff(c["L_k"]) > -(noise[:-1] + noise[1:]))
    assert c["L_k"][-1] < c["log_lik"] + noise[-1]
    assert c["L_k"][-1] > c["L_b"]


def test_figure_builds_and_is_pure(X, theta, runs):
    E, Mrec = runs
    r = e_step.em_round(X, theta)

    def png():
        buf = io.BytesIO()
        fig_e_and_m_steps(E, Mrec, r, e_step.approximation_gap(theta, X), -180.0).savefig(
            buf, format="png", metadata={"Software": None})
        return buf.getvalue()

    assert png() == png()


def test_bad_input(X, theta):
    from vae_teach.nets.model import VAE

    with pytest.raises(TypeError, match="PPCA"):
        e_step.approximation_gap(np.eye(2), X)
    with pytest.raises(ValueError, match="M = 64"):
        e_step.best_diagonal_q(theta, X[:, :5])
    with pytest.raises(TypeError, match="linear_decoder_vae"):
        e_step.train_encoder(VAE(64, 2, seed=0), X)
    with pytest.raises(ValueError, match="lr"):
        e_step.train_encoder(e_step.vae_at_theta(theta), X, lr=-1.0)
