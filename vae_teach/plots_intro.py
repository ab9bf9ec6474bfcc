"""Figures for notebooks 01 (auto-encoder vs VAE) and 02 (the VAE loss, intuitively).

Pure functions: each takes numbers (or models) and returns a matplotlib ``Figure`` built
without pyplot; nothing is shown or saved here (``display(fig)`` in a notebook).
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .loss_intuition import regulariser
from .style import COLORS, new_figure, style

__all__ = ["fig_regulariser", "fig_code_traces", "fig_sample_grids", "fig_codes_and_prior"]


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


def fig_code_traces(runs: dict) -> Figure:
    """Median σ̃, code std and code mean per epoch for each run of
    ``loss_intuition.train_with_and_without_kl`` (``{β: (model, CodeTracker)}``); the prior's
    values (σ̃ = 1, std 1, mean 0) are dashed."""
    colours = {0.0: COLORS["ae"], 1.0: COLORS["vae"]}
    panels = [("sigma_tilde_median", r"median $\tilde{\sigma}_j(x)$ (log scale)", 1.0),
              ("code_std", "std of the codes (law of total variance)", 1.0),
              ("code_mean", "mean of the codes", 0.0)]
    with style():
        fig = new_figure(11.0, 3.4)
        axes = fig.subplots(1, 3)
        for ax, (name, title, prior) in zip(axes, panels):
            for beta, (_, tracker) in runs.items():
                series = tracker.series(name)
                epochs = np.arange(1, len(series) + 1)
                colour = colours.get(float(beta), None)
                for j in range(series.shape[1]):
                    ax.plot(epochs, series[:, j], color=colour, ls="-" if j == 0 else "--",
                            label=f"β = {beta:g}, dim {j + 1}")
            ax.axhline(prior, color=COLORS["prior"], lw=1, ls=":", label="prior N(0, I)")
            ax.set(xlabel="epoch", title=title)
        axes[0].set_yscale("log")
        axes[0].legend(fontsize=7)
    return fig


def fig_sample_grids(images: dict, pixel_max: float = 1.0, ncols: int = 10,
                     side: int = 8) -> Figure:
    """One tiled panel per entry of ``images`` ({title: (n, M) decoder means}), grey ink in
    [0, pixel_max]; titles carry whatever the caller measured."""
    from .latent import IMAGE_CMAP, tile

    with style():
        fig = new_figure(3.3 * len(images), 3.0)
        axes = np.atleast_1d(fig.subplots(1, len(images)))
        for ax, (title, X) in zip(axes, images.items()):
            grid = tile(np.asarray(X, float).reshape(-1, side, side), ncols=ncols)
            ax.imshow(grid, cmap=IMAGE_CMAP, vmin=0.0, vmax=pixel_max)
            ax.set_axis_off()
            ax.set_title(title, fontsize=9)
    return fig


def fig_codes_and_prior(codes: dict, labels, n_prior: int = 500, seed: int = 0) -> Figure:
    """AUTO ENCODER V.S. VAE, measured in latent space: each panel shows the codes of real
    digits ({title: (N, 2)}), coloured by ``labels``, on top of n_prior draws from N(0, I)
    (grey) — where the decoder is asked to work when we sample from the prior."""
    from .latent import LABEL_CMAP

    z = np.random.default_rng(seed).standard_normal((n_prior, 2))
    with style():
        fig = new_figure(5.0 * len(codes), 4.6)
        axes = np.atleast_1d(fig.subplots(1, len(codes)))
        for ax, (title, Z) in zip(axes, codes.items()):
            ax.scatter(z[:, 0], z[:, 1], s=4, color="#bbbbbb", label="z ~ N(0, I)")
            sc = ax.scatter(Z[:, 0], Z[:, 1], c=labels, cmap=LABEL_CMAP, vmin=-0.5, vmax=9.5,
                            s=5, linewidths=0)
            ax.set(xlabel=r"$z_1$", ylabel=r"$z_2$", title=title)
            ax.set_aspect("equal", adjustable="datalim")
            ax.legend(loc="upper left", fontsize=8)
        fig.colorbar(sc, ax=axes, ticks=range(10), label="digit")
    return fig
