"""Pictures of the VAE loss: the regulariser, the slide lines of L_b, the ζ landscape, β's effect.

Pure functions: each takes numbers and returns a matplotlib ``Figure``; nothing is shown or
saved here.
"""

from __future__ import annotations

import math

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from vae_teach.maths.regulariser import regulariser
from vae_teach.maths.vae_loss import PARAMS, descend, toy_optimum, toy_sigma_loss, toy_zeta_loss
from vae_teach.viz.images import tile
from vae_teach.viz.style import COLORS, new_figure, style


__all__ = ['fig_regulariser', 'fig_slide_lines', 'fig_zeta_landscape', 'fig_beta_effects']


def fig_regulariser(mu_range: float = 2.5, zeta_range=(-4.0, 2.5)) -> Figure:
    """WHY VAE REGULARIZATION?: r(μ̃, ζ) = μ̃² + e^ζ − (1 + ζ) as contours over (μ̃, ζ) with its
    minimum (0, 0) marked, and the two slices r(μ̃, 0) and r(0, ζ) (σ̃ = e^{ζ/2} on top)."""
    mu = np.linspace(-mu_range, mu_range, 201)
    zeta = np.linspace(*zeta_range, 201)
    R = regulariser(mu[None, :], zeta[:, None])
    with style():
        fig = new_figure(10.0, 3.6)
        ax0, ax1, ax2 = fig.subplots(1, 3)
        cs = ax0.contour(mu, zeta, R, levels=[0.1, 0.5, 1, 2, 4, 8], cmap="viridis")
        ax0.clabel(cs, fontsize=8)
        ax0.plot(0, 0, "*", color=COLORS["ae"], ms=12)
        ax0.annotate("minimum r = 0\nat μ̃ = 0, ζ = 0", (0, 0), (0.6, -3.3), fontsize=8,
                     arrowprops={"arrowstyle": "->", "lw": 0.8})
        ax0.set(xlabel=r"$\tilde{\mu}_j$", ylabel=r"$\zeta_j = \log\tilde{\sigma}_j^2$",
                title=r"$r = \tilde{\mu}_j^2 + e^{\zeta_j} - (1 + \zeta_j)$")
        ax1.plot(mu, regulariser(mu, 0.0), color=COLORS["vae"])
        ax1.set(xlabel=r"$\tilde{\mu}_j$", ylabel="r", title=r"slice $\zeta_j = 0$: $\tilde{\mu}_j^2$")
        ax2.plot(zeta, regulariser(0.0, zeta), color=COLORS["vae"])
        ax2.set(xlabel=r"$\zeta_j$", ylabel="r",
                title=r"slice $\tilde{\mu}_j = 0$: $e^{\zeta_j} - 1 - \zeta_j$")
        top = ax2.secondary_xaxis("top", functions=(lambda z: np.exp(z / 2),
                                                    lambda s: 2 * np.log(np.maximum(s, 1e-9))))
        top.set_xticks([0.2, 0.5, 1, 2, 3])
        top.set_xlabel(r"$\tilde{\sigma}_j$", fontsize=9)
        for ax in (ax1, ax2):
            ax.axvline(0, color=COLORS["prior"], lw=0.8, ls=":")
            ax.set_ylim(bottom=0)
    return fig


_WRONG, _RIGHT = "#d62728", COLORS["vae"]


def fig_slide_lines(lines, n_se: float = 4.0) -> Figure:
    """Each line's value − LHS with ±n_se paired standard errors (symlog x axis).

    ``lines``: the list from ``measure.slide_lines.slide_lines``; the reference rows are skipped.
    Lines that hold are blue, lines that do not are red.
    """
    rows = [r for r in lines if r.kind != "reference"]
    if not rows:
        raise ValueError("lines has no rows besides the LHS; pass closed_form.slide_lines(...).")
    with style():
        fig = new_figure(7.0, 0.35 * len(rows) + 1.2)
        ax = fig.add_subplot()
        y = np.arange(len(rows))[::-1]
        for yi, r in zip(y, rows):
            colour = _RIGHT if r.holds else _WRONG
            ax.errorbar(r.difference, yi, xerr=n_se * r.difference_se, fmt="o", color=colour,
                        capsize=3)
        ax.axvline(0.0, color="black", lw=0.8)
        ax.set_yticks(y, [f"{r.section.split(' OF')[0].title()}: {r.label}" for r in rows])
        ax.set_xscale("symlog", linthresh=0.1, linscale=0.5)
        top = max(1.0, max(abs(r.difference) + n_se * r.difference_se for r in rows))
        ticks = [0.0] + [t for t in (0.1, 1.0, 10.0, 100.0, 1000.0) if t <= 2 * top]
        ax.set_xticks(sorted({-t for t in ticks} | set(ticks)))
        ax.set_xticklabels([f"{t:g}" for t in ax.get_xticks()])
        ax.set_xlim(-2 * top, 2 * top)
        ax.set_xlabel(f"line − Monte-Carlo LHS  (nats, ± {n_se:g} s.e.; symlog axis)")
        ax.set_title("Does each slide line equal the LHS?  blue: yes, red: no")
    return fig


def fig_zeta_landscape(a_values=(0.0, 10.0, 100.0), lr: float = 0.1, steps: int = 60,
                       start: float = 0.5) -> Figure:
    """Why ζ = log σ̃²: the per-dimension loss f for decoder gains a, in σ̃ and in ζ, and
    plain gradient descent with one learning rate ``lr`` from σ̃₀ = ``start`` in σ̃, σ̃², ζ.
    """
    a_values = [float(a) for a in a_values]
    if not a_values:
        raise ValueError("a_values is empty; pass decoder gains such as (0, 10, 100).")
    sigma = np.linspace(0.005, 2.0, 800)
    zeta = np.linspace(-9.0, 2.0, 800)
    colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"]
    with style():
        fig = new_figure(11.0, 3.3)
        ax1, ax2, ax3 = fig.subplots(1, 3)
        for a, c in zip(a_values, colours):
            s_opt, z_opt = toy_optimum(a)
            ax1.plot(sigma, toy_sigma_loss(sigma, a) - np.log1p(a), color=c, label=f"a = {a:g}")
            ax1.plot(s_opt, 0, "o", color=c)
            ax2.plot(zeta, toy_zeta_loss(zeta, a) - np.log1p(a), color=c, label=f"a = {a:g}")
            ax2.plot(z_opt, 0, "o", color=c)
        ax1.set(xlabel="σ̃", ylabel="f − min f", ylim=(-0.2, 4), title="loss in σ̃: a wall at 0")
        ax2.set(xlabel="ζ = log σ̃²", ylim=(-0.2, 4), title="loss in ζ: one bowl, shifted")
        ax1.legend()
        styles = {"sigma": ":", "sigma2": "--", "zeta": "-"}
        for a, c in zip(a_values, colours):
            for param, ls in styles.items():
                d = descend(param, a, start, lr, steps)
                k = np.arange(len(d.sigma_tilde))
                ax3.plot(k, d.sigma_tilde, ls, color=c, lw=1.5)
                if d.failed_at is not None:
                    ax3.plot(d.failed_at - 1, d.sigma_tilde[d.failed_at - 1], "x", color=c,
                             ms=10, mew=2)
        for param, ls in styles.items():
            ax3.plot([], [], ls, color="black", label=f"descend on {PARAMS[param]}")
        ax3.plot([], [], "x", color="black", label="next step ≤ 0 → NaN")
        ax3.set(xlabel="gradient step", ylabel="σ̃", yscale="log",
                title=f"plain gradient descent, lr = {lr:g}")
        ax3.legend(fontsize=8, loc="center right", bbox_to_anchor=(1.0, 0.33))
    return fig


def fig_beta_effects(panels, labels, n_side: int = 6, seed: int = 0) -> Figure:
    """One column per model: latent map (μ̃ of ``panels[k]['mu_tilde']`` coloured by
    ``labels``) above a grid of decoded prior samples (``panels[k]['samples']``, (n, 64)).

    panels: list of dicts with keys "title", "mu_tilde" (N, m ≥ 2; dims 0, 1 are drawn),
    "samples" (n_side², 64 pixel values on any scale).
    """
    if not panels:
        raise ValueError("panels is empty; pass one dict per model.")
    with style():
        fig = new_figure(3.0 * len(panels), 6.0)
        axes = fig.subplots(2, len(panels), squeeze=False)
        for k, p in enumerate(panels):
            mu = np.asarray(p["mu_tilde"])
            ax = axes[0, k]
            sc = ax.scatter(mu[:, 0], mu[:, 1], c=labels, cmap="tab10", s=5, vmin=-0.5,
                            vmax=9.5)
            ax.set(title=p["title"], xlabel="μ̃₁", ylabel="μ̃₂", aspect="equal",
                   xlim=(-4, 4), ylim=(-4, 4))
            cmap = matplotlib.colormaps["gray_r"].with_extremes(bad="#c8d4e3")
            samples = np.asarray(p["samples"][:n_side * n_side], dtype=float)
            side = math.isqrt(samples.shape[1])
            grid = tile(samples.reshape(-1, side, side), n_side, fill=np.nan)
            axes[1, k].imshow(grid, cmap=cmap)
            axes[1, k].set_axis_off()
            axes[1, k].set_title("decoded prior samples z ~ N(0, I)", fontsize=9)
        fig.colorbar(sc, ax=axes[0, -1], ticks=range(10), label="digit")
    return fig
