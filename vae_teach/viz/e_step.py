"""The VAE's E-step and M-step next to EM's (VAE V.S. EM ALGORITHM). Numbers in, ``Figure`` out."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from vae_teach.viz.style import COLORS, new_figure, style


__all__ = ["fig_e_and_m_steps"]


def fig_e_and_m_steps(e_run, m_run, em_round: dict, approximation: float,
                      closed_form_log_lik: float | None = None) -> Figure:
    """Left: one round of the VAE's coordinate ascent from θ^(t), per image — the E-step
    (``e_run``: θ fixed, φ trained) then the M-step (``m_run``: φ fixed, θ trained), exact
    log p_θ(X) (black) and L_b(θ, q_φ) (blue) against the gradient step, with EM's round from
    the same θ^(t) (``em_round`` = ``measure.e_step.em_round``) as stars: after its E-step L_b
    sits on log p, after its M-step both rise. ``closed_form_log_lik``: log p at the exact
    argmax_θ L_b(θ, q_φ) (dashed), the target of the gradient M-step.

    Right: the KL during the VAE's E-step on a log axis, with its floor (mean of the last
    quarter), the ``approximation`` gap (best diagonal q per point) and EM's gap after its
    E-step (0, drawn at 1e-6). The distance between the two dashed lines is the amortisation gap.

    ``e_run``/``m_run``: records with arrays ``step``, ``log_lik``, ``L_b``, ``kl`` (nats per
    image) and a ``floor`` (``measure.e_step.StepRecord``).
    """
    n_e = int(e_run.step[-1])
    s_m = n_e + np.asarray(m_run.step)
    with style():
        fig = new_figure(12.0, 4.2)
        ax, ax_kl = fig.subplots(1, 2)
        ax.plot(e_run.step, e_run.log_lik, "-", color=COLORS["loglik"], lw=2,
                label=r"VAE: $\log p_\theta(\mathcal{X})$ (exact)")
        ax.plot(e_run.step, e_run.L_b, "-", color=COLORS["L_b"],
                label=r"VAE: $L_b(\theta, q_\phi)$ (exact)")
        ax.plot(s_m, m_run.log_lik, "-", color=COLORS["loglik"], lw=2)
        ax.plot(s_m, m_run.L_b, "-", color=COLORS["L_b"])
        ax.axvline(n_e, color="grey", lw=0.8, ls=":")
        if closed_form_log_lik is not None:
            ax.axhline(closed_form_log_lik, color="grey", lw=1, ls="--",
                       label=r"$\log p$ at the exact argmax$_\theta L_b(\theta, q_\phi)$")
        ax.plot([n_e], [em_round["L_b_after_E"]], "*", color=COLORS["gap"], ms=13, mec="k",
                label="EM after its E-step: $L_b = \\log p$")
        end = s_m[-1]
        ax.plot([end], [em_round["log_lik_after_M"]], "*", color=COLORS["loglik"], ms=13,
                label=r"EM after its M-step: $\log p$")
        ax.plot([end], [em_round["L_b_after_M"]], "*", color=COLORS["L_b"], ms=13, mec="k",
                label=r"EM after its M-step: $L_b$")
        top = max(em_round["log_lik_after_M"], float(np.max(m_run.log_lik)))
        low = em_round["log_lik"] - 1.0
        ax.set_ylim(low, top + 0.4 * (top - low))
        ymax = ax.get_ylim()[1]
        ax.text(n_e / 2, ymax, "E-step: θ fixed, train φ", ha="center", va="top", fontsize=9)
        ax.text((n_e + end) / 2, ymax, "M-step: φ fixed, train θ", ha="center", va="top",
                fontsize=9)
        ax.set(xlabel="gradient step", ylabel="nats per image",
               title="One round from the same θ: VAE (lines) and EM (stars)")
        ax.legend(fontsize=7, loc="lower right")
        ax_kl.semilogy(e_run.step[1:], e_run.kl[1:], "-", color=COLORS["vae"], lw=1.5,
                       label=r"VAE E-step: KL$(q_\phi \,\|\, p_\theta(\cdot|\mathcal{X}))$")
        ax_kl.axhline(e_run.floor, color=COLORS["vae"], ls="--", lw=1,
                      label="its floor (mean of the last quarter)")
        ax_kl.axhline(approximation, color=COLORS["gap"], ls="--", lw=1,
                      label="approximation gap: best diagonal q per point")
        ax_kl.plot([n_e], [max(em_round["kl_after_E"], 1e-6)], "*", color=COLORS["gap"],
                   ms=13, mec="k", label="EM after its E-step: 0 (drawn at 1e-6)")
        ax_kl.set_ylim(5e-7, None)
        ax_kl.set(xlabel="E-step gradient step", ylabel="nats per image",
                  title="KL = log p − L_b during the E-step")
        ax_kl.grid(True, which="both", axis="y", lw=0.3, alpha=0.5)
        ax_kl.legend(fontsize=7, loc="upper right")
    return fig
