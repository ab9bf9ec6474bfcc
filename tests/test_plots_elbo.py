"""Figures of notebooks 03/04/06 render (not blank), the ELBO widget works headless, and bad
values become a message in the widget instead of an exception."""
from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.figure import Figure

from vae_teach.maths.quadrature import LatentGrid1D
from vae_teach.viz.bounds import (fig_argmax, fig_bound_vs_mean, fig_elbo_gap,
                                  fig_marginal_integrand, fig_mc_convergence, fig_minibatch,
                                  fig_mle_ascent)
from vae_teach.widgets.elbo_gap import ElboGapWidget


@pytest.fixture(scope="module")
def grid():
    return LatentGrid1D(lambda z: np.stack([z ** 2, 0.3 * z], axis=-1), 0.1, n_points=1501)


X1 = np.array([1.0, 0.0])


def _not_blank(fig: Figure) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    from matplotlib.image import imread
    buf.seek(0)
    img = imread(buf)
    assert img.std() > 0.01


def test_every_figure_renders(grid):
    figs = [
        fig_marginal_integrand(grid, X1),
        fig_mc_convergence([10, 100, 1000], [-1.6, -1.5, -1.48], [0.2, 0.05, 0.01], -1.476),
        fig_argmax(np.linspace(0.1, 2, 30), -(np.linspace(0.1, 2, 30) - 1) ** 2 - 5),
        fig_mle_ascent(-10 + 9 * (1 - np.exp(-np.arange(50) / 10)), -1.0),
        fig_elbo_gap(grid, X1, 0.5, -1.0),
        fig_bound_vs_mean(grid, X1, -2.0, np.linspace(-2, 2, 21)),
        fig_minibatch({"exact terms": np.random.default_rng(0).normal(size=500)}, 0.0),
    ]
    for fig in figs:
        assert isinstance(fig, Figure)
        _not_blank(fig)


def test_elbo_figure_rejects_q_outside_the_grid(grid):
    with pytest.raises(ValueError, match="does not fit the grid"):
        fig_elbo_gap(grid, X1, 0.0, 5.0)


def test_minibatch_figure_needs_a_dict():
    with pytest.raises(TypeError, match="dict"):
        fig_minibatch([1.0, 2.0], 0.0)


def test_widget_headless(grid):
    w = ElboGapWidget(grid, X1, mu_tilde=0.5, zeta=-1.0)
    assert "log p(x)" in w.status.value and "KL" in w.status.value
    first = w.image.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n"                     # drawn into the Image
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    w.zeta.value = -2.0                                      # slider change redraws
    assert "residual" in w.status.value and w.image.value != first
    assert isinstance(w.snapshot(), Figure)


def test_widget_fit_button_closes_to_the_best_gaussian(grid):
    w = ElboGapWidget(grid, X1, mu_tilde=0.5, zeta=-1.0)
    w._on_fit()
    mu, zeta = grid.best_gaussian_q(X1, 0.5, -1.0)
    assert w.mu.value == pytest.approx(mu, abs=0.05)
    assert grid.bound(X1, w.mu.value, w.zeta.value).kl < grid.bound(X1, 0.5, -1.0).kl


def test_widget_shows_errors_and_keeps_running(grid):
    w = ElboGapWidget(grid, X1)
    assert w.show(0.0, 5.0) is False
    assert "does not fit the grid" in w.status.value
    assert w.show(0.0, -1.0) is True
    with pytest.raises(ValueError, match="does not fit"):
        ElboGapWidget(grid, X1, mu_tilde=0.0, zeta=5.0)
    with pytest.raises(TypeError, match="LatentGrid1D"):
        ElboGapWidget("grid", X1)


def test_blitted_picture_equals_a_full_redraw(grid):
    """The widget's fast path (cached background + animated artists) shows the same pixels as
    drawing the figure from scratch at the same q."""
    import io

    from PIL import Image

    from vae_teach.viz.bounds import ElboGapFigure

    fast = ElboGapFigure(grid, X1, mu_tilde=0.5, zeta=-1.0)
    fast.update(-0.3, -2.0)
    fresh = ElboGapFigure(grid, X1, mu_tilde=-0.3, zeta=-2.0)
    a = np.asarray(Image.open(io.BytesIO(fast.png())).convert("RGB"), dtype=int)
    b = np.asarray(Image.open(io.BytesIO(fresh.png())).convert("RGB"), dtype=int)
    assert a.shape == b.shape
    assert np.mean(np.abs(a - b) > 8) < 0.002          # antialiasing may differ on edges only
    static = fig_elbo_gap(grid, X1, mu_tilde=-0.3, zeta=-2.0)   # drawn whole, no blitting
    static.canvas.draw()
    c = np.asarray(static.canvas.buffer_rgba(), dtype=int)[..., :3]
    assert c.shape == a.shape[:2] + (3,)
    assert np.mean(np.abs(a - c).max(axis=-1) > 16) < 0.005    # palette + edges only
    with pytest.raises(ValueError, match="does not fit the grid"):
        fast.update(0.0, 5.0)
    with pytest.raises(ValueError, match="animated=True"):
        ElboGapFigure(grid, X1, animated=False).png()
