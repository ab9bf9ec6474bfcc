"""plotting.plot_mc_error_vs_n draws the data it is given."""
from __future__ import annotations

import matplotlib


matplotlib.use("Agg")

import numpy as np  # noqa: E402

from vae_teach.maths.lemma import mc_error_vs_n, random_lemma_args  # noqa: E402
from vae_teach.viz.lemma import plot_mc_error_vs_n  # noqa: E402


def test_plot_mc_error_vs_n_draws_curve_on_log_axes(tmp_path):
    args = random_lemma_args(3, np.random.default_rng(0))
    curve = mc_error_vs_n(*args, ns=[10, 100, 1000], n_repeats=5, rng=1)
    fig = plot_mc_error_vs_n(curve)
    (ax,) = fig.axes
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert len(lines) == 3
    points = next(v for k, v in lines.items() if k.startswith("RMS"))
    np.testing.assert_allclose(points.get_xdata(), curve.n)
    np.testing.assert_allclose(points.get_ydata(), curve.rms_error)
    fig.savefig(tmp_path / "mc.png")
    assert (tmp_path / "mc.png").stat().st_size > 1000
