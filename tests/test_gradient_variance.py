"""Encoder gradients by reparameterisation and the score function on a VAE
(vae_teach.measure.gradient_variance): unbiased against a reference, reparam far less noisy."""
import numpy as np
import pytest
import torch

from vae_teach.data.mnist import load_mnist_split
from vae_teach.measure.gradient_variance import (encoder_gradients, kl_gradient,
                                                 reference_gradient)
from vae_teach.nets.model import AE, VAE
from vae_teach.nets.pretrained import load


torch.set_num_threads(1)


@pytest.fixture(scope="module")
def trained():
    X, _ = load_mnist_split("test", "binary")
    return load("vae_mnist2").double(), torch.from_numpy(X[:3]).double()


@pytest.fixture(scope="module")
def small():
    vae = VAE(6, 2, hidden=[5], decoder="bernoulli", seed=0).double()
    x = (torch.rand(3, 6, generator=torch.Generator().manual_seed(0)) > 0.5).double()
    return vae, x


def test_quadrature_reference_agrees_with_many_reparam_draws(small):
    vae, x = small
    ref = reference_gradient(vae, x, n_nodes=60)
    big = encoder_gradients(vae, x, n_samples=100_000, seed=1, n_nodes=60)
    assert np.abs(big.z_scores("reparam")).max() < 4.5
    np.testing.assert_allclose(big.reparam.mean(axis=0), ref, atol=0.02)


def test_quadrature_has_converged(trained):
    vae, x = trained
    np.testing.assert_allclose(reference_gradient(vae, x, 80), reference_gradient(vae, x, 120),
                               atol=0.05)


def test_both_estimators_agree_with_the_reference_and_reparam_wins(trained):
    vae, x = trained
    g = encoder_gradients(vae, x, n_samples=2000, seed=2)
    for method in ("reparam", "score", "score_baseline"):
        assert np.abs(g.z_scores(method)).max() < 4.5, method
        assert abs(g.mean_check(method).z) < 4.5, method
    assert g.variance_ratio("score") > 1000
    assert g.variance_ratio("score_baseline") > 1
    assert np.all(g.variance("score") > g.variance("reparam"))
    # the detached gradient is only the KL's: far from the reference
    np.testing.assert_allclose(g.detached, kl_gradient(torch.from_numpy(g.mu_tilde),
                                                       torch.from_numpy(g.zeta)).numpy())
    assert np.linalg.norm(g.detached - g.reference) > 0.9 * np.linalg.norm(g.reference)


def test_shapes_and_the_draws_behind_them(trained):
    vae, x = trained
    g = encoder_gradients(vae, x, n_samples=7, seed=0, n_nodes=10)
    N, m = x.shape[0], vae.m
    assert g.reparam.shape == g.score.shape == g.score_baseline.shape == (7, N, m, 2)
    assert g.reference.shape == g.detached.shape == (N, m, 2) and g.eps.shape == (7, N, m)
    np.testing.assert_array_equal(g.eps, np.random.default_rng(0).standard_normal((7, N, m)))
    again = encoder_gradients(vae, x, n_samples=7, seed=0, n_nodes=10)
    np.testing.assert_array_equal(g.reparam, again.reparam)


def test_reparam_draw_equals_autograd_through_z(trained):
    vae, x = trained
    g = encoder_gradients(vae, x, n_samples=2, seed=5, n_nodes=10)
    mu, zeta = (t.detach().requires_grad_(True) for t in vae.encode(x))
    z = mu + torch.exp(zeta / 2) * torch.from_numpy(g.eps[0])
    kl = 0.5 * (mu ** 2 + zeta.exp() - 1 - zeta).sum()
    g_mu, g_zeta = torch.autograd.grad(vae.log_px_given_z(x, z).sum() - kl, (mu, zeta))
    np.testing.assert_allclose(g.reparam[0], torch.stack([g_mu, g_zeta], -1).numpy(),
                               rtol=1e-9, atol=1e-10)


def test_bad_inputs(small):
    vae, x = small
    with pytest.raises(TypeError, match="VAE"):
        encoder_gradients(AE(6, 2, hidden=[5], decoder="bernoulli"), x)
    with pytest.raises(ValueError, match="m ≤ 3"):
        reference_gradient(VAE(6, 4, hidden=[5], decoder="bernoulli").double(), x)
    with pytest.raises(ValueError, match="n_samples"):
        encoder_gradients(vae, x, n_samples=1)
    with pytest.raises(ValueError, match="method"):
        encoder_gradients(vae, x, n_samples=3, n_nodes=5).variance("pathwise")
    with pytest.raises(ValueError, match="x must have shape"):
        encoder_gradients(vae, torch.zeros(3, 5, dtype=torch.float64))
