"""The lecture's pictures, drawn from code: numbers in, one ``Figure`` per slide picture.

One pure function per slide picture, each returning a ``matplotlib.figure.Figure`` (built
without pyplot, so nothing global changes; in a notebook show it with ``display(fig)``):

| slide | function |
|---|---|
| AUTO ENCODER V.S. VAE | ``fig_ae_vs_vae()`` |
| WHY VAE? (Intuitive Reason) | ``fig_why_vae(*measure.holes.why_vae_pair(ae, vae, …), labels)`` |
| VAE LOSS FUNCTION / WHY VAE REGULARIZATION? | ``fig_only_reconstruction(encoder_codes(vae_rec, X), encoder_codes(vae, X), labels)`` |
| LOG-LIKELIHOOD LOWER BOUND | ``fig_lower_bound(X, model)`` |
| VAE V.S. EM ALGORITHM | ``fig_em(history)`` |
| VAE AND GAUSSIAN DISTRIBUTION | ``fig_gaussian_encoder_decoder()`` |

``python -m vae_teach.tools.figures [--out figures] [names...]`` (``make figures``) writes every
figure as PNG (and SVG for the diagram) with stable bytes.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Polygon

from vae_teach.maths.bound import example_qs, lower_bound_table
from vae_teach.maths.em import em_slice
from vae_teach.maths.gaussian import linear_gaussian_posterior
from vae_teach.viz.style import COLORS, new_figure, style


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


def fig_why_vae(ae_numbers: dict, vae_numbers: dict, labels) -> Figure:
    """WHY VAE? (Intuitive Reason), drawn from ``measure.holes.why_vae_numbers`` of the
    auto-encoder and of the VAE (codes of the same inputs, labels (N,)). In one row, for the AE
    then the VAE: the real 2-D codes (z, μ̃), coloured by digit ``labels``, with an n_grid ×
    n_grid grid over them (× = a gap: ≥ ``gap`` code spacings from every code), and next to them
    the decoder's image at every grid point, gap points framed in red. Titles give, for gap and non-gap
    points, the mean confidence of a digit classifier fitted on (X_ref, y_ref) and the RMS
    distance to the nearest image of X_ref (the training digits): lower confidence / larger
    distance = less like a digit.

    The figure prints the numbers instead of asserting the slide: on the pretrained 2-D MNIST
    models the AE's gap points are less digit-like than its near-code points, but only by a
    few hundredths (notebook 01 measures where the holes matter: larger codes)."""
    from vae_teach.viz.images import IMAGE_CMAP, LABEL_CMAP, tile

    with style():
        fig = new_figure(16.0, 5.2)           # one row: fits a 1280×720 slide
        row = fig.subplots(1, 4, width_ratios=[1, 1.05, 1, 1.05])
        for col, (name, r) in enumerate((("auto-encoder", ae_numbers), ("VAE", vae_numbers))):
            n_grid, vmax = r["n_grid"], r["vmax"]
            scatter = _panel_codes(row[2 * col], r, labels, name, LABEL_CMAP)
            ax = row[2 * col + 1]
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
        handles = [row[0].plot([], [], "o", color=scatter.cmap(scatter.norm(d)), ms=5)[0]
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


def _panel_posteriors(ax, codes, labels, idx, title, n_sigma: float = 2.0):
    from matplotlib import colormaps
    from matplotlib.patches import Circle, Ellipse

    from vae_teach.viz.images import LABEL_CMAP

    mu_tilde, sigma_tilde = codes["mu_tilde"], codes["sigma_tilde"]
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
    stats = codes["stats"]
    fmt = lambda a: "(" + ", ".join(f"{v:.2g}" for v in a) + ")"  # noqa: E731
    ax.set_title(f"{title}\nmedian σ̃ = {fmt(stats.sigma_tilde_median)};  codes: mean "
                 f"{fmt(stats.code_mean)}, std {fmt(stats.code_std)}", fontsize=10)
    ax.set_xlabel(r"$z_1$")
    ax.set_ylabel(r"$z_2$")
    ax.legend(loc="upper left", fontsize=8)
    return stats


def pick_one_per_class(labels, n: int = 10) -> np.ndarray:
    """Indices of the first example of each of the first ``n`` labels (deterministic)."""
    labels = np.asarray(labels)
    return np.array([int(np.flatnonzero(labels == c)[0]) for c in np.unique(labels)[:n]])


def fig_only_reconstruction(rec_codes: dict, reg_codes: dict, labels, n_inputs: int = 10
                            ) -> Figure:
    """VAE LOSS FUNCTION ("only reconstruction?") / WHY VAE REGULARIZATION?: the encoder's
    q_φ(z|x_i) = N(μ̃, diag σ̃²) as 2σ ellipses for ``n_inputs`` inputs (one per digit),
    from ``measure.codes.encoder_codes`` of the same inputs (labels (N,)): left for the VAE
    trained on the reconstruction loss only (β = 0), right for the one trained
    (with the regulariser μ̃² + e^ζ − (1 + ζ)), over the 1σ/2σ circles of N(0, I). Titles:
    median σ̃ and the mean/std of the codes' aggregate q(z) (``measure.codes.code_stats``).
    Expected: without the regulariser σ̃ → 0 (ellipses shrink to points) and the codes spread
    freely; with it the ellipses overlap around N(0, I) (zero mean, unit variance)."""
    idx = pick_one_per_class(labels, n_inputs)
    with style():
        fig = new_figure(11.0, 5.4)
        ax_l, ax_r = fig.subplots(1, 2)
        _panel_posteriors(ax_l, rec_codes, labels, idx, "only reconstruction loss (β = 0)")
        _panel_posteriors(ax_r, reg_codes, labels, idx, "reconstruction + regularisation (β = 1)")
    return fig


def fig_lower_bound(X, model, qs: dict | None = None, data_label: str = "") -> Figure:
    """LOG-LIKELIHOOD LOWER BOUND: log p_θ(X) = L_b(p_θ, q, X) + KL(q ‖ p_θ(·|X)) per image,
    measured on the pPCA ``model`` (a ``maths.ppca.PPCA``) for several encoders ``qs`` (default
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
