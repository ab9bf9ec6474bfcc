"""Pure latent-space helpers behind the explorer (vae_teach.measure.codes)."""
import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from vae_teach.maths import prior as maths_prior
from vae_teach.measure import codes as latent
from vae_teach.nets.model import AE, VAE
from vae_teach.viz import images as viz_images
from vae_teach.viz import latent as viz_latent


@pytest.fixture(scope="module")
def vae():
    return VAE(64, 2, hidden=[16], seed=0)


@pytest.fixture(scope="module")
def X():
    return np.random.default_rng(0).uniform(0, 1, (30, 64))


def test_latent_codes_are_encoder_means_for_vae_and_codes_for_ae(vae, X):
    mu_tilde, _ = vae.encode_numpy(X)
    np.testing.assert_allclose(latent.latent_codes(vae, X), mu_tilde, rtol=1e-6)
    ae = AE(64, 2, hidden=[16], seed=1)
    np.testing.assert_allclose(latent.latent_codes(ae, X), ae.encode_numpy(X), rtol=1e-6)
    assert latent.latent_codes(vae, X).shape == (30, 2)


def test_decode_image_is_the_decoder_mean_as_8x8(vae):
    z = np.array([0.5, -1.0])
    img = latent.decode_image(vae, z)
    assert img.shape == (8, 8)
    np.testing.assert_allclose(img.ravel(), vae.decode_numpy(z[None])[0], atol=1e-6)
    assert not np.allclose(img, latent.decode_image(vae, [2.0, 1.0]))
    batch = latent.decode_images(vae, [[0.5, -1.0], [2.0, 1.0]])
    assert batch.shape == (2, 8, 8)
    np.testing.assert_allclose(batch[0], img, atol=1e-6)


@pytest.mark.parametrize("z, match", [([1.0, 2.0, 3.0], "m = 2"), ([np.nan, 0.0], "NaN"),
                                      ([[0.0, 1.0]], "one code"), ("ab", "numbers")])
def test_decode_image_rejects_bad_codes(vae, z, match):
    with pytest.raises((ValueError, TypeError), match=match):
        latent.decode_image(vae, z)


def test_check_2d_latent_names_the_dimension():
    with pytest.raises(ValueError, match="3-D latent space"):
        latent.check_2d_latent(VAE(64, 3, hidden=[8]))
    with pytest.raises(TypeError, match="VAE or AE"):
        latent.check_2d_latent(object())


def test_check_in_box():
    np.testing.assert_array_equal(viz_latent.check_in_box([1.0, -4.0], 4.0), [1.0, -4.0])
    with pytest.raises(ValueError, match=r"z\[1\] = -7.5 is outside .* \[-4, 4\]"):
        viz_latent.check_in_box([0.0, -7.5], 4.0)


def test_latent_box_covers_codes_and_the_prior():
    assert viz_latent.latent_box(np.zeros((3, 2))) == 4.0
    Z = np.array([[12.3, -1.0], [0.0, -20.0]])
    box = viz_latent.latent_box(Z)
    assert box >= 20.0 * 1.1 and box == int(box)


def test_interpolate_codes_is_the_straight_line():
    z_a, z_b = np.array([0.0, 2.0]), np.array([4.0, -2.0])
    Z = maths_prior.interpolate_codes(z_a, z_b, 5)
    assert Z.shape == (5, 2)
    np.testing.assert_allclose(Z[0], z_a)
    np.testing.assert_allclose(Z[-1], z_b)
    np.testing.assert_allclose(Z[2], (z_a + z_b) / 2)
    np.testing.assert_allclose(np.diff(Z, axis=0), np.tile((z_b - z_a) / 4, (4, 1)))
    with pytest.raises(ValueError, match="at least 2"):
        maths_prior.interpolate_codes(z_a, z_b, 1)
    with pytest.raises(ValueError, match="same length"):
        maths_prior.interpolate_codes(z_a, [1.0, 2.0, 3.0], 3)


def test_prior_samples_are_seeded_standard_normal():
    a = maths_prior.prior_samples(2, 20000, seed=3)
    np.testing.assert_array_equal(a, maths_prior.prior_samples(2, 20000, seed=3))
    assert not np.array_equal(a, maths_prior.prior_samples(2, 20000, seed=4))
    np.testing.assert_allclose(a.mean(0), 0.0, atol=0.03)
    np.testing.assert_allclose(np.cov(a.T), np.eye(2), atol=0.04)


def test_tile_places_images_row_by_row():
    images = np.arange(5)[:, None, None] * np.ones((5, 2, 3))
    grid = viz_images.tile(images, ncols=3, pad=1, fill=-1.0)
    assert grid.shape == (2 * 2 + 1, 3 * 3 + 2)
    assert grid[0, 0] == 0 and grid[0, 4] == 1 and grid[3, 4] == 4
    assert grid[2, 0] == -1 and grid[0, 3] == -1  # gaps
    assert grid[3, 8] == -1  # the empty sixth cell


def test_to_png_round_trip():
    image = np.zeros((8, 8))
    image[2, 3] = 16.0
    png = viz_images.to_png(image, vmax=16.0, zoom=4)
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert rgb.shape == (32, 32, 3)
    assert (rgb[0, 0] == 255).all()          # 0 → white paper
    assert (rgb[2 * 4 + 1, 3 * 4 + 2] < 10).all()  # vmax → black ink
    with pytest.raises(ValueError, match="vmax"):
        viz_images.to_png(image, vmax=0.0)


def test_latent_map_scatters_every_code(vae, X):
    y = np.arange(30) % 10
    fig = viz_latent.latent_map(latent.latent_codes(vae, X), y, title="t")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert sum(len(c.get_offsets()) for c in ax.collections) == 30
    assert len(ax.get_legend().get_texts()) == 10
    with pytest.raises(ValueError, match="m = 2"):
        viz_latent.latent_map(np.zeros((30, 3)), y)


def test_image_grid_figure():
    fig = viz_images.image_grid(np.random.default_rng(0).uniform(size=(6, 8, 8)), ncols=3)
    assert fig.axes[0].images[0].get_array().shape == (17, 26)


def test_prior_quantile_grid_holds_equal_prior_mass():
    from scipy.stats import norm

    Z = maths_prior.prior_quantile_grid(4)
    assert Z.shape == (16, 2)
    q = norm.ppf([0.125, 0.375, 0.625, 0.875])
    np.testing.assert_allclose(Z[:4, 0], q)           # first row: z1 runs left to right
    np.testing.assert_allclose(Z[:4, 1], q[-1])       # … at the largest z2 (top of an image)
    np.testing.assert_allclose(Z[-1], [q[-1], q[0]])
    # each coordinate's values cut N(0, 1) into n equal-mass cells
    np.testing.assert_allclose(norm.cdf(np.unique(Z[:, 0])), (np.arange(4) + 0.5) / 4)


def test_log_prior_matches_scipy():
    from scipy.stats import multivariate_normal

    Z = np.random.default_rng(1).normal(size=(7, 3)) * 2
    np.testing.assert_allclose(maths_prior.log_prior(Z),
                               multivariate_normal(np.zeros(3)).logpdf(Z), rtol=1e-12)


def test_code_stats_of_prior_samples_and_of_shifted_wide_codes():
    Z = maths_prior.prior_samples(2, 20000, seed=0)
    s = maths_prior.prior_fit(Z)
    assert s["mean_norm"] < 0.03 and 0.97 < s["std_min"] <= s["std_max"] < 1.03
    assert abs(s["in_95"] - 0.95) < 0.01
    assert abs(s["log_prior"] - (-np.log(2 * np.pi) - 1.0)) < 0.03   # E‖z‖²/2 = m/2 = 1
    wide = maths_prior.prior_fit(5 * Z + 3)
    assert wide["mean_norm"] > 4 and wide["std_min"] > 4.5 and wide["in_95"] < 0.2
    assert wide["log_prior"] < s["log_prior"] - 10


def test_compare_maps_one_panel_per_model(vae, X):
    y = np.arange(30) % 10
    ae = AE(64, 2, hidden=[16], seed=1)
    fig = viz_latent.compare_maps({name: (latent.latent_codes(m, X), y)
                                   for name, m in (("VAE", vae), ("AE", ae))})
    assert [ax.get_title() for ax in fig.axes] == ["VAE", "AE"]
    assert fig.axes[1].get_legend() is not None and fig.axes[0].get_legend() is None
    with pytest.raises(ValueError, match="'wide'"):
        viz_latent.compare_maps({"wide": (np.zeros((30, 3)), y)})


def test_axis_sweep_moves_one_coordinate(vae):
    images = latent.axis_sweep(vae, 1, limit=3.0, n=4)
    assert images.shape == (4, 8, 8)
    Z = np.array([[0.0, -3.0], [0.0, -1.0], [0.0, 1.0], [0.0, 3.0]])
    np.testing.assert_allclose(images, latent.decode_images(vae, Z), atol=1e-6)
    with pytest.raises(ValueError, match="m = 2 axes"):
        latent.axis_sweep(vae, 2)


def test_notebook_10_claims_hold_on_the_pretrained_models():
    """What notebook 12's text says about the shipped models (guards a weights rebuild)."""
    from vae_teach.nets import pretrained

    def stats(name):
        X, _ = pretrained.load_data(name, "test")
        return maths_prior.prior_fit(latent.latent_codes(pretrained.load(name, False), X))

    vae, ae = stats("vae2d"), stats("ae2d")
    assert vae["in_95"] > 0.9 and 0.85 < vae["std_min"] <= vae["std_max"] < 1.15
    assert ae["in_95"] < 0.3 and ae["log_prior"] < vae["log_prior"] - 10
    beta4 = pretrained.load("vae2d_beta4", False)
    change = [np.abs(np.ptp(latent.axis_sweep(beta4, j)[[0, -1]], axis=0)).max() for j in (0, 1)]
    assert change[1] < 0.1 < 0.4 < change[0]          # z₂ collapsed, z₁ alive
    slide, learned = stats("vae_slide"), stats("vae_learned_var")
    assert slide["std_max"] > 1.4 and slide["in_95"] < 0.8 < 0.9 < learned["in_95"]
