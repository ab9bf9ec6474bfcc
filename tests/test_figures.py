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
