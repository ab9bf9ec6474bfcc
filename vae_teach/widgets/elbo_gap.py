"""The ELBO-gap widget: move q = N(μ̃, e^ζ) and watch log p_θ(x) = L_b + KL(q ‖ p_θ(·|x)).

A thin wrapper around ``viz.bounds.ElboGapFigure`` (the picture of ``fig_elbo_gap``, kept
alive): two sliders (μ̃ and ζ = log σ̃²), a "q = best Gaussian" button, an Image that shows
the picture and a status line. A slider move redraws only what q changes (blitting) and
sends one PNG, so the picture follows a key press within a frame or two. A bad value (q
outside the grid) shows its ValueError in the status line; the kernel stays alive. Headless
(nbval, Voilà without a browser): building the widget draws the picture once, so the cell
shows the starting picture, and ``snapshot()`` gives a static figure for handouts.
"""

from __future__ import annotations

import ipywidgets as widgets

from vae_teach.maths.quadrature import LatentGrid1D
from vae_teach.viz.bounds import ElboGapFigure, fig_elbo_gap


__all__ = ['ElboGapWidget']


class ElboGapWidget:
    """Sliders for q's mean μ̃ and log-variance ζ on a :class:`LatentGrid1D` and one point x."""

    def __init__(self, grid: LatentGrid1D, x, mu_tilde: float = 0.0, zeta: float = 0.0,
                 mu_range: tuple[float, float] = (-3.0, 3.0),
                 zeta_range: tuple[float, float] = (-6.0, 0.8)):
        if not isinstance(grid, LatentGrid1D):
            raise TypeError(f"grid must be a LatentGrid1D, got {type(grid).__name__}.")
        self.grid, self.x = grid, grid._x(x)
        self.picture = ElboGapFigure(grid, self.x, mu_tilde, zeta)   # bad values raise here
        self.mu = widgets.FloatSlider(value=mu_tilde, min=mu_range[0], max=mu_range[1],
                                      step=0.05, description="μ̃", continuous_update=False)
        self.zeta = widgets.FloatSlider(value=zeta, min=zeta_range[0], max=zeta_range[1],
                                        step=0.05, description="ζ = log σ̃²",
                                        continuous_update=False,
                                        style={"description_width": "initial"})
        self.fit = widgets.Button(description="q = best Gaussian", button_style="info")
        self.status = widgets.HTML()
        self.image = widgets.Image(format="png")
        self.mu.observe(self._on_change, names="value")
        self.zeta.observe(self._on_change, names="value")
        self.fit.on_click(self._on_fit)
        self.box = widgets.VBox([widgets.HBox([self.mu, self.zeta, self.fit]), self.status,
                                 self.image])
        for part, name in ((self.mu, "mu"), (self.zeta, "zeta"), (self.image, "image"),
                           (self.box, "widget")):   # CSS hooks for the browser checks
            part.add_class(f"vae-gap-{name}")
        self.show(mu_tilde, zeta)

    def _repr_mimebundle_(self, **kwargs):
        return self.box._repr_mimebundle_(**kwargs)

    def snapshot(self):
        """The figure for the current slider values (a static copy for handouts/headless)."""
        return fig_elbo_gap(self.grid, self.x, self.mu.value, self.zeta.value)

    def show(self, mu_tilde: float, zeta: float) -> bool:
        """Redraw for q = N(μ̃, e^ζ); on a ValueError show its message and keep the old picture.

        Returns True when the picture was redrawn.
        """
        try:
            r = self.picture.update(mu_tilde, zeta)
        except ValueError as exc:
            self.status.value = f'<span style="color:#cf222e">{exc}</span>'
            return False
        self.image.value = self.picture.png()
        self.status.value = (f"log p(x) = {r.log_p:.4f} = L_b {r.L_b:.4f} + KL {r.kl:.4f} "
                             f"(residual {r.log_p - r.L_b - r.kl:.1e})")
        return True

    def _on_change(self, _change=None) -> None:
        self.show(self.mu.value, self.zeta.value)

    def _on_fit(self, _button=None) -> None:
        mu, zeta = self.grid.best_gaussian_q(self.x, self.mu.value, self.zeta.value)
        with self.mu.hold_trait_notifications(), self.zeta.hold_trait_notifications():
            self.mu.value = min(max(mu, self.mu.min), self.mu.max)
            self.zeta.value = min(max(zeta, self.zeta.min), self.zeta.max)
        self._on_change()
