"""vae_teach.maths.regulariser: the slide's regulariser, its minimum, code moments, and the
"only reconstruction" experiment of notebook 02 (σ̃ collapses without the KL term)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from vae_teach.data.digits import load_digits_split
from vae_teach.maths import regulariser as li
from vae_teach.maths.gaussian import kl_diag_std_normal
from vae_teach.measure import codes as measure_codes
from vae_teach.measure import experiments
from vae_teach.nets import objectives as elbo
from vae_teach.nets import threads
from vae_teach.nets.model import VAE


def test_regulariser_is_the_slide_formula_and_twice_the_kl():
    rng = np.random.default_rng(0)
    mu, zeta = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    r = li.regulariser(mu, zeta)
    np.testing.assert_allclose(r, elbo.regulariser(torch.tensor(mu), torch.tensor(zeta)).numpy(),
                               rtol=1e-12)
    np.testing.assert_allclose(r.sum(1), 2 * kl_diag_std_normal(mu, zeta), rtol=1e-12)
    q = torch.distributions.Normal(torch.tensor(mu), torch.tensor(np.exp(zeta / 2)))
    kl = torch.distributions.kl_divergence(q, torch.distributions.Normal(0.0, 1.0)).numpy()
    np.testing.assert_allclose(r, 2 * kl, rtol=1e-10)
    assert np.all(r >= 0)
    assert li.regulariser(0.0, 0.0) == 0.0


def test_gradient_matches_autograd():
    rng = np.random.default_rng(1)
    mu, zeta = rng.normal(size=5), rng.normal(size=5) * 2
    mt, zt = torch.tensor(mu, requires_grad=True), torch.tensor(zeta, requires_grad=True)
    elbo.regulariser(mt, zt).sum().backward()
    g_mu, g_zeta = li.regulariser_gradient(mu, zeta)
    np.testing.assert_allclose(g_mu, mt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(g_zeta, zt.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("start", [(2.0, -3.0), (-1.0, 2.0), (0.3, -8.0)])
def test_numerical_minimum_is_mean_zero_unit_variance(start):
    mu, zeta, r = li.minimise_regulariser(start)
    assert abs(mu) < 1e-6 and abs(zeta) < 1e-6 and abs(r) < 1e-10


def test_aggregate_moments_match_monte_carlo():
    rng = np.random.default_rng(2)
    mu, zeta = rng.normal(size=(20, 2)) * 2 + 1, rng.normal(size=(20, 2))
    mean, var = li.aggregate_moments(mu, zeta)
    i = rng.integers(0, 20, size=400_000)
    z = mu[i] + np.exp(zeta[i] / 2) * rng.standard_normal((400_000, 2))
    np.testing.assert_allclose(mean, z.mean(0), atol=0.02)
    np.testing.assert_allclose(var, z.var(0), rtol=0.02)
    m0, v0 = li.aggregate_moments(np.zeros((5, 3)), np.zeros((5, 3)))
    np.testing.assert_array_equal(m0, 0.0)
    np.testing.assert_array_equal(v0, 1.0)


def test_code_stats_of_a_model():
    X, _ = load_digits_split("val", "raw")
    model = VAE(64, 2, seed=0)
    s = measure_codes.code_stats(model, X)
    mu, zeta = (torch.from_numpy(a) for a in model.encode_numpy(X))
    assert s.regulariser == pytest.approx(2 * elbo.kl_to_prior(mu, zeta).mean().item(), rel=1e-5)
    assert s.code_mean.shape == s.code_std.shape == s.sigma_tilde_median.shape == (2,)
    assert "code mean" in str(s)


@pytest.mark.slow
def test_sigma_collapses_without_the_kl_term_and_runs_are_reproducible():
    X, _ = load_digits_split("train", "raw")
    runs = experiments.train_with_and_without_kl(X, epochs=6, progress=False)
    s0 = runs[0.0][1].series("sigma_tilde_median")
    s1 = runs[1.0][1].series("sigma_tilde_median")
    assert s0.shape == (6, 2)
    assert np.all(s0[-1] < s0[0] / 5)               # β = 0: σ̃ shrinks fast
    assert np.all(s0[-1] < s1[-1] / 3)              # ... far below the β = 1 run
    reg0 = runs[0.0][1].stats[-1].regulariser
    reg1 = runs[1.0][1].stats[-1].regulariser
    assert reg0 > 3 * reg1                           # the codes are far from the prior
    again = experiments.train_with_and_without_kl(X, epochs=6, progress=False, betas=(0.0,))
    np.testing.assert_array_equal(again[0.0][1].series("code_mean"),
                                  runs[0.0][1].series("code_mean"))


def test_one_thread_restores_the_thread_count():
    before = torch.get_num_threads()
    with threads.one_thread():
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("call, exc, words", [
    (lambda: li.regulariser(np.zeros(3), np.zeros(4)), ValueError, "broadcastable"),
    (lambda: li.regulariser("a", 0.0), TypeError, "mu_tilde"),
    (lambda: li.regulariser(np.nan, 0.0), ValueError, "NaN"),
    (lambda: li.aggregate_moments(np.zeros((3, 2)), np.zeros((3, 3))), ValueError, "(N, m)"),
    (lambda: li.minimise_regulariser((1.0, 2.0, 3.0)), ValueError, "start"),
    (lambda: experiments.train_with_and_without_kl(np.zeros((5, 4)), epochs=0), ValueError, "epochs"),
])
def test_bad_input_raises_one_clear_error(call, exc, words):
    with pytest.raises(exc, match=words):
        call()
