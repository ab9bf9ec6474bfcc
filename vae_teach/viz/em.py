"""EM and the VAE side by side (VAE V.S. EM ALGORITHM). Pure: numbers in, ``Figure`` out."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from vae_teach.viz.style import COLORS, new_figure, style


__all__ = ['fig_em_vs_vae']


def _below(best: float, values) -> np.ndarray:
    """best − values, floored at 1e-6 so that exact zeros still show on a log axis."""
    return np.maximum(best - np.asarray(values, float), 1e-6)


def fig_em_vs_vae(em_history, vae_terms: dict, N: int, log_lik_mle: float) -> Figure:
    """Both runs against the same target, per image, on a log axis: how far log p(X; θ) and
    L_b are below the maximum log-likelihood log p(X; θ_MLE).

    Left, EM (``maths.em.EMHistory``) by step t: log p(θ^(t)), L_b after the E-step (on top of log p:
    gap 0) and L_b(θ^(t), q^(t−1)) before it. Middle, the VAE (``vae_terms`` =
    ``ExactTracker.arrays()``) by epoch: exact log p and exact L_b; the vertical distance
    between them is the KL gap its amortised q_φ leaves. Dotted: where EM ended. Right: the KL
    gaps themselves (EM after the E-step: |log p − L_b|, rounding error only, floored at 1e-6).
    """
    best = log_lik_mle / N
    h = em_history
    t = np.arange(1, len(h.log_lik) + 1)
    e = np.arange(1, len(vae_terms["log_lik"]) + 1)
    with style():
        fig = new_figure(13.0, 4.0)
        ax_em, ax_vae, ax_gap = fig.subplots(1, 3)
        ax_vae.sharey(ax_em)
        ax_em.semilogy(t, _below(best, h.log_lik / N), "-", color=COLORS["loglik"], lw=2,
                       label=r"$\log p(\mathcal{X};\theta^{(t)})$")
        ax_em.semilogy(t, _below(best, h.L_b_after_E / N), "o", color=COLORS["L_b"], ms=4,
                       mfc="none", label=r"$L_b$ after E-step (= log p: gap 0)")
        ax_em.semilogy(t, _below(best, h.L_b_before_E / N), "x", color=COLORS["gap"], ms=4,
                       label=r"$L_b(\theta^{(t)}, q^{(t-1)})$ before E-step")
        ax_em.set(xlabel="EM step t", title="EM on pPCA: q = exact posterior",
                  ylabel=r"nats per image below $\log p(\mathcal{X};\theta_{MLE})$")
        ax_vae.semilogy(e, _below(best, vae_terms["log_lik"] / N), "-",
                        color=COLORS["loglik"], lw=2, label=r"$\log p(\mathcal{X};\theta)$ (exact)")
        ax_vae.semilogy(e, _below(best, vae_terms["L_b"] / N), "-", color=COLORS["L_b"],
                        label=r"$L_b(\theta, q_\phi)$ (exact)")
        ax_vae.set(xlabel="VAE epoch", title=r"VAE, same model: amortised diagonal $q_\phi$")
        end = _below(best, h.log_lik_final / N)
        for ax in (ax_em, ax_vae):
            ax.axhline(end, color="grey", lw=0.8, ls=":", label="where EM ended")
            ax.legend(fontsize=8)
        ax_gap.semilogy(t, np.maximum(h.gap_before_E / N, 1e-6), "x-", color=COLORS["gap"],
                        ms=4, lw=0.8, label="EM, before E-step")
        ax_gap.semilogy(t, np.maximum(np.abs(h.log_lik - h.L_b_after_E) / N, 1e-6), "o-",
                        color=COLORS["L_b"], ms=4, mfc="none", lw=0.8,
                        label="EM, after E-step (≤ 1e-6)")
        ax_gap.semilogy(e, np.maximum(vae_terms["gap"] / N, 1e-6), "-", color=COLORS["vae"],
                        lw=2, label=r"VAE: KL$(q_\phi \,\|\, p_\theta(\cdot|\mathcal{X}))$")
        ax_gap.set(xlabel="EM step / VAE epoch", ylabel="nats per image",
                   title="KL gap = log p − L_b")
        ax_gap.legend(fontsize=8)
    return fig
