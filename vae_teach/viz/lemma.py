"""Pictures of the Gaussian lemma: the Monte Carlo error against n (pure: numbers in, Figure out).

Built without pyplot (``viz.style.new_figure``), so nothing global changes; show one in a notebook
with ``display(fig)`` or as a cell's last expression. Each notebook's plots sit in their own
section below.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from vae_teach.viz.style import COLORS, new_figure, style


# --------------------------------------------------------------------------------------------
# 07 · Gaussian lemma (slide CLOSE FORM): Monte-Carlo error against the number of samples
# --------------------------------------------------------------------------------------------


def plot_mc_error_vs_n(curve, title: str | None = None) -> Figure:
    """Log-log plot of the Monte-Carlo error of the lemma against the sample size n.

    ``curve`` is a :class:`vae_teach.maths.lemma.MCErrorCurve` (from ``mc_error_vs_n``): points
    are the root-mean-square error |MC − closed form| over repeats at each n, the solid line the
    exact std/√n (slope −½ on log-log axes), the dashed line the average estimated standard
    error. Returns the figure (one axes).
    """
    n = np.asarray(curve.n, dtype=float)
    with style():
        fig = new_figure(5.0, 3.4)
        ax = fig.add_subplot()
        ax.loglog(n, curve.predicted, "-", color=COLORS["loglik"], lw=1.2,
                  label=r"exact $\mathrm{std}/\sqrt{n}$  (slope $-\frac{1}{2}$)")
        ax.loglog(n, curve.mean_standard_error, "--", color=COLORS["gap"], lw=1.2,
                  label="average estimated s.e.")
        ax.loglog(n, curve.rms_error, "o", color=COLORS["vae"], ms=6,
                  label="RMS error of the MC mean")
        ax.set_xlabel("number of samples $n$")
        ax.set_ylabel("error (nats)")
        ax.set_title(title or r"Monte-Carlo error of $\mathbb{E}[\log\mathcal{N}(\xi;\mu,\Sigma)]$")
        ax.legend(loc="lower left")
        ax.grid(True, which="major", alpha=0.3)
    return fig
