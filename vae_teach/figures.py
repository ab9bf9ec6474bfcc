"""The lecture's pictures, drawn from code, and the script that writes them to ``figures/``.

One pure function per slide picture, each returning a ``matplotlib.figure.Figure`` (built
without pyplot, so nothing global changes; in a notebook show it with ``display(fig)``):

| slide | function |
|---|---|
| AUTO ENCODER V.S. VAE | ``fig_ae_vs_vae()`` |
| WHY VAE? (Intuitive Reason) | ``fig_why_vae(ae, vae, X, labels)`` |
| VAE LOSS FUNCTION / WHY VAE REGULARIZATION? | ``fig_only_reconstruction(vae_rec, vae, X, labels)`` |
| LOG-LIKELIHOOD LOWER BOUND | ``fig_lower_bound(X, model)`` |
| VAE V.S. EM ALGORITHM | ``fig_em(history)`` |
| VAE AND GAUSSIAN DISTRIBUTION | ``fig_gaussian_encoder_decoder()`` |

``python -m vae_teach.figures [--out figures] [names...]`` (``make figures``) writes every
figure in ``FIGURES`` as PNG (and SVG for the diagram) with stable bytes.
"""
from __future__ import annotations

import argparse
import functools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Polygon

from .style import COLORS, new_figure, savefig, style

# --------------------------------------------------------------------------------------------
# AUTO ENCODER V.S. VAE — the two architectures side by side
# --------------------------------------------------------------------------------------------


def _box(ax, xy, w, h, text, color="#eeeeee", fontsize=12):
    """Rounded box centred at ``xy`` with ``text`` in it."""
    x, y = xy
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.04",
                                fc=color, ec="black", lw=1.0))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _trapezoid(ax, x0, x1, y, h_left, h_right, text, color):
    """Encoder (narrowing) or decoder (widening) block between x0 and x1, centred at y."""
    pts = [(x0, y - h_left / 2), (x1, y - h_right / 2), (x1, y + h_right / 2),
           (x0, y + h_left / 2)]
    ax.add_patch(Polygon(pts, closed=True, fc=color, ec="black", lw=1.0))
    ax.text((x0 + x1) / 2, y, text, ha="center", va="center", fontsize=11)


def _arrow(ax, start, end, color="black"):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, lw=1.2,
                                 color=color, shrinkA=0, shrinkB=0))


def _draw_ae(ax, y):
    """Auto-encoder row: x → encoder → code z → decoder → x̂."""
    ax.text(0.1, y + 1.05, "Auto-encoder", fontsize=13, weight="bold", va="center")
    _box(ax, (0.55, y), 0.55, 1.3, r"$x$")
    _arrow(ax, (0.86, y), (1.3, y))
    _trapezoid(ax, 1.3, 3.3, y, 1.4, 0.6, "encoder", "#fde0c5")
    _arrow(ax, (3.3, y), (4.15, y))
    _box(ax, (4.55, y), 0.7, 0.55, r"$z$", color="#ffd27f")
    ax.text(4.55, y - 0.55, "code", ha="center", va="top", fontsize=10)
    _arrow(ax, (4.95, y), (6.7, y))
    _trapezoid(ax, 6.7, 8.7, y, 0.6, 1.4, "decoder", "#d5ecd4")
    _arrow(ax, (8.7, y), (9.15, y))
    _box(ax, (9.45, y), 0.55, 1.3, r"$\hat{x}$")
    ax.text(5.0, y - 1.0, r"minimise  $\|x - \hat{x}\|^2$", ha="center", fontsize=11)


def _draw_vae(ax, y):
    """VAE row: x → encoder → (μ̃, σ̃) → z = μ̃ + σ̃ ⊙ ε → decoder → x̂ = μ_θ(z)."""
    ax.text(0.1, y + 1.25, "VAE", fontsize=13, weight="bold", va="center")
    _box(ax, (0.55, y), 0.55, 1.3, r"$x$")
    _arrow(ax, (0.86, y), (1.3, y))
    _trapezoid(ax, 1.3, 3.3, y, 1.4, 1.0, "encoder\n" + r"$q_\phi(z|x)$", "#fde0c5")
    _box(ax, (3.85, y + 0.3), 0.75, 0.42, r"$\tilde{\mu}_\phi(x)$", fontsize=11)
    _box(ax, (3.85, y - 0.3), 0.75, 0.42, r"$\tilde{\sigma}_\phi(x)$", fontsize=11)
    ax.text(3.85, y - 0.62, r"$\zeta = \log\tilde{\sigma}^2$", ha="center", va="top",
            fontsize=9)
    _arrow(ax, (4.28, y + 0.3), (4.95, y + 0.08))
    _arrow(ax, (4.28, y - 0.3), (4.95, y - 0.08))
    _box(ax, (5.75, y), 1.5, 0.55, r"$z = \tilde{\mu} + \tilde{\sigma} \odot \varepsilon$",
         color="#ffd27f", fontsize=11)
    ax.text(5.75, y - 1.0, r"$\varepsilon \sim \mathcal{N}(0, I)$", ha="center", va="center",
            fontsize=10)
    _arrow(ax, (5.75, y - 0.85), (5.75, y - 0.32))
    ax.text(5.75, y + 0.45, r"sampled $z \sim q_\phi(z|x)$", ha="center", va="bottom",
            fontsize=9)
    _arrow(ax, (6.53, y), (6.7, y))
    _trapezoid(ax, 6.7, 8.7, y, 0.6, 1.4, "decoder\n" + r"$p_\theta(x|z)$", "#d5ecd4")
    _arrow(ax, (8.7, y), (9.15, y))
    _box(ax, (9.45, y), 0.55, 1.3, r"$\hat{x}$")
    ax.text(9.45, y - 0.75, r"$=\mu_\theta(z)$", ha="center", va="top", fontsize=9)
    ax.text(5.0, y - 1.55,
            r"minimise  $\|x - \hat{x}\|^2 + \sum_j \left(\tilde{\mu}_j^2 + e^{\zeta_j}"
            r" - (1 + \zeta_j)\right)$", ha="center", fontsize=11)


def fig_ae_vs_vae() -> Figure:
    """AUTO ENCODER V.S. VAE: the deterministic auto-encoder (x → code z → x̂) above the VAE,
    whose encoder outputs μ̃_φ(x), σ̃_φ(x) and whose decoder reads a *sampled*
    z = μ̃ + σ̃ ⊙ ε, ε ~ N(0, I); each row carries its loss (the VAE's is the slide's L_VAE)."""
    with style():
        fig = new_figure(9.0, 5.6)
        ax = fig.add_subplot()
        ax.set_xlim(0, 10)
        ax.set_ylim(0, 6.2)
        ax.set_axis_off()
        _draw_ae(ax, 4.8)
        _draw_vae(ax, 2.0)
    return fig


# --------------------------------------------------------------------------------------------
# VAE AND GAUSSIAN DISTRIBUTION — p(z), q(z|x) and p(x|z) for one input
# --------------------------------------------------------------------------------------------


def _normal_pdf(t, mean, std):
    return np.exp(-0.5 * ((t - mean) / std) ** 2) / (np.sqrt(2 * np.pi) * std)


def linear_gaussian_posterior(x_i: float, w: float, b: float, sigma_x: float):
    """Exact posterior of the 1-D model z ~ N(0, 1), x|z ~ N(w z + b, σ_x²):
    p(z|x) = N(μ̃, σ̃²) with σ̃² = 1 / (1 + w²/σ_x²), μ̃ = σ̃² w (x − b) / σ_x².
    Returns ``(mu_tilde, sigma_tilde)``."""
    sigma2_tilde = 1.0 / (1.0 + w ** 2 / sigma_x ** 2)
    return sigma2_tilde * w * (x_i - b) / sigma_x ** 2, float(np.sqrt(sigma2_tilde))


def fig_gaussian_encoder_decoder(x_i: float = 2.0, w: float = 1.5, b: float = 0.0,
                                 sigma_x: float = 0.7, n_z: int = 5, seed: int = 0) -> Figure:
    """VAE AND GAUSSIAN DISTRIBUTION on a 1-D example (m = M = 1) where every density is exact.

    Prior p(z) = N(0, 1); decoder p_θ(x|z) = N(x; μ_θ(z) = w z + b, Σ_θ = σ_x²);
    encoder q_φ(z|x) = N(z; μ̃_φ(x), σ̃_φ²(x)) set to the exact posterior (linear-Gaussian).
    Left: p(z) and q(z|x_i) in latent space. Middle: the joint p_θ(x, z), whose slice at x = x_i
    is ∝ q(z|x_i). Right: p_θ(x|z) for ``n_z`` codes z ~ q(z|x_i) (seeded), the marginal
    p_θ(x) = N(b, w² + σ_x²), and x_i.
    """
    if sigma_x <= 0:
        raise ValueError(f"sigma_x must be > 0 (decoder standard deviation), got {sigma_x}.")
    mu_t, sig_t = linear_gaussian_posterior(x_i, w, b, sigma_x)
    z_s = np.sort(mu_t + sig_t * np.random.default_rng(seed).standard_normal(n_z))
    z = np.linspace(-3.5, 3.5, 401)
    x_sd = np.sqrt(w ** 2 + sigma_x ** 2)
    x = np.linspace(b - 3.5 * x_sd, b + 3.5 * x_sd, 401)
    with style():
        fig = new_figure(11.0, 3.6)
        ax_z, ax_j, ax_x = fig.subplots(1, 3)
        _panel_latent(ax_z, z, mu_t, sig_t, z_s)
        _panel_joint(ax_j, z, x, w, b, sigma_x, x_i, mu_t)
        _panel_data(ax_x, x, z_s, w, b, sigma_x, x_sd, x_i)
    return fig


def _panel_latent(ax, z, mu_t, sig_t, z_s):
    ax.plot(z, _normal_pdf(z, 0.0, 1.0), color=COLORS["prior"], ls="--",
            label=r"prior $p_\theta(z) = \mathcal{N}(0, 1)$")
    ax.plot(z, _normal_pdf(z, mu_t, sig_t), color=COLORS["q"], lw=2,
            label=r"encoder $q_\phi(z|x_i) = \mathcal{N}(\tilde{\mu}, \tilde{\sigma}^2)$")
    ax.plot(z_s, np.zeros_like(z_s), "|", color=COLORS["q"], ms=14, mew=2,
            label=r"samples $z \sim q_\phi(z|x_i)$")
    ax.set_xlabel(r"latent $z$")
    ax.set_ylabel("density")
    ax.set_title(rf"latent: $\tilde{{\mu}}_\phi(x_i)$ = {mu_t:.2f}, "
                 rf"$\tilde{{\sigma}}_\phi(x_i)$ = {sig_t:.2f}", fontsize=10)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_ylim(-0.03, 1.3 * max(_normal_pdf(0.0, 0.0, sig_t), _normal_pdf(0.0, 0.0, 1.0)))


def _panel_joint(ax, z, x, w, b, sigma_x, x_i, mu_t):
    zz, xx = np.meshgrid(z, x, indexing="xy")
    joint = _normal_pdf(zz, 0.0, 1.0) * _normal_pdf(xx, w * zz + b, sigma_x)
    ax.contourf(z, x, joint, levels=12, cmap="Greys")
    ax.plot(z, w * z + b, color=COLORS["decoder"], lw=1.5, label=r"$\mu_\theta(z) = wz + b$")
    ax.axhline(x_i, color=COLORS["q"], lw=1.5, label=rf"$x = x_i$ = {x_i:.2f}")
    ax.plot([mu_t], [x_i], "o", color=COLORS["q"])
    ax.annotate(r"slice $\propto q_\phi(z|x_i)$", (mu_t, x_i), xytext=(0.55, 0.12),
                textcoords="axes fraction", fontsize=8, color=COLORS["q"],
                arrowprops={"arrowstyle": "->", "color": COLORS["q"]})
    ax.set_xlim(z[0], z[-1])
    ax.set_ylim(x[0], x[-1])
    ax.set_xlabel(r"latent $z$")
    ax.set_ylabel(r"data $x$")
    ax.set_title(r"joint $p_\theta(x, z) = p_\theta(x|z)\,p_\theta(z)$", fontsize=10)
    ax.legend(loc="upper left", fontsize=8)


def _panel_data(ax, x, z_s, w, b, sigma_x, x_sd, x_i):
    for k, zk in enumerate(z_s):
        ax.plot(x, _normal_pdf(x, w * zk + b, sigma_x), color=COLORS["decoder"], alpha=0.75,
                label=r"decoder $p_\theta(x|z) = \mathcal{N}(\mu_\theta(z), \sigma_x^2)$"
                if k == 0 else None)
    ax.plot(x, _normal_pdf(x, b, x_sd), color="black", ls=":",
            label=r"marginal $p_\theta(x)$")
    ax.axvline(x_i, color=COLORS["q"], lw=1.5, label=r"input $x_i$")
    ax.set_xlabel(r"data $x$")
    ax.set_ylabel("density")
    ax.set_title(rf"data: $p_\theta(x|z)$ for $z \sim q_\phi(z|x_i)$, $\sigma_x$ = {sigma_x:.2f}",
                 fontsize=10)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_ylim(0, 1.45 * _normal_pdf(0.0, 0.0, sigma_x))


# --------------------------------------------------------------------------------------------
# WHY VAE? — real codes of the trained AE and VAE, and what their decoders make of the gaps
# --------------------------------------------------------------------------------------------


def latent_grid(Z, n_grid: int = 9, quantile: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """An ``n_grid × n_grid`` grid spanning the codes Z (N, 2) between their ``quantile`` and
    1 − ``quantile`` quantiles per axis. Returns ``(g0, g1)``, the two axes' grid values."""
    lo, hi = np.quantile(Z, [quantile, 1 - quantile], axis=0)
    return np.linspace(lo[0], hi[0], n_grid), np.linspace(lo[1], hi[1], n_grid)


def grid_codes(g0, g1) -> np.ndarray:
    """The grid points as codes (n1·n0, 2), row by row from the top (largest z₂), so that
    ``tile(decode_images(model, grid_codes(g0, g1)), ncols=len(g0))`` looks like the map."""
    return np.array([[a, b] for b in np.asarray(g1)[::-1] for a in g0], dtype=float)


def gap_distance(Z, points) -> np.ndarray:
    """How far each point (n, 2) lies from the codes Z (N, 2), in units of the codes' own
    spacing: distance to the nearest code / median nearest-neighbour distance among the codes.
    Scale-free, so an AE (codes anywhere) and a VAE (codes near N(0, I)) compare; ≫ 1 = a gap."""
    Z = np.asarray(Z, float)
    d_zz = np.linalg.norm(Z[:, None] - Z[None], axis=-1)
    np.fill_diagonal(d_zz, np.inf)
    spacing = float(np.median(d_zz.min(1)))
    d_pz = np.linalg.norm(np.asarray(points, float)[:, None] - Z[None], axis=-1).min(1)
    return d_pz / spacing


def why_vae_numbers(model, X, X_ref, clf, n_grid: int = 9, gap: float = 4.0) -> dict:
    """What ``fig_why_vae`` draws and measures for one model: codes Z of X, the grid, decoded
    images at the grid points, ``in_gap`` (grid point ≥ ``gap`` code spacings from every code),
    and for the gap / non-gap points the mean classifier confidence (``clf`` from
    ``sample_quality.fit_digit_classifier``) and RMS distance to the nearest image of X_ref."""
    from .latent import check_2d_latent, decode_images, latent_codes
    from .sample_quality import classifier_confidence, nearest_train_distance

    check_2d_latent(model)
    Z = latent_codes(model, X)
    g0, g1 = latent_grid(Z, n_grid)
    points = grid_codes(g0, g1)
    images = decode_images(model, points)
    flat = images.reshape(len(points), -1)
    in_gap = gap_distance(Z, points) >= gap
    conf = classifier_confidence(clf, flat)
    dist = nearest_train_distance(flat, X_ref)
    out = {"Z": Z, "g0": g0, "g1": g1, "points": points, "images": images, "in_gap": in_gap}
    for key, mask in (("gap", in_gap), ("near", ~in_gap)):
        out[f"confidence_{key}"] = float(conf[mask].mean()) if mask.any() else float("nan")
        out[f"distance_{key}"] = float(dist[mask].mean()) if mask.any() else float("nan")
    return out


def fig_why_vae(ae, vae, X, labels, X_ref, y_ref, n_grid: int = 9, gap: float = 4.0
                ) -> Figure:
    """WHY VAE? (Intuitive Reason). Top: the real 2-D codes of X (N, M) under the trained
    ``ae`` (z) and ``vae`` (μ̃), coloured by digit ``labels``, with an n_grid × n_grid grid
    over each (× = a gap: ≥ ``gap`` code spacings from every code). Bottom: each decoder's
    image at every grid point, gap points framed in red. Titles give, for gap and non-gap
    points, the mean confidence of a digit classifier fitted on (X_ref, y_ref) and the RMS
    distance to the nearest image of X_ref (the training digits): lower confidence / larger
    distance = less like a digit.

    Measured on the pretrained ``ae2d``/``vae2d`` (8×8 digits): the AE's gap points decode to
    digits as plausible as the VAE's (similar confidence and distance), so on this data the
    slide's "AE gaps decode to nonsense" does not show inside the codes' range; the figure
    prints the numbers instead of asserting the slide (``tests/test_figures.py`` pins it)."""
    from .latent import IMAGE_CMAP, LABEL_CMAP, tile
    from .sample_quality import fit_digit_classifier

    clf = fit_digit_classifier(X_ref, y_ref)
    vmax = float(np.max(X_ref))
    with style():
        fig = new_figure(9.0, 10.0)
        axes = fig.subplots(2, 2, height_ratios=[1, 1.05])
        for col, (name, model) in enumerate((("auto-encoder", ae), ("VAE", vae))):
            r = why_vae_numbers(model, X, X_ref, clf, n_grid, gap)
            scatter = _panel_codes(axes[0, col], r, labels, name, LABEL_CMAP)
            ax = axes[1, col]
            ax.imshow(tile(r["images"], ncols=n_grid, fill=np.nan), cmap=IMAGE_CMAP, vmin=0,
                      vmax=vmax)
            _frame_gaps(ax, r["in_gap"], n_grid, r["images"].shape[-1])
            ax.set_axis_off()
            ax.set_title(f"{name}: decoder at the grid points\n"
                         f"gaps ({int(r['in_gap'].sum())}, red): confidence "
                         f"{r['confidence_gap']:.2f}, distance {r['distance_gap']:.2f}\n"
                         f"near codes ({int((~r['in_gap']).sum())}): confidence "
                         f"{r['confidence_near']:.2f}, distance {r['distance_near']:.2f}",
                         fontsize=9)
        handles = [axes[0, 0].plot([], [], "o", color=scatter.cmap(scatter.norm(d)), ms=5)[0]
                   for d in range(10)]
        fig.legend(handles, [str(d) for d in range(10)], loc="outside upper center", ncol=10,
                   fontsize=9, title="digit label", title_fontsize=9, columnspacing=1.0)
    return fig


def _frame_gaps(ax, in_gap, n_grid, side, pad=1):
    from matplotlib.patches import Rectangle

    for k in np.flatnonzero(in_gap):
        row, col = divmod(int(k), n_grid)
        ax.add_patch(Rectangle((col * (side + pad) - 0.3, row * (side + pad) - 0.3),
                               side - 0.4, side - 0.4, fill=False, ec="red", lw=1.2))


def _panel_codes(ax, r, labels, name, cmap):
    Z, pts, gap = r["Z"], r["points"], r["in_gap"]
    sc = ax.scatter(Z[:, 0], Z[:, 1], c=labels, cmap=cmap, vmin=-0.5, vmax=9.5, s=5,
                    linewidths=0)
    ax.plot(pts[~gap, 0], pts[~gap, 1], "+", color="black", ms=5, mew=0.8)
    ax.plot(pts[gap, 0], pts[gap, 1], "x", color="red", ms=5, mew=1.0)
    ax.set_title(f"{name}: codes of real digits " + ("($z$)" if name != "VAE" else
                                                     r"($\tilde{\mu}_\phi(x)$)"), fontsize=10)
    ax.set_xlabel(r"$z_1$")
    ax.set_ylabel(r"$z_2$")
    return sc


# --------------------------------------------------------------------------------------------
# VAE LOSS FUNCTION / WHY VAE REGULARIZATION? — only reconstruction vs with the KL term
# --------------------------------------------------------------------------------------------


def pick_one_per_class(labels, n: int = 10) -> np.ndarray:
    """Indices of the first example of each of the first ``n`` labels (deterministic)."""
    labels = np.asarray(labels)
    return np.array([int(np.flatnonzero(labels == c)[0]) for c in np.unique(labels)[:n]])


def _panel_posteriors(ax, model, X, labels, idx, title, n_sigma: float = 2.0):
    from matplotlib import colormaps
    from matplotlib.patches import Circle, Ellipse

    from .latent import LABEL_CMAP, check_2d_latent
    from .loss_intuition import code_stats

    check_2d_latent(model)
    mu_tilde, zeta = (np.asarray(a, float) for a in model.encode_numpy(X))
    sigma_tilde = np.exp(0.5 * zeta)
    ax.scatter(mu_tilde[:, 0], mu_tilde[:, 1], s=3, color="#bbbbbb", linewidths=0,
               label=r"$\tilde{\mu}_\phi(x)$, all inputs")
    cmap = colormaps[LABEL_CMAP]
    for i in idx:
        ax.add_patch(Ellipse(mu_tilde[i], 2 * n_sigma * sigma_tilde[i, 0],
                             2 * n_sigma * sigma_tilde[i, 1], fc=cmap(labels[i]), alpha=0.35,
                             ec=cmap(labels[i]), lw=1.2))
        ax.plot(*mu_tilde[i], "o", color=cmap(labels[i]), ms=3)
    for r in (1, 2):
        ax.add_patch(Circle((0, 0), r, fill=False, ls="--", color=COLORS["prior"], lw=1.2))
    ax.plot([], [], "--", color=COLORS["prior"], label=r"$\mathcal{N}(0, I)$: 1σ, 2σ")
    ax.add_patch(Ellipse((np.nan, np.nan), 1, 1, color="grey", alpha=0.35,
                         label=rf"$q_\phi(z|x_i)$, {n_sigma:g}σ ellipse ({len(idx)} inputs)"))
    ax.set_aspect("equal", adjustable="datalim")
    stats = code_stats(model, X)
    fmt = lambda a: "(" + ", ".join(f"{v:.2g}" for v in a) + ")"  # noqa: E731
    ax.set_title(f"{title}\nmedian σ̃ = {fmt(stats.sigma_tilde_median)};  codes: mean "
                 f"{fmt(stats.code_mean)}, std {fmt(stats.code_std)}", fontsize=10)
    ax.set_xlabel(r"$z_1$")
    ax.set_ylabel(r"$z_2$")
    ax.legend(loc="upper left", fontsize=8)
    return stats


def fig_only_reconstruction(vae_rec, vae, X, labels, n_inputs: int = 10) -> Figure:
    """VAE LOSS FUNCTION ("only reconstruction?") / WHY VAE REGULARIZATION?: the encoder's
    q_φ(z|x_i) = N(μ̃, diag σ̃²) as 2σ ellipses for ``n_inputs`` inputs (one per digit) of X,
    left for ``vae_rec`` (trained on the reconstruction loss only, β = 0), right for ``vae``
    (with the regulariser μ̃² + e^ζ − (1 + ζ)), over the 1σ/2σ circles of N(0, I). Titles:
    median σ̃ and the mean/std of the codes' aggregate q(z) (``loss_intuition.code_stats``).
    Expected: without the regulariser σ̃ → 0 (ellipses shrink to points) and the codes spread
    freely; with it the ellipses overlap around N(0, I) (zero mean, unit variance)."""
    idx = pick_one_per_class(labels, n_inputs)
    with style():
        fig = new_figure(11.0, 5.4)
        ax_l, ax_r = fig.subplots(1, 2)
        _panel_posteriors(ax_l, vae_rec, X, labels, idx, "only reconstruction loss (β = 0)")
        _panel_posteriors(ax_r, vae, X, labels, idx, "reconstruction + regularisation (β = 1)")
    return fig


# ------------------------------------------------------------------ builders for ``make figures``

#: The 2-D digits models of the "WHY VAE?" picture (``vae_teach.pretrained`` names).
WHY_VAE_MODELS = ("ae2d", "vae2d")


def _build_why_vae() -> Figure:
    from . import pretrained

    ae, vae = (pretrained.load(name, progress=False) for name in WHY_VAE_MODELS)
    X, y = pretrained.load_data("vae2d", "test")
    X_ref, y_ref = pretrained.load_data("vae2d", "train")
    return fig_why_vae(ae, vae, X, y, X_ref, y_ref)


@functools.lru_cache(maxsize=None)
def train_beta_pair(epochs: int = 30, betas: tuple = (0.0, 1.0), seed: int = 0) -> dict:
    """Two 2-D VAEs, identical but for β, for "only reconstruction vs with regularisation":
    vae2d's architecture (Bernoulli decoder, hidden (128, 128)) on the binarised digits
    training split, same initial weights (``seed``) and minibatches, Adam lr 3e-3, ``epochs``
    epochs (≈ 3 s each), on one torch thread so the result repeats exactly. Returns
    {β: model}; cached per process."""
    import torch

    from .data import load_digits_split
    from .model import VAE
    from .train import train

    X, _ = load_digits_split("train", "binary")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        models = {}
        for beta in betas:
            model = VAE(X.shape[1], 2, hidden=(128, 128), decoder="bernoulli", seed=seed)
            train(model, X, epochs=epochs, lr=3e-3, beta=float(beta), seed=seed,
                  progress=False)
            models[beta] = model.eval()
    finally:
        torch.set_num_threads(threads)
    return models


def _build_only_reconstruction() -> Figure:
    from .data import load_digits_split

    models = train_beta_pair()
    X, y = load_digits_split("test", "binary")
    return fig_only_reconstruction(models[0.0], models[1.0], X, y)


# --------------------------------------------------------------------------------------------
# LOG-LIKELIHOOD LOWER BOUND — log p(X) = L_b + KL on pPCA, where all three are exact
# --------------------------------------------------------------------------------------------


def lower_bound_table(X, model, qs: dict) -> list[dict]:
    """For each named q = (q_mean (N, m), q_cov (m, m) or (N, m, m)): the per-image
    log p(X; θ) (``PPCA.log_likelihood``), L_b(θ, q) (``em.lower_bound``) and
    KL(q ‖ p(·|X; θ)) (``gaussian.kl_gaussian`` against ``PPCA.posterior``) — three separate
    computations — and ``residual`` = L_b + KL − log p(X) (the slide's identity: ≈ 0)."""
    from . import em
    from .gaussian import kl_gaussian

    N = X.shape[0]
    theta = em.PPCAParams(model.W, model.mu, model.sigma2)
    post_mean, post_cov = model.posterior(X)
    log_p = model.log_likelihood(X) / N
    rows = []
    for name, (q_mean, q_cov) in qs.items():
        L_b = em.lower_bound(X, theta, q_mean, q_cov) / N
        kl = float(np.sum(kl_gaussian(q_mean, q_cov, post_mean, post_cov))) / N
        rows.append({"q": name, "log_p": log_p, "L_b": L_b, "kl": kl,
                     "residual": L_b + kl - log_p})
    return rows


def example_qs(X, model) -> dict:
    """Encoders q(Z|X) of increasing error for the lower-bound picture: the exact posterior,
    the posterior with its covariance ×4 and ×¼, its means halved, and the prior N(0, I)."""
    mean, S = model.posterior(X)
    m = S.shape[0]
    return {
        r"$q = p_\theta(Z|\mathcal{X})$ (exact posterior)": (mean, S),
        r"posterior, $\tilde{\Sigma} \times 4$": (mean, 4 * S),
        r"posterior, $\tilde{\Sigma} \times \frac{1}{4}$": (mean, S / 4),
        r"posterior, $\tilde{\mu} \times \frac{1}{2}$": (0.5 * mean, S),
        r"$q = \mathcal{N}(0, I)$ (prior)": (np.zeros_like(mean), np.eye(m)),
    }


def fig_lower_bound(X, model, qs: dict | None = None, data_label: str = "") -> Figure:
    """LOG-LIKELIHOOD LOWER BOUND: log p_θ(X) = L_b(p_θ, q, X) + KL(q ‖ p_θ(·|X)) per image,
    measured on the pPCA ``model`` (a ``ppca.PPCA``) for several encoders ``qs`` (default
    :func:`example_qs`). Left: each bar runs from 0 to L_b (blue); the KL gap (orange) brings
    it back to log p(X) (black line). Right: the same near log p(X), with the numbers."""
    qs = example_qs(X, model) if qs is None else qs
    rows = lower_bound_table(X, model, qs)
    with style():
        fig = new_figure(11.0, 4.2)
        ax_full, ax_zoom = fig.subplots(1, 2, width_ratios=[1, 1.5])
        for ax in (ax_full, ax_zoom):
            _draw_bound_bars(ax, rows)
        ax_full.set_yticks(range(len(rows)), [r["q"] for r in rows], fontsize=9)
        ax_full.set_title("full scale (bars start at 0)", fontsize=10)
        ax_zoom.set_yticks([])
        log_p, lowest = rows[0]["log_p"], min(r["L_b"] for r in rows)
        span = log_p - lowest
        ax_zoom.set_xlim(lowest - 0.05 * span, log_p + 0.75 * span)
        for k, r in enumerate(rows):
            ax_zoom.text(log_p + 0.04 * span, k,
                         rf"$L_b$ = {r['L_b']:.2f},  KL = {r['kl']:.2f}"
                         + "\n" + rf"($L_b$ + KL − log p = {r['residual']:.0e})",
                         va="center", fontsize=8,
                         bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1})
        ax_zoom.set_title(r"zoom near $\log p_\theta(\mathcal{X})$ = "
                          f"{log_p:.2f} nats per image", fontsize=10)
        handles, labels = ax_zoom.get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=9)
        fig.suptitle(r"$\log p_\theta(\mathcal{X}) = L_b(p_\theta, q_\phi, \mathcal{X})"
                     r" + \mathrm{KL}(q_\phi(\cdot|\mathcal{X}), p_\theta(\cdot|\mathcal{X}))$"
                     + (f"   ({data_label})" if data_label else ""), fontsize=11)
    return fig


def _draw_bound_bars(ax, rows):
    y = np.arange(len(rows))
    L_b = np.array([r["L_b"] for r in rows])
    kl = np.array([r["kl"] for r in rows])
    ax.barh(y, L_b, height=0.6, color=COLORS["L_b"], alpha=0.8,
            label=r"$L_b$ (tractable lower bound)")
    ax.barh(y, kl, left=L_b, height=0.6, color=COLORS["gap"], hatch="//", ec="white",
            label=r"KL gap ($\geq 0$)")
    ax.axvline(rows[0]["log_p"], color=COLORS["loglik"], lw=1.5,
               label=r"$\log p_\theta(\mathcal{X})$")
    ax.axvline(0.0, color="grey", lw=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("nats per image")


def _build_lower_bound() -> Figure:
    from .data import load_digits_split
    from .ppca import PPCA

    X, _ = load_digits_split("train", scale="raw")
    return fig_lower_bound(X, PPCA.fit(X, 2), data_label="pPCA, m = 2, on digits 0–999")


# --------------------------------------------------------------------------------------------
# VAE V.S. EM ALGORITHM — coordinate ascent on L_b(θ, q), from a real EM run on pPCA
# --------------------------------------------------------------------------------------------


def _theta_path(theta_a, theta_b, s):
    """θ(s) on the way from θ_a (s = 0) to θ_b (s = 1): W, μ linear, log σ² linear."""
    from .em import PPCAParams

    return PPCAParams(theta_a.W + s * (theta_b.W - theta_a.W),
                      theta_a.mu + s * (theta_b.mu - theta_a.mu),
                      float(np.exp((1 - s) * np.log(theta_a.sigma2)
                                   + s * np.log(theta_b.sigma2))))


def em_slice(X, history, step: int, s=None):
    """log p(X; θ(s)) and L_b(θ(s), q_t) along θ(s) from θ^(t) (s = 0) to θ^(t+1) (s = 1),
    with q_t = p(Z|X; θ^(t)) the E-step's q (t = ``step``, 0-based into ``history``).
    Returns ``(s, log_p, L_b)``, per image."""
    from . import em

    s = np.linspace(-0.6, 1.6, 45) if s is None else np.asarray(s, float)
    theta_a, theta_b = history.thetas[step], history.thetas[step + 1]
    q = em.e_step(X, theta_a)
    N = X.shape[0]
    log_p = np.array([em.log_likelihood(X, _theta_path(theta_a, theta_b, si)) for si in s])
    L_b = np.array([em.lower_bound(X, _theta_path(theta_a, theta_b, si), *q) for si in s])
    return s, log_p / N, L_b / N


def fig_em(X, history, first: int = 2, n_show: int = 5, step: int | None = None) -> Figure:
    """VAE V.S. EM ALGORITHM from ``history`` = ``em.run_em(X, ...)`` on pPCA (per image).

    Left: coordinate ascent for steps ``first`` … ``first + n_show − 1``: the E-step raises
    L_b(θ, q) until it touches log p(X; θ) (q = posterior, gap 0), the M-step raises L_b and
    with it log p. Middle: at step ``step`` (default ``first``), log p(X; θ) and L_b(θ, q_t)
    along the path θ^(t) → θ^(t+1): they touch at θ^(t), L_b peaks at θ^(t+1). Right: the
    KL gap before and after each E-step (after: rounding error only)."""
    step = first if step is None else step
    if not 0 <= first < first + n_show <= len(history.log_lik) or \
            not 0 <= step < len(history.log_lik):
        raise ValueError(f"first, n_show and step must index the {len(history.log_lik)} EM "
                         f"steps of history; got first={first}, n_show={n_show}, step={step}.")
    N = X.shape[0]
    with style():
        fig = new_figure(12.0, 3.9)
        ax_a, ax_b, ax_c = fig.subplots(1, 3)
        _panel_em_trace(ax_a, history, N, first, n_show)
        _panel_em_slice(ax_b, *em_slice(X, history, step), step)
        _panel_em_gap(ax_c, history, N)
    return fig


def _panel_em_trace(ax, h, N, first, n_show):
    ts = range(first, first + n_show)
    xs, L_b, log_p = [], [], []
    for t in ts:                             # states (θ_t, q_{t-1}) then (θ_t, q_t)
        xs += [2 * t, 2 * t + 1]
        L_b += [h.L_b_before_E[t] / N, h.L_b_after_E[t] / N]
        log_p += [h.log_lik[t] / N] * 2
    xs.append(2 * (first + n_show))          # after the last M-step: (θ_{t+1}, q_t)
    L_b.append(h.L_b_after_M[first + n_show - 1] / N)
    log_p.append((h.log_lik[first + n_show] if first + n_show < len(h.log_lik)
                  else h.log_lik_final) / N)
    ax.fill_between(xs, L_b, log_p, color=COLORS["gap"], alpha=0.35, label="KL gap")
    ax.plot(xs, log_p, color=COLORS["loglik"], lw=1.8, label=r"$\log p(\mathcal{X};\theta)$")
    ax.plot(xs, L_b, "o-", color=COLORS["L_b"], ms=4, label=r"$L_b(\theta, q)$")
    x0 = 2 * first
    ax.annotate("E-step: q = posterior,\ngap closes", (x0 + 1, L_b[1]),
                xytext=(x0 + 1.6, L_b[0] + 0.02 * (L_b[-1] - L_b[0])), fontsize=8,
                arrowprops={"arrowstyle": "->"})
    ax.annotate("M-step: θ raises L_b\nand log p", ((xs[2] + xs[1]) / 2, (L_b[2] + L_b[1]) / 2),
                xytext=(x0 + 3.5, L_b[1]), fontsize=8, arrowprops={"arrowstyle": "->"})
    ticks = [2 * t + 0.5 for t in ts]
    ax.set_xticks(ticks, [f"t={t + 1}" for t in ts])
    ax.set_ylabel("nats per image")
    ax.set_title("coordinate ascent on $L_b(\\theta, q)$", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)


def _panel_em_slice(ax, s, log_p, L_b, step):
    ax.plot(s, log_p, color=COLORS["loglik"], lw=1.8, label=r"$\log p(\mathcal{X};\theta)$")
    ax.plot(s, L_b, color=COLORS["L_b"], lw=1.8, label=r"$L_b(\theta, q_t)$, $q_t$ fixed")
    k0, k1 = np.argmin(np.abs(s)), np.argmin(np.abs(s - 1))
    ax.plot([0, 0], [L_b[k0], log_p[k0]], "o", color=COLORS["gap"])
    ax.plot([1, 1], [L_b[k1], log_p[k1]], "o", color=COLORS["gap"])
    ax.axvline(0, color="grey", lw=0.6, ls=":")
    ax.axvline(1, color="grey", lw=0.6, ls=":")
    ax.set_xticks([0, 1], [rf"$\theta^{{({step + 1})}}$", rf"$\theta^{{({step + 2})}}$"])
    lo = min(L_b[k0], log_p[k0])
    ax.set_ylim(lo - 0.6 * (log_p[k1] - lo), log_p[k1] + 0.35 * (log_p[k1] - lo))
    ax.set_ylabel("nats per image")
    ax.set_title(rf"one step: touch at $\theta^{{({step + 1})}}$, $L_b$ peaks at "
                 rf"$\theta^{{({step + 2})}}$", fontsize=10)
    ax.legend(loc="lower center", fontsize=8)


def _panel_em_gap(ax, h, N):
    t = np.arange(1, len(h.log_lik) + 1)
    floor = 1e-16 * np.abs(h.log_lik[-1] / N)          # where exact zeros are drawn
    after = np.abs(h.log_lik - h.L_b_after_E) / N      # measured: log p − L_b, not assumed
    ax.semilogy(t, np.maximum(h.gap_before_E / N, floor), "o-", color=COLORS["gap"], ms=3,
                label="before E-step (after M-step)")
    ax.semilogy(t, np.maximum(after, floor), "s-", color=COLORS["q"], ms=3,
                label=rf"after E-step: |log p − $L_b$| ≤ {after.max():.0e}")
    ax.set_xlabel("EM step t")
    ax.set_ylabel(r"KL$(q \,\|\, p(\cdot|\mathcal{X};\theta))$ per image")
    ax.set_title("the gap the E-step closes", fontsize=10)
    ax.legend(loc="center right", fontsize=8)


def _build_em() -> Figure:
    from . import em
    from .data import load_digits_split

    X, _ = load_digits_split("train", scale="raw")
    history = em.run_em(X, 2, n_steps=20, theta0=em.init_params(X.shape[1], 2, seed=0),
                        seed=0)
    return fig_em(X, history)


# --------------------------------------------------------------------------------------------
# Registry and the ``make figures`` script
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureSpec:
    """How ``make figures`` builds one figure: a zero-argument builder and its file formats."""
    build: Callable[[], Figure]
    formats: tuple[str, ...] = ("png",)
    slide: str = ""


FIGURES: dict[str, FigureSpec] = {
    "ae_vs_vae": FigureSpec(fig_ae_vs_vae, ("png", "svg"), "AUTO ENCODER V.S. VAE"),
    "why_vae": FigureSpec(_build_why_vae, ("png",), "WHY VAE? (Intuitive Reason)"),
    "only_reconstruction": FigureSpec(_build_only_reconstruction, ("png",),
                                      "VAE LOSS FUNCTION; WHY VAE REGULARIZATION?"),
    "gaussian_encoder_decoder": FigureSpec(fig_gaussian_encoder_decoder, ("png",),
                                           "VAE AND GAUSSIAN DISTRIBUTION"),
    "lower_bound": FigureSpec(_build_lower_bound, ("png",), "LOG-LIKELIHOOD LOWER BOUND"),
    "em": FigureSpec(_build_em, ("png",), "VAE V.S. EM ALGORITHM"),
}


def write_figures(out: str | Path = "figures", names: list[str] | None = None) -> list[Path]:
    """Build the figures ``names`` (all when None) and save them under ``out``; return paths."""
    names = list(FIGURES) if not names else names
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        raise ValueError(f"unknown figure name(s) {unknown}; choose from {sorted(FIGURES)}.")
    written = []
    for name in names:
        spec = FIGURES[name]
        fig = spec.build()
        for fmt in spec.formats:
            written.append(savefig(fig, Path(out) / f"{name}.{fmt}"))
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m vae_teach.figures [--out DIR] [names...]``."""
    import matplotlib
    matplotlib.use("Agg")
    parser = argparse.ArgumentParser(prog="python -m vae_teach.figures", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help=f"figures to draw (default: all of "
                                                 f"{', '.join(FIGURES)})")
    parser.add_argument("--out", default="figures", help="output folder (default: figures)")
    args = parser.parse_args(argv)
    try:
        paths = write_figures(args.out, args.names)
    except ValueError as exc:
        parser.error(str(exc))
    for p in paths:
        print(f"wrote {p} ({p.stat().st_size / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
