"""Pictures of p_θ(x) and its lower bound: integrand, Monte Carlo, MLE, ELBO gap, minibatches.

Every function is pure: it takes numbers (or a ``maths`` object) and returns a Figure built
without pyplot."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from vae_teach._checks import as_float_array
from vae_teach.maths.quadrature import LatentGrid1D
from vae_teach.viz.style import COLORS, new_figure, style


__all__ = ["fig_marginal_integrand", "fig_mc_convergence", "fig_argmax", "fig_mle_ascent",
           "fig_elbo_gap", "ElboGapFigure", "fig_bound_vs_mean", "fig_minibatch"]


# ----------------------------------------------------------------------------- notebook 03
def fig_marginal_integrand(grid: LatentGrid1D, x) -> Figure:
    """p_θ(x) = ∫ p_θ(x|z) p_θ(z) dz for a 1-D latent: the integrand and its area."""
    f = np.exp(grid.log_joint(x))
    with style():
        fig = new_figure(6.0, 3.0)
        ax = fig.add_subplot()
        ax.plot(grid.z, f, color=COLORS["decoder"], lw=2,
                label=r"$p_\theta(x|z)\,p_\theta(z)$")
        ax.fill_between(grid.z, f, color=COLORS["decoder"], alpha=0.25,
                        label=rf"area $= p_\theta(x) = {np.exp(grid.log_px(x)):.4g}$")
        width = np.sqrt(np.sum(f * grid.z ** 2) / np.sum(f) - (np.sum(f * grid.z) / f.sum()) ** 2)
        centre = np.sum(f * grid.z) / f.sum()
        ax.set_xlim(centre - 6 * width, centre + 6 * width)
        ax.set_xlabel("latent $z$")
        ax.set_title(r"the integrand of $\int p_\theta(x|z)\,p_\theta(z)\,dz$")
        ax.legend(loc="upper right")
    return fig


def fig_mc_convergence(ns, estimates, standard_errors, exact: float) -> Figure:
    """Monte-Carlo log p_θ(x) ± 2 s.e. against the number of draws n, and the exact value."""
    ns = as_float_array(ns, "ns", ndim=1)
    est = as_float_array(estimates, "estimates", ndim=1)
    se = as_float_array(standard_errors, "standard_errors", ndim=1)
    with style():
        fig = new_figure(6.0, 3.0)
        ax = fig.add_subplot()
        ax.errorbar(ns, est, yerr=2 * se, fmt="o", color=COLORS["q"], capsize=3,
                    label=r"Monte Carlo $\pm 2$ s.e.")
        ax.axhline(exact, color=COLORS["loglik"], ls="--", label="closed form")
        ax.set_xscale("log")
        ax.set_xlabel("number of draws $n$,  $z_k \\sim p_\\theta(z)$")
        ax.set_ylabel(r"$\log p_\theta(x)$")
        ax.legend()
    return fig


def fig_argmax(theta, loglik, name: str = r"\sigma^2") -> Figure:
    """p_θ(𝒳) and log p_θ(𝒳) along one parameter: same arg max, very different max."""
    theta = as_float_array(theta, "theta", ndim=1)
    loglik = as_float_array(loglik, "loglik", ndim=1)
    k = int(np.argmax(loglik))
    with style():
        fig = new_figure(9.0, 3.0)
        ax_p, ax_l = fig.subplots(1, 2)
        for ax, y, label in [(ax_p, np.exp(loglik), r"$p_\theta(\mathcal{X})$"),
                             (ax_l, loglik, r"$\log p_\theta(\mathcal{X})$")]:
            ax.plot(theta, y, color=COLORS["loglik"])
            ax.axvline(theta[k], color=COLORS["gap"], ls="--",
                       label=rf"arg max: ${name}$ = {theta[k]:.3g}")
            ax.set_xlabel(rf"${name}$")
            ax.set_title(f"{label}: max = {y[k]:.4g}")
            ax.legend(loc="lower right")
    return fig


def fig_mle_ascent(loglik, closed_form: float) -> Figure:
    """Gradient ascent on log p_θ(𝒳): the curve, and its distance to the closed-form MLE."""
    loglik = as_float_array(loglik, "loglik", ndim=1)
    steps = np.arange(loglik.size)
    with style():
        fig = new_figure(9.0, 3.0)
        ax_l, ax_g = fig.subplots(1, 2)
        ax_l.plot(steps, loglik, color=COLORS["q"], label="gradient ascent")
        ax_l.axhline(closed_form, color=COLORS["loglik"], ls="--", label="closed-form MLE")
        ax_l.set_xlabel("step")
        ax_l.set_ylabel(r"$\log p_\theta(\mathcal{X})$")
        ax_l.legend(loc="lower right")
        gap = closed_form - loglik
        ax_g.semilogy(steps, np.where(gap > 0, gap, np.nan), color=COLORS["gap"])
        ax_g.set_xlabel("step")
        ax_g.set_title(r"closed form $-$ gradient ascent (nats; ends at rounding)")
    return fig


# ----------------------------------------------------------------------------- notebook 04
def fig_elbo_gap(grid: LatentGrid1D, x, mu_tilde: float = 0.0, zeta: float = 0.0) -> Figure:
    """Left: posterior p_θ(z|x) and q = N(μ̃, e^ζ). Right: log p_θ(x) = L_b + KL as bars.

    Raises ValueError (from ``grid.bound``) when q does not fit the grid.
    """
    return ElboGapFigure(grid, x, mu_tilde, zeta, animated=False).fig


class ElboGapFigure:
    """The picture of :func:`fig_elbo_gap`, kept alive so a widget can move q quickly.

    Built and laid out once, with every artist q changes created once too (q's curve, the KL
    band, the L_b line, the two titles that carry q's parameters and the bound's values; the
    legends do not change and stay in the background); :meth:`update` only sets their data
    and text and redraws them over a cached background (blitting on an Agg canvas);
    :meth:`png` encodes the result. ``animated=False`` gives a plain static figure with the
    same artists.
    """

    def __init__(self, grid: LatentGrid1D, x, mu_tilde: float = 0.0, zeta: float = 0.0,
                 animated: bool = True, depth: float = 8.0):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.grid, self.x, self.animated, self.depth = grid, x, bool(animated), float(depth)
        r = grid.bound(x, mu_tilde, zeta)                    # a q off the grid raises here
        self.post = np.exp(grid.log_posterior(x))
        with style():
            self.fig = new_figure(9.5, 3.2)
            FigureCanvasAgg(self.fig)
            self.ax_z, self.ax_b = self.fig.subplots(1, 2, width_ratios=[2, 1])
            ax = self.ax_z
            self._fill = ax.fill_between(grid.z, self.post, color=COLORS["loglik"], alpha=0.15)
            (self._post,) = ax.plot(grid.z, self.post, color=COLORS["loglik"],
                                    label=r"posterior $p_\theta(z|x)$")
            (self._q,) = ax.plot(grid.z, np.zeros_like(grid.z), color=COLORS["q"], lw=2,
                                 label=r"$q = \mathcal{N}(\tilde\mu,\ e^{\zeta})$")
            ax.set_xlim(-4, 4)
            ax.set_yticks([])
            ax.set_ylabel("density")
            ax.set_xlabel("latent $z$")
            ax.legend(loc="upper left")
            self._q_text = ax.set_title(" ", fontsize=10)
            self._build_bars(r)
            self._dynamic = [self._fill, self._post, self._q, self._q_text, self._band,
                             self._low, self._bound_text]
            for artist in self._dynamic:
                artist.set_animated(self.animated)
            self._draw_q(mu_tilde, zeta, r)
            self._background = None
            if animated:
                self.fig.canvas.draw()                       # layout + static parts, once
                self._background = self.fig.canvas.copy_from_bbox(self.fig.bbox)
                self._blit()

    def _build_bars(self, r) -> None:
        """The identity as levels: log p (black) above L_b (blue); the band between is the KL.

        The y-range is fixed relative to log p (which does not depend on q), so moving q moves
        only the blue line; a bound deeper than ``depth`` nats is pinned to the bottom edge.
        """
        from matplotlib.patches import Rectangle

        ax = self.ax_b
        bottom = r.log_p - self.depth
        self._band = Rectangle((0, bottom), 1, self.depth, transform=ax.get_yaxis_transform(),
                               color=COLORS["gap"], alpha=0.35, lw=0, label="KL")
        ax.add_patch(self._band)
        top = ax.axhline(r.log_p, color=COLORS["loglik"], lw=2, label=f"log p(x) = {r.log_p:.3f}")
        (self._low,) = ax.plot([0, 1], [bottom, bottom], transform=ax.get_yaxis_transform(),
                               color=COLORS["L_b"], lw=2, label="L_b")
        ax.set_ylim(bottom - 0.2, r.log_p + 0.5)
        ax.set_xticks([])
        ax.set_ylabel("nats")
        self._bound_text = ax.set_title(" ", fontsize=10)
        ax.legend(handles=[self._band, top, self._low], loc="upper center",
                  bbox_to_anchor=(0.5, -0.02), fontsize=8)

    def _draw_q(self, mu_tilde: float, zeta: float, r) -> None:
        """Set q's curve, the y-scale, the bars and the legends' texts for q = N(μ̃, e^ζ)."""
        q = np.exp(self.grid.log_q(mu_tilde, zeta))
        self._q.set_ydata(q)
        q_text = f"q: μ̃ = {mu_tilde:.2f},  ζ = log σ̃² = {zeta:.2f}"
        self._q_text.set_text(q_text.replace("-", "−"))
        self.ax_z.set_ylim(0, 1.15 * max(self.post.max(), min(q.max(), 3 * self.post.max())))
        L_b = max(r.L_b, r.log_p - self.depth)
        self._band.set_y(L_b)
        self._band.set_height(r.log_p - L_b)
        self._low.set_ydata([L_b, L_b])
        self._low.set_linestyle("-" if L_b == r.L_b else ":")    # dotted: pinned to the edge
        self._bound_text.set_text(f"L_b = {r.L_b:.3f},  KL = {r.kl:.3f}".replace("-", "−"))

    def _blit(self) -> None:
        canvas = self.fig.canvas
        canvas.restore_region(self._background)
        for artist in self._dynamic:
            artist.axes.draw_artist(artist)

    def update(self, mu_tilde: float, zeta: float):
        """Move q to N(μ̃, e^ζ) and redraw what changed; returns the ``GridBound``.

        Raises ValueError (q off the grid) before anything changes.
        """
        r = self.grid.bound(self.x, mu_tilde, zeta)
        with style():
            self._draw_q(mu_tilde, zeta, r)
            if self.animated:
                self._blit()
        return r

    def png(self) -> bytes:
        """PNG bytes of the current picture, sent to the browser on every slider move.

        The opaque RGB pixels are reduced to a 256-colour palette (the picture has a handful of
        colours plus their anti-aliased edges; no pixel moves by more than a few levels) and
        compressed fast: about 14 kB in 4 ms instead of 38 kB in 11 ms as RGBA.
        """
        import io

        from PIL import Image

        if not self.animated:
            raise ValueError("png() needs animated=True (the static figure is shown with "
                             "display(fig)).")
        rgb = Image.fromarray(np.asarray(self.fig.canvas.buffer_rgba())[..., :3])
        buf = io.BytesIO()
        rgb.quantize(256, method=Image.Quantize.FASTOCTREE).save(buf, "png", compress_level=1)
        return buf.getvalue()


def fig_bound_vs_mean(grid: LatentGrid1D, x, zeta: float, mus) -> Figure:
    """L_b(μ̃) for q = N(μ̃, e^ζ) along ``mus``, under the constant log p_θ(x); gap shaded."""
    mus = as_float_array(mus, "mus", ndim=1)
    rows = [grid.bound(x, mu, zeta) for mu in mus]
    L_b = np.array([r.L_b for r in rows])
    log_p = rows[0].log_p
    with style():
        fig = new_figure(6.0, 3.0)
        ax = fig.add_subplot()
        ax.axhline(log_p, color=COLORS["loglik"], label=r"$\log p_\theta(x)$")
        ax.plot(mus, L_b, color=COLORS["L_b"], lw=2, label=r"$L_b$")
        ax.fill_between(mus, L_b, log_p, color=COLORS["gap"], alpha=0.3,
                        label=r"KL$(q\,\|\,p_\theta(\cdot|x))$")
        ax.set_ylim(max(L_b.min(), log_p - 6), log_p + 0.5)
        ax.set_xlabel(r"$\tilde\mu$ (mean of $q$)")
        ax.set_title(rf"moving $q$'s mean at $\zeta$ = {zeta:.2f}")
        ax.legend(loc="lower center")
    return fig


# ----------------------------------------------------------------------------- notebook 06
def fig_minibatch(estimates: dict, target: float) -> Figure:
    """Histograms of minibatch estimates of L_b (one per estimator), the full-data value, and
    each histogram's mean. ``estimates`` maps label → (K,) array."""
    if not isinstance(estimates, dict) or not estimates:
        raise TypeError("estimates must be a non-empty dict {label: array of estimates}.")
    colours = [COLORS["q"], COLORS["gap"], COLORS["decoder"]]
    with style():
        fig = new_figure(6.5, 3.0)
        ax = fig.add_subplot()
        for (label, est), colour in zip(estimates.items(), colours):
            est = as_float_array(est, f"estimates[{label!r}]", ndim=1)
            ax.hist(est, bins=50, color=colour, alpha=0.45, density=True, label=label)
            ax.axvline(est.mean(), color=colour, lw=2)
        ax.axvline(target, color=COLORS["loglik"], ls="--", lw=2, label="full-data $L_b$")
        ax.set_xlabel(r"$\hat L_b$")
        ax.set_yticks([])
        ax.legend(loc="upper left", fontsize=8)
    return fig
