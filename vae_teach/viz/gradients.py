"""Pictures of gradient estimators through sampling: the spread of the n-sample estimate of
∇_(μ, ζ) E_q f against n, for reparameterisation and the score function (``maths.gradients``).

Pure: numbers in, a Figure out, built without pyplot.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from vae_teach._checks import as_float_array
from vae_teach.maths.gradients import SpreadVsN
from vae_teach.viz.style import COLORS, new_figure, style


__all__ = ["fig_gradient_spread"]


_COMPONENTS = (r"$\partial/\partial\mu$", r"$\partial/\partial\zeta$")


def fig_gradient_spread(spreads: dict, per_sample_variance: dict, title: str = "") -> Figure:
    """Variance of the n-sample gradient estimate against n (log-log), one panel per component
    (∂/∂μ, ∂/∂ζ): measured points for each estimator and its line v/n from the exact
    per-sample variance v.

    spreads: label → :class:`~vae_teach.maths.gradients.SpreadVsN`; per_sample_variance:
    label → (2,) (the same labels).
    """
    if not isinstance(spreads, dict) or not spreads:
        raise TypeError("spreads must be a non-empty dict {label: SpreadVsN}, e.g. "
                        "{'reparam': spread_vs_n(toy, 'reparam')}.")
    if not isinstance(per_sample_variance, dict) or set(per_sample_variance) != set(spreads):
        raise ValueError("per_sample_variance must be a dict with the same labels as spreads "
                         "({label: toy.variance(method)}).")
    colours = [COLORS["q"], COLORS["gap"], COLORS["decoder"], COLORS["ae"]]
    with style():
        fig = new_figure(8.0, 3.2)
        axes = [fig.add_subplot(1, 2, k + 1) for k in range(2)]
        for (label, spread), colour in zip(spreads.items(), colours):
            if not isinstance(spread, SpreadVsN):
                raise TypeError(f"spreads[{label!r}] must be a SpreadVsN (from spread_vs_n), got "
                                f"{type(spread).__name__}.")
            v = as_float_array(per_sample_variance[label], f"per_sample_variance[{label!r}]",
                               ndim=1)
            if v.shape != (2,):
                raise ValueError(f"per_sample_variance[{label!r}] must have shape (2,) "
                                 f"(∂/∂μ, ∂/∂ζ), got {v.shape}.")
            ns = np.asarray(spread.ns, dtype=float)
            line = np.geomspace(ns.min(), ns.max(), 50)
            for k, ax in enumerate(axes):
                ax.plot(ns, spread.variance[:, k], "o", color=colour, label=f"{label} (measured)")
                ax.plot(line, v[k] / line, "-", color=colour, lw=1, alpha=0.7,
                        label=f"{label}: {v[k]:.3g}/n")
        for k, ax in enumerate(axes):
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("number of draws $n$")
            ax.set_ylabel("variance of the estimate")
            ax.set_title(f"{_COMPONENTS[k]} $E_q f$")
            ax.legend(fontsize=8)
        if title:
            fig.suptitle(title)
    return fig
