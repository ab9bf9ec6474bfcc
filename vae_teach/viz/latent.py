"""Pictures of a latent space: maps of 2-D codes, code statistics per epoch, decoded samples.

Pure functions: each takes arrays (codes from ``measure.codes``, images, CodeTracker series)
and returns a matplotlib ``Figure`` built without pyplot; nothing is shown or saved here
(``display(fig)`` in a notebook). ``latent_box``/``check_in_box`` are the axes' range.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from vae_teach._checks import as_float_array, check_int
from vae_teach.maths.prior import prior_samples
from vae_teach.viz.images import LABEL_CMAP
from vae_teach.viz.style import COLORS, new_figure, style


__all__ = ["latent_box", "check_in_box", "draw_latent_map", "latent_map", "compare_maps",
           "fig_code_traces", "fig_sample_grids", "fig_codes_and_prior"]


def check_in_box(z, limit: float, name: str = "z") -> np.ndarray:
    """Return z (m,) as floats if every coordinate lies in [−limit, limit], else ValueError."""
    z = as_float_array(z, name, ndim=1)
    outside = np.flatnonzero(np.abs(z) > limit)
    if outside.size:
        j = int(outside[0])
        raise ValueError(f"{name}[{j}] = {z[j]:.3g} is outside the explorer's range "
                         f"[{-limit:.3g}, {limit:.3g}]; choose values inside it (the prior "
                         f"N(0, I) puts 99.99% of its mass within ±4 per coordinate).")
    return z


def latent_box(Z, minimum: float = 4.0) -> float:
    """Half-width of a square box centred at 0 that holds the codes Z (N, m) with a margin.

    At least ``minimum`` (±4 covers the prior N(0, I)); wider for an AE, whose codes are not
    pulled towards N(0, I). Rounded up to a whole number so the slider steps stay readable.
    """
    Z = as_float_array(Z, "Z", ndim=2)
    return float(max(minimum, math.ceil(1.1 * float(np.max(np.abs(Z))))))


def draw_latent_map(ax, Z, y, limit: float | None = None, title: str = "",
                    legend: bool = True) -> None:
    """Scatter the codes Z (N, 2) on ``ax`` coloured by their labels y (N,), with the prior
    N(0, I)'s 1σ and 2σ circles (dashed) and a legend of the labels."""
    Z = as_float_array(Z, "Z", ndim=2)
    y = np.asarray(y)
    if Z.shape[1] != 2 or y.shape != (Z.shape[0],):
        raise ValueError(f"Z must be (N, 2) and y (N,), got Z {Z.shape}, y {y.shape}.")
    cmap = colormaps[LABEL_CMAP]
    for label in np.unique(y):
        pts = Z[y == label]
        ax.scatter(pts[:, 0], pts[:, 1], s=9, color=cmap(int(label) % 10), label=str(label),
                   linewidths=0)
    t = np.linspace(0, 2 * np.pi, 97)
    for r in (1.0, 2.0):
        ax.plot(r * np.cos(t), r * np.sin(t), ls="--", lw=0.8, color="#555555", zorder=0.5)
    if limit is not None:
        ax.set_xlim(-limit, limit)
        ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    ax.set_title(title)
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), markerscale=1.5, fontsize=8,
                  handletextpad=0.2, borderaxespad=0.2)


def _codes_2d(Z, name: str) -> np.ndarray:
    Z = as_float_array(Z, name, ndim=2)
    if Z.shape[1] != 2:
        raise ValueError(f"{name} has shape {Z.shape}: a latent map needs 2-D codes (N, 2), "
                         f"i.e. a model with m = 2.")
    return Z


def latent_map(Z, y, title: str = "", limit: float | None = None) -> Figure:
    """Figure: 2-D codes Z (N, 2) — μ̃_φ(x) of a VAE or z of an AE, from
    ``measure.codes.latent_codes`` — coloured by label y (N,). ``limit`` fixes the axes to
    [−limit, limit]² (default: a box around the codes, see ``latent_box``).
    """
    Z = _codes_2d(Z, "Z")
    with style():
        fig = new_figure(4.4, 3.6)
        draw_latent_map(fig.add_subplot(), Z, y, latent_box(Z) if limit is None else limit,
                        title)
    return fig


def compare_maps(codes: dict, ncols: int = 3) -> Figure:
    """Figure: one latent map per entry of ``codes`` {name: (Z (N, 2), y (N,))}, each on its
    own axes range."""
    names = list(codes)
    ncols = min(check_int(ncols, "ncols", 1), len(names))
    nrows = -(-len(names) // ncols)
    with style():
        fig = new_figure(3.3 * ncols + 0.6, 3.2 * nrows)
        for k, name in enumerate(names):
            Z, y = codes[name]
            Z = _codes_2d(Z, f"codes[{name!r}]")
            ax = fig.add_subplot(nrows, ncols, k + 1)
            draw_latent_map(ax, Z, y, latent_box(Z, minimum=3.0), name,
                            legend=(k == ncols - 1))
    return fig


def fig_code_traces(runs: dict) -> Figure:
    """Median σ̃, code std and code mean per epoch for each run of
    ``measure.experiments.train_with_and_without_kl`` (``{β: (model, CodeTracker)}``); the prior's
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
    from vae_teach.viz.images import IMAGE_CMAP, tile

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
    from vae_teach.viz.images import LABEL_CMAP

    z = prior_samples(2, n_prior, seed)
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
