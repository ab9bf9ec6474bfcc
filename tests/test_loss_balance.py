"""The last VAE LOSS FUNCTION slides: L_VAE = −2·L_b − N·M·log 2π, why ζ, the balance β."""
import math

import numpy as np
import pytest
import torch

from vae_teach.maths import vae_loss as lb
from vae_teach.nets.objectives import L_VAE, L_b_closed_form


def test_L_VAE_is_minus_two_L_b_minus_NM_log_2pi():
    """With the same samples x̂ the package's L_b (slide's simpler form) and L_VAE satisfy
    L_VAE = −2 L_b − N M log 2π; the sign-flipped constant (+N M log 2π) is off by 2NM log 2π."""
    x, x_hat, mu, zeta = (torch.from_numpy(a) for a in lb.random_batch(5, 64, 3, rng=0))
    L_b = float(L_b_closed_form(x, x_hat, mu, zeta))
    loss = float(L_VAE(x, x_hat, mu, zeta))
    assert lb.L_VAE_from_L_b(L_b, 5, 64) == pytest.approx(loss, rel=1e-12)
    wrong = -2 * L_b + 5 * 64 * math.log(2 * math.pi)
    assert wrong - loss == pytest.approx(2 * 5 * 64 * math.log(2 * math.pi), rel=1e-12)


def test_slide_L_VAE_variant_matches_package_L_VAE():
    x, x_hat, mu, zeta = lb.random_batch(4, 64, 2, rng=1)
    ref = float(L_VAE(*(torch.from_numpy(a) for a in (x, x_hat, mu, zeta))))
    assert lb.LOSS_VARIANTS[0].fn(x, x_hat, mu, zeta) == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("variant", lb.LOSS_VARIANTS, ids=lambda v: v.name)
def test_every_variant_is_a_rescaled_beta_vae(variant):
    N, M = 8, 64
    s = lb.measure_scale_beta(variant.fn, N, M, seed=3)
    assert s.c == pytest.approx(variant.c(N, M), rel=1e-9)
    assert s.beta == pytest.approx(variant.beta(N, M), rel=1e-9)
    assert s.const == pytest.approx(variant.const(N, M), rel=1e-9, abs=1e-9)
    assert s.max_residual <= 1e-9 * max(1.0, abs(s.const))


def test_measure_detects_a_loss_that_is_not_of_the_form():
    """A squared KL is not c(R + βK) + const: the residual must show it."""
    s = lb.measure_scale_beta(lambda x, xh, mu, z: lb.reconstruction_R(x, xh)
                              + lb.regulariser_K(mu, z) ** 2)
    assert s.max_residual > 1.0


def test_beta_table_lists_variants():
    table = lb.beta_table()
    assert all(v.name in table for v in lb.LOSS_VARIANTS) and "NO" not in table


def test_toy_losses_agree_and_optimum():
    a = 7.0
    sigma = np.linspace(0.05, 3, 50)
    np.testing.assert_allclose(lb.toy_sigma_loss(sigma, a), lb.toy_zeta_loss(np.log(sigma ** 2), a))
    s_opt, z_opt = lb.toy_optimum(a)
    assert s_opt ** 2 == pytest.approx(1 / 8) and math.exp(z_opt) == pytest.approx(1 / 8)
    grid = np.linspace(0.01, 2, 20001)
    assert grid[np.argmin(lb.toy_sigma_loss(grid, a))] == pytest.approx(s_opt, abs=2e-4)
    assert np.isnan(lb.toy_sigma_loss(-0.5, a))


@pytest.mark.parametrize("a", [0.0, 3.0, 100.0])
def test_zeta_landscape_is_one_bowl_shifted_and_curvatures(a):
    _, z_opt = lb.toy_optimum(a)
    u = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(lb.toy_zeta_loss(z_opt + u, a) - math.log1p(a),
                               lb.toy_zeta_loss(u, 0.0), atol=1e-12)
    curv = lb.toy_curvatures(a)
    h = 1e-4
    s_opt, _ = lb.toy_optimum(a)
    f = lambda s: float(lb.toy_sigma_loss(s, a))
    fd_sigma = (f(s_opt + h) - 2 * f(s_opt) + f(s_opt - h)) / h ** 2
    assert curv["sigma"] == pytest.approx(4 * (1 + a)) == pytest.approx(fd_sigma, rel=1e-4)
    assert curv["sigma2"] == pytest.approx((1 + a) ** 2)
    assert curv["zeta"] == pytest.approx(1.0)


def test_descent_in_sigma_breaks_in_zeta_converges():
    for a in (10.0, 100.0):
        for param in ("sigma", "sigma2"):
            d = lb.descend(param, a, 0.5, 0.1, 60)
            assert d.failed_at is not None and np.isnan(d.sigma_tilde[-1])
        d = lb.descend("zeta", a, 0.5, 0.1, 200)
        assert d.failed_at is None
        assert d.sigma_tilde[-1] == pytest.approx(lb.toy_optimum(a)[0], rel=1e-3)
    # with a step below 2/curvature σ̃ converges too (only slowly for small a)
    d = lb.descend("sigma", 100.0, 0.5, 0.5 / lb.toy_curvatures(100.0)["sigma"], 400)
    assert d.failed_at is None
    assert d.sigma_tilde[-1] == pytest.approx(lb.toy_optimum(100.0)[0], rel=1e-3)


@pytest.mark.parametrize("kwargs, match", [
    ({"param": "log"}, "param"), ({"start": 0.0}, "start"), ({"lr": -1.0}, "lr"),
    ({"a": -1.0}, "a "), ({"steps": 0}, "steps"),
])
def test_descend_rejects_bad_input(kwargs, match):
    args = {"param": "zeta", "a": 1.0, "start": 0.5, "lr": 0.1, "steps": 5}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        lb.descend(**args)


def test_L_VAE_from_L_b_validates():
    with pytest.raises(ValueError, match="N"):
        lb.L_VAE_from_L_b(-1.0, 0, 64)
