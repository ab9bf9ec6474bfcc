"""Encoder/decoder shapes, reparameterisation, decoder likelihoods vs torch.distributions."""
import numpy as np
import pytest
import torch
from torch.distributions import Bernoulli, Normal

from vae_teach.nets.model import AE, VAE, Encoder, build_model, reparameterize


torch.set_num_threads(1)


@pytest.mark.parametrize("decoder", ["gaussian", "bernoulli", "gaussian_learned"])
def test_vae_shapes(decoder):
    model = VAE(64, 3, hidden=[16], decoder=decoder)
    x = torch.rand(5, 64)
    mu_tilde, zeta = model.encode(x)
    assert mu_tilde.shape == zeta.shape == (5, 3)
    out = model(x)
    assert out.x_hat.shape == (5, 64) and out.z.shape == (5, 3)
    x_hat, mu2, zeta2, z = out  # unpacks like a tuple
    torch.testing.assert_close(mu2, mu_tilde)
    assert model.decode(torch.zeros(2, 3)).shape == (2, 64)
    assert model.log_px_given_z(x, z).shape == (5,)
    assert model.log_px_given_z(x, torch.randn(7, 5, 3)).shape == (7, 5)
    mu_np, zeta_np = model.encode_numpy(x.numpy())
    assert mu_np.shape == (5, 3) and mu_np.dtype == np.float32
    assert model.decode_numpy(np.zeros((2, 3))).shape == (2, 64)


def test_bernoulli_decode_is_probability():
    p = VAE(64, 2, hidden=[8], decoder="bernoulli").decode(torch.randn(10, 2) * 5)
    assert ((p > 0) & (p < 1)).all()


def test_encoder_heads():
    enc = Encoder(10, 4, hidden=[8, 6])
    mu_tilde, zeta = enc(torch.randn(3, 10))
    assert mu_tilde.shape == zeta.shape == (3, 4)


def test_reparameterize_statistics_and_gradients():
    mu_tilde = torch.tensor([[1.0, -2.0]], requires_grad=True)
    zeta = torch.tensor([[0.0, float(np.log(4.0))]], requires_grad=True)
    g = torch.Generator().manual_seed(0)
    z = reparameterize(mu_tilde, zeta, g, n_samples=200_000)
    assert z.shape == (200_000, 1, 2)
    torch.testing.assert_close(z.mean(0), mu_tilde.detach(), atol=0.02, rtol=0)
    torch.testing.assert_close(z.std(0), torch.tensor([[1.0, 2.0]]), atol=0.02, rtol=0)
    z.sum().backward()
    assert mu_tilde.grad is not None and zeta.grad is not None
    # same seed → same draws
    a = reparameterize(mu_tilde, zeta, torch.Generator().manual_seed(5))
    b = reparameterize(mu_tilde, zeta, torch.Generator().manual_seed(5))
    torch.testing.assert_close(a, b)
    with pytest.raises(ValueError, match="same shape"):
        reparameterize(torch.zeros(2, 3), torch.zeros(2, 2))


def test_decoder_log_probs_match_torch_distributions():
    x_bin = (torch.rand(6, 64) > 0.5).float()
    x = torch.rand(6, 64) * 16
    z = torch.randn(6, 2)
    m = VAE(64, 2, hidden=[8], decoder="gaussian")
    ref = Normal(m.decode(z), 1.0).log_prob(x).sum(-1)
    torch.testing.assert_close(m.log_px_given_z(x, z), ref)
    m = VAE(64, 2, hidden=[8], decoder="bernoulli")
    ref = Bernoulli(logits=m.decode_params(z)).log_prob(x_bin).sum(-1)
    torch.testing.assert_close(m.log_px_given_z(x_bin, z), ref)
    for var in ("scalar", "pixel"):
        m = VAE(64, 2, hidden=[8], decoder="gaussian_learned", var=var)
        with torch.no_grad():
            m.decoder.log_sigma2_x.copy_(torch.linspace(-1, 2, m.decoder.log_sigma2_x.numel()))
        scale = torch.exp(0.5 * m.decoder.log_sigma2_x)
        ref = Normal(m.decode(z), scale).log_prob(x).sum(-1)
        torch.testing.assert_close(m.log_px_given_z(x, z), ref)


def test_learned_variance_is_floored():
    m = VAE(4, 1, hidden=[4], decoder="gaussian_learned", min_log_sigma2=-3.0)
    with torch.no_grad():
        m.decoder.log_sigma2_x.fill_(-50.0)
    out = m.decode_params(torch.zeros(1, 1))
    assert m.decoder.log_sigma2(out).item() == -3.0


def test_ae_has_the_vae_architecture():
    vae = VAE(64, 2, hidden=[32, 16], decoder="bernoulli")
    ae = AE(64, 2, hidden=[32, 16], decoder="bernoulli")
    enc_vae = sum(p.numel() for p in vae.encoder.parameters())
    enc_ae = sum(p.numel() for p in ae.encoder.parameters())
    assert enc_vae - enc_ae == 16 * 2 + 2  # only the ζ head is extra
    assert [p.shape for p in vae.decoder.parameters()] == [p.shape for p in ae.decoder.parameters()]
    out = ae(torch.rand(3, 64))
    assert out.x_hat.shape == (3, 64) and out.z.shape == (3, 2)
    assert ae.encode_numpy(np.zeros((1, 64))).shape == (1, 2)


@pytest.mark.parametrize("cls, kwargs", [(VAE, {"decoder": "gaussian_learned", "var": "pixel"}),
                                         (VAE, {"decoder": "bernoulli"}),
                                         (AE, {"decoder": "gaussian"})])
def test_config_rebuilds_the_model(cls, kwargs):
    model = cls(12, 3, hidden=[5, 4], **kwargs, seed=1)
    twin = build_model(model.config)
    twin.load_state_dict(model.state_dict())
    x = torch.rand(4, 12)
    torch.testing.assert_close(twin.encode(x)[0] if cls is VAE else twin.encode(x),
                               model.encode(x)[0] if cls is VAE else model.encode(x))
    assert twin.config == model.config


def test_seed_fixes_initial_weights():
    a, b, c = VAE(8, 2, hidden=[4], seed=3), VAE(8, 2, hidden=[4], seed=3), VAE(8, 2, hidden=[4], seed=4)
    for pa, pb, pc in zip(a.parameters(), b.parameters(), c.parameters()):
        assert torch.equal(pa, pb)
    assert not all(torch.equal(pa, pc) for pa, pc in zip(a.parameters(), c.parameters()))


@pytest.mark.parametrize("kwargs, exc, word", [
    ({"decoder": "poisson"}, ValueError, "decoder"),
    ({"M": 0}, ValueError, "M"),
    ({"m": 1.5}, TypeError, "m"),
    ({"hidden": "big"}, TypeError, "hidden"),
    ({"hidden": [0]}, ValueError, "hidden"),
    ({"decoder": "gaussian_learned", "var": "matrix"}, ValueError, "var"),
])
def test_bad_constructor_arguments(kwargs, exc, word):
    args = {"M": 8, "m": 2, **kwargs}
    with pytest.raises(exc, match=word):
        VAE(**args)


def test_bad_inputs():
    model = VAE(8, 2, hidden=[4])
    with pytest.raises(ValueError, match=r"\(N, 8\)"):
        model.encode(torch.zeros(3, 7))
    with pytest.raises(ValueError, match="AE decoder"):
        AE(8, 2, decoder="gaussian_learned")
    with pytest.raises(ValueError, match="config"):
        build_model({"model": "GAN"})
    with pytest.raises(ValueError, match="does not describe"):
        build_model({"model": "VAE", "M": 8})


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_device():  # pragma: no cover - runs only where a GPU exists
    model = VAE(8, 2, hidden=[4], device="cuda")
    assert model.device.type == "cuda"
    out = model(torch.rand(3, 8), torch.Generator(device="cuda").manual_seed(0))
    assert out.x_hat.device.type == "cuda"


def test_x_scale_is_a_reparameterisation_of_the_network():
    """x_scale = 16 on raw data computes the unit-scale network's numbers times 16."""
    unit = VAE(64, 2, hidden=[8], decoder="gaussian_learned", seed=3)
    raw = VAE(64, 2, hidden=[8], decoder="gaussian_learned", x_scale=16.0, seed=3)
    assert raw.config["x_scale"] == 16.0 and "x_scale" not in unit.config
    x = torch.rand(5, 64)
    torch.testing.assert_close(raw.encode(16 * x), unit.encode(x))
    z = torch.randn(5, 2)
    torch.testing.assert_close(raw.decode(z), 16 * unit.decode(z))
    # same density up to the Jacobian of x ↦ 16x: log p_raw(16x|z) = log p_unit(x|z) − M log 16
    torch.testing.assert_close(raw.log_px_given_z(16 * x, z),
                               unit.log_px_given_z(x, z) - 64 * np.log(16.0))
    slide = VAE(64, 2, hidden=[8], decoder="gaussian", x_scale=16.0)
    ref = Normal(slide.decode(z), 1.0).log_prob(16 * x).sum(-1)  # Σ_θ = I on the raw scale
    torch.testing.assert_close(slide.log_px_given_z(16 * x, z), ref)
    twin = build_model(slide.config)
    twin.load_state_dict(slide.state_dict())
    torch.testing.assert_close(twin.decode(z), slide.decode(z))


@pytest.mark.parametrize("x_scale, exc", [(0.0, ValueError), (-2.0, ValueError),
                                          (float("inf"), ValueError), ("16", TypeError)])
def test_bad_x_scale(x_scale, exc):
    with pytest.raises(exc, match="x_scale"):
        VAE(8, 2, hidden=[4], x_scale=x_scale)
    with pytest.raises(ValueError, match="Bernoulli"):
        VAE(8, 2, hidden=[4], decoder="bernoulli", x_scale=2.0)
