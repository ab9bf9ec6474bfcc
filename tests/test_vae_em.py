"""vae_teach.measure.linear_vae: a VAE whose generative model is pPCA, with exact log p, L_b and gap; and
the plot of notebook 05."""
from __future__ import annotations

import io

import numpy as np
import pytest
import torch

from vae_teach.data.digits import load_digits_split
from vae_teach.maths import em
from vae_teach.maths.ppca import PPCA
from vae_teach.measure import linear_vae as vae_em
from vae_teach.nets import objectives as elbo
from vae_teach.viz.em import fig_em_vs_vae


@pytest.fixture(scope="module")
def X():
    return load_digits_split("train", "raw")[0].astype(np.float64)


@pytest.fixture(scope="module")
def trained(X):
    return vae_em.train_linear_vae(X, epochs=8, lr=1e-2, hidden=(32,), progress=False)


def test_decoder_is_ppca_and_log_p_is_exact(X):
    model = vae_em.linear_decoder_vae(64, 2, hidden=(16,), seed=1, X=X)
    theta = vae_em.vae_as_ppca(model)
    np.testing.assert_allclose(theta.mu, X.mean(0), rtol=1e-6)
    assert theta.sigma2 == pytest.approx(X.var(0).mean(), rel=1e-5)
    z = torch.randn(5, 2, generator=torch.Generator().manual_seed(0))
    xb = torch.from_numpy(X[:5].astype(np.float32))
    want = torch.distributions.Normal(z @ torch.from_numpy(theta.W.T).float()
                                      + torch.from_numpy(theta.mu).float(),
                                      float(np.sqrt(theta.sigma2))).log_prob(xb).sum(-1)
    np.testing.assert_allclose(model.log_px_given_z(xb, z).detach().numpy(), want.numpy(),
                               rtol=1e-5)


@pytest.mark.slow  # uses the `trained` fixture (8 epochs, < 1 s)
def test_exact_terms_agree_with_monte_carlo_and_iwae(X, trained):
    model, _ = trained
    x = torch.from_numpy(X[:200].astype(np.float32))
    exact = vae_em.exact_terms(model, X[:200])
    assert exact["log_lik"] == pytest.approx(exact["L_b"] + exact["gap"], rel=1e-10)
    assert exact["gap"] > 0
    g = torch.Generator().manual_seed(0)
    mc, se = elbo.L_b_monte_carlo(model, x, n_samples=400, generator=g)
    assert abs(mc.item() - exact["L_b"]) < 5 * se.item() + 1e-5 * abs(exact["L_b"])
    iwae = elbo.iwae_bound(model, x, k=200, generator=g).item()
    assert exact["L_b"] - 1.0 < iwae < exact["log_lik"] + 0.5   # between, up to noise/float32


@pytest.mark.slow  # uses the `trained` fixture (8 epochs, < 1 s)
def test_training_improves_exact_log_lik_and_tracker_records(X, trained):
    model, tracker = trained
    a = tracker.arrays()
    assert a["log_lik"].shape == (8,) and a["log_lik"][-1] > a["log_lik"][0]
    np.testing.assert_allclose(a["log_lik"] - a["L_b"], a["gap"], rtol=1e-8, atol=1e-6)
    assert a["log_lik"][-1] <= PPCA.fit(X, 2).log_likelihood(X)


@pytest.mark.slow  # uses the `trained` fixture (8 epochs, < 1 s)
def test_gap_decomposition_adds_up_and_matches_best_diagonal_q(X, trained):
    model, _ = trained
    d = vae_em.gap_decomposition(model, X[:100])
    assert d["total"] == pytest.approx(d["approximation"] + d["amortisation"])
    assert d["approximation"] >= 0 and d["amortisation"] >= 0
    theta = vae_em.vae_as_ppca(model)
    mean, cov = theta.posterior(X[:100])
    best_diag = np.diag(1 / np.diag(np.linalg.inv(cov)))
    assert em.kl_gap(X[:100], theta, mean, best_diag) == pytest.approx(d["approximation"],
                                                                       rel=1e-8, abs=1e-10)
    rng = np.random.default_rng(0)                  # no other diagonal q does better
    for _ in range(5):
        other = np.diag(np.diag(best_diag) * np.exp(0.1 * rng.normal(size=2)))
        assert em.kl_gap(X[:100], theta, mean, other) > d["approximation"]


@pytest.mark.slow  # uses the `trained` fixture (8 epochs, < 1 s)
def test_slide_approx_Q_with_the_vae_q(X, trained):
    r = vae_em.amortised_m_step_check(trained[0], X)
    assert r["Q_at_theta_t"] < r["log_lik_theta_t"]
    assert r["log_lik_after_em_m_step"] >= r["log_lik_theta_t"]       # EM never decreases


@pytest.mark.slow  # uses the `trained` fixture (8 epochs, < 1 s)
def test_figure_builds_and_is_pure(X, trained):
    h = em.run_em(X, 2, n_steps=5, seed=0)
    mle = PPCA.fit(X, 2).log_likelihood(X)

    def png():
        buf = io.BytesIO()
        fig_em_vs_vae(h, trained[1].arrays(), len(X), mle).savefig(buf, format="png",
                                                                    metadata={"Software": None})
        return buf.getvalue()

    assert png() == png()


def test_bad_input():
    from vae_teach.nets.model import VAE

    with pytest.raises(TypeError, match="linear_decoder_vae"):
        vae_em.vae_as_ppca(VAE(64, 2, seed=0))
    with pytest.raises(ValueError, match="M = 64"):
        vae_em.linear_decoder_vae(64, 2, X=np.zeros((3, 5)))
