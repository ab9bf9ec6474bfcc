"""Figures of notebooks 01/02 (vae_teach.viz.latent) build, draw the measured data, and are
pure (same PNG bytes twice)."""
from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.figure import Figure

from vae_teach.measure.codes import CodeStats, CodeTracker
from vae_teach.viz import latent as P
from vae_teach.viz import vae_loss


def _png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _runs():
    """Two fake runs with known per-epoch stats, as train_with_and_without_kl returns."""
    runs = {}
    for beta, scale in [(0.0, 0.01), (1.0, 0.5)]:
        tracker = CodeTracker(None, np.zeros((1, 2)))
        for e in range(5):
            tracker.stats.append(CodeStats(np.full(2, e * scale), np.ones(2) + e,
                                           np.full(2, scale / (e + 1)), 1.0))
        runs[beta] = (None, tracker)
    return runs


@pytest.mark.parametrize("build, n_axes", [
    (lambda: vae_loss.fig_regulariser(), 3),
    (lambda: P.fig_code_traces(_runs()), 3),
    (lambda: P.fig_sample_grids({"a": np.zeros((20, 64)), "b": np.ones((20, 64))}), 2),
    (lambda: P.fig_codes_and_prior({"AE": np.ones((30, 2)), "VAE": np.zeros((30, 2))},
                                   np.arange(30) % 10), 2),
])
def test_figures_build_and_are_deterministic(build, n_axes):
    fig = build()
    assert isinstance(fig, Figure)
    assert len([ax for ax in fig.axes if ax.get_label() != "<colorbar>"]) >= n_axes
    assert _png(fig) == _png(build())


def test_code_traces_plot_the_tracked_numbers():
    fig = P.fig_code_traces(_runs())
    line = fig.axes[0].get_lines()[0]           # β = 0, dim 1, median σ̃
    np.testing.assert_allclose(line.get_ydata(), 0.01 / np.arange(1, 6))
    assert fig.axes[0].get_yscale() == "log"
