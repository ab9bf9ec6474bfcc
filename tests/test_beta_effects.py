"""beta_effects: reconstruction, KL and active units measured on a model."""
import numpy as np
import pytest
import torch

from vae_teach.measure.experiments import beta_panel, beta_stats, beta_stats_table
from vae_teach.nets.model import VAE


def _model(collapse_dim=None):
    model = VAE(16, 3, hidden=[8], seed=0)
    if collapse_dim is not None:
        with torch.no_grad():   # q(z_j|x) = N(0, 1) for every x: a collapsed dimension
            for head in (model.encoder.mu_head, model.encoder.zeta_head):
                head.weight[collapse_dim].zero_()
                head.bias[collapse_dim].zero_()
    return model


def _X():
    return np.random.default_rng(0).random((50, 16)).astype(np.float32) * 4


def test_collapsed_dimension_has_zero_kl_and_is_inactive():
    s = beta_stats(_model(collapse_dim=1), _X())
    assert s.kl_per_dim[1] == pytest.approx(0.0, abs=1e-7)
    assert s.activity[1] == pytest.approx(0.0, abs=1e-12)
    assert s.kl == pytest.approx(s.kl_per_dim.sum())


def test_stats_match_direct_computation():
    model, X = _model(), _X()
    s = beta_stats(model, X, threshold=1e-3)
    mu, zeta = model.encode_numpy(X)
    kl = 0.5 * np.sum(mu ** 2 + np.exp(zeta) - 1 - zeta, axis=1).mean()
    x_hat = model.decode_numpy(mu)
    assert s.kl == pytest.approx(float(kl), rel=1e-5)
    assert s.rec == pytest.approx(float(np.mean(np.sum((X - x_hat) ** 2, axis=1))), rel=1e-5)
    assert s.active == int(np.sum(np.var(mu, axis=0) > 1e-3))


def test_panel_and_table():
    model, X = _model(), _X()
    p = beta_panel(model, X, "β = 1", n_samples=4, seed=1)
    assert p["mu_tilde"].shape == (50, 3) and p["samples"].shape == (4, 16)
    np.testing.assert_array_equal(p["samples"], beta_panel(model, X, "x", 4, seed=1)["samples"])
    table = beta_stats_table({"a": model, "b": _model(0)}, X)
    assert table.count("\n") == 2 and "/3" in table
    with pytest.raises(ValueError, match="threshold"):
        beta_stats(model, X, threshold=0)
