"""Pictures of estimating p_θ(x) by sampling: prior sampling failing as the data dimension M
grows (notebook 03), and the importance-weighted bound L_k climbing to log p_θ(x) (notebook 04).

Numbers in (``maths.importance.DimensionSweep``, ``maths.importance.IWAECurve``), a Figure out,
built without pyplot."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from vae_teach.maths.importance import DimensionSweep, IWAECurve
from vae_teach.viz.style import COLORS, new_figure, style


__all__ = ["fig_naive_mc_dimension", "fig_iwae_curve"]


def fig_naive_mc_dimension(sweep: DimensionSweep) -> Figure:
    """Left: error of prior-sampling log p̂(x) (mean over points, ± its own mean s.e.) vs M.
    Right: ESS / n and the best draw's share of the total weight vs M (log scales)."""
    if not isinstance(sweep, DimensionSweep):
        raise TypeError(f"sweep must be a DimensionSweep (maths.importance."
                        f"naive_mc_by_dimension), got {type(sweep).__name__}.")
    dims = np.asarray(sweep.dims, dtype=float)
    with style():
        fig = new_figure(9.0, 3.2)
        ax_e, ax_w = fig.subplots(1, 2)
        ax_e.errorbar(dims, sweep.error, yerr=2 * np.asarray(sweep.standard_error), fmt="o-",
                      color=COLORS["q"], capsize=3,
                      label=r"estimate $-$ exact, $\pm 2$ of its own s.e.")
        ax_e.axhline(0.0, color=COLORS["loglik"], ls="--", label="exact (error 0)")
        ax_e.set_xscale("log")
        ax_e.set_xlabel("data dimension $M$")
        ax_e.set_ylabel(r"error of $\log \hat p(x)$ (nats)")
        ax_e.set_title(f"prior sampling, n = {sweep.n_samples} draws")
        ax_e.legend(loc="lower left")
        ax_w.loglog(dims, np.asarray(sweep.ess) / sweep.n_samples, "o-", color=COLORS["q"],
                    label="ESS / n")
        ax_w.loglog(dims, sweep.max_weight, "s-", color=COLORS["gap"],
                    label="share of the best draw")
        ax_w.axhline(0.5, color="0.6", lw=0.8, ls=":")
        ax_w.text(dims[0], 0.55, "one half", color="0.4", fontsize=8, va="bottom")
        ax_w.set_xlabel("data dimension $M$")
        ax_w.set_ylabel("fraction")
        ax_w.set_title("how many draws carry the average")
        ax_w.legend(loc="center right")
        for ax in (ax_e, ax_w):
            ax.set_xticks(dims, [f"{d:g}" for d in dims])
            ax.tick_params(axis="x", which="minor", bottom=False)
    return fig


def fig_iwae_curve(curve: IWAECurve, chi2: float | None = None) -> Figure:
    """Left: L_k ± 2 s.e. against k with log p_θ(x) (dashed) and L_b (dotted).
    Right: the gap log p − L_k on log-log axes, and χ²/(2k) when ``chi2`` is given."""
    if not isinstance(curve, IWAECurve):
        raise TypeError(f"curve must be an IWAECurve (maths.importance.iwae_curve), got "
                        f"{type(curve).__name__}.")
    if not (np.isfinite(curve.log_p) and np.isfinite(curve.L_b)):
        raise ValueError("curve needs the exact log_p and L_b (maths.importance.iwae_curve "
                         "attaches them); for a curve without them use its L_k directly.")
    ks = np.asarray(curve.ks, dtype=float)
    with style():
        fig = new_figure(9.0, 3.2)
        ax_l, ax_g = fig.subplots(1, 2)
        ax_l.errorbar(ks, curve.L_k, yerr=2 * curve.standard_error, fmt="o-", color=COLORS["q"],
                      capsize=3, label=r"$L_k$ $\pm 2$ s.e.")
        ax_l.axhline(curve.log_p, color=COLORS["loglik"], ls="--",
                     label=rf"$\log p_\theta(x) = {curve.log_p:.3f}$")
        ax_l.axhline(curve.L_b, color=COLORS["L_b"], ls=":",
                     label=rf"$L_b = L_1 = {curve.L_b:.3f}$")
        ax_l.set_xscale("log", base=2)
        ax_l.set_xlabel("number of importance samples $k$")
        ax_l.set_ylabel("nats")
        ax_l.legend(loc="center right")
        gap = curve.gap
        ax_g.errorbar(ks, np.where(gap > 0, gap, np.nan), yerr=2 * curve.standard_error,
                      fmt="o-", color=COLORS["gap"], capsize=3, label=r"$\log p - L_k$")
        if chi2 is not None and np.isfinite(chi2):
            ax_g.plot(ks, chi2 / (2 * ks), color="0.4", ls="--", label=r"$\chi^2 / (2k)$")
        ax_g.set_xscale("log", base=2)
        ax_g.set_yscale("log")
        ax_g.grid(True, which="both", color="0.9", lw=0.6)
        ax_g.set_xlabel("number of importance samples $k$")
        ax_g.set_ylabel("gap (nats)")
        ax_g.legend(loc="lower left")
        for ax in (ax_l, ax_g):
            ax.set_xticks(ks, [f"{k:g}" for k in ks])
            ax.tick_params(axis="x", which="minor", bottom=False)
    return fig
