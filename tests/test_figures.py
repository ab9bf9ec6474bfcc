"""Every figure of ``vae_teach.figures`` renders (expected pixel size, not blank) and is
deterministic (the same PNG bytes when drawn twice), and ``make figures``' script works."""
from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.image import imread

from vae_teach import figures
from vae_teach.style import savefig

# Expected PNG size (width, height) in pixels at 100 dpi.
SIZES = {
    "ae_vs_vae": (900, 560),
    "gaussian_encoder_decoder": (1100, 360),
    "lower_bound": (1100, 420),
    "em": (1200, 390),
}


def _png(fig, tmp_path, tag):
    path = savefig(fig, tmp_path / f"{tag}.png")
    return path.read_bytes()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Each figure built and saved twice (fresh builds): name → (bytes_1, bytes_2)."""
    tmp = tmp_path_factory.mktemp("figs")
    out = {}
    for name, spec in figures.FIGURES.items():
        out[name] = tuple(_png(spec.build(), tmp, f"{name}_{k}") for k in (1, 2))
    return out


def test_registry_has_every_expected_figure():
    assert set(figures.FIGURES) == set(SIZES)


@pytest.mark.parametrize("name", sorted(SIZES))
def test_figure_renders(rendered, name):
    data = rendered[name][0]
    assert len(data) > 10_000, "PNG suspiciously small"
    assert len(data) < 150 * 1024, "PNG larger than 150 KB; lower the dpi or simplify"
    img = imread(io.BytesIO(data), format="png")
    assert (img.shape[1], img.shape[0]) == SIZES[name]
    assert img[..., :3].var() > 1e-3, "figure is blank"


@pytest.mark.parametrize("name", sorted(SIZES))
def test_figure_is_deterministic(rendered, name):
    first, second = rendered[name]
    assert first == second


def test_svg_is_deterministic(tmp_path):
    a = savefig(figures.fig_ae_vs_vae(), tmp_path / "a.svg").read_bytes()
    b = savefig(figures.fig_ae_vs_vae(), tmp_path / "b.svg").read_bytes()
    assert a == b
    assert b"<svg" in a and b"Date" not in a


def test_main_writes_requested_figures(tmp_path, capsys):
    assert figures.main(["--out", str(tmp_path), "ae_vs_vae"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ae_vs_vae.png", "ae_vs_vae.svg"]
    assert "wrote" in capsys.readouterr().out


def test_unknown_name_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="unknown figure name"):
        figures.write_figures(tmp_path, ["no_such_figure"])
    with pytest.raises(SystemExit):
        figures.main(["--out", str(tmp_path), "no_such_figure"])


def test_bad_suffix_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="suffix"):
        savefig(figures.fig_ae_vs_vae(), tmp_path / "x.jpg")


def test_gaussian_panel_uses_exact_posterior():
    # the encoder drawn is the linear-Gaussian posterior: check against Bayes on a grid
    x_i, w, b, s = 2.0, 1.5, 0.0, 0.7
    mu_t, sig_t = figures.linear_gaussian_posterior(x_i, w, b, s)
    z = np.linspace(-6, 6, 20001)
    post = np.exp(-0.5 * z ** 2 - 0.5 * ((x_i - w * z - b) / s) ** 2)
    post /= np.trapezoid(post, z)
    assert np.trapezoid(z * post, z) == pytest.approx(mu_t, abs=1e-6)
    assert np.sqrt(np.trapezoid((z - mu_t) ** 2 * post, z)) == pytest.approx(sig_t, abs=1e-6)
    with pytest.raises(ValueError, match="sigma_x"):
        figures.fig_gaussian_encoder_decoder(sigma_x=0.0)


@pytest.fixture(scope="module")
def digits_ppca():
    from vae_teach import em
    from vae_teach.data import load_digits_split
    from vae_teach.ppca import PPCA

    X, _ = load_digits_split("train", scale="raw")
    history = em.run_em(X, 2, n_steps=6, theta0=em.init_params(X.shape[1], 2, seed=0))
    return X, PPCA.fit(X, 2), history


def test_lower_bound_numbers_obey_the_identity(digits_ppca):
    X, model, _ = digits_ppca
    rows = figures.lower_bound_table(X, model, figures.example_qs(X, model))
    log_p = rows[0]["log_p"]
    for r in rows:
        assert abs(r["residual"]) <= 1e-9 * abs(log_p)      # L_b + KL = log p(X)
        assert r["kl"] >= 0 and r["L_b"] <= log_p + 1e-9 * abs(log_p)
    assert rows[0]["kl"] == pytest.approx(0.0, abs=1e-10)    # exact posterior: no gap
    assert rows[-1]["kl"] == max(r["kl"] for r in rows)      # the prior is the worst q here


def test_em_slice_touches_at_old_theta_and_peaks_at_new(digits_ppca):
    X, _, history = digits_ppca
    s, log_p, L_b = figures.em_slice(X, history, step=2, s=np.linspace(-0.5, 1.5, 41))
    k0, k1 = 10, 30                                          # s = 0 and s = 1
    assert abs(log_p[k0] - L_b[k0]) <= 1e-9 * abs(log_p[k0])   # E-step: bound touches
    assert np.all(L_b <= log_p + 1e-9 * np.abs(log_p))         # a lower bound everywhere
    assert np.argmax(L_b) == k1                                # M-step: argmax of L_b(·, q_t)
    assert log_p[k1] > log_p[k0]                               # and log p went up


def test_em_figure_rejects_out_of_range_steps(digits_ppca):
    X, _, history = digits_ppca
    with pytest.raises(ValueError, match="first, n_show and step"):
        figures.fig_em(X, history, first=4, n_show=5)
