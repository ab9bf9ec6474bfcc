"""L_VAE, the closed form of L_b, KL, Monte-Carlo ELBO and the IWAE bound."""
import math

import pytest
import torch
from torch.distributions import Bernoulli, Normal, kl_divergence

from vae_teach.data.digits import load_digits_split
from vae_teach.nets import objectives as elbo
from vae_teach.nets.model import AE, VAE


torch.set_num_threads(1)
LOG_2PI = math.log(2 * math.pi)


def _pair(N=7, m=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(N, m, generator=g, dtype=torch.float64), \
        torch.randn(N, m, generator=g, dtype=torch.float64)


def test_regulariser_is_twice_the_kl_per_dim():
    mu_tilde, zeta = _pair()
    reg = elbo.regulariser(mu_tilde, zeta)
    ref = kl_divergence(Normal(mu_tilde, torch.exp(0.5 * zeta)), Normal(0.0, 1.0))
    torch.testing.assert_close(reg, 2 * ref)
    assert (reg >= 0).all()
    assert elbo.regulariser(torch.zeros(1, 2), torch.zeros(1, 2)).abs().max() == 0


def test_kl_to_prior_matches_torch_distributions():
    mu_tilde, zeta = _pair(N=11, m=4)
    q = Normal(mu_tilde, torch.exp(0.5 * zeta))
    ref = kl_divergence(q, Normal(torch.zeros_like(mu_tilde), torch.ones_like(zeta))).sum(-1)
    torch.testing.assert_close(elbo.kl_to_prior(mu_tilde, zeta), ref)


def test_L_VAE_is_the_slide_formula():
    x = torch.tensor([[1.0, 2.0], [0.0, -1.0]], dtype=torch.float64)
    x_hat = torch.tensor([[0.5, 2.0], [1.0, 1.0]], dtype=torch.float64)
    mu_tilde = torch.tensor([[0.3], [-1.0]], dtype=torch.float64)
    zeta = torch.tensor([[0.0], [math.log(2.0)]], dtype=torch.float64)
    # by hand: sample 1: 0.25 + (0.09 + 1 - 1); sample 2: 5 + (1 + 2 - 1 - log 2)
    expected = 0.25 + 0.09 + 5 + 1 + 2 - 1 - math.log(2.0)
    assert elbo.L_VAE(x, x_hat, mu_tilde, zeta).item() == pytest.approx(expected, rel=1e-12)


def test_minus_two_L_b_equals_NM_log_2pi_plus_L_VAE():
    g = torch.Generator().manual_seed(1)
    N, M = 9, 64
    x, x_hat = torch.rand(N, M, generator=g, dtype=torch.float64), \
        torch.rand(N, M, generator=g, dtype=torch.float64)
    mu_tilde, zeta = _pair(N, 2)
    L_b = elbo.L_b_closed_form(x, x_hat, mu_tilde, zeta)
    L_vae = elbo.L_VAE(x, x_hat, mu_tilde, zeta)
    torch.testing.assert_close(-2 * L_b, N * M * LOG_2PI + L_vae)
    per = elbo.L_b_closed_form(x, x_hat, mu_tilde, zeta, per_sample=True)
    assert per.shape == (N,)
    torch.testing.assert_close(per.sum(), L_b)


def test_closed_form_equals_generic_decoder_likelihood_minus_kl():
    """Σ_θ = I: E log N(x; μ_θ(z), I) − KL, evaluated with the same samples, is the closed form."""
    model = VAE(64, 2, hidden=[16], decoder="gaussian").double()
    x = torch.tensor(load_digits_split("test", "raw")[0][:20], dtype=torch.float64)
    mu_tilde, zeta = model.encoder(x)
    from vae_teach.nets.model import reparameterize
    z = reparameterize(mu_tilde, zeta, torch.Generator().manual_seed(0), n_samples=5)
    generic = elbo.log_px_given_z(model, x, z).mean(0) - elbo.kl_to_prior(mu_tilde, zeta)
    closed = elbo.L_b_closed_form(x, model.decode(z), mu_tilde, zeta, per_sample=True)
    torch.testing.assert_close(closed, generic)


def test_monte_carlo_elbo_agrees_with_closed_form():
    model = VAE(64, 2, hidden=[16], decoder="gaussian", seed=2).double()
    x = torch.tensor(load_digits_split("val", "unit")[0][:30], dtype=torch.float64)
    S = 4000
    mc, se = elbo.L_b_monte_carlo(model, x, S, torch.Generator().manual_seed(0))
    with torch.no_grad():
        mu_tilde, zeta = model.encoder(x)
        from vae_teach.nets.model import reparameterize
        z = reparameterize(mu_tilde, zeta, torch.Generator().manual_seed(1), n_samples=S)
        closed = elbo.L_b_closed_form(x, model.decode(z), mu_tilde, zeta)
    assert se > 0
    assert abs(mc - closed) < 5 * se + 1e-6 * abs(closed), (mc, se, closed)


def test_component_log_densities_match_torch():
    g = torch.Generator().manual_seed(0)
    z = torch.randn(4, 5, 3, generator=g)
    mu_tilde, zeta = torch.randn(5, 3, generator=g), torch.randn(5, 3, generator=g)
    torch.testing.assert_close(elbo.log_prior(z), Normal(0.0, 1.0).log_prob(z).sum(-1))
    torch.testing.assert_close(elbo.log_q(z, mu_tilde, zeta),
                               Normal(mu_tilde, torch.exp(0.5 * zeta)).log_prob(z).sum(-1))
    x = (torch.rand(5, 8, generator=g) > 0.5).float()
    logits = torch.randn(5, 8, generator=g)
    torch.testing.assert_close(elbo.bernoulli_log_px(x, logits),
                               Bernoulli(logits=logits).log_prob(x).sum(-1))
    torch.testing.assert_close(elbo.gaussian_log_px(x, logits, 0.7),
                               Normal(logits, math.exp(0.35)).log_prob(x).sum(-1))


@pytest.fixture(scope="module")
def bernoulli_vae_and_x():
    """A random-init Bernoulli VAE: q_φ is far from the posterior, so the IWAE gap is large."""
    return VAE(64, 2, hidden=[32], decoder="bernoulli", seed=0), \
        torch.tensor(load_digits_split("test", "binary")[0][:50])


def test_iwae_bound_exceeds_elbo_and_grows_with_k(bernoulli_vae_and_x):
    model, x = bernoulli_vae_and_x
    bounds = {k: elbo.iwae_bound(model, x, k, torch.Generator().manual_seed(k)).item()
              for k in (1, 10, 100)}
    mc, se = elbo.L_b_monte_carlo(model, x, 200, torch.Generator().manual_seed(7))
    assert abs(bounds[1] - mc.item()) < 5 * math.sqrt(se.item() ** 2 + (se.item() * 14) ** 2)
    assert mc.item() + 5 * se.item() < bounds[10] < bounds[100], (mc, bounds)
    per = elbo.iwae_bound(model, x, 10, torch.Generator().manual_seed(0), per_sample=True)
    assert per.shape == (50,)


@pytest.mark.parametrize("chunk", [100, 7])
def test_iwae_bound_matches_a_direct_computation(bernoulli_vae_and_x, chunk):
    """log (1/k) Σ_s p(x|z_s) p(z_s) / q(z_s|x) with torch.distributions, same draws."""
    model, x = bernoulli_vae_and_x
    k = 20
    got = elbo.iwae_bound(model, x, k, torch.Generator().manual_seed(3), per_sample=True,
                          chunk=chunk)
    with torch.no_grad():
        mu_tilde, zeta = model.encode(x)
        g = torch.Generator().manual_seed(3)
        eps = torch.cat([torch.randn((min(chunk, k - s), *mu_tilde.shape), generator=g)
                         for s in range(0, k, chunk)])
        z = mu_tilde + torch.exp(0.5 * zeta) * eps
        q = Normal(mu_tilde, torch.exp(0.5 * zeta))
        log_w = (Bernoulli(logits=model.decode_params(z)).log_prob(x).sum(-1)
                 + Normal(0.0, 1.0).log_prob(z).sum(-1) - q.log_prob(z).sum(-1))
        ref = torch.logsumexp(log_w, 0) - math.log(k)
    torch.testing.assert_close(got, ref)


@pytest.mark.parametrize("k, exc", [(0, ValueError), (-3, ValueError), (2.5, TypeError),
                                    (True, TypeError)])
def test_iwae_k_is_validated(bernoulli_vae_and_x, k, exc):
    model, x = bernoulli_vae_and_x
    with pytest.raises(exc, match="k"):
        elbo.iwae_bound(model, x, k)


def test_bad_inputs():
    with pytest.raises(ValueError, match="same shape"):
        elbo.regulariser(torch.zeros(2, 3), torch.zeros(2, 4))
    with pytest.raises(ValueError, match="x_hat"):
        elbo.L_VAE(torch.zeros(2, 3), torch.zeros(2, 4), torch.zeros(2, 1), torch.zeros(2, 1))
    with pytest.raises(TypeError, match="tensor"):
        elbo.L_VAE([[0.0]], [[0.0]], torch.zeros(1, 1), torch.zeros(1, 1))
    with pytest.raises(TypeError, match="AE"):
        elbo.iwae_bound(AE(4, 2, hidden=[3]), torch.zeros(2, 4), 5)
    with pytest.raises(ValueError, match="n_samples"):
        elbo.L_b_monte_carlo(VAE(4, 2, hidden=[3]), torch.zeros(2, 4), 1)
