"""Figures of notebooks 08/09 are pure functions returning a Figure that shows the data."""
import numpy as np
import pytest
from matplotlib.figure import Figure

from vae_teach.maths.lines import SlideLine
from vae_teach.viz import images as viz_images
from vae_teach.viz import vae_loss as pl


def _row(label, diff, holds, kind="slide"):
    return SlideLine(label, -10.0 + diff, 0.01, section="CLOSE FORM OF L_b", kind=kind,
                     text="x", difference=diff, difference_se=0.01, holds=holds)


def test_fig_slide_lines_colours_wrong_lines_red():
    lines = [_row("LHS", 0.0, True, "reference"), _row("1", 0.001, True), _row("4", 6.6, False)]
    fig = pl.fig_slide_lines(lines)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Close Form: 1", "Close Form: 4"][::-1] or labels == ["Close Form: 1",
                                                                           "Close Form: 4"]
    colours = {line.get_color() for line in ax.lines if line.get_marker() == "o"}
    assert pl._WRONG in colours and pl._RIGHT in colours


def test_fig_slide_lines_needs_rows():
    with pytest.raises(ValueError, match="slide_lines"):
        pl.fig_slide_lines([_row("LHS", 0, True, "reference")])


def test_fig_zeta_landscape_has_three_panels_and_failure_marks():
    fig = pl.fig_zeta_landscape(a_values=(0.0, 10.0), steps=20)
    assert len(fig.axes) == 3
    crosses = [l for l in fig.axes[2].lines if l.get_marker() == "x" and len(l.get_xdata())]
    assert len(crosses) == 2            # σ̃ and σ̃² descents fail for a = 10 only
    with pytest.raises(ValueError, match="a_values"):
        pl.fig_zeta_landscape(a_values=())


def test_tile_with_nan_gaps_places_images():
    imgs = np.arange(3 * 64).reshape(3, 8, 8)
    grid = viz_images.tile(imgs, 2, pad=0, fill=np.nan)
    assert grid.shape == (16, 16)
    np.testing.assert_array_equal(grid[:8, 8:], imgs[1].reshape(8, 8))
    assert np.isnan(grid[8:, 8:]).all()
    padded = viz_images.tile(imgs, 2, pad=1, fill=np.nan)
    assert padded.shape == (17, 17) and np.isnan(padded[8]).all()
    np.testing.assert_array_equal(padded[9:, :8], imgs[2].reshape(8, 8))


def test_fig_beta_effects_two_rows():
    rng = np.random.default_rng(0)
    panels = [{"title": f"β = {b}", "mu_tilde": rng.normal(size=(30, 2)),
               "samples": rng.random((36, 64))} for b in (0.5, 4)]
    fig = pl.fig_beta_effects(panels, labels=rng.integers(0, 10, 30))
    assert len([a for a in fig.axes if a.get_label() != "<colorbar>"]) == 4
    with pytest.raises(ValueError, match="panels"):
        pl.fig_beta_effects([], labels=[])
